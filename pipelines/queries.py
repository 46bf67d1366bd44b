"""SQL over the marts for the dashboard: small polars frames, the shared filters applied in SQL.

Every function takes an open (read-only) DuckDB connection and a `Filters`; none of them returns more
than a few hundred rows, except the `*_page` functions, which page raw rows with LIMIT/OFFSET.
Codes stay codes here (levels, matter types, rule ids); labels are the pages' and charts' business.
No streamlit here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from pipelines import contract
from pipelines.filters import Filters
from pipelines.i18n import t

# Which shared filters apply to which mart (column names; None = not applicable).
STEP_COLS = {"month": "month", "team": "team", "division": "division", "matter_type": "matter_type", "level": "level"}
MATTER_COLS = {"month": "month", "team": "team", "division": "division", "matter_type": "matter_type", "level": None}
SUBST_COLS = {"month": "month", "team": "team", "division": "division", "matter_type": None, "level": None}
MEETING_COLS = {"month": "month", "team": None, "division": None, "matter_type": None, "level": None}
VIOLATION_COLS = {"month": "v.month", "team": "v.team", "division": "v.division", "matter_type": None, "level": None}
# compliance_monthly rows carry the judged records' team and division; meetings and meeting items (and
# records without one) have null team/division: bureau-wide. `IN (...)` never matches null, so those rows
# count only while no division/team filter is set -- the same rule the violations' findings follow, so
# findings and records per 100 always describe the same records.
COMPLIANCE_COLS = {"month": "month", "team": "team", "division": "division", "matter_type": None, "level": None}

# The filters each kind of figure honours (for captions): keys of Filters-applicable dimensions.
APPLIES = {
    "steps": ("period", "division", "team", "matter_type", "level"),
    "pending": ("division", "team", "matter_type", "level"),
    "matters": ("period", "division", "team", "matter_type"),
    "substitutions": ("period", "division", "team"),
    "meetings": ("period",),
    "violations": ("period", "division", "team"),
    "rules": ("period", "division", "team"),
}

MART_TABLES = (
    "meta",
    "step_latency",
    "pending_steps",
    "matters",
    "substitution_facts",
    "meeting_item_facts",
    "meeting_monthly",
    "violations",
    "compliance_monthly",
    "rule_catalogue",
)
INPUT_TABLES = ("staff", "cases", "approvals", "substitutions", "meetings", "meeting_items")


def _in(column: str, values: tuple[str, ...], params: list) -> str:
    params.extend(values)
    return f"{column} IN ({', '.join('?' for _ in values)})"


def where(
    f: Filters,
    *,
    month: str | None = "month",
    team: str | None = "team",
    division: str | None = "division",
    matter_type: str | None = None,
    level: str | None = None,
    period: bool = True,
    extra: tuple[str, ...] = (),
) -> tuple[str, list]:
    """A `WHERE ...` clause (or "") and its parameters for the filters that apply to a mart."""
    params: list = []
    parts: list[str] = list(extra)
    if period and month and f.start:
        parts.append(f"{month} >= ?")
        params.append(f.start)
    if period and month and f.end:
        parts.append(f"{month} <= ?")
        params.append(f.end)
    if division and f.divisions:
        parts.append(_in(division, f.divisions, params))
    if team and f.teams:
        parts.append(_in(team, f.teams, params))
    if matter_type and f.matter_types:
        parts.append(_in(matter_type, f.matter_types, params))
    if level and f.levels:
        parts.append(_in(level, f.levels, params))
    return ("WHERE " + " AND ".join(parts)) if parts else "", params


def _q(con, sql: str, params: list | None = None) -> pl.DataFrame:
    return con.sql(sql, params=params or None).pl()


def _scalar(con, sql: str, params: list | None = None):
    rows = con.sql(sql, params=params or None).fetchall()
    return rows[0][0] if rows else None


def _row(con, sql: str, params: list | None = None) -> tuple:
    rows = con.sql(sql, params=params or None).fetchall()
    return rows[0] if rows else ()


# ------------------------------------------------------------------------------------------ the store
@dataclass(frozen=True)
class StoreInfo:
    status: str  # "missing" | "empty" | "ready"
    tables: tuple[str, ...] = ()
    meta: tuple[tuple[str, str], ...] = ()
    first_month: date | None = None
    last_month: date | None = None

    @property
    def ready(self) -> bool:
        return self.status == "ready"

    def meta_value(self, key: str) -> str | None:
        return dict(self.meta).get(key)


def tables(con) -> set[str]:
    return set(_q(con, "SELECT table_name FROM information_schema.tables")["table_name"].to_list())


def store_info(con) -> StoreInfo:
    """What the store holds: `ready` when the marts are built and hold approval steps."""
    present = tables(con)
    if not set(MART_TABLES) <= present:
        return StoreInfo("empty", tuple(sorted(present)))
    meta = tuple(_q(con, "SELECT key, CAST(value AS VARCHAR) AS value FROM meta").iter_rows())
    steps = _scalar(con, "SELECT count(*) FROM step_latency")
    if not steps:
        return StoreInfo("empty", tuple(sorted(present)), meta)
    first, last = _row(
        con,
        """SELECT min(m), max(m) FROM (
             SELECT month AS m FROM step_latency UNION ALL SELECT month FROM substitution_facts
             UNION ALL SELECT month FROM meeting_item_facts)""",
    )
    return StoreInfo("ready", tuple(sorted(present)), meta, _as_date(first), _as_date(last))


def _as_date(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().replace(day=1)
    return value.replace(day=1)


def filter_options(con) -> dict[str, list]:
    """Choices for the sidebar: divisions, teams (with their division), matter types and levels present."""
    org = _q(
        con,
        """SELECT DISTINCT team, division FROM step_latency WHERE team IS NOT NULL
           UNION SELECT DISTINCT team, division FROM substitution_facts WHERE team IS NOT NULL
           ORDER BY division NULLS LAST, team""",
    )
    divisions = sorted({d for d in org["division"].to_list() if d})
    return {
        "divisions": divisions,
        "teams": org.select("team", "division").unique(subset="team", keep="first").rows(),
        "matter_types": _q(con, "SELECT DISTINCT matter_type FROM step_latency ORDER BY 1")["matter_type"].to_list(),
        "levels": _q(con, "SELECT DISTINCT level FROM step_latency ORDER BY 1")["level"].to_list(),
    }


# ------------------------------------------------------------------------------------------ overview
def headline(con, f: Filters) -> dict[str, float | int | None]:
    """The overview's headline figures for the filters' period."""
    w, p = where(f, **MATTER_COLS, extra=("closed", "final_decision = 'APPROVE'"))
    approved = _scalar(con, f"SELECT count(*) FROM matters {w}", p)
    w, p = where(f, **STEP_COLS, extra=("NOT is_pending",))
    median_hours = _scalar(con, f"SELECT quantile_cont(latency_hours, 0.5) FROM step_latency {w}", p)
    w, p = where(f, **SUBST_COLS)
    substitutions = _scalar(con, f"SELECT count(*) FROM substitution_facts {w}", p)
    w, p = where(f, **MEETING_COLS, extra=("meeting_type = 'BUREAU'",))
    esc = _row(con, f"SELECT count(*), sum(CASE WHEN escalated THEN 1 ELSE 0 END) FROM meeting_item_facts {w}", p)
    findings, records = findings_and_records(con, f)
    return {
        "approved_matters": approved,
        "median_hours": median_hours,
        "substitutions": substitutions,
        "bureau_items": esc[0],
        "escalation_rate": (esc[1] or 0) / esc[0] if esc[0] else None,
        "findings": findings,
        "records": records,
        "findings_per_100": 100.0 * findings / records if records else None,
    }


def findings_and_records(con, f: Filters) -> tuple[int, int]:
    """Rule findings in the period and the records they judge (closed matters, substitutions, meetings
    and meeting items judged in the period, from compliance_monthly). Under a division/team filter both
    count only records of those teams: bureau-wide meetings and meeting items drop out (COMPLIANCE_COLS)."""
    w, p = where(f, **VIOLATION_COLS)
    findings = _scalar(con, f"SELECT count(*) FROM violations v {w}", p) or 0
    wc, pc = where(f, **COMPLIANCE_COLS)
    records = _scalar(con, f"SELECT sum(records) FROM ({judged_records_sql(wc)})", pc)
    return findings, int(records or 0)


def judged_records_sql(where_sql: str) -> str:
    """Records judged, one row per (record kind, month, team, division) of compliance_monthly.

    Every rule of a kind carries the same records count per cell, so summing over rules would count a
    record once per rule: take one value per (kind, cell). Used by the pages and pipelines.report.
    """
    return f"""SELECT record_kind, month, team, division, max(records) AS records
               FROM compliance_monthly {where_sql} GROUP BY ALL"""


def overdue_pending(con, f: Filters) -> dict[str, int]:
    """Pending steps now (at the snapshot), by warning tier. Period does not apply: this is 'now'."""
    w, p = where(f, **STEP_COLS, period=False)
    row = _row(
        con,
        f"""SELECT count(*), count(*) FILTER (WHERE warning_tier = 'RED'),
                   count(*) FILTER (WHERE warning_tier = 'YELLOW') FROM pending_steps {w}""",
        p,
    )
    return {"pending": row[0], "red": row[1], "yellow": row[2]}


def monthly_overview(con, f: Filters) -> pl.DataFrame:
    """Per month: approved matters, median step hours, substitutions, bureau escalation rate, findings."""
    w1, p1 = where(f, **MATTER_COLS, extra=("closed", "final_decision = 'APPROVE'"))
    w2, p2 = where(f, **STEP_COLS, extra=("NOT is_pending",))
    w3, p3 = where(f, **SUBST_COLS)
    w4, p4 = where(f, **MEETING_COLS, extra=("meeting_type = 'BUREAU'",))
    w5, p5 = where(f, **VIOLATION_COLS)
    return _q(
        con,
        f"""WITH a AS (SELECT month, count(*) AS approved_matters FROM matters {w1} GROUP BY 1),
             l AS (SELECT month, quantile_cont(latency_hours, 0.5) AS median_hours FROM step_latency {w2} GROUP BY 1),
             s AS (SELECT month, count(*) AS substitutions FROM substitution_facts {w3} GROUP BY 1),
             m AS (SELECT month, avg(CASE WHEN escalated THEN 1.0 ELSE 0.0 END) AS escalation_rate
                   FROM meeting_item_facts {w4} GROUP BY 1),
             v AS (SELECT v.month AS month, count(*) AS findings FROM violations v {w5} GROUP BY 1),
             months AS (SELECT month FROM a UNION SELECT month FROM l UNION SELECT month FROM s
                        UNION SELECT month FROM m UNION SELECT month FROM v)
           SELECT months.month, coalesce(approved_matters, 0) AS approved_matters, median_hours,
                  coalesce(substitutions, 0) AS substitutions, escalation_rate, coalesce(findings, 0) AS findings
           FROM months LEFT JOIN a USING (month) LEFT JOIN l USING (month) LEFT JOIN s USING (month)
                LEFT JOIN m USING (month) LEFT JOIN v USING (month)
           WHERE months.month IS NOT NULL ORDER BY 1""",
        p1 + p2 + p3 + p4 + p5,
    )


def rule_counts(con, f: Filters) -> pl.DataFrame:
    """Per rule of the catalogue: findings under the filters, and records judged / per 100 under the
    same filters (period, division, team; bureau-wide meeting records only without an org filter)."""
    w, p = where(f, **VIOLATION_COLS)
    wc, pc = where(f, **COMPLIANCE_COLS)
    return _q(
        con,
        f"""WITH v AS (SELECT rule_id, count(*) AS findings FROM violations v {w} GROUP BY 1),
             c AS (SELECT rule_id, sum(findings) AS all_findings, sum(records) AS records
                   FROM compliance_monthly {wc} GROUP BY 1)
           SELECT r.rule_id, r.article, r.record_kind, r.family, r.title_zh, r.title_en,
                  coalesce(v.findings, 0) AS findings, coalesce(c.records, 0) AS records,
                  CASE WHEN c.records > 0 THEN 100.0 * coalesce(c.all_findings, 0) / c.records END AS per_100
           FROM rule_catalogue r LEFT JOIN v USING (rule_id) LEFT JOIN c USING (rule_id)
           ORDER BY findings DESC, per_100 DESC NULLS LAST, r.rule_id""",
        p + pc,
    )


def rule_catalogue(con) -> pl.DataFrame:
    return _q(con, "SELECT * FROM rule_catalogue ORDER BY rule_id")


def rule_trend(con, f: Filters, rule_ids: tuple[str, ...] = ()) -> pl.DataFrame:
    """Findings per rule and month under the filters."""
    w, p = _violations_where(f, rule_ids)
    return _q(
        con,
        f"""SELECT v.rule_id, v.month, count(*) AS findings FROM violations v {w}
            GROUP BY 1, 2 ORDER BY 2, 1""",
        p,
    )


def findings_by_family_month(con, f: Filters) -> pl.DataFrame:
    w, p = where(f, **VIOLATION_COLS)
    return _q(
        con,
        f"""SELECT v.month, {FAMILY_SQL} AS family, count(*) AS findings FROM violations v {w}
            GROUP BY 1, 2 ORDER BY 1, 2""",
        p,
    )


# Rule family from the rule id's first letter (A: approvals, S: substitutions, M: meetings).
FAMILY_SQL = (
    "CASE left(v.rule_id, 1) WHEN 'A' THEN 'approval' WHEN 'S' THEN 'substitution' "
    "WHEN 'M' THEN 'meeting' ELSE 'other' END"
)


def violations_count(con, f: Filters, rule_ids: tuple[str, ...] = ()) -> int:
    w, p = _violations_where(f, rule_ids)
    return _scalar(con, f"SELECT count(*) FROM violations v {w}", p) or 0


def violations_page(con, f: Filters, rule_ids: tuple[str, ...] = (), limit: int = 50, offset: int = 0) -> pl.DataFrame:
    """One page of findings (newest first) with people's names joined in."""
    w, p = _violations_where(f, rule_ids)
    return _q(
        con,
        f"""SELECT v.rule_id, v.article, v.record_kind, v.record_id, v.occurred_at, v.month, v.team, v.division,
                   v.detail, v.detail_en,
                   (SELECT string_agg(coalesce(s.name, pid), '、')
                      FROM (SELECT unnest(string_split(coalesce(v.people, ''), ';')) AS pid) ids
                      LEFT JOIN staff s ON s.staff_id = ids.pid WHERE pid <> '') AS people
            FROM violations v {w}
            ORDER BY v.occurred_at DESC NULLS LAST, v.rule_id, v.record_id
            LIMIT {int(limit)} OFFSET {int(offset)}""",
        p,
    )


