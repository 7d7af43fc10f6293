"""The build's pools of worker processes (parsing pages, checking exports): one factory for every floor.

A pool is a `concurrent.futures.ProcessPoolExecutor` of *spawned* workers: fresh interpreters, so
nothing of the calling program (its threads, its locks, its open files) is copied into them. A
spawned worker is given the caller's `sys.path` and working directory, so it imports the project's
packages as the caller did, installed or not. What it runs must be an importable top-level function
(pickled by name). Its stderr is dropped, as a worker killed or failing has nothing to say: a
worker that dies breaks its pool, every future not yet answered fails with `BrokenProcessPool`, and
the caller does that work itself.

Stock spawn also runs the caller's main script again in each worker (as `__mp_main__`, so that
functions defined there can be unpickled): a script without a main guard would run twice, and the
`supportdir` command would import Prefect in every worker. These workers run only the project's
functions, so they are started without it; other spawned processes are left as they were.
"""

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import spawn
from multiprocessing.context import SpawnContext, SpawnProcess
from typing import Any

_starting = threading.local()  # `worker` is set while this thread starts a pool's worker
_stock_preparation = spawn.get_preparation_data


def _preparation(name: str) -> dict[str, Any]:
    """What a spawned process is prepared with; for a pool's worker, without the main script."""
    data = _stock_preparation(name)
    if getattr(_starting, "worker", False):
        data.pop("init_main_from_name", None)
        data.pop("init_main_from_path", None)
    return data


spawn.get_preparation_data = _preparation  # read by the spawn start method at each start


class _Worker(SpawnProcess):
    """A spawned process that does not run the caller's main script again."""

    @staticmethod
    def _Popen(process_obj: SpawnProcess) -> Any:
        _starting.worker = True
        try:
            return SpawnProcess._Popen(process_obj)
        finally:
            _starting.worker = False


class _Spawn(SpawnContext):
    """The spawn start method, starting `_Worker` processes."""

    Process = _Worker


def _drop_stderr() -> None:
    """In a worker, first: send its stderr to the null device."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def process_pool(workers: int, max_tasks_per_child: int | None = None) -> ProcessPoolExecutor:
    """A pool of `workers` spawned processes, each replaced after `max_tasks_per_child` tasks if given."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=_Spawn(), initializer=_drop_stderr,
                               max_tasks_per_child=max_tasks_per_child)


def may_start_workers() -> bool:
    """False in a daemonic process (a Dask worker's, or a pool's own worker), which may not have children."""
    return not multiprocessing.current_process().daemon
