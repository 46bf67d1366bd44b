"""Approval latency by level: the measures of `pipelines.tables.marts.LATENCY_MEASURES` over decided steps."""

from __future__ import annotations

import polars as pl

from pipelines.core.filters import Filters
from pipelines.core.i18n import label
from pipelines.queries._sql import APPROVER_LEVEL, every_month, figure, is_set, periods_of, q, where
from pipelines.tables.marts import LATENCY_MEASURES, LATENCY_MEASURES_SQL

LEVEL_COLUMNS = ("level", "level_rank", *LATENCY_MEASURES)


@figure("latency_steps", "level_latency")
def latency_by_level(con, f: Filters) -> pl.DataFrame:
    """Per level (low to high) over the decided steps of the filters: every latency measure.

    With no filter set this is the `level_latency` mart itself (written with the same measures)."""
    return _by_level(con, [f])[0]


@figure("latency_steps", "level_latency")
def latency_by_level_periods(con, f: Filters) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """`latency_by_level` of the filters' period and of the period just before it (None when the filters
    have no period), in one query: the Overview's level medians and their comparison."""
    frames = _by_level(con, periods_of(f))
    return frames[0], (frames[1] if len(frames) > 1 else None)


def _by_level(con, fs: list[Filters]) -> list[pl.DataFrame]:
    """`latency_by_level` of each of `fs` in one statement: one SELECT per period, UNION ALL. Not one scan
    grouped by period: DuckDB sums doubles per chunk, so `mean_hours` would differ in its last digit."""
    if not any(is_set(fs[0], d) for d in ("period", "division", "team", "matter_type", "level")):
        return [q(con, f"SELECT {', '.join(LEVEL_COLUMNS)} FROM level_latency ORDER BY level_rank")] * len(fs)
    selects, params = [], []
    for i, g in enumerate(fs):
        w, p = where(g, "latency_steps")
        selects.append(f"""(SELECT {i} AS _period, level, level_rank, {LATENCY_MEASURES_SQL}
                            FROM latency_steps {w} GROUP BY level, level_rank)""")
        params += p
    df = q(con, " UNION ALL ".join(selects) + " ORDER BY _period, level_rank", params)
    return [df.filter(pl.col("_period") == i).drop("_period") for i in range(len(fs))]


@figure("latency_steps")
def median_hours(con, f: Filters) -> float | None:
    """Median hours of every decided step of the filters (all levels together)."""
    w, p = where(f, "latency_steps")
    return con.sql(f"SELECT {LATENCY_MEASURES['median_hours']} FROM latency_steps {w}", params=p or None).fetchall()[0][0]


@figure("latency_steps")
def within_limit_share(con, f: Filters) -> float | None:
    """按时办结率: the share of the filters' decided steps decided within their level's limit (DOMAIN §5:
    working days, the settings' limits), over the steps whose level has a limit. Unlike the median of all
    steps together, it cannot move because the mix of quick and slow levels moved."""
    w, p = where(f, "latency_steps")
    done, limited = con.sql(
        f"""SELECT count(*) FILTER (WHERE NOT over_limit), count(*) FILTER (WHERE over_limit IS NOT NULL)
            FROM latency_steps {w}""", params=p or None).fetchall()[0]
    return done / limited if limited else None


@figure("latency_steps")
def latency_quantiles(con, f: Filters, unit: str = "hours") -> pl.DataFrame:
    """Per level: p10, p25, median, p75, p90 of the step latency (for a distribution chart)."""
    col = "latency_workdays::DOUBLE" if unit == "workdays" else "latency_hours"
    w, p = where(f, "latency_steps")
    return q(
        con,
        f"""SELECT level, count(*) AS steps,
                   quantile_cont({col}, 0.1) AS p10, quantile_cont({col}, 0.25) AS p25,
                   quantile_cont({col}, 0.5) AS p50, quantile_cont({col}, 0.75) AS p75,
                   quantile_cont({col}, 0.9) AS p90
            FROM latency_steps {w} GROUP BY level, level_rank ORDER BY level_rank""",
        p,
    )


LATENCY_DIMENSIONS = {
    "month": "month",
    "matter_type": "matter_type",
    "division": "division",
    "team": "team",
    "approver": "approver_id",
}


@figure("latency_steps")
def latency_by(con, f: Filters, dimension: str, lang: str = "zh") -> pl.DataFrame:
    """Latency measures per `dimension` value and level (month, matter_type, division, team, approver);
    `key_label` is what a person reads (a matter type's label, an approver's name)."""
    col = LATENCY_DIMENSIONS[dimension]
    w, p = where(f, "latency_steps", f"{col} IS NOT NULL")
    name = ", any_value(approver_name) AS name" if dimension == "approver" else ""
    df = q(
        con,
        f"""SELECT {col} AS key, level, level_rank, {LATENCY_MEASURES_SQL}{name}
            FROM latency_steps {w} GROUP BY 1, 2, 3 ORDER BY 1, level_rank""",
        p,
    )
    if dimension == "month":  # every month of the period for each level (no median where it decided nothing)
        df = every_month(df, f, by=("level", "level_rank"), zeros=("steps", "over_limit_steps"), month="key")
    if dimension == "matter_type":
        return df.with_columns(key_label=pl.col("key").map_elements(lambda c: label("matter_type", c, lang),
                                                                      return_dtype=pl.String))
    if dimension == "approver":
        return df.with_columns(key_label=pl.coalesce("name", "key"))
    return df.with_columns(key_label=pl.col("key").cast(pl.String))


@figure("latency_steps")
def slowest_approvers(con, f: Filters, n: int = 3, min_steps: int = 5) -> pl.DataFrame:
    w, p = where(f, "latency_steps")
    return q(
        con,
        f"""SELECT approver_id, any_value(approver_name) AS name, {APPROVER_LEVEL} AS level, count(*) AS steps,
                   {LATENCY_MEASURES['median_hours']} AS median_hours
            FROM latency_steps {w} GROUP BY 1 HAVING count(*) >= ?
            ORDER BY median_hours DESC, approver_id LIMIT ?""",
        [*p, int(min_steps), int(n)],
    )