def _violations_where(f: Filters, rule_ids: tuple[str, ...]) -> tuple[str, list]:
    w, p = where(f, **VIOLATION_COLS)
    if rule_ids:
        params: list = []
        cond = _in("v.rule_id", tuple(rule_ids), params)
        w = (w + " AND " if w else "WHERE ") + cond
        p = p + params
    return w, p


# ------------------------------------------------------------------------------------------ latency
_MEASURES = """count(*) AS steps,
       quantile_cont(latency_hours, 0.5) AS median_hours, quantile_cont(latency_hours, 0.9) AS p90_hours,
       avg(latency_hours) AS mean_hours, max(latency_hours) AS max_hours,
       quantile_cont(latency_workdays, 0.5) AS median_workdays, quantile_cont(latency_workdays, 0.9) AS p90_workdays,
       any_value(limit_workdays) AS limit_workdays,
       avg(CASE WHEN over_limit THEN 1.0 ELSE 0.0 END) AS over_limit_share"""


def latency_by_level(con, f: Filters) -> pl.DataFrame:
    """Per level over decided steps of the period: steps, median/p90/mean/max, over-limit share."""
    w, p = where(f, **STEP_COLS, extra=("NOT is_pending",))
    return _q(con, f"SELECT level, {_MEASURES} FROM step_latency {w} GROUP BY 1", p)


