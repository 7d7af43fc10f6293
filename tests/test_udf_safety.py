"""Every function registered in DuckDB: arbitrary values never raise, a value one cannot read is NULL
and counted (warehouse/udf_registry.py)."""

import contextlib

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.errors import UnreadableValue
from warehouse import udfs
from warehouse.publish import redact
from warehouse.udf_registry import Problems, register_functions

REGISTERED = {**udfs.FUNCTIONS, **redact.FUNCTIONS}
TEXT_ONLY = sorted(name for name, (_f, params, _r) in REGISTERED.items() if set(params) == {"VARCHAR"})
BAD_PORTS = ["https://aasandiego.org:99999/x", "https://aasandiego.org:abc/x", "https://aasandiego.org:-1/x"]
# Text that reaches the libraries' odd corners: URLs, addresses, zones, markup and entities.
HOSTILE_TEXT = st.one_of(
    st.text(),
    st.from_regex(r"(https?|ftp|javascript)://[a-z.\[\]:]{0,12}(:[-a-z0-9]{0,7})?/[^ ]{0,8}", fullmatch=True),
    st.text(alphabet="<>&;#/:.,-+=@ \n\t0123456789abcxyzAPMTUESDY\u202e\x00", max_size=40),
    st.sampled_from(["America/New_York", "", "America", "../etc", "UTC\x00", "Mars/Olympus",
                     "PO Box 1\nX, KY 4"]),
)


@pytest.fixture(scope="module")
def con():
    """A connection with every project function registered and its problems counted."""
    connection = duckdb.connect()
    problems = Problems()
    udfs.register(connection, problems)
    redact.register(connection, problems)
    yield connection, problems
    connection.close()


def test_every_registered_function_is_in_the_fuzzed_lists():
    assert set(TEXT_ONLY) | {"next_meeting_at", "zone_at"} == set(REGISTERED)


COORDINATE = st.none() | st.floats(allow_nan=True, allow_infinity=True) | st.floats(-200, 200)


@given(latitude=COORDINATE, longitude=COORDINATE)
def test_zone_at_never_raises_in_duckdb_and_says_only_unreadable_itself(con, latitude, longitude):
    connection, _problems = con
    connection.execute("SELECT zone_at(?::DOUBLE, ?::DOUBLE)", [latitude, longitude]).fetchall()
    with contextlib.suppress(UnreadableValue):
        udfs.zone_at(latitude, longitude)


@pytest.mark.parametrize("name", TEXT_ONLY)
@given(data=st.data())
def test_a_registered_function_never_raises_in_duckdb(con, name, data):
    connection, _problems = con
    arity = len(REGISTERED[name][1])
    args = [data.draw(st.none() | HOSTILE_TEXT) for _ in range(arity)]
    connection.execute(f"SELECT {name}({', '.join('?' for _ in args)})", args).fetchall()


@pytest.mark.parametrize("name", TEXT_ONLY)
@given(data=st.data())
def test_a_function_itself_raises_nothing_but_unreadable_value(name, data):
    """The wrapper is the net, not the plan: a function either answers or says the value is unreadable."""
    function, params, _returns = REGISTERED[name]
    args = [data.draw(st.none() | HOSTILE_TEXT) for _ in params]
    with contextlib.suppress(UnreadableValue):
        function(*args)


RULE = st.fixed_dictionaries({
    "freq": st.sampled_from(["WEEKLY", "MONTHLY", "DAILY", "", "x"]),
    "interval": st.integers(-3, 60),
    "byday": st.sampled_from(["MO", "2TU,4TU", "-1TH", "", "ZZ", "MO,XX"]) | st.text(max_size=6),
    "opens_at": st.sampled_from(["19:00", "25:00", "7pm", ""]) | st.none(),
    "closes_at": st.sampled_from(["20:30", "x"]) | st.none(),
    "timezone": st.sampled_from(["America/Chicago", "Mars/Olympus", "", "../x"]) | st.none(),
})


@given(rules=st.lists(RULE, max_size=3))
def test_next_meeting_at_never_raises_in_duckdb(con, rules):
    connection, _problems = con
    connection.execute(f"SELECT next_meeting_at(?::{udfs.RULES_TYPE}, now())", [rules]).fetchall()


def test_urls_with_impossible_ports_are_null_and_counted_once_each():
    connection, problems = duckdb.connect(), Problems()
    udfs.register(connection, problems)
    values = [*BAD_PORTS, BAD_PORTS[0], "https://aasandiego.org:8080/ok", "javascript:alert(1)"]
    found = connection.execute("SELECT clean_url(v) FROM unnest(?) AS t(v)", [values]).fetchall()
    assert [row[0] for row in found] == [None, None, None, None, "https://aasandiego.org:8080/ok", None]
    assert problems.counts() == {"clean_url": 3}  # the repeat counts once; javascript: is policy


def test_a_function_registered_later_gets_the_same_guard():
    """A new UDF that raises on some value (here every value) cannot stop a query."""
    connection, problems = duckdb.connect(), Problems()

    def brittle(value: str | None) -> str | None:
        return str(1 // len(value or ""))

    register_functions(connection, {"brittle": (brittle, ["VARCHAR"], "VARCHAR")}, problems)
    rows = connection.execute("SELECT brittle(v) FROM unnest(['a', '', NULL]) AS t(v)").fetchall()
    assert rows == [("1",), (None,), (None,)]
    assert problems.counts() == {"brittle": 2}
