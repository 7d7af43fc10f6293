"""The start-up benchmark's options: an API it does not know is one line, exit 2, before any build."""

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.startup import api_names

ROOT = Path(__file__).resolve().parents[1]


def test_both_apis_are_named_with_a_comma():
    assert api_names("ephemeral,server") == ["ephemeral", "server"]
    assert api_names("server") == ["server"]


@pytest.mark.parametrize("text", ["both", "ephemeral,cloud", ","])
def test_an_unknown_api_is_one_line_and_exit_2(text, tmp_path):
    command = [sys.executable, "-m", "benchmarks.startup", "--api", text, "--work", str(tmp_path)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    error_lines = [line for line in done.stderr.splitlines() if "error:" in line]
    assert len(error_lines) == 1 and "ephemeral, server or ephemeral,server, not" in error_lines[0]
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []
