"""The DuckDB warehouse by stage: the core here (connection, migrations, SQL, stage, normalize, guard, runs).

Sub-packages: schedules/, identity/, publish/, search/. Imports schemas/ only (not scrapers/ or flows/).
"""
