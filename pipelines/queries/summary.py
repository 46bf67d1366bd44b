"""Every figure of `python -m pipelines report` in one dict (the contract's JSON keys), from the same
query functions the pages call; pipelines.present.report only formats it."""

from __future__ import annotations

from pipelines.core.filters import Filters, format_month
from pipelines.domain import rules
from pipelines.queries._sql import scope
from pipelines.queries.clock import clock_summary, open_cases_now
from pipelines.queries.info import meta
from pipelines.queries.latency import latency_by_level
from pipelines.queries.meetings import bureau_meetings
from pipelines.queries.overview import headline, matter_summary, overdue_pending, records_by_kind, rule_counts
from pipelines.queries.paths import conformance_by_type, rework_by_level
from pipelines.queries.substitutions import acting_share, substitution_summary

# JSON key -> (figure, key within it): whose scope describes it.
SCOPES = {
    "headline": ("headline", None),
    "level_latency": ("latency_by_level", None),
    "violations_by_rule": ("rule_counts", "findings"),
    "records_judged": ("records_by_kind", None),
    "matters": ("matter_summary", None),
    "pending_steps": ("overdue_pending", None),
    "substitutions_total": ("substitution_summary", None),
    "acting_share": ("acting_share", None),
    "bureau_items": ("bureau_meetings", None),
    "cases_open": ("open_cases_now", None),
    "cases_closed": ("clock_summary", None),
    "rework_by_level": ("rework_by_level", "returns"),
    "rework_share": ("rework_by_level", "share"),
    "conformance_by_type": ("conformance_by_type", None),
}
# JSON keys that share another's scope.
SAME_SCOPE = {
    "violations_by_article": "violations_by_rule", "violations_total": "violations_by_rule",
    "findings_per_100": "records_judged", "matters_closed": "matters", "approved_matters": "matters",
    "median_lead_time_hours": "matters", "median_lead_time_workdays": "matters",
    "overdue_pending_steps": "pending_steps", "warning_pending_steps": "pending_steps",
    "substitution_person_days": "substitutions_total", "reverse_substitutions": "substitutions_total",
    "tie_breaks": "bureau_items", "escalations": "bureau_items", "tie_break_rate": "bureau_items",
    "escalation_rate": "bureau_items", "median_days_to_decision": "bureau_items",
    "cases_past_deadline": "cases_open", "cases_near_deadline": "cases_open",
    "cases_closed_on_time": "cases_closed", "on_time_share": "cases_closed", "median_days_to_close": "cases_closed",
    "mean_days_to_close": "cases_closed",
}


def filters_applied(f: Filters) -> dict:
    """The filters as the report's JSON names them (only those set)."""
    out: dict = {}
    if f.start:
        out["from"] = format_month(f.start)
    if f.end:
        out["to"] = format_month(f.end)
    for key, values in (("division", f.divisions), ("team", f.teams), ("matter_type", f.matter_types),
                        ("level", f.levels)):
        if values:
            out[key] = list(values)
    return out


def not_narrowed(f: Filters) -> dict[str, dict[str, str]]:
    """Per JSON figure, the filters set that cannot narrow it and why ({} when every filter applies)."""
    out: dict[str, dict[str, str]] = {}
    for key, (name, sub) in SCOPES.items():
        if key == "headline":
            for hk in headline.figure.keys:
                s = scope("headline", f, hk)
                if s.ignored:
                    out[f"headline.{hk}"] = dict(s.ignored)
            continue
        s = scope(name, f, sub)
        if s.ignored:
            out[key] = dict(s.ignored)
    for key, same in SAME_SCOPE.items():
        if same in out:
            out[key] = out[same]
    return dict(sorted(out.items()))


def report_figures(con, f: Filters) -> dict:
    """The report's figures under `f` (a period, or none for all months; division, team, matter type,
    level), each scoped exactly as the dashboard scopes it."""
    m = meta(con)
    fallback = [int(y) for y in (m.get("calendar_fallback_years") or "").split(",") if y]
    head = headline(con, f)
    counts = rule_counts(con, f)
    by_rule = dict(counts.select("rule_id", "findings").iter_rows())
    violations_by_rule = {r.id: int(by_rule.get(r.id, 0)) for r in rules.RULES}
    by_article: dict[str, int] = {}
    for r in rules.RULES:
        by_article[r.article] = by_article.get(r.article, 0) + violations_by_rule[r.id]
    mat = matter_summary(con, f)
    pend = overdue_pending(con, f)
    subs = substitution_summary(con, f)
    meet = bureau_meetings(con, f)
    open_now = open_cases_now(con, f)
    closed = clock_summary(con, f)
    single_month = f.start is not None and f.start == f.end
    return {
        "snapshot_at": m.get("snapshot_at"),
        "effective_date": m.get("effective_date"),
        "calendar_fallback_years": fallback,
        "month": format_month(f.start) if single_month else None,
        "filters": filters_applied(f),
        "not_narrowed": not_narrowed(f),
        "headline": head,
        "level_latency": latency_by_level(con, f).to_dicts(),
        "violations_by_rule": violations_by_rule,
        "violations_by_article": by_article,
        "violations_total": head["findings"],
        "records_judged": records_by_kind(con, f),
        "findings_per_100": head["findings_per_100"],
        **mat,
        "median_hours": head["median_hours"],
        "pending_steps": int(pend["pending"]),
        "overdue_pending_steps": int(pend["red"]),
        "warning_pending_steps": int(pend["yellow"]),
        "substitutions_total": subs["substitutions"],
        "substitution_person_days": subs["person_days"],
        "reverse_substitutions": subs["reverse"],
        "acting_share": acting_share(con, f),
        "bureau_items": meet["items"],
        "tie_breaks": meet["tie_breaks"],
        "escalations": meet["escalations"],
        "tie_break_rate": meet["tie_break_rate"],
        "escalation_rate": meet["escalation_rate"],
        "median_days_to_decision": meet["median_days_to_decision"],
        "cases_open": open_now["open"],
        "cases_past_deadline": open_now["red"],
        "cases_near_deadline": open_now["yellow"],
        "cases_closed": closed["closed"],
        "cases_closed_on_time": closed["on_time"],
        "on_time_share": closed["on_time_share"],
        "median_days_to_close": closed["median_days_to_close"],
        "mean_days_to_close": closed["mean_days_to_close"],
        "rework_by_level": rework_by_level(con, f).drop("level_rank").to_dicts(),
        "conformance_by_type": conformance_by_type(con, f),
    }
