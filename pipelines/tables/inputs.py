"""DDL of the loaded tables, derived from the contract. pipelines.store.db owns versions and migrations."""

from __future__ import annotations

import duckdb

from pipelines.core import contract


def create_table_sql(table: contract.Table) -> str:
    cols = [f'"{c.name}" {contract.duckdb_type(c)}' for c in table.columns]
    key = ", ".join(f'"{k}"' for k in table.key)
    return f'CREATE TABLE IF NOT EXISTS "{table.name}" ({", ".join(cols)}, PRIMARY KEY ({key}))'


def create_input_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the six input tables (empty) if they do not exist."""
    for name in contract.LOAD_ORDER:
        con.execute(create_table_sql(contract.TABLES[name]))
