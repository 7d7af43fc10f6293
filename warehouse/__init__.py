"""The DuckDB warehouse: connection, migrations, SQL steps (stage, normalize, export)."""
