"""Who must act now (the 待办与预警 page, the digests and the alerts): one list of everything that needs
someone to act at the data's snapshot, each row with who must act, since when and the record it stands for.

    attention_counts(con, f)                              # {"pending": {"RED": 4, "YELLOW": 4}, "case": {...}, ...}
    attention_page(con, f, extension_lead_days=5, limit=50, offset=0)

Four kinds of rows, each the same records as the page it summarises (so their counts are that page's):
- `pending`: pending approval steps in the YELLOW or RED tier (DOMAIN §5; the Bottlenecks page's
  `pending_summary`); who = the approver, since = received.
- `case`: open cases near (YELLOW) or past (RED) their statutory deadline (DOMAIN §6; the Statutory clock
  page's `open_cases_now`); who = the judge (the team's leader when the case names none), since = the day
  the tier began, act by = the last day to request an extension (deadline − `extension_lead_days`).
- `item`: findings of M5-UNDECIDED (escalated items still undecided past the setting); who = the VP for an
  item escalated to the court leader, the judicial committee for one escalated to it; since = the meeting.
- `substitution`: findings of S12-TEMPORARY still running at the snapshot (no end, or ending after it);
  who = whoever decided the substitution; since = its start (no end) or the day it passed the limit.

"Now" is the snapshot: no period narrows any of them. Division and team narrow each kind as its mart
declares (meeting items belong to no team: a division or team filter leaves them out, as on the findings
pages); matter type and level narrow pending steps only.
"""

from __future__ import annotations

import polars as pl

from pipelines.core.filters import Filters
from pipelines.core.i18n import label, t
from pipelines.queries._sql import figure, q, where
from pipelines.tables.marts import NOW

KINDS = ("pending", "case", "item", "substitution")
TIERS = ("RED", "YELLOW")
ATTENTION_KEYS = {"pending": "pending_steps", "case": "case_clock", "item": "violations", "substitution": "violations"}
MARTS_READ = ("pending_steps", "case_clock", "violations", "meeting_item_facts", "substitution_facts")

# The page (views/<key>.py, app URL path) that shows each kind's records, and its page parameters.
RECORD_PAGES = {
    "pending": ("bottlenecks", {}),
    "case": ("clock", {}),
    "item": ("regulation", {"rule": "M5-UNDECIDED"}),
    "substitution": ("regulation", {"rule": "S12-TEMPORARY"}),
}
# The drill-down records (pipelines.queries.records) of one row: kind of records, condition on its id.
RECORD_DRILL = {
    "pending": ("pending", "matter_id"),
    "case": ("cases", "case_id"),
    "item": ("meeting_items", "item_id"),
    "substitution": ("substitutions", "substitution_id"),
}

_SNAPSHOT = "(SELECT CAST(value AS TIMESTAMP) FROM meta WHERE key = 'snapshot_at')"
_YELLOW_DAYS = "(SELECT coalesce(CAST(json_extract(value, '$.clock_yellow_days') AS INTEGER), 30) FROM meta WHERE key = 'settings')"
_SUB_LIMIT = ("(SELECT coalesce(CAST(json_extract(value, '$.temporary_substitution_limit_days') AS DOUBLE), 30) "
              "FROM meta WHERE key = 'settings')")

COLUMNS = (
    "attention_kind", "attention_tier", "record_id", "team", "division", "who_id", "who_name", "who_post",
    "since", "waiting_days", "due_on", "matter_type", "level", "step_no", "age_workdays", "limit_workdays",
    "case_kind", "deadline", "days_left", "topic", "outcome", "absent_name", "substitute_name", "end_at",
)


