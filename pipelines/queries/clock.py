"""The statutory clock of cases (DOMAIN §6): open cases now by tier, nearest deadlines first; cases closed
within the statutory term per period and per month of closing.

Open cases are a figure of the snapshot's moment: no period narrows them (`NOW`). Closed cases are dated
by the month of `closed_on`, so the period filter applies to them. Medians come from `case_clock` (they do
not add up over the teams of `clock_monthly`); counts per month from `clock_monthly`.
"""

from __future__ import annotations

import polars as pl

from pipelines.core.filters import Filters
from pipelines.core.i18n import t
from pipelines.queries._sql import every_month, figure, in_list, q, row, scalar, where
from pipelines.tables.marts import NOW

CLOSED_MEASURES = """count(*)::BIGINT AS closed,
       count(*) FILTER (WHERE on_time)::BIGINT AS on_time,
       count(*) FILTER (WHERE on_time) / nullif(count(*), 0) AS on_time_share,
       quantile_cont(days_to_close::DOUBLE, 0.5) AS median_days_to_close,
       avg(days_to_close::DOUBLE) AS mean_days_to_close"""


@figure("case_clock", drop={"period": NOW})
def open_cases_now(con, f: Filters) -> dict[str, int]:
    """Open cases at the snapshot: how many, past their statutory deadline (RED), near it (YELLOW)."""
    w, p = where(f, "case_clock", "is_open")
    r = row(
        con,
        f"""SELECT count(*), count(*) FILTER (WHERE tier = 'RED'), count(*) FILTER (WHERE tier = 'YELLOW')
            FROM case_clock {w}""",
        p,
    )
    return {"open": int(r[0]), "red": int(r[1]), "yellow": int(r[2])}


@figure("case_clock", drop={"period": NOW})
def open_cases_by(con, f: Filters, by: str = "team") -> pl.DataFrame:
    """Open cases now per team or judge and statutory tier (RED past the deadline, YELLOW close to it,
    null within the term); `key_label` names the team or the judge."""
    key, name = {"team": ("coalesce(team, '—')", "coalesce(team, '—')"),
                 "judge": ("coalesce(judge_id, '—')", "any_value(coalesce(judge_name, judge_id, '—'))")}[by]
    w, p = where(f, "case_clock", "is_open")
    return q(
        con,
        f"""SELECT {key} AS key, {name} AS key_label, tier, count(*) AS cases
            FROM case_clock {w} GROUP BY {key}, tier ORDER BY key, tier NULLS LAST""",
        p,
    )


def _open_where(f: Filters, tiers: tuple[str, ...]) -> tuple[str, list]:
    extra, params = ["is_open"], []
    if tiers:
        extra.append(in_list("tier", tiers, params))
    w, p = where(f, "case_clock", *extra)
    return w, params + p


@figure("case_clock", drop={"period": NOW})
def open_cases_count(con, f: Filters, tiers: tuple[str, ...] = ()) -> int:
    """How many open cases `open_cases_page` pages through (`tiers`: only those tiers; () = every open case)."""
    w, p = _open_where(f, tiers)
    return int(scalar(con, f"SELECT count(*) FROM case_clock {w}", p) or 0)


@figure("case_clock", drop={"period": NOW})
def open_cases_page(con, f: Filters, tiers: tuple[str, ...] = (), limit: int = 50, offset: int = 0) -> pl.DataFrame:
    """Open cases, nearest deadline first (those already past it first of all, the longest overdue on top)."""
    w, p = _open_where(f, tiers)
    return q(
        con,
        f"""SELECT case_id, team, judge_name, case_kind, filed_on, deadline, deadline_source, days_left, tier
            FROM case_clock {w} ORDER BY days_left NULLS LAST, deadline, case_id LIMIT ? OFFSET ?""",
        [*p, limit, offset],
    )


@figure("case_clock")
def clock_summary(con, f: Filters) -> dict:
    """Cases closed in the period (by month of closing): how many, within the statutory term, the share
    on time (法定期限内结案率), median and mean days from filing to closing."""
    w, p = where(f, "case_clock", "NOT is_open")
    rel = con.sql(f"SELECT {CLOSED_MEASURES} FROM case_clock {w}", params=p or None)
    return dict(zip(rel.columns, rel.fetchall()[0], strict=True))


@figure("case_clock")
def closed_by_team(con, f: Filters) -> pl.DataFrame:
    """Cases closed in the period per team: closed, on time, share on time, median days to close."""
    w, p = where(f, "case_clock", "NOT is_open")
    return q(con, f"SELECT coalesce(team, '—') AS team, {CLOSED_MEASURES} FROM case_clock {w} GROUP BY 1 ORDER BY 1", p)


ON_TIME_KEYS = {
    "closed": "clock_monthly", "on_time": "clock_monthly", "on_time_share": "clock_monthly",
    "mean_days_to_close": "clock_monthly", "median_days_to_close": "case_clock",
}


@figure("clock_monthly", "case_clock", keys=ON_TIME_KEYS)
def on_time_monthly(con, f: Filters) -> pl.DataFrame:
    """Per month of closing: cases closed, closed within the statutory term, the share on time, mean days
    to close (weighted over teams, exact) and the median (from the cases themselves)."""
    w1, p1 = where(f, "clock_monthly")
    w2, p2 = where(f, "case_clock", "NOT is_open")
    return every_month(q(
        con,
        f"""WITH c AS (SELECT month, sum(closed)::BIGINT AS closed, sum(on_time)::BIGINT AS on_time,
                              sum(on_time) / nullif(sum(closed), 0) AS on_time_share,
                              sum(mean_days_to_close * closed) / nullif(sum(closed), 0) AS mean_days_to_close
                       FROM clock_monthly {w1} GROUP BY month),
                 m AS (SELECT month, quantile_cont(days_to_close::DOUBLE, 0.5) AS median_days_to_close
                       FROM case_clock {w2} GROUP BY month)
            SELECT c.month, closed, on_time, on_time_share, median_days_to_close, mean_days_to_close
            FROM c LEFT JOIN m USING (month) ORDER BY c.month""",
        [*p1, *p2],
    ), f, zeros=("closed", "on_time"))


def clock_view(df: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Open cases as shown: tier and deadline source in words (no tier = within the term)."""
    out = df
    if "tier" in out.columns:
        tiers = {k: t(f"clock.tier.{k}", lang) for k in ("OK", "YELLOW", "RED")}
        out = out.with_columns(pl.col("tier").fill_null("OK").replace_strict(tiers, default=pl.col("tier")))
    if "deadline_source" in out.columns:
        sources = {k: t(f"clock.source.{k}", lang) for k in ("EXPORTED", "COMPUTED")}
        out = out.with_columns(pl.col("deadline_source").replace_strict(sources, default=pl.col("deadline_source")))
    return out