def latency_quantiles(con, f: Filters, unit: str = "hours") -> pl.DataFrame:
    """Per level: p10, p25, median, p75, p90 of the step latency (for a distribution chart)."""
    col = "latency_workdays" if unit == "workdays" else "latency_hours"
    w, p = where(f, **STEP_COLS, extra=("NOT is_pending",))
    return _q(
        con,
        f"""SELECT level, count(*) AS steps,
                   quantile_cont({col}, 0.1) AS p10, quantile_cont({col}, 0.25) AS p25,
                   quantile_cont({col}, 0.5) AS p50, quantile_cont({col}, 0.75) AS p75,
                   quantile_cont({col}, 0.9) AS p90
            FROM step_latency {w} GROUP BY 1""",
        p,
    )


LATENCY_DIMENSIONS = {
    "month": "month",
    "matter_type": "matter_type",
    "division": "division",
    "team": "team",
    "approver": "approver_id",
}


def latency_by(con, f: Filters, dimension: str) -> pl.DataFrame:
    """Latency measures per `dimension` value and level (month, matter_type, division, team, approver)."""
    col = LATENCY_DIMENSIONS[dimension]
    w, p = where(f, **STEP_COLS, extra=("NOT is_pending", f"{col} IS NOT NULL"))
    name = ", any_value(approver_name) AS name" if dimension == "approver" else ""
    return _q(
        con,
        f"SELECT {col} AS key, level, {_MEASURES}{name} FROM step_latency {w} GROUP BY 1, 2 ORDER BY 1, 2",
        p,
    )


