"""Prefect flows and the `supportdir` command line: orchestration only."""