def _union(f: Filters, extension_lead_days: int) -> tuple[str, list]:
    """The four kinds as one SQL relation with COLUMNS, and its parameters."""
    w1, p1 = where(f, "pending_steps", "warning_tier IS NOT NULL")
    w2, p2 = where(f, "case_clock", "c.is_open", "c.tier IS NOT NULL", alias="c")
    w3, p3 = where(f, "violations", "rule_id = 'M5-UNDECIDED'", alias="v")
    w4, p4 = where(f, "violations", "rule_id = 'S12-TEMPORARY'", f"(s.end_at IS NULL OR s.end_at >= {_SNAPSHOT})",
                   alias="v")
    sql = f"""
        SELECT 'pending' AS attention_kind, warning_tier AS attention_tier, matter_id AS record_id, team, division,
               approver_id AS who_id, approver_name AS who_name, NULL::VARCHAR AS who_post,
               received_at AS since, NULL::DATE AS due_on, matter_type, level, step_no, age_workdays,
               limit_workdays, NULL::VARCHAR AS case_kind, NULL::DATE AS deadline, NULL::BIGINT AS days_left,
               NULL::VARCHAR AS topic, NULL::VARCHAR AS outcome, NULL::VARCHAR AS absent_name,
               NULL::VARCHAR AS substitute_name, NULL::TIMESTAMP AS end_at
        FROM pending_steps {w1}
        UNION ALL
        SELECT 'case', c.tier, c.case_id, c.team, c.division,
               coalesce(c.judge_id, lead.staff_id), coalesce(c.judge_name, lead.name), NULL,
               CASE WHEN c.tier = 'RED' THEN c.deadline + 1 ELSE c.deadline - {_YELLOW_DAYS} END::TIMESTAMP,
               c.deadline - CAST(? AS INTEGER), NULL, NULL, NULL, NULL, NULL, c.case_kind, c.deadline, c.days_left,
               NULL, NULL, NULL, NULL, NULL
        FROM case_clock c
        LEFT JOIN (SELECT team, min(staff_id) AS staff_id, arg_min(name, staff_id) AS name FROM staff
                   WHERE post = 'TEAM_LEAD' GROUP BY team) lead ON lead.team = c.team
        {w2}
        UNION ALL
        SELECT 'item', 'RED', v.record_id, v.team, v.division,
               CASE WHEN i.outcome = 'ESCALATED_LEADER' THEN vp.staff_id END,
               CASE WHEN i.outcome = 'ESCALATED_LEADER' THEN vp.name END,
               CASE WHEN i.outcome = 'ESCALATED_LEADER' THEN 'VP' ELSE 'COMMITTEE' END,
               i.held_on::TIMESTAMP, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, i.topic, i.outcome,
               NULL, NULL, NULL
        FROM violations v JOIN meeting_item_facts i ON i.item_id = v.record_id
        LEFT JOIN (SELECT min(staff_id) AS staff_id, arg_min(name, staff_id) AS name FROM staff WHERE post = 'VP') vp
               ON true
        {w3}
        UNION ALL
        SELECT 'substitution', 'RED', v.record_id, v.team, v.division, s.decided_by, s.decider_name, NULL,
               CASE WHEN s.end_at IS NULL THEN s.start_at
                    ELSE s.start_at + to_microseconds(CAST({_SUB_LIMIT} * 86400e6 AS BIGINT)) END,
               NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, s.absent_name, s.substitute_name,
               s.end_at
        FROM violations v JOIN substitution_facts s ON s.substitution_id = v.record_id
        {w4}
    """
    return sql, [*p1, int(extension_lead_days), *p2, *p3, *p4]


@figure(*MARTS_READ, drop={"period": NOW}, keys=ATTENTION_KEYS)
def attention_counts(con, f: Filters) -> dict[str, dict[str, int]]:
    """Rows of the attention list per kind and tier ({kind: {tier: n}}, every kind and tier present), and
    `substitution_findings`: every S12-TEMPORARY finding under the filters, running or not (the findings
    pages' count; the list holds those still running)."""
    sql, params = _union(f, 0)
    rows = con.sql(f"SELECT attention_kind, attention_tier, count(*) FROM ({sql}) GROUP BY 1, 2",
                   params=params).fetchall()
    out: dict[str, dict[str, int]] = {k: dict.fromkeys(TIERS, 0) for k in KINDS}
    for kind, tier, n in rows:
        out[kind][tier] = int(n)
    w, p = where(f, "violations", "rule_id = 'S12-TEMPORARY'")
    out["substitution_findings"] = {"all": int(con.sql(f"SELECT count(*) FROM violations {w}", params=p).fetchall()[0][0])}
    return out


@figure(*MARTS_READ, drop={"period": NOW}, keys=ATTENTION_KEYS)
def attention_count(con, f: Filters, kinds: tuple[str, ...] = ()) -> int:
    """How many rows `attention_page` pages through (`kinds`: only those kinds; () = all)."""
    sql, params = _union(f, 0)
    extra, more = "", []
    if kinds:
        extra = f"WHERE attention_kind IN ({', '.join('?' for _ in kinds)})"
        more = list(kinds)
    return int(con.sql(f"SELECT count(*) FROM ({sql}) {extra}", params=[*params, *more]).fetchall()[0][0])


