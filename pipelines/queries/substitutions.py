"""Substitutions (dated by their start; team and division are the absent person's) and the acting-for
share of decided approval steps."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from pipelines.core.filters import Filters
from pipelines.core.i18n import label
from pipelines.queries._sql import every_month, figure, q, row, where


@figure("substitution_facts")
def substitution_summary(con, f: Filters) -> dict:
    """Substitutions that started in the period: how many, person-days covered, reverse ones."""
    w, p = where(f, "substitution_facts")
    r = row(
        con,
        f"""SELECT count(*), coalesce(sum(person_days), 0)::BIGINT,
                   count(*) FILTER (WHERE direction = 'REVERSE') FROM substitution_facts {w}""",
        p,
    )
    return {"substitutions": int(r[0]), "person_days": int(r[1]), "reverse": int(r[2])}


@figure("substitution_facts")
def substitutions_monthly(con, f: Filters) -> pl.DataFrame:
    """Substitutions and person-days per month and direction (every month of the period, 0 where none)."""
    w, p = where(f, "substitution_facts")
    df = q(
        con,
        f"""SELECT month, direction, count(*) AS substitutions, sum(person_days) AS person_days
            FROM substitution_facts {w} GROUP BY 1, 2 ORDER BY 1, 2""",
        p,
    )
    return every_month(df, f, by=("direction",), zeros=("substitutions", "person_days"))


@figure("substitution_facts")
def substitutions_by(con, f: Filters, dimension: str, lang: str = "zh") -> pl.DataFrame:
    """Substitutions and person-days per team, division or post pair (30 largest); `key_label` is what a
    person reads (a post pair as 'label → label')."""
    col = {"team": "coalesce(team, '—')", "post_pair": "post_pair", "division": "coalesce(division, '—')"}[dimension]
    w, p = where(f, "substitution_facts")
    pairs = ", any_value(absent_post) AS absent_post, any_value(substitute_post) AS substitute_post" if dimension == "post_pair" else ""
    df = q(
        con,
        f"""SELECT {col} AS key, count(*) AS substitutions, sum(person_days) AS person_days{pairs}
            FROM substitution_facts {w} GROUP BY 1 ORDER BY substitutions DESC, key LIMIT 30""",
        p,
    )
    if dimension != "post_pair":
        return df.with_columns(key_label=pl.col("key"))
    posts = {code: label("post", code, lang) for code in set(df["absent_post"]) | set(df["substitute_post"]) if code}
    return df.with_columns(
        key_label=pl.concat_str(
            pl.col("absent_post").replace_strict(posts, default=pl.col("absent_post")),
            pl.col("substitute_post").replace_strict(posts, default=pl.col("substitute_post")),
            separator=" → ",
            ignore_nulls=True,
        )
    ).drop("absent_post", "substitute_post")


@figure("substitution_facts")
def substitution_timeline(con, f: Filters, snapshot: datetime | None, limit: int = 150) -> pl.DataFrame:
    """Who covered whom, newest first (open-ended ones end at the snapshot)."""
    w, p = where(f, "substitution_facts")
    end = "coalesce(end_at, ?)" if snapshot else "coalesce(end_at, start_at + INTERVAL 1 DAY)"
    params = ([snapshot] if snapshot else []) + p
    return q(
        con,
        f"""SELECT substitution_id, absent_id, absent_name, absent_post, substitute_id, substitute_name,
                   substitute_post, start_at, {end} AS end_shown, end_at IS NULL AS open_ended,
                   authorized, direction, scope, team, days
            FROM substitution_facts {w}
            ORDER BY start_at DESC, substitution_id LIMIT ?""",
        [*params, int(limit)],
    )


@figure("acting_monthly")
def acting_monthly(con, f: Filters) -> pl.DataFrame:
    """Per month and level (low to high): decided steps, those decided acting for someone, the share (every
    month of the period for each level: counts 0, no share where a level decided nothing)."""
    w, p = where(f, "acting_monthly")
    return every_month(q(
        con,
        f"""SELECT month, level, sum(decided_steps)::BIGINT AS decided_steps, sum(acting_steps)::BIGINT AS acting_steps,
                   sum(acting_steps) / nullif(sum(decided_steps), 0) AS acting_share
            FROM acting_monthly {w} GROUP BY month, level, level_rank ORDER BY month, level_rank""",
        p,
    ), f, by=("level",), zeros=("decided_steps", "acting_steps"))


@figure("acting_monthly")
def acting_share(con, f: Filters) -> float | None:
    """Share of the decided steps of the filters that someone decided acting for the approver."""
    w, p = where(f, "acting_monthly")
    d, a = row(con, f"SELECT sum(decided_steps), sum(acting_steps) FROM acting_monthly {w}", p)
    return float(a) / float(d) if d else None
