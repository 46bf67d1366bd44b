"""Headline figures of a store as a dict (the contract's `report --json` keys) and as text.

`build_report(db, month=None, filters=None)` reads the marts only. `month` ("YYYY-MM") scopes every
figure to that month (steps by the month of their decision, matters by their final decision,
substitutions by their start, meetings by their day, findings by the month of their record);
`filters` ({"division"|"team"|"matter_type"|"level": value or list}) narrows the figures whose marts
have that column. Pending figures always describe the snapshot, not a month.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipelines import queries, rules
from pipelines.i18n import label, t

LEVEL_COLUMNS = (
    "level", "steps", "median_hours", "p90_hours", "mean_hours", "max_hours",
    "median_workdays", "p90_workdays", "limit_workdays", "over_limit_share",
)
FILTER_KEYS = ("division", "team", "matter_type", "level")


def _connect(db: str | Path) -> duckdb.DuckDBPyConnection:
    try:
        from pipelines.store import connect_readonly
    except ImportError:  # pragma: no cover - the store module is always there in the app
        return duckdb.connect(str(db), read_only=True)
    return connect_readonly(db)


def _month(month: str | None) -> dt.date | None:
    if not month:
        return None
    try:
        y, m = month.strip().split("-")[:2]
        return dt.date(int(y), int(m), 1)
    except ValueError:
        raise ValueError(t("report.bad_month", "en", month=month)) from None


def _where(columns: set[str], month: dt.date | None, filters: dict[str, Any], *, use_month: bool = True) -> tuple[str, list]:
    clauses, params = [], []
    if month is not None and use_month and "month" in columns:
        clauses.append("month = ?")
        params.append(month)
    for key in FILTER_KEYS:
        if key in filters and key in columns:
            values = filters[key]
            values = [values] if isinstance(values, str) else list(values)
            if values:
                clauses.append(f'"{key}" IN ({", ".join("?" for _ in values)})')
                params.extend(values)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _cols(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {r[0] for r in con.sql(f'DESCRIBE "{table}"').fetchall()}


def _q(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    return con.sql(sql, params=params).pl() if params else con.sql(sql).pl()


def build_report(db: str | Path, month: str | None = None, filters: dict | None = None) -> dict:
    filters = {k: v for k, v in (filters or {}).items() if v}
    m = _month(month)
    con = _connect(db)
    try:
        return _build(con, m, filters)
    finally:
        con.close()


def _build(con: duckdb.DuckDBPyConnection, m: dt.date | None, filters: dict) -> dict:
    meta = dict(con.sql("SELECT key, value FROM meta").fetchall())
    fallback = [int(y) for y in (meta.get("calendar_fallback_years") or "").split(",") if y]

    # Latency by level: the mart itself unless scoped; scoped figures use the same definitions
    # (DuckDB's quantile_cont is linear interpolation, like numpy's default and the mart's polars).
    step_cols = _cols(con, "step_latency")
    if m is None and not filters:
        lv = _q(con, f"SELECT {', '.join(LEVEL_COLUMNS)} FROM level_latency ORDER BY level_rank")
    else:
        where, params = _where(step_cols, m, filters)
        where += (" AND " if where else " WHERE ") + "NOT is_pending"
        lv = _q(
            con,
            f"""SELECT level, count(*) AS steps,
                   quantile_cont(latency_hours, 0.5) AS median_hours,
                   quantile_cont(latency_hours, 0.9) AS p90_hours,
                   avg(latency_hours) AS mean_hours, max(latency_hours) AS max_hours,
                   quantile_cont(latency_workdays::DOUBLE, 0.5) AS median_workdays,
                   quantile_cont(latency_workdays::DOUBLE, 0.9) AS p90_workdays,
                   any_value(limit_workdays) AS limit_workdays,
                   avg(over_limit::INT) AS over_limit_share
                FROM step_latency{where} GROUP BY level, level_rank ORDER BY level_rank""",
            params,
        )
    level_latency = lv.to_dicts()

    # Pending steps at the snapshot (not scoped by month)
    where, params = _where(step_cols, None, filters)
    pend = _q(
        con,
        f"""SELECT count(*) AS pending,
               count(*) FILTER (WHERE warning_tier = 'RED') AS red,
               count(*) FILTER (WHERE warning_tier = 'YELLOW') AS yellow
            FROM pending_steps{where}""",
        params,
    ).row(0, named=True)

    where, params = _where(_cols(con, "matters"), m, filters)
    mat = _q(
        con,
        f"""SELECT count(*) AS matters, count(*) FILTER (WHERE closed) AS closed,
               count(*) FILTER (WHERE closed AND final_decision = 'APPROVE') AS approved,
               quantile_cont(lead_time_hours, 0.5) AS median_lead_time_hours,
               quantile_cont(lead_time_workdays::DOUBLE, 0.5) AS median_lead_time_workdays
            FROM matters{where}""",
        params,
    ).row(0, named=True)

    # Findings: violations by rule (every rule listed), per 100 judged records
    vwhere, vparams = _where(_cols(con, "violations"), m, filters)
    by_rule = dict(_q(con, f"SELECT rule_id, count(*) AS n FROM violations{vwhere} GROUP BY rule_id", vparams).iter_rows())
    violations_by_rule = {r.id: int(by_rule.get(r.id, 0)) for r in rules.RULES}
    by_article: dict[str, int] = {}
    for r in rules.RULES:
        by_article[r.article] = by_article.get(r.article, 0) + violations_by_rule[r.id]
    cwhere, cparams = _where(_cols(con, "compliance_monthly"), m, filters)
    records = _q(
        con,
        f"SELECT record_kind, sum(records)::BIGINT AS records FROM ({queries.judged_records_sql(cwhere)}) GROUP BY record_kind",
        cparams,
    )
    records_by_kind = {k: int(v) for k, v in records.iter_rows()}
    total_findings = sum(violations_by_rule.values())
    total_records = sum(records_by_kind.values())

    swhere, sparams = _where(_cols(con, "substitution_facts"), m, filters)
    subs = _q(
        con,
        f"""SELECT count(*) AS n, coalesce(sum(person_days), 0)::BIGINT AS person_days,
               count(*) FILTER (WHERE direction = 'REVERSE') AS reverse
            FROM substitution_facts{swhere}""",
        sparams,
    ).row(0, named=True)
    awhere, aparams = _where(_cols(con, "acting_monthly"), m, filters)
    acting = _q(
        con, f"SELECT coalesce(sum(decided_steps), 0)::BIGINT AS d, coalesce(sum(acting_steps), 0)::BIGINT AS a FROM acting_monthly{awhere}", aparams
    ).row(0, named=True)

    iwhere, iparams = _where(_cols(con, "meeting_item_facts"), m, {})
    iwhere += (" AND " if iwhere else " WHERE ") + "meeting_type = 'BUREAU'"
    meet = _q(
        con,
        f"""SELECT count(*) AS items, count(*) FILTER (WHERE tie_break) AS tie_breaks,
               count(*) FILTER (WHERE escalated) AS escalations,
               quantile_cont(days_to_decision::DOUBLE, 0.5) AS median_days_to_decision
            FROM meeting_item_facts{iwhere}""",
        iparams,
    ).row(0, named=True)

    def share(a: float, b: float) -> float | None:
        return a / b if b else None

    return {
        "snapshot_at": meta.get("snapshot_at"),
        "effective_date": meta.get("effective_date"),
        "calendar_fallback_years": fallback,
        "month": m.strftime("%Y-%m") if m else None,
        "filters": filters,
        "level_latency": level_latency,
        "violations_by_rule": violations_by_rule,
        "violations_by_article": by_article,
        "violations_total": total_findings,
        "records_judged": records_by_kind,
        "findings_per_100": share(100.0 * total_findings, total_records),
        "matters": int(mat["matters"]),
        "matters_closed": int(mat["closed"]),
        "approved_matters": int(mat["approved"]),
        "median_lead_time_hours": mat["median_lead_time_hours"],
        "median_lead_time_workdays": mat["median_lead_time_workdays"],
        "pending_steps": int(pend["pending"]),
        "overdue_pending_steps": int(pend["red"]),
        "warning_pending_steps": int(pend["yellow"]),
        "substitutions_total": int(subs["n"]),
        "substitution_person_days": int(subs["person_days"]),
        "reverse_substitutions": int(subs["reverse"]),
        "acting_share": share(acting["a"], acting["d"]),
        "bureau_items": int(meet["items"]),
        "tie_breaks": int(meet["tie_breaks"]),
        "escalations": int(meet["escalations"]),
        "tie_break_rate": share(meet["tie_breaks"], meet["items"]),
        "escalation_rate": share(meet["escalations"], meet["items"]),
        "median_days_to_decision": meet["median_days_to_decision"],
    }


def _n(x: float | None, digits: int = 1) -> str:
    return "—" if x is None else f"{x:,.{digits}f}"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def format_report(report: dict, lang: str = "zh") -> str:
    """The report as plain text in `lang`, for the terminal or a quick paste."""
    out = [t("report.title", lang)]
    out.append(t("report.snapshot", lang, at=report.get("snapshot_at") or "—"))
    out.append(t("report.month", lang, month=report["month"]) if report.get("month") else t("report.all_months", lang))
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
    out += [
        "",
        t("report.substitutions", lang, total=report["substitutions_total"], person_days=report["substitution_person_days"],
          acting_share=_pct(report["acting_share"])),
        t("report.meetings", lang, items=report["bureau_items"], tie_breaks=report["tie_breaks"], escalations=report["escalations"]),
    ]
    return "\n".join(out)