@figure(*MARTS_READ, drop={"period": NOW}, keys=ATTENTION_KEYS)
def attention_page(con, f: Filters, kinds: tuple[str, ...] = (), extension_lead_days: int = 5, limit: int = 50,
                   offset: int = 0) -> pl.DataFrame:
    """One page of the attention list: red before yellow, then the longest waiting first."""
    sql, params = _union(f, extension_lead_days)
    extra, more = "", []
    if kinds:
        extra = f"WHERE attention_kind IN ({', '.join('?' for _ in kinds)})"
        more = list(kinds)
    return q(
        con,
        f"""SELECT *, date_diff('day', since::DATE, {_SNAPSHOT}::DATE) AS waiting_days FROM ({sql}) {extra}
            ORDER BY attention_tier = 'YELLOW', since, attention_kind, record_id, step_no NULLS FIRST
            LIMIT ? OFFSET ?""",
        [*params, *more, int(limit), int(offset)],
    ).select(COLUMNS)


def attention_what(row: dict, lang: str) -> str:
    """What a row is about, in words."""
    kind = row["attention_kind"]
    if kind == "pending":
        return t("attention.what.pending", lang, type=label("matter_type", row["matter_type"], lang), step=row["step_no"],
                 level=label("level", row["level"], lang))
    if kind == "case":
        return t("attention.what.case", lang, kind=row["case_kind"] or "—",
                 deadline=row["deadline"].isoformat() if row["deadline"] else "—")
    if kind == "item":
        return t("attention.what.item", lang, topic=row["topic"] or "—", outcome=label("outcome", row["outcome"], lang))
    return t("attention.what.substitution", lang, absent=row["absent_name"] or "—", substitute=row["substitute_name"] or "—")


def who_text(row: dict, lang: str) -> str:
    """Who must act, in words: a person's name, or the body (the judicial committee)."""
    if row.get("who_name"):
        return row["who_name"]
    if row.get("who_post") == "COMMITTEE":
        return t("attention.committee", lang)
    if row.get("who_post"):
        return label("post", row["who_post"], lang)
    return row.get("who_id") or "—"


def attention_view(df: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The attention list as people read it: kind and tier in words, what it is about, who must act."""
    if df.is_empty():
        return df.select("attention_kind", "attention_tier", "record_id", "team", "since", "waiting_days", "due_on")
    rows = df.to_dicts()
    tiers = {k: t(f"attention.tier.{k}", lang) for k in TIERS}
    return pl.DataFrame(
        {
            "attention_tier": [tiers[r["attention_tier"]] for r in rows],
            "attention_kind": [t(f"attention.kind.{r['attention_kind']}", lang) for r in rows],
            "record_id": [r["record_id"] for r in rows],
            "attention_what": [attention_what(r, lang) for r in rows],
            "who_name": [who_text(r, lang) for r in rows],
            "team": [r["team"] for r in rows],
            "since": [r["since"] for r in rows],
            "waiting_days": [r["waiting_days"] for r in rows],
            "due_on": [r["due_on"] for r in rows],
        },
        schema={"attention_tier": pl.String, "attention_kind": pl.String, "record_id": pl.String,
                "attention_what": pl.String, "who_name": pl.String, "team": pl.String, "since": pl.Datetime("us"),
                "waiting_days": pl.Int64, "due_on": pl.Date},
    )


def record_link(kind: str, f: Filters, lang: str = "zh") -> str:
    """The dashboard path and query string of the page that shows a row's records, under filters `f`
    (the org filters; no period, the list is 'now')."""
    from urllib.parse import urlencode

    page, extra = RECORD_PAGES[kind]
    params = dict(f.to_query_params())
    params.pop("from", None)
    params.pop("to", None)
    if lang != "zh":
        params["lang"] = lang
    params.update(extra)
    query = urlencode(params, doseq=True)
    return f"/{page}" + (f"?{query}" if query else "")


def staff_post(con, staff_id: str) -> str | None:
    """A roster person's post (the navigation puts the attention list first for the chief, deputies and team
    leaders)."""
    rows = con.sql("SELECT post FROM staff WHERE staff_id = ?", params=[staff_id]).fetchall()
    return rows[0][0] if rows else None
