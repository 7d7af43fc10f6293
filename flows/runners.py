"""Where collection runs: Prefect's thread pool here, or a Dask cluster (the `dask` extra)."""

import os

from schemas.errors import SupportDirError


class MissingExtra(SupportDirError):
    """An optional feature whose extra is not installed."""


def task_runner(kind: str = "thread", address: str | None = None):
    """The task runner collection runs on: threads here, or a Dask cluster (local or at `address`)."""
    from prefect.task_runners import ThreadPoolTaskRunner

    if kind == "thread":
        return ThreadPoolTaskRunner(max_workers=8)
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError:
        raise MissingExtra("--task-runner dask needs the dask extra: "
                           "pip install 'supportdir[dask]'") from None
    if address:
        return DaskTaskRunner(address=address)
    share_prefect_api()
    return DaskTaskRunner(cluster_kwargs={"n_workers": 2, "processes": True, "threads_per_worker": 4})


def share_prefect_api() -> None:
    """Give a local cluster's worker processes the Prefect API this process uses.

    Without a configured PREFECT_API_URL, Prefect runs a temporary server for this process only;
    each worker process would try to start its own and fail. The build starts that server before
    the flow (flows.prefect_api) and puts its URL in the environment they inherit.
    """
    from flows.prefect_api import ensure_prefect_api

    if not os.environ.get("PREFECT_API_URL"):
        ensure_prefect_api()