def slowest_approvers(con, f: Filters, n: int = 3, min_steps: int = 5) -> pl.DataFrame:
    w, p = where(f, **STEP_COLS, extra=("NOT is_pending",))
    return _q(
        con,
        f"""SELECT approver_id, any_value(approver_name) AS name, mode(level) AS level, count(*) AS steps,
                   quantile_cont(latency_hours, 0.5) AS median_hours
            FROM step_latency {w} GROUP BY 1 HAVING count(*) >= {int(min_steps)}
            ORDER BY median_hours DESC, approver_id LIMIT {int(n)}""",
        p,
    )


# ------------------------------------------------------------------------------------------ bottlenecks
def pending_summary(con, f: Filters) -> pl.DataFrame:
    """Pending steps now per level and warning tier, with median and max age."""
    w, p = where(f, **STEP_COLS, period=False)
    return _q(
        con,
        f"""SELECT level, coalesce(warning_tier, 'OK') AS tier, count(*) AS pending,
                   quantile_cont(age_hours, 0.5) AS median_age_hours, max(age_hours) AS max_age_hours
            FROM pending_steps {w} GROUP BY 1, 2 ORDER BY 1, 2""",
        p,
    )


def pending_by_person(con, f: Filters, limit: int = 30) -> pl.DataFrame:
    w, p = where(f, **STEP_COLS, period=False)
    return _q(
        con,
        f"""SELECT approver_id, any_value(approver_name) AS name, mode(level) AS level, count(*) AS pending,
                   count(*) FILTER (WHERE warning_tier = 'RED') AS red,
                   count(*) FILTER (WHERE warning_tier = 'YELLOW') AS yellow,
                   max(age_hours) AS max_age_hours, max(age_workdays) AS max_age_workdays
            FROM pending_steps {w} GROUP BY 1
            ORDER BY red DESC, pending DESC, max_age_hours DESC LIMIT {int(limit)}""",
        p,
    )


