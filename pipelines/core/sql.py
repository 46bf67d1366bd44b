"""SQL text for the few values DuckDB cannot take as a bound parameter.

Every value a statement runs with is bound (`con.execute(sql, [values])`), file paths included: DuckDB 2.0
binds `ATTACH ?`, `read_parquet(?)`, `read_csv(?)` and `COPY … TO ?`. What it cannot bind is a value inside
SQL that is kept and run later: a view's definition (`CREATE VIEW … AS SELECT … FROM read_parquet([…])`), a
fragment handed to another statement (a range the marts put before an `IN` so DuckDB skips row groups), a
`FILTER (WHERE …)` condition built for several periods at once. Those are quoted here, and only here:

    literal("it's")                    # 'it''s'
    literal(date(2024, 6, 1))          # '2024-06-01'   (write DATE {literal(d)} for a date)
    literal_list(["/a.parquet"])       # ['/a.parquet']
"""

from __future__ import annotations

from collections.abc import Iterable


def literal(value: object) -> str:
    """`value` as an SQL string literal: its text in single quotes, a quote inside doubled."""
    return "'" + str(value).replace("'", "''") + "'"


def literal_list(values: Iterable[object]) -> str:
    """`values` as an SQL list of string literals (`read_parquet`'s list of files)."""
    return "[" + ", ".join(literal(v) for v in values) + "]"
