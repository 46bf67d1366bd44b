"""The report's figures as a dict (the contract's `report --json` keys) and as text.

`build_report(db, month=None, filters=None, start=None, end=None)` opens the store and takes every figure
from `pipelines.queries.report_figures`, the same query functions the pages call, under the dashboard's
filters: `month` ("YYYY-MM") or `start`/`end` (inclusive months) scope the period (no period: all months);
`filters` ({"division"|"team"|"matter_type"|"level": value or list}) narrow each figure exactly as the
dashboard does. A figure a filter cannot narrow (meetings are bureau-wide; pending steps are "now") is
listed under `not_narrowed` with the reason. This module only formats.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipelines import queries
from pipelines.core.filters import DIMENSIONS, Filters, parse_month
from pipelines.core.i18n import label, t
from pipelines.domain import rules
from pipelines.store import db as store


def parse_report_month(month: str | dt.date | None) -> dt.date | None:
    if month is None or month == "":
        return None
    if isinstance(month, dt.date):
        return month.replace(day=1)
    parsed = parse_month(month)
    if parsed is None:
        raise ValueError(t("report.bad_month", "en", month=month))
    return parsed


def report_filters(month=None, filters: dict | None = None, start=None, end=None) -> Filters:
    """The dashboard's `Filters` for a report's arguments."""
    values = {}
    for d in DIMENSIONS:
        v = (filters or {}).get(d.name)
        values[d.name] = tuple([v] if isinstance(v, str) else (v or ()))
    first, last = parse_report_month(start), parse_report_month(end)
    if month:
        first = last = parse_report_month(month)
    if first and last and first > last:
        first, last = last, first
    return Filters(start=first, end=last).with_values(values)


def build_report(db: str | Path, month: str | None = None, filters: dict | None = None, *,
                 start: str | None = None, end: str | None = None) -> dict:
    return report_for(db, report_filters(month, filters, start, end))


def report_for(db: str | Path, f: Filters) -> dict:
    """The report's figures under the dashboard's filters `f`."""
    con = store.connect_readonly(db)
    try:
        return queries.report_figures(con, f)
    finally:
        con.close()


def _n(x: float | None, digits: int = 1) -> str:
    return "—" if x is None else f"{x:,.{digits}f}"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


# Figures named in the text report's note on filters that cannot narrow them.
_NOTED = {
    "level_latency": "level_latency", "violations_by_rule": "findings", "matters": "matters",
    "pending_steps": "pending", "substitutions_total": "substitutions", "acting_share": "acting_share",
    "bureau_items": "meetings", "cases_open": "cases_open", "cases_closed": "cases_closed",
    "rework_by_level": "rework", "conformance_by_type": "conformance",
}


def _notes(report: dict, lang: str) -> list[str]:
    out = []
    sep = t("scope.list_sep", lang)
    for key, name in _NOTED.items():
        ignored = (report.get("not_narrowed") or {}).get(key)
        if not ignored:
            continue
        by_reason: dict[str, list[str]] = {}
        for dim, reason in ignored.items():
            by_reason.setdefault(reason, []).append(t(f"scope.filter.{dim}", lang))
        for reason, dims in by_reason.items():
            note = t("scope.not_narrowed", lang, filters=sep.join(dims), reason=t(f"scope.reason.{reason}", lang))
            out.append(t("report.figure_note", lang, figure=t(f"report.figure.{name}", lang), note=note))
    return out


def format_report(report: dict, lang: str = "zh") -> str:
    """The report as plain text in `lang`, for the terminal or a quick paste."""
    out = [t("report.title", lang)]
    out.append(t("report.snapshot", lang, at=report.get("snapshot_at") or "—"))
    applied = report.get("filters") or {}
    if report.get("month"):
        out.append(t("report.month", lang, month=report["month"]))
    elif applied.get("from") or applied.get("to"):
        out.append(t("report.period", lang, start=applied.get("from") or "…", end=applied.get("to") or "…"))
    else:
        out.append(t("report.all_months", lang))
    f = Filters().with_values({d.name: tuple(applied.get(d.name, ())) for d in DIMENSIONS})
    if any(f.values(d.name) for d in DIMENSIONS):
        from pipelines.core.filters import describe

        out.append(t("report.filters", lang, filters=describe(f, lang, ("division", "team", "matter_type", "level"))))
    notes = _notes(report, lang)
    if notes:
        out.append(t("report.not_narrowed", lang, notes=t("scope.separator", lang).join(notes)))
    if report.get("calendar_fallback_years"):
        out.append(t("metrics.calendar.fallback_note", lang, years=", ".join(map(str, report["calendar_fallback_years"]))))
    out.append("")
    if not report["matters"] and not report["pending_steps"]:
        out.append(t("report.no_data", lang))
    out.append(
        t(
            "report.matters", lang, matters=report["matters"], closed=report["matters_closed"],
            approved=report["approved_matters"], pending=report["pending_steps"],
            red=report["overdue_pending_steps"], yellow=report["warning_pending_steps"],
        )
    )
    if report["level_latency"]:
        out += ["", t("report.level_header", lang)]
        for row in report["level_latency"]:
            out.append(
                "  "
                + t(
                    "report.level_row", lang, level=label("level", row["level"], lang), steps=row["steps"],
                    median_hours=_n(row["median_hours"]), median_workdays=_n(row["median_workdays"]),
                    p90_hours=_n(row["p90_hours"]), over=_pct(row["over_limit_share"]),
                )
            )
    out += ["", t("report.violations_header", lang, total=report["violations_total"], per_100=_n(report["findings_per_100"], 2))]
    found = [(rid, n) for rid, n in report["violations_by_rule"].items() if n]
    if not found:
        out.append("  " + t("report.no_violations", lang))
    for rid, n in found:
        r = rules.RULES_BY_ID[rid]
        out.append("  " + t("report.violation_row", lang, rule=rid, article=r.article, title=r.title(lang), count=n))
    loops = [r for r in report.get("rework_by_level") or [] if r["returns"]]
    if loops:
        out += ["", t("report.rework_heading", lang)]
        for row in loops:
            out.append("  " + t("report.rework_row", lang, level=label("level", row["level"], lang),
                                returns=row["returns"], closed=row["closed_loops"], open=row["open_loops"],
                                median=_n(row["median_rework_hours"]), share=_pct(row["returned_share"])))
    conformance = report.get("conformance_by_type") or {}
    if conformance:
        out += ["", t("report.conformance_heading", lang)]
        out.append("  " + t("scope.list_sep", lang).join(
            f"{label('matter_type', code, lang)} {_pct(share)}" for code, share in conformance.items()))
    out += [
        "",
        t("report.substitutions", lang, total=report["substitutions_total"], person_days=report["substitution_person_days"],
          acting_share=_pct(report["acting_share"])),
        t("report.meetings", lang, items=report["bureau_items"], tie_breaks=report["tie_breaks"], escalations=report["escalations"]),
        t("report.clock", lang, closed=report["cases_closed"], on_time=report["cases_closed_on_time"],
          share=_pct(report["on_time_share"]), median=_n(report["median_days_to_close"], 0),
          open=report["cases_open"], red=report["cases_past_deadline"], yellow=report["cases_near_deadline"]),
    ]
    return "\n".join(out)
