"""Name-based ids: the same text as the standard library's uuid5, for any name and namespace."""

import uuid

from hypothesis import given
from hypothesis import strategies as st

from schemas.stable_id import Namespace
from warehouse.identity.clustering import ENTITY_IDS, ENTITY_NAMESPACE
from warehouse.publish.hsds import HSDS_NAMESPACE, hsds_id, shared_id
from warehouse.udfs import LISTING_NAMESPACE, listing_uuid

NAMESPACES = st.sampled_from([uuid.NAMESPACE_DNS, uuid.NAMESPACE_URL, HSDS_NAMESPACE, LISTING_NAMESPACE,
                              ENTITY_NAMESPACE])


@given(NAMESPACES, st.text(max_size=200))
def test_an_id_is_the_standard_librarys_uuid5(namespace, name):
    made = Namespace(namespace).id_for(name)
    expected = uuid.uuid5(namespace, name)
    assert made == str(expected)
    assert uuid.UUID(made).version == 5 and uuid.UUID(made).variant == uuid.RFC_4122


def test_one_namespace_gives_each_name_its_own_id_and_the_same_one_again():
    ids = Namespace(HSDS_NAMESPACE)
    assert ids.id_for("service:a") == ids.id_for("service:a")
    assert ids.id_for("service:a") != ids.id_for("service:b")
    assert Namespace(LISTING_NAMESPACE).id_for("service:a") != ids.id_for("service:a")


def test_the_projects_ids_are_unchanged():
    """Published ids must stay the same forever: these are the standard library's, written out."""
    assert hsds_id("service", "x") == str(uuid.uuid5(HSDS_NAMESPACE, "service:x"))
    assert shared_id("taxonomy_term", "topic", "grief") == str(
        uuid.uuid5(HSDS_NAMESPACE, "taxonomy_term:topic:grief"))
    assert listing_uuid("nami", "https://nami.org/a") == str(uuid.uuid5(LISTING_NAMESPACE, "nami:https://nami.org/a"))
    assert ENTITY_IDS.id_for("some-listing") == str(uuid.uuid5(ENTITY_NAMESPACE, "some-listing"))
