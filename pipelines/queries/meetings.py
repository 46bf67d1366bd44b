"""Meetings and their items (dated by the day held). Meetings are bureau-wide: no division or team
filter narrows them, and their scope says so."""

from __future__ import annotations

import polars as pl

from pipelines.core.filters import Filters
from pipelines.core.i18n import t
from pipelines.domain.metrics import ESCALATION_RATE, TIE_BREAK_RATE
from pipelines.queries._sql import every_month, figure, q, row, scalar, where

BUREAU = "meeting_type = 'BUREAU'"


@figure("meeting_item_facts")
def bureau_meetings(con, f: Filters) -> dict:
    """Items of bureau meetings in the period: how many, tie-breaks, escalations, their rates, and the
    median days from the meeting to the final decision of the escalated ones."""
    w, p = where(f, "meeting_item_facts", BUREAU)
    items, ties, esc, days = row(
        con,
        f"""SELECT count(*), count(*) FILTER (WHERE tie_break), count(*) FILTER (WHERE escalated),
                   quantile_cont(days_to_decision::DOUBLE, 0.5) FROM meeting_item_facts {w}""",
        p,
    )
    return {
        "items": int(items),
        "tie_breaks": int(ties),
        "escalations": int(esc),
        "tie_break_rate": TIE_BREAK_RATE.of(ties, items),
        "escalation_rate": ESCALATION_RATE.of(esc, items),
        "median_days_to_decision": days,
    }


@figure("meeting_facts")
def meetings_held(con, f: Filters) -> int:
    """Meetings of every type held in the period."""
    w, p = where(f, "meeting_facts")
    return scalar(con, f"SELECT count(*) FROM meeting_facts {w}", p) or 0


@figure("meeting_monthly")
def meeting_monthly(con, f: Filters) -> pl.DataFrame:
    w, p = where(f, "meeting_monthly")
    return q(con, f"SELECT * FROM meeting_monthly {w} ORDER BY month, meeting_type", p)


@figure("meeting_monthly")
def meeting_rates(con, f: Filters, lang: str = "zh") -> pl.DataFrame:
    """Bureau meetings' tie-break and escalation rates per month, long (month, measure, rate, measure_label)."""
    w, p = where(f, "meeting_monthly", BUREAU)
    df = every_month(q(con, f"SELECT month, tie_break_rate, escalation_rate FROM meeting_monthly {w} ORDER BY month", p), f)
    names = {m: t(f"axis.{m}", lang) for m in ("tie_break_rate", "escalation_rate")}
    return df.unpivot(index="month", on=list(names), variable_name="measure", value_name="rate").with_columns(
        measure_label=pl.col("measure").replace_strict(names)
    )


@figure("meeting_facts", "meeting_item_facts")
def items_per_meeting(con, f: Filters, limit: int = 60) -> pl.DataFrame:
    """The period's meetings, newest first, with their chair and items, escalated and tie-broken ones
    (a meeting without items shows 0)."""
    w, p = where(f, "meeting_facts", alias="m")
    return q(
        con,
        f"""WITH i AS (SELECT meeting_id, count(*) AS items, count(*) FILTER (WHERE escalated) AS escalated,
                              count(*) FILTER (WHERE tie_break) AS tie_breaks
                       FROM meeting_item_facts GROUP BY 1)
            SELECT m.meeting_id, m.held_on, m.meeting_type, m.chair_name, coalesce(i.items, 0) AS items,
                   coalesce(i.escalated, 0) AS escalated, coalesce(i.tie_breaks, 0) AS tie_breaks
            FROM meeting_facts m LEFT JOIN i USING (meeting_id) {w}
            ORDER BY m.held_on DESC, m.meeting_id LIMIT ?""",
        [*p, int(limit)],
    )


@figure("meeting_item_facts")
def outcomes(con, f: Filters) -> pl.DataFrame:
    w, p = where(f, "meeting_item_facts")
    return q(
        con,
        f"SELECT meeting_type, outcome, count(*) AS items FROM meeting_item_facts {w} GROUP BY 1, 2 ORDER BY 1, 2",
        p,
    )


@figure("meeting_item_facts")
def escalated_items(con, f: Filters, limit: int = 200) -> pl.DataFrame:
    w, p = where(f, "meeting_item_facts", "escalated")
    return q(
        con,
        f"""SELECT item_id, meeting_id, held_on, topic, outcome, decided_on, days_to_decision
            FROM meeting_item_facts {w} ORDER BY held_on DESC, item_id LIMIT ?""",
        [*p, int(limit)],
    )
