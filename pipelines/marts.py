"""Derived tables (marts) rebuilt after every load: metrics (DOMAIN.md §5) and rule findings (§4).

`rebuild_marts(con, settings=None, progress=None)` reads the six input tables from `con` (a read-write
DuckDB connection; the loader calls it inside its load transaction), computes every mart with polars and
writes each with `CREATE OR REPLACE TABLE … AS SELECT * FROM <frame>`. Mart names and columns:
docs/ARCHITECTURE.md. Settings default to the store's own (`settings.toml` beside the store).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl

from pipelines import contract, metrics, rules
from pipelines.i18n import t
from pipelines.settings import Settings, settings_for_store
from pipelines.workdays import build_calendar

MART_NAMES = (
    "meta",
    "calendar_coverage",
    "step_latency",
    "level_latency",
    "latency_by",
    "pending_steps",
    "matters",
    "substitution_facts",
    "substitutions_monthly",
    "acting_monthly",
    "meeting_facts",
    "meeting_item_facts",
    "meeting_monthly",
    "violations",
    "compliance_monthly",
    "rule_catalogue",
)

Progress = Callable[[float, str], None]


def store_path(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The file behind `con`'s current database (None for an in-memory store)."""
    row = con.sql(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    return Path(row[0][0]) if row and row[0][0] else None


def read_inputs(con: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    # via Arrow: about twice as fast as .pl() on wide text tables
    return {name: pl.from_arrow(con.sql(f'SELECT * FROM "{name}"').to_arrow_table()) for name in contract.LOAD_ORDER}


def _calendar_span(approvals: pl.DataFrame, snapshot: dt.datetime | None, settings: Settings) -> tuple[dt.date, dt.date]:
    if approvals.is_empty():
        return settings.effective_date, settings.effective_date
    lo = approvals.select(pl.min_horizontal(pl.col("submitted_at").min(), pl.col("received_at").min())).item()
    return min(lo.date(), snapshot.date()), snapshot.date()


def compute_marts(inputs: dict[str, pl.DataFrame], settings: Settings, progress: Progress | None = None) -> dict[str, pl.DataFrame]:
    """Every mart as a polars frame, from the input tables (pure: no store needed)."""
    say = progress or (lambda _f, _m: None)
    approvals = inputs["approvals"]
    snapshot = metrics.snapshot_time(approvals)
    start, end = _calendar_span(approvals, snapshot, settings)
    cal = build_calendar(start, end, settings.holidays_file)

    say(0.2, t("metrics.progress.latency"))
    ppl = metrics.people(inputs["staff"])
    teams = metrics.team_divisions(inputs["staff"])
    steps = metrics.step_latency(approvals, inputs["cases"], ppl, teams, cal, settings, snapshot)
    matters = metrics.matters(steps, cal)
    subs = metrics.substitution_facts(inputs["substitutions"], ppl, teams, snapshot, settings)
    mfacts = metrics.meeting_facts(inputs["meetings"], ppl)
    ifacts = metrics.meeting_item_facts(inputs["meeting_items"], mfacts)

    say(0.5, t("metrics.progress.rules"))
    ctx = rules.Context(settings=settings, people=ppl, steps=steps, matters=matters, subs=subs, meetings=mfacts, items=ifacts)
    violations = rules.evaluate(ctx)
    compliance = rules.compliance_monthly(ctx, violations)

    meta = pl.DataFrame(
        {
            "key": [
                "snapshot_at", "effective_date", "calendar_fallback_years", "settings", "settings_source",
                "holidays_file", "rules", "built_from_load",
            ],
            "value": [
                snapshot.isoformat(sep=" ") if snapshot else None,
                settings.effective_date.isoformat(),
                ",".join(str(y) for y in cal.fallback_years),
                json.dumps(settings.as_dict(), ensure_ascii=False),
                str(settings.source) if settings.source else None,
                str(settings.holidays_file) if settings.holidays_file else None,
                str(len(rules.RULES)),
                None,
            ],
        },
        schema={"key": pl.String, "value": pl.String},
    )
    coverage = cal.coverage if not approvals.is_empty() else cal.coverage.clear()
    return {
        "meta": meta,
        "calendar_coverage": coverage,
        "step_latency": steps,
        "level_latency": metrics.level_latency(steps),
        "latency_by": metrics.latency_by(steps),
        "pending_steps": metrics.pending_steps(steps),
        "matters": matters,
        "substitution_facts": subs,
        "substitutions_monthly": metrics.substitutions_monthly(subs),
        "acting_monthly": metrics.acting_monthly(steps),
        "meeting_facts": mfacts,
        "meeting_item_facts": ifacts,
        "meeting_monthly": metrics.meeting_monthly(mfacts, ifacts),
        "violations": violations,
        "compliance_monthly": compliance,
        "rule_catalogue": rules.rule_catalogue(),
    }


def _last_load(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        cols = {r[0] for r in con.sql("SELECT column_name FROM duckdb_columns() WHERE table_name = 'loads'").fetchall()}
        key = next((c for c in ("load_id", "id", "loaded_at") if c in cols), None)
        if key is None:
            return None
        val = con.sql(f'SELECT max("{key}") FROM loads').fetchall()[0][0]
        return None if val is None else str(val)
    except duckdb.Error:
        return None


def write_marts(con: duckdb.DuckDBPyConnection, marts: dict[str, pl.DataFrame]) -> None:
    for name, frame in marts.items():
        view = f"_tierwatch_mart_{name}"
        con.register(view, frame)
        try:
            con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM "{view}"')
        finally:
            con.unregister(view)


def rebuild_marts(con: duckdb.DuckDBPyConnection, settings: Settings | None = None, progress: Progress | None = None) -> None:
    """Rebuild every derived table inside `con` (a read-write DuckDB connection, inside the load)."""
    say = progress or (lambda _f, _m: None)
    if settings is None:
        settings = settings_for_store(store_path(con))
    say(0.0, t("metrics.progress.read"))
    inputs = read_inputs(con)
    marts = compute_marts(inputs, settings, progress)
    load = _last_load(con)
    if load is not None:
        marts["meta"] = marts["meta"].with_columns(
            value=pl.when(pl.col("key") == "built_from_load").then(pl.lit(load)).otherwise("value")
        )
    say(0.8, t("metrics.progress.write"))
    write_marts(con, marts)
    say(1.0, t("metrics.progress.done"))