def pending_count(con, f: Filters) -> int:
    w, p = where(f, **STEP_COLS, period=False)
    return _scalar(con, f"SELECT count(*) FROM pending_steps {w}", p) or 0


def pending_page(con, f: Filters, limit: int = 50, offset: int = 0) -> pl.DataFrame:
    """One page of pending steps, oldest (most used of its limit) first."""
    w, p = where(f, **STEP_COLS, period=False)
    return _q(
        con,
        f"""SELECT matter_id, step_no, case_id, team, matter_type, level, approver_id, approver_name,
                   received_at, age_hours, age_workdays, limit_workdays, used_share, warning_tier
            FROM pending_steps {w}
            ORDER BY used_share DESC NULLS LAST, age_hours DESC, matter_id, step_no
            LIMIT {int(limit)} OFFSET {int(offset)}""",
        p,
    )


def workload_speed(con, f: Filters) -> pl.DataFrame:
    """Per approver: decided steps in the period, their median hours, and pending steps now."""
    w, p = where(f, **STEP_COLS, extra=("NOT is_pending",))
    wp, pp = where(f, **STEP_COLS, period=False)
    return _q(
        con,
        f"""WITH d AS (SELECT approver_id, any_value(approver_name) AS name, mode(level) AS level,
                          count(*) AS decided, quantile_cont(latency_hours, 0.5) AS median_hours
                   FROM step_latency {w} GROUP BY 1),
             q AS (SELECT approver_id, count(*) AS pending FROM pending_steps {wp} GROUP BY 1)
           SELECT d.*, coalesce(q.pending, 0) AS pending FROM d LEFT JOIN q USING (approver_id)
           ORDER BY decided DESC""",
        p + pp,
    )


def flow_edges(con, f: Filters) -> pl.DataFrame:
    """Edges between consecutive steps of a matter (source level -> target level; the first step's
    source is 'SUBMITTED'): matters passing, median wait at the target (its step latency, hours)."""
    w, p = where(f, **{**STEP_COLS, "level": None}, extra=("NOT is_pending",))
    return _q(
        con,
        f"""WITH s AS (SELECT matter_id, level, latency_hours,
                          lag(level) OVER (PARTITION BY matter_id ORDER BY step_no) AS source
                   FROM step_latency {w})
           SELECT coalesce(source, 'SUBMITTED') AS source, level AS target, count(*) AS steps,
                  quantile_cont(latency_hours, 0.5) AS median_hours
           FROM s GROUP BY 1, 2 ORDER BY steps DESC""",
        p,
    )


