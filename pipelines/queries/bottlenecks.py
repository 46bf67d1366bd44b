"""Pending steps now, approver workload, the flow between levels, where the waiting time went."""

from __future__ import annotations

import polars as pl

from pipelines.core.filters import Filters
from pipelines.core.i18n import label
from pipelines.queries._sql import APPROVER_LEVEL, figure, q, scalar, where
from pipelines.tables.marts import LATENCY_MEASURES, exact_hours_sum

MEDIAN_HOURS = LATENCY_MEASURES["median_hours"]


@figure("pending_steps")
def pending_summary(con, f: Filters) -> pl.DataFrame:
    """Pending steps now per level (low to high) and warning tier, with median and max age."""
    w, p = where(f, "pending_steps")
    return q(
        con,
        f"""SELECT level, coalesce(warning_tier, 'OK') AS tier, count(*) AS pending,
                   quantile_cont(age_hours, 0.5) AS median_age_hours, max(age_hours) AS max_age_hours
            FROM pending_steps {w} GROUP BY level, level_rank, 2 ORDER BY level_rank, 2""",
        p,
    )


@figure("pending_steps")
def pending_by_person(con, f: Filters, limit: int = 30) -> pl.DataFrame:
    w, p = where(f, "pending_steps")
    return q(
        con,
        f"""SELECT approver_id, any_value(approver_name) AS name, {APPROVER_LEVEL} AS level, count(*) AS pending,
                   count(*) FILTER (WHERE warning_tier = 'RED') AS red,
                   count(*) FILTER (WHERE warning_tier = 'YELLOW') AS yellow,
                   max(age_hours) AS max_age_hours, max(age_workdays) AS max_age_workdays
            FROM pending_steps {w} GROUP BY 1
            ORDER BY red DESC, pending DESC, max_age_hours DESC, approver_id LIMIT ?""",
        [*p, int(limit)],
    )


@figure("pending_steps")
def pending_count(con, f: Filters) -> int:
    w, p = where(f, "pending_steps")
    return scalar(con, f"SELECT count(*) FROM pending_steps {w}", p) or 0


@figure("pending_steps")
def pending_page(con, f: Filters, limit: int = 50, offset: int = 0) -> pl.DataFrame:
    """One page of pending steps, oldest (most used of its limit) first."""
    w, p = where(f, "pending_steps")
    return q(
        con,
        f"""SELECT matter_id, step_no, case_id, team, matter_type, level, approver_id, approver_name,
                   received_at, age_hours, age_workdays, limit_workdays, used_share, warning_tier
            FROM pending_steps {w}
            ORDER BY used_share DESC NULLS LAST, age_hours DESC, matter_id, step_no
            LIMIT ? OFFSET ?""",
        [*p, int(limit), int(offset)],
    )


@figure("latency_steps", "pending_steps", keys={"decided": "latency_steps", "median_hours": "latency_steps",
                                                "pending": "pending_steps"})
def workload_speed(con, f: Filters) -> pl.DataFrame:
    """Per approver: decided steps in the period, their median hours, and pending steps now."""
    w, p = where(f, "latency_steps")
    wp, pp = where(f, "pending_steps")
    return q(
        con,
        f"""WITH d AS (SELECT approver_id, any_value(approver_name) AS name, {APPROVER_LEVEL} AS level,
                          count(*) AS decided, {MEDIAN_HOURS} AS median_hours
                   FROM latency_steps {w} GROUP BY 1),
             q AS (SELECT approver_id, count(*) AS pending FROM pending_steps {wp} GROUP BY 1)
           SELECT d.*, coalesce(q.pending, 0) AS pending FROM d LEFT JOIN q USING (approver_id)
           ORDER BY decided DESC, approver_id""",
        p + pp,
    )


@figure("latency_steps", drop={"level": "between_levels"})
def flow_edges(con, f: Filters) -> pl.DataFrame:
    """Edges between consecutive steps of a matter (source level -> target level; the first step's
    source is 'SUBMITTED'): matters passing, median wait at the target (its step latency, hours).
    The level filter does not apply: the flow runs between levels."""
    w, p = where(f, "latency_steps")
    return q(
        con,
        f"""WITH s AS (SELECT matter_id, level, latency_hours,
                          lag(level) OVER (PARTITION BY matter_id ORDER BY step_no) AS source
                   FROM latency_steps {w})
           SELECT coalesce(source, 'SUBMITTED') AS source, level AS target, count(*) AS steps,
                  {MEDIAN_HOURS} AS median_hours
           FROM s GROUP BY 1, 2 ORDER BY steps DESC, source, target""",
        p,
    )


@figure("latency_steps")
def pareto_wait(con, f: Filters, by: str = "approver", lang: str = "zh") -> pl.DataFrame:
    """Waiting hours of the period's decided steps per approver or level, largest first, cumulative share;
    `key_label` names the approver or the level."""
    key = "approver_id" if by == "approver" else "level"
    name = "any_value(approver_name)" if by == "approver" else "NULL"
    w, p = where(f, "latency_steps")
    df = q(
        con,
        f"""WITH g AS (SELECT {key} AS key, {name} AS name, {exact_hours_sum('latency_hours')} AS wait_hours, count(*) AS steps
                   FROM latency_steps {w} GROUP BY 1)
           SELECT *, sum(wait_hours) OVER (ORDER BY wait_hours DESC, key ROWS UNBOUNDED PRECEDING)
                     / nullif(sum(wait_hours) OVER (), 0) AS cumulative_share,
                  row_number() OVER (ORDER BY wait_hours DESC, key) AS rank
           FROM g ORDER BY wait_hours DESC, key LIMIT 40""",
        p,
    )
    if by == "approver":
        return df.with_columns(key_label=pl.coalesce(pl.col("name").cast(pl.String), "key"))
    labels = {k: label("level", k, lang) for k in df["key"].to_list()}
    return df.with_columns(key_label=pl.col("key").replace_strict(labels, default=pl.col("key")), level=pl.col("key"))
