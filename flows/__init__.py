"""Prefect flows and the `supportdir` command line: orchestration only (no parsing, no SQL text).

The top floor: may import scrapers/, warehouse/ and schemas/.
"""
