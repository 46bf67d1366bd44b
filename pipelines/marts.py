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

from pipelines import clock, contract, metrics, rules
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
    "case_clock",
    "clock_monthly",
)

Progress = Callable[[float, str], None]


# Bump when a mart's columns or meaning change: a store whose marts an older version built is then
# rebuilt by `python -m pipelines rebuild --if-stale` (make run does it) instead of breaking the pages.
MARTS_VERSION = 4

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


# Marts that `rebuild_marts` computes in DuckDB from the stored `step_latency` (same values as the
# polars functions of `metrics`; quantiles are linear = quantile_cont): about 0.8 s less on 1M steps.
SQL_MARTS = ("level_latency", "latency_by")


def compute_marts(
    inputs: dict[str, pl.DataFrame], settings: Settings, progress: Progress | None = None, skip: tuple[str, ...] = ()
) -> dict[str, pl.DataFrame]:
    """Every mart as a polars frame, from the input tables (pure: no store needed); `skip` leaves some out."""
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
        "level_latency": None if "level_latency" in skip else metrics.level_latency(steps),
        "latency_by": None if "latency_by" in skip else metrics.latency_by(steps),
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
        "case_clock": case_clock,
        "clock_monthly": clock.clock_monthly(case_clock),
    }
    return {k: v for k, v in out.items() if v is not None}


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


_MEASURES_SQL = """
    count(*) AS steps,
    quantile_cont(latency_hours, 0.5) AS median_hours,
    quantile_cont(latency_hours, 0.9) AS p90_hours,
    avg(latency_hours) AS mean_hours,
    max(latency_hours) AS max_hours,
    quantile_cont(latency_workdays::DOUBLE, 0.5) AS median_workdays,
    quantile_cont(latency_workdays::DOUBLE, 0.9) AS p90_workdays,
    avg(latency_workdays::DOUBLE) AS mean_workdays,
    any_value(limit_workdays) AS limit_workdays,
    coalesce(sum(over_limit::BIGINT), 0)::BIGINT AS over_limit_steps,
    avg(over_limit::DOUBLE) AS over_limit_share"""


def write_latency_marts(con: duckdb.DuckDBPyConnection) -> None:
    """`level_latency` and `latency_by` from the stored `step_latency`, in one GROUPING SETS pass."""
    dims = {
        "month": "strftime(month, '%Y-%m-%d')",
        "matter_type": "matter_type",
        "division": "division",
        "team": "team",
        "approver": "approver_id",
    }
    keys = ", ".join(f"{expr} AS k_{d}" for d, expr in dims.items())
    sets = ", ".join(["(level, level_rank)", *[f"(k_{d}, level, level_rank)" for d in dims]])
    dim_case = " ".join(f"WHEN grouping(k_{d}) = 0 THEN '{d}'" for d in dims)
    key_case = " ".join(f"WHEN grouping(k_{d}) = 0 THEN k_{d}" for d in dims)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _tierwatch_latency AS
        WITH decided AS (SELECT *, {keys} FROM step_latency WHERE NOT is_pending)
        SELECT CASE {dim_case} END AS dimension,
               CASE {key_case} END AS key,
               CASE WHEN grouping(k_approver) = 0 THEN any_value(approver_name) END AS key_name,
               level, level_rank, {_MEASURES_SQL}
        FROM decided GROUP BY GROUPING SETS ({sets})
        """
    )
    measures = (
        "steps, median_hours, p90_hours, mean_hours, max_hours, median_workdays, p90_workdays, mean_workdays, "
        "limit_workdays, over_limit_steps, over_limit_share"
    )
    con.execute(
        f"""CREATE OR REPLACE TABLE level_latency AS SELECT level, level_rank, {measures}
        FROM _tierwatch_latency WHERE dimension IS NULL ORDER BY level_rank"""
    )
    con.execute(
        f"""CREATE OR REPLACE TABLE latency_by AS SELECT dimension, key, key_name, level, level_rank, {measures}
        FROM _tierwatch_latency WHERE dimension IS NOT NULL
        ORDER BY dimension NULLS LAST, key NULLS LAST, level_rank NULLS LAST"""
    )
    con.execute("DROP TABLE _tierwatch_latency")


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
    marts = compute_marts(inputs, settings, progress, skip=SQL_MARTS)
    load = _last_load(con)
    if load is not None:
        marts["meta"] = marts["meta"].with_columns(
            value=pl.when(pl.col("key") == "built_from_load").then(pl.lit(load)).otherwise("value")
        )
    say(0.8, t("metrics.progress.write"))
    write_marts(con, marts)
    write_latency_marts(con)
    say(1.0, t("metrics.progress.done"))
