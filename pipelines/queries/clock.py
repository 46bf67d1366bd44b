"""The statutory clock of cases (DOMAIN §6): open cases by tier now, cases closed on time per month."""

from __future__ import annotations

import polars as pl

from pipelines.filters import Filters
from pipelines.marts_spec import NOW
from pipelines.queries._sql import figure, q, where


@figure("case_clock", drop={"period": NOW})
def open_cases_by(con, f: Filters, by: str = "team") -> pl.DataFrame:
    """Open cases now per team or judge and statutory tier (RED past the deadline, YELLOW close to it,
    null within the term); `key_label` names the team or the judge."""
    key, name = {"team": ("coalesce(team, '—')", "coalesce(team, '—')"),
                 "judge": ("judge_id", "any_value(coalesce(judge_name, judge_id))")}[by]
    w, p = where(f, "case_clock", "is_open")
    return q(
        con,
        f"""SELECT {key} AS key, {name} AS key_label, tier, count(*) AS cases
            FROM case_clock {w} GROUP BY {key}, tier ORDER BY key, tier NULLS LAST""",
        p,
    )


@figure("clock_monthly")
def on_time_monthly(con, f: Filters) -> pl.DataFrame:
    """Per month of closing: cases closed, closed within the statutory term, the share on time."""
    w, p = where(f, "clock_monthly")
    return q(
        con,
        f"""SELECT month, sum(closed)::BIGINT AS closed, sum(on_time)::BIGINT AS on_time,
                   sum(on_time) / nullif(sum(closed), 0) AS on_time_share
            FROM clock_monthly {w} GROUP BY month ORDER BY month""",
        p,
    )
