"""How matters really travel (DOMAIN.md §5): return loops (rework), routes against the required routing of
§3, conformance, and the same person deciding at two levels.

Return loops read `rework_loops` (one row per RETURN, dated by the return: every shared filter narrows
them through the return's own level, type, team and month) and, for the share of matters that reached a
level with a return there, `matter_levels` (one row per matter and level reached, dated by the matter's
month). Routes, conformance and the two-level notice read `matters` (closed matters by their final
decision; the level filter cannot narrow a matter, it runs across levels).
"""

from __future__ import annotations

import polars as pl

from pipelines.core import contract
from pipelines.core.filters import Filters
from pipelines.domain.metrics import REQUIRED_LEVELS, ROUTE_SEP
from pipelines.queries._sql import every_month, figure, q, scalar, where

LEVEL_ORDER = {code: contract.RANK[code] for code in contract.LEVEL_CODES}
REWORK_MEASURES = """count(*)::BIGINT AS returns, count(*) FILTER (WHERE closed)::BIGINT AS closed_loops,
       count(*) FILTER (WHERE NOT closed)::BIGINT AS open_loops,
       quantile_cont(rework_hours, 0.5) AS median_rework_hours,
       quantile_cont(rework_workdays::DOUBLE, 0.5) AS median_rework_workdays"""
# rework_by(f, dimension): dimension -> (key column, name column or None)
REWORK_DIMENSIONS = {
    "level": ("level", None), "matter_type": ("matter_type", None), "team": ("team", None),
    "division": ("division", None), "approver": ("approver_id", "approver_name"), "month": ("month", None),
}


@figure("rework_loops", "matter_levels", keys={"returns": "rework_loops", "share": "matter_levels"})
def rework_by_level(con, f: Filters) -> pl.DataFrame:
    """Per level, low to high: returns there, closed and open loops, median rework time (hours, working
    days); matters that reached the level, those with a return there, and their share (`returned_share`)."""
    w, p = where(f, "rework_loops")
    w2, p2 = where(f, "matter_levels")
    return q(con, f"""
        WITH loops AS (SELECT level, {REWORK_MEASURES} FROM rework_loops {w} GROUP BY level),
             reach AS (SELECT level, any_value(level_rank) AS level_rank, count(*)::BIGINT AS reached,
                              count(*) FILTER (WHERE returned)::BIGINT AS returned_matters
                       FROM matter_levels {w2} GROUP BY level)
        SELECT r.level, r.level_rank, coalesce(l.returns, 0)::BIGINT AS returns,
               coalesce(l.closed_loops, 0)::BIGINT AS closed_loops, coalesce(l.open_loops, 0)::BIGINT AS open_loops,
               l.median_rework_hours, l.median_rework_workdays, r.reached, r.returned_matters,
               r.returned_matters / r.reached AS returned_share
        FROM reach r LEFT JOIN loops l USING (level) ORDER BY r.level_rank""", p + p2)


@figure("rework_loops")
def rework_by(con, f: Filters, dimension: str) -> pl.DataFrame:
    """Return loops per `dimension` (REWORK_DIMENSIONS): key (and name), returns, closed and open loops,
    median rework time; most returns first (months in order)."""
    key, name = REWORK_DIMENSIONS[dimension]
    w, p = where(f, "rework_loops")
    named = f", any_value({name}) AS name" if name else ""
    order = "key" if dimension == "month" else "returns DESC, key"
    return q(con, f"""SELECT {key} AS key{named}, {REWORK_MEASURES} FROM rework_loops {w}
                      GROUP BY {key} ORDER BY {order} NULLS LAST""", p)


@figure("rework_loops")
def rework_monthly(con, f: Filters) -> pl.DataFrame:
    """Per month and level: returns, closed loops, median rework hours (the trend; every month of the period
    for each level, 0 returns where it had none)."""
    w, p = where(f, "rework_loops")
    return every_month(q(con, f"""SELECT month, level, any_value(level_rank) AS level_rank, {REWORK_MEASURES}
                      FROM rework_loops {w} GROUP BY month, level ORDER BY month, level_rank""", p),
                       f, by=("level", "level_rank"), zeros=("returns", "closed_loops", "open_loops"))


@figure("rework_loops", "latency_steps", keys={"returns": "rework_loops", "decided": "latency_steps"})
def approvers_by_return_share(con, f: Filters, limit: int = 15) -> pl.DataFrame:
    """Approvers by return share (returns / decided steps, both by the month of the decision), highest first,
    among those who returned at least one matter."""
    w, p = where(f, "rework_loops")
    w2, p2 = where(f, "latency_steps")
    return q(con, f"""
        WITH r AS (SELECT approver_id, count(*)::BIGINT AS returns FROM rework_loops {w} GROUP BY approver_id),
             d AS (SELECT approver_id, any_value(approver_name) AS approver_name, count(*)::BIGINT AS decided
                   FROM latency_steps {w2} GROUP BY approver_id)
        SELECT r.approver_id, d.approver_name, d.decided, r.returns, r.returns / d.decided AS return_share
        FROM r JOIN d USING (approver_id)
        ORDER BY return_share DESC, returns DESC, approver_id LIMIT ?""", [*p, *p2, int(limit)])


