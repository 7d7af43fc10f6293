"""What every worker process (`python -m <module>`) of a build needs from its parent."""

import os
from pathlib import Path

PROJECT_ROOT = str(Path(__file__).resolve().parents[1])  # where the packages are, installed or not


def worker_env() -> dict[str, str]:
    """This environment, with the project on the path so `python -m` finds its modules."""
    path = os.pathsep.join(filter(None, [PROJECT_ROOT, os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}
