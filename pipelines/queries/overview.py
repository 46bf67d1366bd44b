"""The headline figures and the rule findings: one definition each, for the pages, the report and the
monthly Word report."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from pipelines.core.filters import Filters
from pipelines.domain import rules
from pipelines.domain.metrics import ESCALATION_RATE, FINDINGS_PER_100
from pipelines.queries._sql import (
    every_month,
    figure,
    in_list,
    periods_of,
    q,
    row,
    scalar,
    where,
    where_periods,
)
from pipelines.queries.meetings import BUREAU
from pipelines.tables.marts import LATENCY_MEASURES

APPROVED = ("closed", "final_decision = 'APPROVE'")

HEADLINE_KEYS = {
    "approved_matters": "matters",
    "median_hours": "latency_steps",
    "within_limit_share": "latency_steps",
    "substitutions": "substitution_facts",
    "bureau_items": "meeting_item_facts",
    "escalation_rate": "meeting_item_facts",
    "findings": "violations",
    "records": "compliance_monthly",
    "findings_per_100": "compliance_monthly",
    "cases_closed": "case_clock",
    "on_time_share": "case_clock",
}


@figure(*dict.fromkeys(HEADLINE_KEYS.values()), keys=HEADLINE_KEYS)
def headline(con, f: Filters) -> dict[str, float | int | None]:
    """The overview's headline figures for the filters' period (each narrowed as its mart allows:
    `scope("headline", f, key)`). Each is the figure of its own query function, counted in one query:
    approved matters (`matter_summary`), median hours (`median_hours`), substitutions
    (`substitution_summary`), bureau items and escalation rate (`bureau_meetings`), findings and records
    (`findings_and_records`), cases closed and on-time share (`clock_summary`); tests/test_queries.py holds
    them equal."""
    return _headlines(con, [f])[0]


Headline = dict[str, float | int | None]


@figure(*dict.fromkeys(HEADLINE_KEYS.values()), keys=HEADLINE_KEYS)
def headline_periods(con, f: Filters) -> tuple[Headline, Headline, Headline]:
    """`headline` of the filters' period, of the period just before it and of the same period a year
    earlier (同比) ({} for both when the filters have no period), in one query: the Overview's figures and
    their two comparisons."""
    fs = periods_of(f)
    if len(fs) > 1:
        fs.append(f.year_ago())
    heads = _headlines(con, fs)
    return heads[0], (heads[1] if len(heads) > 1 else {}), (heads[2] if len(heads) > 2 else {})



def _headlines(con, fs: list[Filters]) -> list[dict[str, float | int | None]]:
    """`headline` of each of `fs` (filters that differ in their period only) in one query: every mart's
    figures for all periods at once, `agg(…) FILTER (WHERE <period i>)`."""
    parts, params = [], []

    def part(mart: str, measures: dict[str, tuple[str, str]], *extra: str,
             source: Callable[[str], str] | None = None) -> None:
        """`measures` (name -> (aggregate, condition or "")) for every period, from `mart`, or from the
        subquery `source(WHERE …)` over it."""
        w, p, conds = where_periods(fs, mart, *extra)
        aggs = []
        for i, cond in enumerate(conds):
            for name, (agg, inner) in measures.items():
                when = f"{inner} AND {cond}" if inner else cond
                aggs.append(f"{agg} FILTER (WHERE {when}) AS {name}_{i}")
        parts.append(f"(SELECT {', '.join(aggs)} FROM {source(w) if source else f'{mart} {w}'})")
        params.extend(p)

    part("matters", {"approved_matters": ("count(*)", " AND ".join(APPROVED))})
    part("latency_steps", {"median_hours": (LATENCY_MEASURES["median_hours"], ""),
                           "within_limit": ("count(*)", "NOT over_limit"),
                           "limited_steps": ("count(*)", "over_limit IS NOT NULL")})
    part("substitution_facts", {"substitutions": ("count(*)", "")})
    part("meeting_item_facts", {"bureau_items": ("count(*)", ""), "escalations": ("count(*)", "escalated")}, BUREAU)
    part("violations", {"findings": ("count(*)", "")})
    part("compliance_monthly", {"records": ("sum(records)", "")}, source=lambda w: f"({judged_records_sql(w)})")
    part("case_clock", {"cases_closed": ("count(*)", ""), "on_time": ("count(*)", "on_time")}, "NOT is_open")
    rel = con.sql("SELECT * FROM " + ", ".join(parts), params=params or None)
    values = dict(zip(rel.columns, rel.fetchall()[0], strict=True))
    heads = []
    for i in range(len(fs)):
        v = {name: values[f"{name}_{i}"] for name in
             ("approved_matters", "median_hours", "within_limit", "limited_steps", "substitutions", "bureau_items",
              "escalations", "findings", "records", "cases_closed", "on_time")}
        items, findings, records, closed = v["bureau_items"], v["findings"], int(v["records"] or 0), v["cases_closed"]
        heads.append({
            "approved_matters": int(v["approved_matters"]),
            "median_hours": v["median_hours"],
            "within_limit_share": v["within_limit"] / v["limited_steps"] if v["limited_steps"] else None,
            "substitutions": int(v["substitutions"]),
            "bureau_items": int(items),
            "escalation_rate": ESCALATION_RATE.of(v["escalations"], items),
            "findings": int(findings),
            "records": records,
            "findings_per_100": FINDINGS_PER_100.of(findings, records),
            "cases_closed": int(closed),
            "on_time_share": v["on_time"] / closed if closed else None,
        })
    return heads


@figure("matters")
def matter_summary(con, f: Filters) -> dict:
    """Matters of the period (dated by their final decision, open ones by submission): how many, closed,
    approved, median lead time of the closed ones."""
    w, p = where(f, "matters")
    r = row(
        con,
        f"""SELECT count(*), count(*) FILTER (WHERE closed),
                   count(*) FILTER (WHERE {' AND '.join(APPROVED)}),
                   quantile_cont(lead_time_hours, 0.5), quantile_cont(lead_time_workdays::DOUBLE, 0.5)
            FROM matters {w}""",
        p,
    )
    return {
        "matters": int(r[0]),
        "matters_closed": int(r[1]),
        "approved_matters": int(r[2]),
        "median_lead_time_hours": r[3],
        "median_lead_time_workdays": r[4],
    }


@figure("violations", "compliance_monthly", keys={"findings": "violations", "records": "compliance_monthly"})
def findings_and_records(con, f: Filters) -> tuple[int, int]:
    """Rule findings in the period and the records they judge (closed matters, substitutions, meetings
    and meeting items judged in the period, from compliance_monthly). Under a division/team filter both
    count only records of those teams: bureau-wide meetings and meeting items drop out."""
    w, p = where(f, "violations")
    findings = scalar(con, f"SELECT count(*) FROM violations {w}", p) or 0
    return findings, sum(records_by_kind(con, f).values())


def judged_records_sql(where_sql: str) -> str:
    """Records judged, one row per (record kind, month, team, division) of compliance_monthly.

    Every rule of a kind carries the same records count per cell, so summing over rules would count a
    record once per rule: take one value per (kind, cell)."""
    return f"""SELECT record_kind, month, team, division, max(records) AS records
               FROM compliance_monthly {where_sql} GROUP BY ALL"""


@figure("compliance_monthly")
def records_by_kind(con, f: Filters) -> dict[str, int]:
    """Records judged in the period per record kind (matter, substitution, meeting, meeting_item)."""
    w, p = where(f, "compliance_monthly")
    rows = con.sql(
        f"SELECT record_kind, sum(records)::BIGINT FROM ({judged_records_sql(w)}) GROUP BY 1 ORDER BY 1",
        params=p or None,
    ).fetchall()
    return {kind: int(n) for kind, n in rows}


@figure("pending_steps")
def overdue_pending(con, f: Filters) -> dict[str, int]:
    """Pending steps now (at the snapshot), by warning tier. No period applies: this is 'now'."""
    w, p = where(f, "pending_steps")
    r = row(
        con,
        f"""SELECT count(*), count(*) FILTER (WHERE warning_tier = 'RED'),
                   count(*) FILTER (WHERE warning_tier = 'YELLOW') FROM pending_steps {w}""",
        p,
    )
    return {"pending": r[0], "red": r[1], "yellow": r[2]}


MONTHLY_KEYS = {
    "approved_matters": "matters",
    "median_hours": "latency_steps",
    "substitutions": "substitution_facts",
    "escalation_rate": "meeting_item_facts",
    "findings": "violations",
}


@figure(*dict.fromkeys(MONTHLY_KEYS.values()), keys=MONTHLY_KEYS)
def monthly_overview(con, f: Filters) -> pl.DataFrame:
    """Per month of the period (every month, counts 0 where nothing happened): approved matters, median step
    hours, substitutions, bureau escalation rate, findings."""
    w1, p1 = where(f, "matters", *APPROVED)
    w2, p2 = where(f, "latency_steps")
    w3, p3 = where(f, "substitution_facts")
    w4, p4 = where(f, "meeting_item_facts", "meeting_type = 'BUREAU'")
    w5, p5 = where(f, "violations")
    return every_month(q(
        con,
        f"""WITH a AS (SELECT month, count(*) AS approved_matters FROM matters {w1} GROUP BY 1),
             l AS (SELECT month, {LATENCY_MEASURES['median_hours']} AS median_hours FROM latency_steps {w2} GROUP BY 1),
             s AS (SELECT month, count(*) AS substitutions FROM substitution_facts {w3} GROUP BY 1),
             m AS (SELECT month, {ESCALATION_RATE.sql("count(*) FILTER (WHERE escalated)", "count(*)")} AS escalation_rate
                   FROM meeting_item_facts {w4} GROUP BY 1),
             v AS (SELECT month, count(*) AS findings FROM violations {w5} GROUP BY 1),
             months AS (SELECT month FROM a UNION SELECT month FROM l UNION SELECT month FROM s
                        UNION SELECT month FROM m UNION SELECT month FROM v)
           SELECT months.month, coalesce(approved_matters, 0) AS approved_matters, median_hours,
                  coalesce(substitutions, 0) AS substitutions, escalation_rate, coalesce(findings, 0) AS findings
           FROM months LEFT JOIN a USING (month) LEFT JOIN l USING (month) LEFT JOIN s USING (month)
                LEFT JOIN m USING (month) LEFT JOIN v USING (month)
           WHERE months.month IS NOT NULL ORDER BY 1""",
        p1 + p2 + p3 + p4 + p5,
    ), f, zeros=("approved_matters", "substitutions", "findings"))


@figure("violations", "compliance_monthly",
        keys={"findings": "violations", "records": "compliance_monthly", "per_100": "compliance_monthly"})
def rule_counts(con, f: Filters) -> pl.DataFrame:
    """Per rule of the catalogue: findings under the filters, and records judged / per 100 under the
    same filters (period, division, team; bureau-wide meeting records only without an org filter)."""
    w, p = where(f, "violations")
    wc, pc = where(f, "compliance_monthly")
    return q(
        con,
        f"""WITH v AS (SELECT rule_id, count(*) AS findings FROM violations {w} GROUP BY 1),
             c AS (SELECT rule_id, sum(findings) AS all_findings, sum(records) AS records
                   FROM compliance_monthly {wc} GROUP BY 1)
           SELECT r.rule_id, r.article, r.record_kind, r.family, r.title_zh, r.title_en,
                  coalesce(v.findings, 0) AS findings, coalesce(c.records, 0)::BIGINT AS records,
                  {FINDINGS_PER_100.sql("coalesce(c.all_findings, 0)", "c.records")} AS per_100
           FROM rule_catalogue r LEFT JOIN v USING (rule_id) LEFT JOIN c USING (rule_id)
           ORDER BY findings DESC, per_100 DESC NULLS LAST, r.rule_id""",
        p + pc,
    )


def rule_catalogue(con) -> pl.DataFrame:
    return q(con, "SELECT * FROM rule_catalogue ORDER BY rule_id")


@figure("violations")
def rule_trend(con, f: Filters, rule_ids: tuple[str, ...] = ()) -> pl.DataFrame:
    """Findings per rule and month under the filters (every month of the period for each rule found in it)."""
    w, p = _violations_where(f, rule_ids)
    df = q(con, f"SELECT v.rule_id, v.month, count(*) AS findings FROM violations v {w} GROUP BY 1, 2 ORDER BY 2, 1", p)
    return every_month(df, f, by=("rule_id",), zeros=("findings",))


# A finding's rule family (pipelines.domain.rules.family_of), over violations aliased `v`.
FAMILY_SQL = rules.family_sql("v.rule_id")


@figure("violations")
def findings_by_family_month(con, f: Filters) -> pl.DataFrame:
    """Findings per month and rule family (every month of the period, 0 where none)."""
    w, p = where(f, "violations", alias="v")
    df = q(
        con,
        f"""SELECT v.month, {FAMILY_SQL} AS family, count(*) AS findings FROM violations v {w}
            GROUP BY 1, 2 ORDER BY 1, 2""",
        p,
    )
    return every_month(df, f, by=("family",), zeros=("findings",))


@figure("violations")
def violations_count(con, f: Filters, rule_ids: tuple[str, ...] = ()) -> int:
    w, p = _violations_where(f, rule_ids)
    return scalar(con, f"SELECT count(*) FROM violations v {w}", p) or 0


@figure("violations")
def violations_page(con, f: Filters, rule_ids: tuple[str, ...] = (), limit: int = 50, offset: int = 0) -> pl.DataFrame:
    """One page of findings (newest first) with people's names joined in."""
    w, p = _violations_where(f, rule_ids)
    return q(
        con,
        f"""SELECT v.rule_id, v.article, v.record_kind, v.record_id, v.occurred_at, v.month, v.team, v.division,
                   v.detail, v.detail_en,
                   (SELECT string_agg(coalesce(s.name, ids.pid), '、' ORDER BY ids.i)  -- in the finding's order, run after run
                      FROM (SELECT unnest(l) AS pid, generate_subscripts(l, 1) AS i
                            FROM (SELECT string_split(coalesce(v.people, ''), ';') AS l)) ids
                      LEFT JOIN staff s ON s.staff_id = ids.pid WHERE ids.pid <> '') AS people
            FROM violations v {w}
            ORDER BY v.occurred_at DESC NULLS LAST, v.rule_id, v.record_id
            LIMIT ? OFFSET ?""",
        [*p, int(limit), int(offset)],
    )


def _violations_where(f: Filters, rule_ids: tuple[str, ...]) -> tuple[str, list]:
    extra: tuple[str, ...] = ()
    params: list = []
    if rule_ids:
        extra = (in_list("v.rule_id", tuple(rule_ids), params),)
    w, p = where(f, "violations", *extra, alias="v")
    return w, params + p