@figure("rework_loops")
def rework_summary(con, f: Filters) -> dict:
    """Returns, closed and open loops, the share of loops closed (None without a return), median rework hours
    and working days over every level."""
    w, p = where(f, "rework_loops")
    row = con.sql(f"SELECT {REWORK_MEASURES} FROM rework_loops {w}", params=p or None).fetchall()[0]
    keys = ("returns", "closed_loops", "open_loops", "median_rework_hours", "median_rework_workdays")
    out = dict(zip(keys, row, strict=True))
    out["closed_share"] = out["closed_loops"] / out["returns"] if out["returns"] else None
    return out


# --------------------------------------------------------------------------------------------------
# Routes and conformance
# --------------------------------------------------------------------------------------------------


def required_route(matter_type: str, sep: str = ROUTE_SEP) -> str:
    """The levels §3 requires on a type's way, in order (lower levels before, higher after, are allowed)."""
    return sep.join(REQUIRED_LEVELS[matter_type])


@figure("matters")
def routes_by_type(con, f: Filters, top: int = 6) -> pl.DataFrame:
    """Per matter type, its closed matters' routes (levels in step order, repeats collapsed), the `top` most
    frequent: matters, share of the type's closed matters, median lead time, on the required route or not
    (DOMAIN.md §3: the levels only go up and include every required one), its rank in the type."""
    w, p = where(f, "matters", "closed")
    return q(con, f"""
        SELECT * FROM (
            SELECT matter_type, route, count(*)::BIGINT AS matters,
                   count(*) / sum(count(*)) OVER (PARTITION BY matter_type) AS route_share,
                   quantile_cont(lead_time_hours, 0.5) AS median_lead_time_hours,
                   bool_and(on_required_route) AS on_required_route, sum(returns)::BIGINT AS returns,
                   row_number() OVER (PARTITION BY matter_type ORDER BY count(*) DESC, route) AS rank
            FROM matters {w} GROUP BY matter_type, route)
        WHERE rank <= ? ORDER BY matter_type, rank""", [*p, int(top)])


@figure("matters")
def conformance(con, f: Filters) -> pl.DataFrame:
    """Per matter type: judged closed matters (closed on or after the effective date), those that conform
    (no finding of a matter rule), the rate, and the share on the required route."""
    w, p = where(f, "matters", "conforms IS NOT NULL")
    return q(con, f"""SELECT matter_type, count(*)::BIGINT AS matters,
                             count(*) FILTER (WHERE conforms)::BIGINT AS conforming,
                             avg(conforms::DOUBLE) AS conformance,
                             avg(on_required_route::DOUBLE) AS route_share
                      FROM matters {w} GROUP BY matter_type ORDER BY matter_type""", p)


@figure("matters")
def conformance_rate(con, f: Filters) -> float | None:
    """The conformance rate over every matter type: judged closed matters that conform, of all judged (None
    without one); the types' rates of `conformance` weighted by their matters."""
    w, p = where(f, "matters", "conforms IS NOT NULL")
    return scalar(con, f"SELECT avg(conforms::DOUBLE) FROM matters {w}", p)


@figure("matters")
def conformance_by_type(con, f: Filters) -> dict[str, float]:
    """{matter type: conformance rate} (report --json `conformance_by_type`)."""
    return {r["matter_type"]: r["conformance"] for r in conformance(con, f).iter_rows(named=True)}


@figure("matters")
def conformance_monthly(con, f: Filters) -> pl.DataFrame:
    """Per month of the final decision and matter type: judged closed matters, conforming, the rate (every month
    of the period for each type: 0 matters and no rate where it had none)."""
    w, p = where(f, "matters", "conforms IS NOT NULL")
    return every_month(q(con, f"""SELECT month, matter_type, count(*)::BIGINT AS matters,
                             count(*) FILTER (WHERE conforms)::BIGINT AS conforming,
                             avg(conforms::DOUBLE) AS conformance
                      FROM matters {w} GROUP BY ALL ORDER BY month, matter_type""", p),
                       f, by=("matter_type",), zeros=("matters", "conforming"))


@figure("matters")
def two_level_count(con, f: Filters) -> int:
    """Matters in which one approver decided steps at two different levels (a notice, not a finding)."""
    w, p = where(f, "matters", "two_level_approvers IS NOT NULL")
    return scalar(con, f"SELECT count(*) FROM matters {w}", p) or 0
