"""Starting a build's worker processes: fresh `python -m <module>` interpreters fed over pipes."""

import os
import subprocess
from pathlib import Path

PROJECT_ROOT = str(Path(__file__).resolve().parents[1])  # where the packages are, installed or not


def worker_env() -> dict[str, str]:
    """This environment, with the project on the path so `python -m` finds its modules."""
    path = os.pathsep.join(filter(None, [PROJECT_ROOT, os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}


def spawn(command: list[str], text: bool = False) -> subprocess.Popen:
    """A worker process reading requests on stdin and answering on stdout (its stderr dropped)."""
    return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=text, env=worker_env())
