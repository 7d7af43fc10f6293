"""Scheduled builds: a Prefect deployment of build_directory with a cron schedule."""

from prefect.client.schemas.schedules import CronSchedule
from prefect.deployments.runner import RunnerDeployment
from pydantic import ValidationError

from flows.build import build_directory
from schemas.errors import SupportDirError

DEPLOYMENT_NAME = "scheduled-build"


class BadSchedule(SupportDirError):
    """A cron expression or time zone that does not parse."""


def cron_schedule(cron: str, timezone: str = "UTC") -> CronSchedule:
    """A checked cron schedule; a bad expression is one clear error."""
    try:
        return CronSchedule(cron=cron, timezone=timezone)
    except ValidationError as exc:
        problem = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise BadSchedule(f"{problem} (example: --cron '0 6 * * 1')") from None


def scheduled_deployment(cron: str, sources: list[str] | None = None, out: str = "exports",
                         timezone: str = "UTC", name: str = DEPLOYMENT_NAME,
                         decisions: str | None = None) -> RunnerDeployment:
    """The deployment `supportdir serve` runs: a live build on a cron schedule."""
    return build_directory.to_deployment(
        name=name,
        schedule=cron_schedule(cron, timezone),
        parameters={"sources": sources, "out": out, "decisions": decisions},
        description="Collect every source politely, then load, normalize and export the directory.",
        tags=["supportdir"],
    )


def serve(cron: str, sources: list[str] | None, out: str, timezone: str = "UTC",
          decisions: str | None = None) -> None:
    """Register the scheduled deployment and run it until interrupted."""
    from prefect import serve as prefect_serve

    prefect_serve(scheduled_deployment(cron, sources, out, timezone, decisions=decisions))
