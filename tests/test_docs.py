"""The README and prefect.yaml stay true to the code."""

import importlib
import re
from pathlib import Path

import yaml

from schemas.listing import DirectoryRow

ROOT = Path(__file__).parents[1]


def test_readme_data_dictionary_lists_every_export_column_in_order():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Data dictionary", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| `([a-z_0-9]+)` \|", section, flags=re.M)
    assert documented == list(DirectoryRow.model_fields)


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = next(line.strip() for line in readme.splitlines() if "pytest" in line and "pip install" in line)
    assert command in ci


def test_prefect_yaml_deployments_point_at_the_flow_with_valid_schedules():
    from prefect.client.schemas.schedules import CronSchedule

    config = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    assert config["deployments"]
    for deployment in config["deployments"]:
        module, function = deployment["entrypoint"].split(":")
        flow = getattr(importlib.import_module(module.removesuffix(".py").replace("/", ".")), function)
        assert flow.name == "build-directory"
        assert set(deployment["parameters"]) <= set(flow.parameters.properties)
        for schedule in deployment["schedules"]:
            CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"])


def test_readme_exit_status_table_is_the_codes_the_cli_defines():
    from flows import cli

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = sorted(int(code) for code in re.findall(r"^\| (\d+) \| ", readme, flags=re.M))
    defined = sorted({value for name, value in vars(cli).items() if name.startswith("EXIT_")})
    assert documented == defined
