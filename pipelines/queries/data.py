"""The Data page's tables: load history, warnings recorded with a load, calendar coverage, rows per
input table (not figures: no shared filter applies)."""

from __future__ import annotations

import json

import polars as pl

from pipelines.core import contract
from pipelines.core.i18n import t
from pipelines.queries._sql import q, scalar
from pipelines.queries.info import INPUT_TABLES, tables


def loads(con, lang: str = "zh", limit: int = 50) -> pl.DataFrame:
    """Load history as a court's IT reads it, newest first: load_id, loaded_at (minute), files (names),
    rows per table and dropped columns as text in the interface language, warnings (count)."""
    if "loads" not in tables(con):
        return pl.DataFrame()
    warned = "load_warnings" in tables(con)
    count = "(SELECT count(*) FROM load_warnings w WHERE w.load_id = l.load_id)" if warned else "0"
    raw = q(
        con,
        f"""SELECT l.load_id, strftime(l.loaded_at, '%Y-%m-%d %H:%M') AS loaded_at, l.files, l.rows,
                   {count} AS warnings, l.dropped_columns
            FROM loads l ORDER BY l.load_id DESC LIMIT ?""",
        [int(limit)],
    )
    sep = t("loader.report.and", lang)
    colon, between = ("：", "；") if lang == "zh" else (": ", "; ")

    def table_rows(text: str) -> str:
        counts = json.loads(text)
        return sep.join(
            f"{contract.TABLES[name].label(lang)} {counts[name]:,}" for name in contract.LOAD_ORDER if name in counts
        )

    return raw.with_columns(
        pl.col("files").map_elements(lambda s: sep.join(f["name"] for f in json.loads(s)), return_dtype=pl.String),
        pl.col("rows").map_elements(table_rows, return_dtype=pl.String),
        pl.col("dropped_columns").map_elements(
            lambda s: between.join(f"{src}{colon}{sep.join(cols)}" for src, cols in json.loads(s)), return_dtype=pl.String
        ),
        pl.col("warnings").cast(pl.Int64),
    )


def _latest_load(con) -> int:
    return scalar(con, "SELECT coalesce(max(load_id), -1) FROM loads") if "loads" in tables(con) else -1


def load_warning_kinds(con, load_id: int | None = None, lang: str = "zh") -> pl.DataFrame:
    """Warnings recorded with a load (default: the latest) per kind: kind, label, table, rows."""
    empty = pl.DataFrame(schema={"kind": pl.String, "label": pl.String, "table": pl.String, "rows": pl.Int64})
    if "load_warnings" not in tables(con):
        return empty
    load_id = _latest_load(con) if load_id is None else load_id
    df = q(
        con,
        """SELECT kind, table_name, count(*)::BIGINT AS rows FROM load_warnings WHERE load_id = ?
           GROUP BY 1, 2 ORDER BY rows DESC, kind""",
        [int(load_id)],
    )
    if df.is_empty():
        return empty
    return df.select(
        "kind",
        pl.col("kind").map_elements(lambda k: t(f"loader.kind.{k}", lang), return_dtype=pl.String).alias("label"),
        pl.col("table_name").map_elements(lambda n: contract.TABLES[n].label(lang), return_dtype=pl.String).alias("table"),
        "rows",
    )


def load_warning_rows(
    con, load_id: int, kind: str | None = None, lang: str = "zh", limit: int = 50, offset: int = 0
) -> pl.DataFrame:
    """One page of a load's warnings (of one kind, or all), in file and row order: kind and table named in
    the interface language, file, sheet, row, column (as the file spelled it), record_id (the matter a warning
    about its attributes names), value, other (compared with)."""
    where, params = "load_id = ?", [int(load_id)]
    if kind is not None:
        where, params = where + " AND kind = ?", [*params, kind]
    df = q(
        con,
        f"""SELECT kind, table_name, file, coalesce(sheet, '') AS sheet, "row", "column", record_id, value, other
            FROM load_warnings WHERE {where}
            ORDER BY file, sheet NULLS FIRST, "row", "column", kind LIMIT ? OFFSET ?""",
        [*params, int(limit), int(offset)],
    )
    return df.with_columns(
        pl.col("kind").map_elements(lambda k: t(f"loader.kind.{k}", lang), return_dtype=pl.String),
        pl.col("table_name").map_elements(lambda n: contract.TABLES[n].label(lang), return_dtype=pl.String),
    ).rename({"table_name": "table"})


def calendar_coverage(con) -> pl.DataFrame:
    if "calendar_coverage" not in tables(con):
        return pl.DataFrame({"year": [], "source": []})
    return q(con, "SELECT year, source FROM calendar_coverage ORDER BY year")


def input_row_counts(con, lang: str = "zh") -> pl.DataFrame:
    """Rows per input table, the table named in the interface language."""
    present = tables(con)
    names = [name for name in INPUT_TABLES if name in present]
    if not names:
        return pl.DataFrame({"table": [], "rows": []}, schema={"table": pl.String, "rows": pl.Int64})
    union = " UNION ALL ".join(
        f"SELECT ? AS \"table\", count(*) AS rows, {i} AS i FROM {name}" for i, name in enumerate(names)
    )
    return q(con, f"SELECT \"table\", rows FROM ({union}) ORDER BY i",
              [contract.TABLES[name].label(lang) for name in names])
