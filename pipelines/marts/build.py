"""Derived tables (marts) built inside a load: metrics (DOMAIN.md §5) and rule findings (§4).

`rebuild_marts(con, settings=None, progress=None, changes=None, lang="zh", before_full=None)` builds them in
`con` (a read-write DuckDB connection; pipelines.store.db calls it inside a load's or a rebuild's
transaction). Mart names and columns: pipelines.tables.marts; what each is and how it is built:
docs/ARCHITECTURE.md. Settings default to the store's own (`settings.toml` beside the store).

How a load's cost follows its data, not the store (issue 9):

- *Per matter, per case.* A matter's rows in `step_latency`, `matters` and its findings in `violations`
  depend only on its own steps, its case's team, the roster, the calendar, the settings and (pending steps
  only) the snapshot; a case's `case_clock` row on the case, the roster, calendar, settings and (open cases
  only) the snapshot. So a load (`changes`: what it wrote) recomputes the matters it can change — its own,
  those of cases it wrote, those still pending, those with a step acting for someone in a substitution it
  wrote or replaced — and the cases it wrote or that are open, and keeps every other row.
- *Full rebuild* when the marts were built on another basis (meta: settings, holidays file, roster,
  MARTS_VERSION) or nothing says what changed (`changes=None`: `python -m pipelines rebuild`, tests).
- *Bounded memory.* Matters and cases are computed in batches of about BATCH_STEPS rows read from DuckDB,
  so memory follows the batch, not the store. `latency_steps`, `acting_monthly` and `pending_steps` are SQL
  in DuckDB over the stored `step_latency`, `level_latency` is merged from `latency_steps`' value counts;
  `compliance_monthly` and `clock_monthly` are polars over narrow projections. Substitutions and meetings
  are small at any scale (~60k rows for a province) and their marts are rebuilt every load.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines.core.frames import registered
from pipelines.core.i18n import t
from pipelines.core.progress import Progress
from pipelines.core.sql import literal
from pipelines.domain import clock, metrics, rules
from pipelines.domain.settings import Settings, settings_for_store
from pipelines.domain.workdays import Calendar, build_calendar
from pipelines.tables import marts as marts_spec
from pipelines.tables import parts

# The marts, their grain, columns and filters: pipelines.tables.marts (this module builds them).
MART_NAMES = marts_spec.MART_NAMES

# Bump when a mart's columns or meaning change: a store whose marts an older version built is then
# rebuilt by `python -m pipelines rebuild --if-stale` (make run does it) instead of breaking the pages.
MARTS_VERSION = 7  # 7: a matter's attributes from its latest step (DOMAIN §5); matters' routes and conformance, rework_loops, matter_levels; A7-PLAN, M4-REGULAR, M4-DEPUTIES

# Approval steps (and cases) computed at once: bounds a load's memory (~1 GB of polars per 500k steps).
BATCH_STEPS = 500_000

# Marts written per matter / per case, batch by batch; the rest are rebuilt whole every time.
MATTER_MARTS = ("step_latency", "matters", "violations", "rework_loops")
# Views over other marts: declared like the marts, nothing of their own to build (pipelines.tables.marts).
VIEW_MARTS = {"matter_levels": marts_spec.MATTER_LEVELS_VIEW}
CASE_MARTS = ("case_clock",)
# Marts that are SQL over the stored `step_latency` (one definition each, here; `level_latency` over
# `latency_steps`' value counts).
SQL_MARTS = ("level_latency", "acting_monthly", "pending_steps", "latency_steps")

# The keys of `meta` that record what the marts were built on: any change means a full rebuild. `meta`
# also says how the last build went: `build` (full | incremental), `recomputed_matters`, `recomputed_cases`.
BASIS_KEYS = ("settings", "holidays_sha256", "roster_sha256", "marts_version")


@dataclass
class Changes:
    """What a load wrote, for deciding which matters and cases its marts must recompute."""

    # matters with a step in the load, cases in the load: ids, or a SELECT of them (over staged Parquet)
    matter_ids: list[str] | str = field(default_factory=list)
    case_ids: list[str] | str = field(default_factory=list)
    # (absent_id, substitute_id) of substitutions the load wrote, and of the stored rows they replaced
    substitution_pairs: list[tuple[str, str]] = field(default_factory=list)


def store_path(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The file behind `con`'s current database (None for an in-memory store)."""
    row = con.sql(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    return Path(row[0][0]) if row and row[0][0] else None


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    # via Arrow: about twice as fast as .pl() on wide text tables
    return pl.from_arrow(con.sql(sql).to_arrow_table())


def _scalar(con: duckdb.DuckDBPyConnection, sql: str):
    return con.sql(sql).fetchall()[0][0]


def _write(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame, *, append: bool = False) -> None:
    """Write `frame` as mart `name` (replacing it), or append its rows when `append` and the mart exists.
    The partitioned marts (pipelines.tables.parts) through the load's overlay; `violations` is the matters'
    findings (partitioned) and the others' (`other_violations`, replaced whole with every build)."""
    if name == "violations":
        if not (frame["record_kind"] == "matter").all():  # all() of no rows is true
            raise ValueError("violations: write the matters' findings and the others' apart")
        name = "matter_violations"
    if name in parts.PARTITIONED:
        parts.append(con, name, frame, whole=not append)
        return
    with registered(con, frame) as view:
        if append and name in parts.relations(con):
            con.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM {view}')
        else:
            con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM {view}')


def _temp_table(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    """Temp table `name` holding the distinct rows of `frame` (ids, months), for the rest of the build."""
    with registered(con, frame) as view:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT DISTINCT * FROM {view}")


# --------------------------------------------------------------------------------------------------
# What every batch shares: roster, snapshot, calendar, settings, the small tables
# --------------------------------------------------------------------------------------------------


@dataclass
class Globals:
    settings: Settings
    people: pl.DataFrame
    teams: pl.DataFrame
    snapshot: dt.datetime | None
    calendar: Calendar
    has_data: bool
    subs: pl.DataFrame  # metrics.substitution_facts
    meetings: pl.DataFrame  # metrics.meeting_facts
    items: pl.DataFrame  # metrics.meeting_item_facts
    basis: dict[str, str]
    lang: str = "zh"  # of the progress messages


def _approvals_span(con: duckdb.DuckDBPyConnection) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(first, snapshot) of the stored approvals, in one scan: the earliest submitted_at or received_at, and
    the latest received_at or decided_at, the data's "now"."""
    return con.sql("""SELECT least(min(submitted_at), min(received_at)),
                             greatest(max(received_at), max(decided_at)) FROM approvals""").fetchall()[0]


def _calendar_span(
    con: duckdb.DuckDBPyConnection, first: dt.datetime | None, snapshot: dt.datetime | None, settings: Settings
) -> tuple[dt.date, dt.date]:
    """The days the calendar covers: the approvals' span, and what the cases' statutory clock needs."""
    spans = []
    lo, hi = con.sql("SELECT min(filed_on), max(filed_on) FROM cases").fetchall()[0]
    if lo is not None:
        spans.append(clock.span_of(lo, hi))
    if first is not None and snapshot is not None:
        spans.append((min(first.date(), snapshot.date()), snapshot.date()))
    if not spans:
        return settings.effective_date, settings.effective_date
    return min(a for a, _ in spans), max(b for _, b in spans)


def _sha256(path: str | Path | None) -> str:
    if not path or not Path(path).is_file():
        return ""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _globals(con: duckdb.DuckDBPyConnection, settings: Settings) -> Globals:
    staff = _frame(con, "SELECT * FROM staff")
    ppl, teams = metrics.people(staff), metrics.team_divisions(staff)
    first, snapshot = _approvals_span(con)
    start, end = _calendar_span(con, first, snapshot, settings)
    cal = build_calendar(start, end, settings.holidays_file)
    has_data = _scalar(con, "SELECT EXISTS (FROM approvals) OR EXISTS (FROM cases)")
    mfacts = metrics.meeting_facts(_frame(con, "SELECT * FROM meetings"), ppl)
    roster = _scalar(
        con, "SELECT md5(coalesce(string_agg(CAST(s AS VARCHAR), chr(10) ORDER BY CAST(s AS VARCHAR)), '')) FROM staff s"
    )
    return Globals(
        settings=settings,
        people=ppl,
        teams=teams,
        snapshot=snapshot,
        calendar=cal,
        has_data=has_data,
        subs=metrics.substitution_facts(_frame(con, "SELECT * FROM substitutions"), ppl, teams, snapshot, settings),
        meetings=mfacts,
        items=metrics.meeting_item_facts(_frame(con, "SELECT * FROM meeting_items"), mfacts),
        basis={
            "settings": json.dumps(settings.as_dict(), ensure_ascii=False),
            "holidays_sha256": _sha256(settings.holidays_file),
            "roster_sha256": roster,
            "marts_version": str(MARTS_VERSION),
        },
    )


def _stored_basis(con: duckdb.DuckDBPyConnection) -> dict[str, str | None] | None:
    """What the stored marts were built on (None: no complete marts to build on)."""
    if not set(MART_NAMES) <= parts.relations(con):  # partitioned marts are views
        return None
    rows = dict(con.sql("SELECT key, value FROM meta").fetchall())
    return {k: rows.get(k) for k in BASIS_KEYS}


# --------------------------------------------------------------------------------------------------
# The dirty set
# --------------------------------------------------------------------------------------------------


def _mark_dirty(con: duckdb.DuckDBPyConnection, changes: Changes | None) -> None:
    """Temp tables _tierwatch_matters and _tierwatch_cases: the matters and cases to recompute."""
    if changes is None:  # everything: the batches go by the ids' hash, no tables of ids needed
        return
    for name, column, ids in (("_tierwatch_load_matters", "matter_id", changes.matter_ids),
                              ("_tierwatch_load_cases", "case_id", changes.case_ids)):
        if isinstance(ids, str):
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT DISTINCT {column} FROM ({ids})")
        else:
            _temp_table(con, name, pl.DataFrame({column: ids}, schema={column: pl.String}))
    _temp_table(con, "_tierwatch_pairs", pl.DataFrame(
        changes.substitution_pairs, schema={"absent_id": pl.String, "substitute_id": pl.String}, orient="row"))
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _tierwatch_matters AS
           SELECT matter_id FROM _tierwatch_load_matters
           UNION SELECT matter_id FROM approvals WHERE case_id IN (SELECT case_id FROM _tierwatch_load_cases)
           UNION SELECT matter_id FROM matters WHERE pending_steps > 0
           UNION SELECT a.matter_id FROM approvals a JOIN _tierwatch_pairs p
                 ON a.acting_for = p.absent_id AND a.approver_id = p.substitute_id"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _tierwatch_cases AS
           SELECT case_id FROM _tierwatch_load_cases UNION SELECT case_id FROM case_clock WHERE is_open"""
    )


def _among(con: duckdb.DuckDBPyConnection, expr: str, ids: str, key: str) -> str:
    """SQL: `expr` is one of the `key`s of temp table `ids`, their range given first as constants: DuckDB
    skips the Parquet row groups outside it by their min/max, where the IN alone reads every row. Ids that
    follow time, as the exports' do, keep the range narrow: a month's load at 10M then reads the ids of a
    few row groups, not of all 10M steps, to find its matters' rows (0.2 s a table)."""
    lo, hi = con.sql(f"SELECT min({key}), max({key}) FROM {ids}").fetchall()[0]
    if lo is None:
        return "false"
    return f"{expr} BETWEEN {literal(lo)} AND {literal(hi)} AND {expr} IN (SELECT {key} FROM {ids})"


# --------------------------------------------------------------------------------------------------
# Matters and cases, batch by batch
# --------------------------------------------------------------------------------------------------

MATTER_RULES = tuple(r for r in rules.RULES if r.record_kind == "matter")
OTHER_RULES = tuple(r for r in rules.RULES if r.record_kind != "matter")


def _batches(con: duckdb.DuckDBPyConnection, table: str, column: str, ids: str | None) -> list[tuple[str, str]]:
    """(what to read, condition on it) per batch of about BATCH_STEPS rows of partitioned `table`.

    `ids` None, a full rebuild: whole months in order, each batch read from the files holding its months
    (a month larger than a batch split by the hash of `column`): every file is read about once. By the hash
    of `column` over the whole table, each batch scanned every file (at 10M, 21 batches x 23 files of
    approvals, 0.8 s a batch). Else the ids in temp table `ids` (numbered into batches), read from the
    files of their months only (a month's load at 10M reads 2 of 23 files of approvals: 0.57 -> 0.05 s).

    A batch must hold every step of its matters (a matter is computed from all of them). The approvals are
    partitioned by their rows' submission month, and the steps of a matter may disagree on it (a later load
    corrected `submitted_at`: DOMAIN.md §5 takes the latest step's), so in a full build the matters whose
    steps lie in more than one month leave the month batches and come last, by id."""
    if ids is not None:
        return _id_batches(con, table, column, ids)
    part = parts.PARTITIONED[table]
    apart = ""
    if table == "approvals" and _split_matters(con):
        apart = f" AND {column} NOT IN (SELECT {column} FROM {SPLIT_MATTERS})"
    months = con.sql(f"SELECT {part.key_sql} AS m, count(*) FROM {table} WHERE true {apart} "
                     "GROUP BY 1 ORDER BY 1 NULLS FIRST").fetchall()
    groups: list[tuple[list, int]] = []  # (months in order, rows)
    for month, rows in months:
        if groups and None not in (month, groups[-1][0][0]) and groups[-1][1] + rows <= BATCH_STEPS:
            groups[-1] = (groups[-1][0] + [month], groups[-1][1] + rows)
        else:
            groups.append(([month], rows))
    batches = []
    for group, rows in groups or [([None], 0)]:
        source, condition = parts.of_months(con, table, set(group)), part.in_months(group[0], group[-1]) + apart
        split = math.ceil(rows / BATCH_STEPS)  # > 1: one month larger than a batch
        batches += [(source, f"{condition} AND hash({column}) % {split} = {i}") for i in range(split)] if split > 1 \
            else [(source, condition)]
    if apart:
        batches += _id_batches(con, table, column, SPLIT_MATTERS)
    return batches


# Temp table of the matters whose stored steps lie in more than one month of the approvals' partitions.
SPLIT_MATTERS = "_tierwatch_split_matters"


def _split_matters(con: duckdb.DuckDBPyConnection) -> int:
    """How many matters have steps in more than one submission month (temp table SPLIT_MATTERS holds them).
    One aggregate over the approvals' ids and submission times, in a full build only."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {SPLIT_MATTERS} AS
                    SELECT matter_id FROM approvals GROUP BY matter_id
                    HAVING min(submitted_at) < date_trunc('month', max(submitted_at))""")
    return _scalar(con, f"SELECT count(*) FROM {SPLIT_MATTERS}")


def _id_batches(con: duckdb.DuckDBPyConnection, table: str, column: str, ids: str) -> list[tuple[str, str]]:
    """Batches of the rows of `table` whose `column` is in temp table `ids` (numbered into batches by hash),
    each read from the files of their months only."""
    part = parts.PARTITIONED[table]
    months = con.sql(f"SELECT {part.key_sql} AS m, count(*) FROM {table} "
                     f"WHERE {_among(con, column, ids, column)} GROUP BY 1").fetchall()
    n = max(1, math.ceil(sum(rows for _, rows in months) / BATCH_STEPS))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {ids} AS SELECT {column}, hash({column}) % {n} AS batch FROM {ids}")
    source = parts.of_months(con, table, {month for month, _ in months})
    return [(source, f"{column} IN (SELECT {column} FROM {ids} WHERE batch = {i})") for i in range(n)]


def _build_matters(con: duckdb.DuckDBPyConnection, g: Globals, full: bool, say: Progress) -> None:
    """step_latency, matters and the matter findings of `violations` for the dirty matters. Not `full`:
    also the months their steps and rows left or entered (temp tables _tierwatch_step_months and
    _tierwatch_matter_months), the cells of the monthly marts to recompute."""
    months: dict[str, list[pl.Series]] = {"step_latency": [], "matters": []}
    if not full:
        for table, found in months.items():
            found.append(parts.delete(
                con, table, _among(con, "t.matter_id", "_tierwatch_matters", "matter_id"), returning="month"
            )["month"].unique())
        parts.delete(con, "matter_violations", _among(con, "t.record_id", "_tierwatch_matters", "matter_id"))
        con.execute(f"DELETE FROM rework_loops WHERE {_among(con, 'matter_id', '_tierwatch_matters', 'matter_id')}")
    batches = _batches(con, "approvals", "matter_id", None if full else "_tierwatch_matters")
    n = len(batches)
    for i, (source, batch) in enumerate(batches):
        approvals = _frame(con, f"SELECT * FROM {source} WHERE {batch}")
        say(0.1 + 0.6 * i / n, t("metrics.progress.batch", g.lang, batch=i + 1, batches=n, steps=approvals.height))
        with registered(con, approvals.select("case_id").unique()) as batch:
            cases = _frame(con, f"SELECT case_id, team FROM cases WHERE case_id IN (SELECT case_id FROM {batch})")
        steps = metrics.step_latency(approvals, cases, g.people, g.teams, g.calendar, g.settings, g.snapshot)
        matters = metrics.matters(steps, g.calendar)
        ctx = rules.Context(settings=g.settings, people=g.people, steps=steps, matters=matters, subs=g.subs,
                            meetings=g.meetings, items=g.items, snapshot=g.snapshot)
        found = rules.evaluate(ctx, MATTER_RULES)
        # its way: route, return loops, two levels, conformance (DOMAIN.md §5), in the declared columns
        matters = _beside(_beside(matters, metrics.matter_paths(steps)), rules.matter_extras(ctx, found))
        loops = metrics.rework_loops(steps, g.calendar)
        append = not (full and i == 0)
        # In month order, as the batches are: a full build's latency_steps then needs no sort of its own.
        steps = steps.sort("month", maintain_order=True)
        _write(con, "step_latency", steps, append=append)
        _write(con, "matters", matters, append=append)
        _write(con, "violations", found, append=append)
        _write(con, "rework_loops", loops, append=append)
        months["step_latency"].append(steps["month"].unique())
        months["matters"].append(matters["month"].unique())
        del approvals, cases, steps, matters, ctx, found, loops  # before the next batch is read, not after
    if not full:
        for table, temp in (("step_latency", "_tierwatch_step_months"), ("matters", "_tierwatch_matter_months")):
            _temp_table(con, temp, pl.concat([pl.Series("month", [], pl.Date), *months[table]]).to_frame())


def _beside(matters: pl.DataFrame, more: pl.DataFrame) -> pl.DataFrame:
    """`more`'s columns (per matter, keyed by matter_id) beside `matters`: side by side when both list the
    matters in the same order, as metrics.matters and matter_paths do (a join on the ids' text cost ~0.3 s a
    batch), else joined."""
    if matters["matter_id"].equals(more["matter_id"]):
        return pl.concat([matters, more.drop("matter_id")], how="horizontal")
    return matters.join(more, on="matter_id", how="left", maintain_order="left")


def _build_cases(con: duckdb.DuckDBPyConnection, g: Globals, full: bool, say: Progress) -> None:
    """case_clock for the dirty cases."""
    say(0.7, t("metrics.progress.cases", g.lang))
    if not full:
        parts.delete(con, "case_clock", _among(con, "t.case_id", "_tierwatch_cases", "case_id"))
    for i, (source, batch) in enumerate(_batches(con, "cases", "case_id", None if full else "_tierwatch_cases")):
        cases = _frame(con, f"SELECT * FROM {source} WHERE {batch}")
        frame = clock.case_clock(cases, g.people, g.teams, g.settings, g.snapshot, g.calendar)
        _write(con, "case_clock", frame, append=not (full and i == 0))


# --------------------------------------------------------------------------------------------------
# Everything else: whole, from the small tables and from the stored step-grain marts
# --------------------------------------------------------------------------------------------------


# The months whose steps a load changed (_build_matters): the rows the monthly SQL marts replace.
STEP_MONTHS = "AND month IN (SELECT month FROM _tierwatch_step_months)"


def latency_steps_sql(condition: str = "", sort: bool = True) -> str:
    """The one definition of `latency_steps`: step_latency's decided steps in its declared columns, by month
    (`condition`: "AND …" to take some months only). Also what store migration v6 builds it with. `sort`
    False where step_latency's rows are in month order already and DuckDB keeps their order (a full build:
    _build_matters writes whole months in order, each batch sorted by month): sorting 10.45M rows again took
    4-5 s. Within a month the steps then stay in their matters' order, not by level: the same row groups."""
    columns = ", ".join(f'"{c}"' for c in marts_spec.MARTS["latency_steps"].column_names)
    return f"SELECT {columns} FROM step_latency WHERE NOT is_pending {condition}" + (
        " ORDER BY month, level_rank" if sort else "")


# The latency measures per level from the value counts of the columns they read: at 10M steps 128,500
# counts (latency is recorded to the minute) instead of 10.45M values held for holistic quantiles.
COUNTED = ("latency_hours", "latency_workdays", "limit_workdays", "over_limit")
_LEVEL = "level, level_rank"
_QUANTILES = {
    "median_hours": ("latency_hours", 0.5), "p90_hours": ("latency_hours", 0.9),
    "median_workdays": ("latency_workdays::DOUBLE", 0.5), "p90_workdays": ("latency_workdays::DOUBLE", 0.9),
}
_FROM_COUNTS = {  # sums of integers (hours as whole seconds, as marts_spec.exact_hours_sum): order-free
    "steps": "sum(n)::BIGINT",
    "mean_hours": "(sum(round(latency_hours * 3600)::HUGEINT * n)::DOUBLE / 3600)"
                  " / nullif(sum(n) FILTER (WHERE latency_hours IS NOT NULL), 0)",
    "max_hours": "max(latency_hours)",
    "mean_workdays": "sum(latency_workdays::HUGEINT * n)::DOUBLE"
                     " / nullif(sum(n) FILTER (WHERE latency_workdays IS NOT NULL), 0)",
    "limit_workdays": "max(limit_workdays)",  # one limit per level; max, not any_value: order-free
    "over_limit_steps": "coalesce(sum(n) FILTER (WHERE over_limit), 0)::BIGINT",
    "over_limit_share": "coalesce(sum(n) FILTER (WHERE over_limit), 0)::DOUBLE"
                        " / nullif(sum(n) FILTER (WHERE over_limit IS NOT NULL), 0)",
}
assert set(_FROM_COUNTS) | set(_QUANTILES) == set(marts_spec.LATENCY_MEASURES)


def _ranks_sql(value: str, q: float, name: str) -> str:
    """SQL over the value counts `_tierwatch_counts`: per level, what DuckDB's `quantile_cont(value, q)`
    interpolates between: RN = (N - 1) * q over the N non-null values, the values at ranks floor(RN) and
    ceil(RN) (`name`_lo, `name`_hi) and d = RN - floor(RN) (`name`_d)."""
    return f"""(SELECT {_LEVEL}, min(x) FILTER (WHERE floor(rn) >= below AND floor(rn) < below + n) AS {name}_lo,
                       min(x) FILTER (WHERE ceil(rn) >= below AND ceil(rn) < below + n) AS {name}_hi,
                       any_value(rn - floor(rn)) AS {name}_d
        FROM (SELECT {_LEVEL}, x, n, (sum(n) OVER (PARTITION BY {_LEVEL}) - 1)::DOUBLE * '{q!r}'::DOUBLE AS rn,
                     sum(n) OVER (PARTITION BY {_LEVEL} ORDER BY x ROWS UNBOUNDED PRECEDING) - n AS below
              FROM (SELECT {_LEVEL}, {value} AS x, sum(n) AS n FROM _tierwatch_counts
                    WHERE {value} IS NOT NULL GROUP BY ALL))
        GROUP BY ALL)"""


def level_latency(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The `level_latency` mart: `marts_spec.LATENCY_MEASURES` per level over `latency_steps`, merged from
    the value counts of the columns they read: at 10M steps 0.25 s and 330 MB peak, against 0.83 s and
    910 MB for holistic quantiles over the rows (run in every load)."""
    return latency_from_counts(con, f"SELECT {_LEVEL}, {', '.join(COUNTED)}, count(*) AS n FROM latency_steps GROUP BY ALL")


def latency_from_counts(con: duckdb.DuckDBPyConnection, counts: str, params: list | None = None) -> pl.DataFrame:
    """`marts_spec.LATENCY_MEASURES` per level from value counts: `counts` is a SELECT (with `params`) of
    level, level_rank, the counted columns (`COUNTED`) and `n`, the number of steps with those values —
    e.g. a pre-aggregate's counts summed over the cells a filter keeps. Equal to the last digit to
    `SELECT level, level_rank, LATENCY_MEASURES_SQL FROM <the same steps> GROUP BY ALL`
    (tests/test_marts.py, for random sets of steps and random filters over counts per month × team ×
    division × matter type): the sums are of integers, and each quantile's two values are interpolated by
    DuckDB's own quantile_cont over just them with q = d (RN = (2 - 1) * d = d exactly), the same code with
    the same arguments. SQL arithmetic would not do: the engine's compiled lo * (1 - d) + hi * d is fused
    on this build and differs from SQL's in the last digit."""
    ranks = "".join(f" LEFT JOIN {_ranks_sql(v, q, name)} USING ({_LEVEL})"
                    for name, (v, q) in _QUANTILES.items())
    con.execute(f"CREATE OR REPLACE TEMP TABLE _tierwatch_counts AS {counts}", params or None)
    measures = ", ".join(f"{e} AS {k}" for k, e in _FROM_COUNTS.items())
    frame = _frame(con, f"""SELECT * FROM (SELECT {_LEVEL}, {measures} FROM _tierwatch_counts GROUP BY ALL)
                            {ranks} ORDER BY level_rank""")
    con.execute("DROP TABLE temp.main._tierwatch_counts")
    # (row, measure, lo, hi, d) of the quantiles between two values; the others are their one value
    between = [(i, name, r[f"{name}_lo"], r[f"{name}_hi"], r[f"{name}_d"])
               for i, r in enumerate(frame.iter_rows(named=True)) for name in _QUANTILES
               if r[f"{name}_lo"] is not None and r[f"{name}_d"] != 0]
    values = {name: frame[f"{name}_lo"].to_list() for name in _QUANTILES}
    if between:
        selects = " UNION ALL ".join(
            f"SELECT {k} AS k, quantile_cont(x, ${3 * k + 1}) AS v"
            f" FROM (VALUES (${3 * k + 2}::DOUBLE), (${3 * k + 3}::DOUBLE)) AS t(x)"
            for k in range(len(between)))
        args = [a for _, _, lo, hi, d in between for a in (d, lo, hi)]
        for (i, name, *_), (_, v) in zip(between, sorted(con.sql(selects, params=args).fetchall()), strict=True):
            values[name][i] = v
    return frame.select(_LEVEL.split(", ")).with_columns(
        *(pl.Series(name, values[name], pl.Float64) if name in _QUANTILES else frame[name]
          for name in marts_spec.LATENCY_MEASURES))


def write_sql_marts(con: duckdb.DuckDBPyConnection, full: bool = True) -> None:
    """The marts that are SQL over the stored `step_latency`, with the one definition of each. Not `full`:
    `latency_steps` and `acting_monthly` only for the months the load touched (_build_matters)."""
    # The decided steps' latency columns, in the catalogue: what the pages' latency figures read. Not `full`:
    # only the months whose steps the load changed (their rows are replaced whole, as in acting_monthly).
    if full:
        con.execute("CREATE OR REPLACE TABLE latency_steps AS " + latency_steps_sql(sort=False))
    else:
        con.execute("DELETE FROM latency_steps WHERE month IN (SELECT month FROM _tierwatch_step_months)")
        con.execute("INSERT INTO latency_steps " + latency_steps_sql(STEP_MONTHS))
    # Per level over every decided step: the latency figures' measures with no filter, from the same rows,
    # merged from their value counts (equal to the last digit; a third of the time and memory at 10M).
    _write(con, "level_latency", level_latency(con))
    # Decided steps and those decided by someone acting for the approver, per month, level, matter type,
    # team and division: every shared filter narrows the acting-for share through its own column.
    acting = """SELECT month, level, level_rank, matter_type, team, division,
                       count(*)::BIGINT AS decided_steps, count(acting_for)::BIGINT AS acting_steps
                FROM step_latency WHERE NOT is_pending {months}
                GROUP BY ALL ORDER BY ALL NULLS LAST"""
    if full:
        con.execute("CREATE OR REPLACE TABLE acting_monthly AS " + acting.format(months=""))
    else:
        con.execute("DELETE FROM acting_monthly WHERE month IN (SELECT month FROM _tierwatch_step_months)")
        con.execute("INSERT INTO acting_monthly " + acting.format(months=STEP_MONTHS))
    # Steps waiting at the snapshot, most of their limit used first.
    con.execute(
        """CREATE OR REPLACE TABLE pending_steps AS
           SELECT * FROM step_latency WHERE is_pending ORDER BY used_share DESC NULLS LAST, matter_id, step_no"""
    )


def _whole_marts(
    con: duckdb.DuckDBPyConnection, g: Globals, load: str | None, build: dict[str, str], full: bool
) -> dict[str, pl.DataFrame]:
    """The marts rebuilt whole every time (small, or aggregates over narrow projections). Not `full`:
    compliance for matters only in the months the load touched, the other months' rows kept."""
    months = "" if full else "AND month IN (SELECT month FROM _tierwatch_matter_months)"
    matters = _frame(con, f"SELECT closed, final_decided_at, team, division FROM matters WHERE closed {months}")
    # A7-PLAN's records: the major cases (division: their team's, from the roster) and the PLAN matters of cases
    major = _frame(con, "SELECT case_id, team, judge_id, filed_on FROM cases WHERE is_major").join(
        g.teams, on="team", how="left")
    plans = _frame(con, "SELECT case_id, matter_id, chief_approved FROM matters "
                        "WHERE matter_type = 'PLAN' AND case_id IS NOT NULL")
    ctx = rules.Context(settings=g.settings, people=g.people, steps=pl.DataFrame(), matters=matters, subs=g.subs,
                        meetings=g.meetings, items=g.items, snapshot=g.snapshot, cases=major, plans=plans)
    # The other findings, whole every time; `violations` is a view over both (no rewrite of the matters'
    # findings: readers that page or export them order explicitly).
    _write(con, "other_violations", rules.evaluate(ctx, OTHER_RULES).sort("rule_id", "record_id"))
    parts.ensure_violations_view(con)
    found = _frame(con, "SELECT rule_id, month, team, division FROM violations" + (
        "" if full else " WHERE record_kind <> 'matter' OR month IN (SELECT month FROM _tierwatch_matter_months)"))
    compliance = rules.compliance_monthly(ctx, found)
    if not full:
        touched = _frame(con, "SELECT month FROM _tierwatch_matter_months")["month"].implode()
        kept = _frame(con, "SELECT * FROM compliance_monthly WHERE record_kind = 'matter' "
                           "AND month NOT IN (SELECT month FROM _tierwatch_matter_months)")
        fresh = compliance.filter((pl.col("record_kind") != "matter") | pl.col("month").is_in(touched))
        compliance = pl.concat([kept, fresh]).sort(rules.COMPLIANCE_ORDER, nulls_last=True)
    closed_cases = _frame(
        con, "SELECT month, team, division, is_open, on_time, days_to_close FROM case_clock WHERE NOT is_open"
    )
    cal = g.calendar
    meta = {
        "snapshot_at": g.snapshot.isoformat(sep=" ") if g.snapshot else None,
        "effective_date": g.settings.effective_date.isoformat(),
        "calendar_fallback_years": ",".join(str(y) for y in cal.fallback_years),
        "settings": g.basis["settings"],
        "settings_source": str(g.settings.source) if g.settings.source else None,
        "holidays_file": str(g.settings.holidays_file) if g.settings.holidays_file else None,
        "rules": str(len(rules.RULES)),
        "built_from_load": load,
        "marts_version": g.basis["marts_version"],
        "holidays_sha256": g.basis["holidays_sha256"],
        "roster_sha256": g.basis["roster_sha256"],
        **build,
    }
    return {
        "meta": pl.DataFrame({"key": list(meta), "value": list(meta.values())}, schema={"key": pl.String, "value": pl.String}),
        "calendar_coverage": cal.coverage if g.has_data else cal.coverage.clear(),
        "substitution_facts": g.subs,
        "meeting_facts": g.meetings,
        "meeting_item_facts": g.items,
        "meeting_monthly": metrics.meeting_monthly(g.meetings, g.items),
        "compliance_monthly": compliance,
        "rule_catalogue": rules.rule_catalogue(),
        "clock_monthly": clock.clock_monthly(closed_cases),
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


def check_marts(con: duckdb.DuckDBPyConnection, names: tuple[str, ...] = MART_NAMES) -> None:
    """Every written mart has exactly its declared columns and types (raises MartSchemaError)."""
    for name in names:
        described = [(r[0], r[1]) for r in con.sql(f'DESCRIBE "{name}"').fetchall()]
        marts_spec.check_written(name, described)


def rebuild_marts(
    con: duckdb.DuckDBPyConnection,
    settings: Settings | None = None,
    progress: Progress | None = None,
    changes: Changes | None = None,
    lang: str = "zh",
    before_full: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> bool:
    """Build every derived table inside `con` (a read-write DuckDB connection, inside the load).

    `changes`: what the load wrote; the marts then recompute only what it can change, unless they were
    built on another basis. None: rebuild everything. `lang`: of the progress messages. `before_full`:
    called before a full rebuild writes anything (the store frees the big marts it replaces). Returns whether
    it was a full rebuild."""
    say = progress or (lambda _f, _m: None)
    if settings is None:
        settings = settings_for_store(store_path(con))
    say(0.0, t("metrics.progress.read", lang))
    g = _globals(con, settings)
    g.lang = lang
    full = changes is None or _stored_basis(con) != g.basis
    if full and before_full is not None:
        before_full(con)
    _mark_dirty(con, None if full else changes)
    say(0.1, t("metrics.progress.latency", lang))
    _build_matters(con, g, full, say)
    _build_cases(con, g, full, say)
    say(0.8, t("metrics.progress.write", lang))
    write_sql_marts(con, full)
    matters, cases = ("matters", "case_clock") if full else ("_tierwatch_matters", "_tierwatch_cases")
    build = {
        "build": "full" if full else "incremental",
        "recomputed_matters": str(_scalar(con, f"SELECT count(*) FROM {matters}")),
        "recomputed_cases": str(_scalar(con, f"SELECT count(*) FROM {cases}")),
    }
    whole = _whole_marts(con, g, _last_load(con), build, full)
    for name, view in VIEW_MARTS.items():
        if name in parts.tables(con):
            con.execute(f'DROP TABLE "{name}"')
        con.execute(f'CREATE OR REPLACE VIEW "{name}" AS {view}')
    undeclared = (set(whole) | set(MATTER_MARTS) | set(CASE_MARTS) | set(SQL_MARTS) | set(VIEW_MARTS)) - set(MART_NAMES)
    if undeclared:
        raise marts_spec.MartSchemaError(f"marts not declared in pipelines.tables.marts: {sorted(undeclared)}")
    for name, frame in whole.items():
        _write(con, name, frame)
    for name in marts_spec.RETIRED:
        con.execute(f'DROP TABLE IF EXISTS "{name}"')
    check_marts(con)
    say(1.0, t("metrics.progress.done", lang))
    return full
