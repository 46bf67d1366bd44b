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

from pipelines import clock, contract, marts_spec, metrics, rules
from pipelines.i18n import t
from pipelines.settings import Settings, settings_for_store
from pipelines.workdays import build_calendar

# The marts, their grain, columns and filters: pipelines.marts_spec (this module builds them).
MART_NAMES = marts_spec.MART_NAMES

Progress = Callable[[float, str], None]


# Bump when a mart's columns or meaning change: a store whose marts an older version built is then
# rebuilt by `python -m pipelines rebuild --if-stale` (make run does it) instead of breaking the pages.
MARTS_VERSION = 5  # 5: acting_monthly per matter type, team and division; latency_by, substitutions_monthly retired

def store_path(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The file behind `con`'s current database (None for an in-memory store)."""
    row = con.sql(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    return Path(row[0][0]) if row and row[0][0] else None


def read_inputs(con: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    # via Arrow: about twice as fast as .pl() on wide text tables
    return {name: pl.from_arrow(con.sql(f'SELECT * FROM "{name}"').to_arrow_table()) for name in contract.LOAD_ORDER}


def _calendar_span(
    approvals: pl.DataFrame, cases: pl.DataFrame, snapshot: dt.datetime | None, settings: Settings
) -> tuple[dt.date, dt.date]:
    """The days the calendar covers: the approvals' span, and what the cases' statutory clock needs."""
    spans = [clock.calendar_span(cases)] if not cases.is_empty() else []
    if not approvals.is_empty():
        lo = approvals.select(pl.min_horizontal(pl.col("submitted_at").min(), pl.col("received_at").min())).item()
        spans.append((min(lo.date(), snapshot.date()), snapshot.date()))
    spans = [s for s in spans if s is not None]
    if not spans:
        return settings.effective_date, settings.effective_date
    return min(a for a, _ in spans), max(b for _, b in spans)


# Marts that `rebuild_marts` writes in DuckDB from the stored `step_latency` (write_latency_marts).
SQL_MARTS = ("level_latency",)


def compute_marts(
    inputs: dict[str, pl.DataFrame], settings: Settings, progress: Progress | None = None
) -> dict[str, pl.DataFrame]:
    """Every mart but the SQL_MARTS as a polars frame, from the input tables (pure: no store needed)."""
    say = progress or (lambda _f, _m: None)
    approvals = inputs["approvals"]
    snapshot = metrics.snapshot_time(approvals)
    start, end = _calendar_span(approvals, inputs["cases"], snapshot, settings)
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
    ctx = rules.Context(settings=settings, people=ppl, steps=steps, matters=matters, subs=subs, meetings=mfacts, items=ifacts,
                        snapshot=snapshot)
    violations = rules.evaluate(ctx)
    compliance = rules.compliance_monthly(ctx, violations)
    case_clock = clock.case_clock(inputs["cases"], ppl, teams, settings, snapshot, cal)

    meta = pl.DataFrame(
        {
            "key": [
                "snapshot_at", "effective_date", "calendar_fallback_years", "settings", "settings_source",
                "holidays_file", "rules", "built_from_load", "marts_version",
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
                str(MARTS_VERSION),
            ],
        },
        schema={"key": pl.String, "value": pl.String},
    )
    coverage = cal.coverage if not (approvals.is_empty() and inputs["cases"].is_empty()) else cal.coverage.clear()
    out = {
        "meta": meta,
        "calendar_coverage": coverage,
        "step_latency": steps,
        "pending_steps": metrics.pending_steps(steps),
        "matters": matters,
        "substitution_facts": subs,
        "acting_monthly": metrics.acting_monthly(steps),
        "meeting_facts": mfacts,
        "meeting_item_facts": ifacts,
        "meeting_monthly": metrics.meeting_monthly(mfacts, ifacts),
        "violations": violations,
        "compliance_monthly": compliance,
        "rule_catalogue": rules.rule_catalogue(),
        "case_clock": case_clock,
        "clock_monthly": clock.clock_monthly(case_clock),
    }
    return out


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


def write_latency_marts(con: duckdb.DuckDBPyConnection) -> None:
    """`level_latency` from the stored `step_latency`, with the one definition of the latency measures."""
    con.execute(
        f"""CREATE OR REPLACE TABLE level_latency AS
            SELECT level, level_rank, {marts_spec.LATENCY_MEASURES_SQL}
            FROM step_latency WHERE NOT is_pending GROUP BY level, level_rank ORDER BY level_rank"""
    )


def check_marts(con: duckdb.DuckDBPyConnection, names: tuple[str, ...] = MART_NAMES) -> None:
    """Every written mart has exactly its declared columns and types (raises MartSchemaError)."""
    for name in names:
        described = [(r[0], r[1]) for r in con.sql(f'DESCRIBE "{name}"').fetchall()]
        marts_spec.check_written(name, described)


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
    undeclared = set(marts) - set(MART_NAMES)
    if undeclared:
        raise marts_spec.MartSchemaError(f"marts not declared in pipelines.marts_spec: {sorted(undeclared)}")
    say(0.8, t("metrics.progress.write"))
    write_marts(con, marts)
    write_latency_marts(con)
    for name in marts_spec.RETIRED:
        con.execute(f'DROP TABLE IF EXISTS "{name}"')
    check_marts(con)
    say(1.0, t("metrics.progress.done"))
