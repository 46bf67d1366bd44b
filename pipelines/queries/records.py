"""The records behind a figure (drill-down): the steps, pending steps, matters, substitutions, meeting items,
findings or cases a bar, a point, a cell or a table row stands for, and one searchable list of all findings.

    n = records_count(con, f, "steps", (("level", "CHIEF"), ("over_limit", True)))
    page = records_page(con, f, "steps", (("level", "CHIEF"),), "", limit=50, offset=0)

`conds` are (condition, value) pairs from a short list per kind (never free text in SQL; a value of None
matches null); the shared filters apply as the kind's mart declares them. Pass the figure's own filters (one
month for a point on a monthly trend). `search` (findings only) matches rule, article, record id, detail,
team and division, case-insensitively.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipelines.core.filters import Filters
from pipelines.queries._sql import figure, q, scalar, where
from pipelines.queries.overview import FAMILY_SQL


@dataclass(frozen=True)
class RecordKind:
    mart: str
    base: tuple[str, ...]  # conditions that always hold (decided steps only, approved matters only)
    select: str
    order: str
    conds: dict  # condition name -> SQL expression
    alias: str | None = None


RECORD_KINDS: dict[str, RecordKind] = {
    "steps": RecordKind(
        "step_latency", ("NOT is_pending",),
        """matter_id, step_no, case_id, team, division, matter_type, level, approver_id, approver_name, acting_for,
           received_at, decided_at, decision, latency_hours, latency_workdays, limit_workdays, over_limit""",
        "decided_at DESC NULLS LAST, matter_id, step_no",
        {"level": "level", "matter_type": "matter_type", "team": "team", "division": "division",
         "approver_id": "approver_id", "over_limit": "over_limit", "acting": "(acting_for IS NOT NULL)",
         "source": "source"},
    ),
    "pending": RecordKind(
        "pending_steps", (),
        """matter_id, step_no, case_id, team, division, matter_type, level, approver_id, approver_name,
           received_at, age_hours, age_workdays, limit_workdays, used_share, warning_tier""",
        "used_share DESC NULLS LAST, age_hours DESC, matter_id, step_no",
        {"level": "level", "tier": "coalesce(warning_tier, 'OK')", "approver_id": "approver_id", "team": "team",
         "division": "division", "matter_type": "matter_type", "matter_id": "matter_id"},
    ),
    "matters": RecordKind(
        "matters", ("closed", "final_decision = 'APPROVE'"),
        """matter_id, case_id, team, division, matter_type, submitted_at, steps, final_level, final_approver_name,
           final_acting_for, final_decided_at, lead_time_hours, lead_time_workdays""",
        "final_decided_at DESC NULLS LAST, matter_id",
        {"team": "team", "division": "division", "matter_type": "matter_type"},
    ),
    "loops": RecordKind(
        "rework_loops", (),
        """matter_id, step_no, case_id, team, division, matter_type, level, approver_id, approver_name, returned_at,
           back_step_no, back_at, closed, rework_hours, rework_workdays""",
        "returned_at DESC, matter_id, step_no",
        {"level": "level", "matter_type": "matter_type", "team": "team", "division": "division",
         "approver_id": "approver_id", "closed": "closed"},
    ),
    "paths": RecordKind(
        "matters", (),
        """matter_id, case_id, team, division, matter_type, route, on_required_route, returns, conforms,
           (SELECT string_agg(coalesce(s.name, ids.pid), '、' ORDER BY ids.pid)
            FROM (SELECT unnest(string_split(two_level_approvers, ';')) AS pid) ids
            LEFT JOIN staff s ON s.staff_id = ids.pid) AS two_level_names,
           final_decision, final_decided_at, lead_time_hours""",
        "final_decided_at DESC NULLS LAST, matter_id",
        {"matter_type": "matter_type", "route": "route", "team": "team", "division": "division",
         "closed": "closed", "conforms": "conforms", "on_required_route": "on_required_route",
         "two_level": "(two_level_approvers IS NOT NULL)"},
    ),
    "substitutions": RecordKind(
        "substitution_facts", (),
        """substitution_id, absent_name, absent_post, substitute_name, substitute_post, decider_name, start_at, end_at,
           days, authorized, direction, scope, team, division, reason""",
        "start_at DESC, substitution_id",
        {"team": "coalesce(team, '—')", "division": "coalesce(division, '—')", "post_pair": "post_pair",
         "direction": "direction", "substitution_id": "substitution_id"},
    ),
    "meeting_items": RecordKind(
        "meeting_item_facts", (),
        """item_id, meeting_id, meeting_type, held_on, chair_name, case_id, topic, is_major, votes_for, votes_against,
           votes_abstain, majority, vp_position, chief_position, vp_dissents, chief_dissents, outcome, tie_break,
           escalated, decided_on, days_to_decision""",
        "held_on DESC, item_id",
        {"meeting_type": "meeting_type", "meeting_id": "meeting_id", "item_id": "item_id", "outcome": "outcome",
         "escalated": "escalated"},
    ),
    "findings": RecordKind(
        "violations", (),
        """v.rule_id, v.article, v.record_kind, v.record_id, v.occurred_at, v.month, v.team, v.division, v.detail,
           v.detail_en, (SELECT string_agg(coalesce(s.name, ids.pid), '、' ORDER BY ids.i)
                         FROM (SELECT unnest(l) AS pid, generate_subscripts(l, 1) AS i
                               FROM (SELECT string_split(coalesce(v.people, ''), ';') AS l)) ids
                         LEFT JOIN staff s ON s.staff_id = ids.pid WHERE ids.pid <> '') AS people""",
        "v.occurred_at DESC NULLS LAST, v.rule_id, v.record_id",
        {"rule_id": "v.rule_id", "family": FAMILY_SQL, "record_kind": "v.record_kind", "team": "v.team",
         "division": "v.division"},
        alias="v",
    ),
    "cases": RecordKind(
        "case_clock", (),
        """case_id, team, division, judge_name, case_kind, filed_on, closed_on, deadline, deadline_source, days_left,
           tier AS clock_tier, on_time, days_to_close, days_late""",
        "is_open DESC, days_left NULLS LAST, closed_on DESC NULLS LAST, case_id",
        {"team": "coalesce(team, '—')", "judge": "coalesce(judge_name, judge_id, '—')", "tier": "coalesce(tier, 'OK')",
         "open": "is_open", "case_id": "case_id"},
    ),
}
KIND_MARTS = {kind: k.mart for kind, k in RECORD_KINDS.items()}
SEARCHED = ("v.rule_id", "v.article", "v.record_id", "v.detail", "v.detail_en", "v.team", "v.division")


def _from(kind: str, f: Filters, conds: tuple[tuple[str, object], ...], search: str) -> tuple[str, list]:
    """`FROM … WHERE …` and its parameters for the records of `kind` behind a figure."""
    k = RECORD_KINDS[kind]
    extra, params = list(k.base), []
    for name, value in conds:
        expr = k.conds[name]  # a condition the kind does not know is a programming error (KeyError)
        if value is None:
            extra.append(f"{expr} IS NULL")
        else:
            extra.append(f"{expr} = ?")
            params.append(value)
    if search:
        if kind != "findings":
            raise ValueError("only findings are searched")
        extra.append("(" + " OR ".join(f"coalesce({c}, '') ILIKE ? ESCAPE '\\'" for c in SEARCHED) + ")")
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params.extend([pattern] * len(SEARCHED))
    table, table_params = k.mart + (f" {k.alias}" if k.alias else ""), []
    if kind == "steps" and any(name == "source" for name, _ in conds):
        # a cell of the flow matrix: each step paired with the matter's previous decided step among the same
        # filters, as flow_edges pairs them (pass filters without levels, as flow_edges ignores them)
        w, table_params = where(f, "step_latency", "NOT is_pending")
        table = f"""(SELECT *, coalesce(lag(level) OVER (PARTITION BY matter_id ORDER BY step_no), 'SUBMITTED')
                            AS source FROM step_latency {w})"""
    w, p = where(f, k.mart, *extra, alias=k.alias)
    return f"FROM {table} {w}", table_params + params + p


@figure(*KIND_MARTS.values(), keys=KIND_MARTS)
def records_count(con, f: Filters, kind: str, conds: tuple[tuple[str, object], ...] = (), search: str = "") -> int:
    """How many records of `kind` lie behind a figure."""
    sql, params = _from(kind, f, conds, search)
    return scalar(con, f"SELECT count(*) {sql}", params) or 0


@figure(*KIND_MARTS.values(), keys=KIND_MARTS)
def records_page(con, f: Filters, kind: str, conds: tuple[tuple[str, object], ...] = (), search: str = "",
                 limit: int = 50, offset: int = 0) -> pl.DataFrame:
    """One page of the records of `kind` behind a figure, newest first (LIMIT/OFFSET)."""
    sql, params = _from(kind, f, conds, search)
    select = RECORD_KINDS[kind].select
    order = RECORD_KINDS[kind].order
    return q(con, f"SELECT {select} {sql} ORDER BY {order} LIMIT ? OFFSET ?", [*params, int(limit), int(offset)])