def pareto_wait(con, f: Filters, by: str = "approver") -> pl.DataFrame:
    """Waiting hours of the period's decided steps per approver or level, largest first, cumulative share."""
    key = "approver_id" if by == "approver" else "level"
    name = "any_value(approver_name)" if by == "approver" else "NULL"
    w, p = where(f, **STEP_COLS, extra=("NOT is_pending",))
    return _q(
        con,
        f"""WITH g AS (SELECT {key} AS key, {name} AS name, sum(latency_hours) AS wait_hours, count(*) AS steps
                   FROM step_latency {w} GROUP BY 1)
           SELECT *, sum(wait_hours) OVER (ORDER BY wait_hours DESC, key ROWS UNBOUNDED PRECEDING)
                     / nullif(sum(wait_hours) OVER (), 0) AS cumulative_share,
                  row_number() OVER (ORDER BY wait_hours DESC, key) AS rank
           FROM g ORDER BY wait_hours DESC, key LIMIT 40""",
        p,
    )


# ------------------------------------------------------------------------------------------ substitutions
def substitutions_monthly(con, f: Filters) -> pl.DataFrame:
    w, p = where(f, **SUBST_COLS)
    return _q(
        con,
        f"""SELECT month, direction, count(*) AS substitutions, sum(person_days) AS person_days
            FROM substitution_facts {w} GROUP BY 1, 2 ORDER BY 1, 2""",
        p,
    )


def substitutions_by(con, f: Filters, dimension: str) -> pl.DataFrame:
    col = {"team": "coalesce(team, '—')", "post_pair": "post_pair", "division": "coalesce(division, '—')"}[dimension]
    w, p = where(f, **SUBST_COLS)
    return _q(
        con,
        f"""SELECT {col} AS key, count(*) AS substitutions, sum(person_days) AS person_days
            FROM substitution_facts {w} GROUP BY 1 ORDER BY substitutions DESC, key LIMIT 30""",
        p,
    )


def substitution_timeline(con, f: Filters, snapshot: datetime | None, limit: int = 150) -> pl.DataFrame:
    """Who covered whom, newest first (open-ended ones end at the snapshot)."""
    w, p = where(f, **SUBST_COLS)
    end = "coalesce(end_at, ?)" if snapshot else "coalesce(end_at, start_at + INTERVAL 1 DAY)"
    params = ([snapshot] if snapshot else []) + p
    return _q(
        con,
        f"""SELECT substitution_id, absent_id, absent_name, absent_post, substitute_id, substitute_name,
                   substitute_post, start_at, {end} AS end_shown, end_at IS NULL AS open_ended,
                   authorized, direction, scope, team, days
            FROM substitution_facts {w}
            ORDER BY start_at DESC LIMIT {int(limit)}""",
        params,
    )


def acting_monthly(con, f: Filters) -> pl.DataFrame:
    w, p = where(f, month="month", team=None, division=None, matter_type=None, level="level")
    return _q(
        con,
        f"""SELECT month, level, sum(decided_steps) AS decided_steps, sum(acting_steps) AS acting_steps,
                   sum(acting_steps) / nullif(sum(decided_steps), 0) AS acting_share
            FROM acting_monthly {w} GROUP BY 1, 2 ORDER BY 1, 2""",
        p,
    )


def acting_steps_share(con, f: Filters) -> float | None:
    w, p = where(f, **STEP_COLS, extra=("NOT is_pending",))
    return _scalar(
        con, f"SELECT avg(CASE WHEN acting_for IS NOT NULL THEN 1.0 ELSE 0.0 END) FROM step_latency {w}", p
    )


# ------------------------------------------------------------------------------------------ meetings
def meeting_monthly(con, f: Filters) -> pl.DataFrame:
    w, p = where(f, **MEETING_COLS)
    return _q(con, f"SELECT * FROM meeting_monthly {w} ORDER BY month, meeting_type", p)


def items_per_meeting(con, f: Filters, limit: int = 60) -> pl.DataFrame:
    w, p = where(f, **MEETING_COLS)
    return _q(
        con,
        f"""SELECT meeting_id, any_value(held_on) AS held_on, any_value(meeting_type) AS meeting_type,
                   count(*) AS items, count(*) FILTER (WHERE escalated) AS escalated,
                   count(*) FILTER (WHERE tie_break) AS tie_breaks
            FROM meeting_item_facts {w} GROUP BY 1 ORDER BY held_on DESC, meeting_id LIMIT {int(limit)}""",
        p,
    )


def outcomes(con, f: Filters) -> pl.DataFrame:
    w, p = where(f, **MEETING_COLS)
    return _q(
        con,
        f"""SELECT meeting_type, outcome, count(*) AS items FROM meeting_item_facts {w}
            GROUP BY 1, 2 ORDER BY 1, 2""",
        p,
    )


def escalated_items(con, f: Filters, limit: int = 200) -> pl.DataFrame:
    w, p = where(f, **MEETING_COLS, extra=("escalated",))
    return _q(
        con,
        f"""SELECT item_id, meeting_id, held_on, topic, outcome, decided_on, days_to_decision
            FROM meeting_item_facts {w} ORDER BY held_on DESC, item_id LIMIT {int(limit)}""",
        p,
    )


# ------------------------------------------------------------------------------------------ data
def loads(con, lang: str = "zh", limit: int = 50) -> pl.DataFrame:
    """Load history as a court's IT reads it, newest first: load_id, loaded_at (minute), files (names),
    rows per table and dropped columns as text in the interface language, warnings (count)."""
    if "loads" not in tables(con):
        return pl.DataFrame()
    warned = "load_warnings" in tables(con)
    count = "(SELECT count(*) FROM load_warnings w WHERE w.load_id = l.load_id)" if warned else "0"
    raw = _q(
        con,
        f"""SELECT l.load_id, strftime(l.loaded_at, '%Y-%m-%d %H:%M') AS loaded_at, l.files, l.rows,
                   {count} AS warnings, l.dropped_columns
            FROM loads l ORDER BY l.load_id DESC LIMIT {int(limit)}""",
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
    return _scalar(con, "SELECT coalesce(max(load_id), -1) FROM loads") if "loads" in tables(con) else -1


def load_warning_kinds(con, load_id: int | None = None, lang: str = "zh") -> pl.DataFrame:
    """Warnings recorded with a load (default: the latest) per kind: kind, label, table, rows."""
    empty = pl.DataFrame(schema={"kind": pl.String, "label": pl.String, "table": pl.String, "rows": pl.Int64})
    if "load_warnings" not in tables(con):
        return empty
    load_id = _latest_load(con) if load_id is None else load_id
    df = _q(
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
    the interface language, file, sheet, row, column (as the file spelled it), value, other (compared with)."""
    where, params = "load_id = ?", [int(load_id)]
    if kind is not None:
        where, params = where + " AND kind = ?", [*params, kind]
    df = _q(
        con,
        f"""SELECT kind, table_name, file, coalesce(sheet, '') AS sheet, "row", "column", value, other
            FROM load_warnings WHERE {where}
            ORDER BY file, sheet NULLS FIRST, "row", "column", kind LIMIT {int(limit)} OFFSET {int(offset)}""",
        params,
    )
    return df.with_columns(
        pl.col("kind").map_elements(lambda k: t(f"loader.kind.{k}", lang), return_dtype=pl.String),
        pl.col("table_name").map_elements(lambda n: contract.TABLES[n].label(lang), return_dtype=pl.String),
    ).rename({"table_name": "table"})


def calendar_coverage(con) -> pl.DataFrame:
    if "calendar_coverage" not in tables(con):
        return pl.DataFrame({"year": [], "source": []})
    return _q(con, "SELECT year, source FROM calendar_coverage ORDER BY year")


def input_row_counts(con, lang: str = "zh") -> pl.DataFrame:
    """Rows per input table, the table named in the interface language."""
    present = tables(con)
    names = [name for name in INPUT_TABLES if name in present]
    if not names:
        return pl.DataFrame({"table": [], "rows": []}, schema={"table": pl.String, "rows": pl.Int64})
    union = " UNION ALL ".join(
        f"SELECT ? AS \"table\", count(*) AS rows, {i} AS i FROM {name}" for i, name in enumerate(names)
    )
    return _q(con, f"SELECT \"table\", rows FROM ({union}) ORDER BY i",
              [contract.TABLES[name].label(lang) for name in names])
