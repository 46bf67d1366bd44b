"""The monthly report: one .docx in Chinese (or English) that analysts can paste from or print.

    write_monthly_docx(db, "2024-06", "out.docx", filters=Filters(teams=("执行一团队",)))

Figures come from the same SQL over the marts as the dashboard (pipelines.queries), so the report shows
exactly the overview page's numbers for that month; charts are the pages' builders (pipelines.charts)
rendered to PNG by pipelines.chart_export with the CJK font. Sections: headline figures with the change
vs. the previous month, latency by level (chart + table), findings by article with the worst cases,
substitutions and escalations. A month without data gives a document that says so.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from pipelines import charts, contract, queries
from pipelines.chart_export import chart_to_png, filters_text, snapshot_text
from pipelines.exports import mask_names, mask_text, name_replacements
from pipelines.filters import Filters, add_months, format_month, parse_month
from pipelines.fonts import DOCUMENT_EAST_ASIA_FONT, DOCUMENT_LATIN_FONT
from pipelines.i18n import label, t

CHART_WIDTH = Cm(16)  # A4 text width
WORST_PER_RULE = 5
TOP_RULES = 5
MAX_ROWS = 30

# Headline figures: key in queries.headline (or our additions), message key, kind of number.
HEADLINES = (
    ("approved_matters", "monthly.h.approved", "count"),
    ("median_hours", "monthly.h.median_hours", "hours"),
    ("overdue_pending", "monthly.h.overdue_pending", "count"),
    ("findings", "monthly.h.findings", "count"),
    ("findings_per_100", "monthly.h.findings_per_100", "rate100"),
    ("substitutions", "monthly.h.substitutions", "count"),
    ("escalation_rate", "monthly.h.escalation_rate", "share"),
)


# ------------------------------------------------------------------------------------------ figures
def month_filters(month: date, filters: Filters | None) -> Filters:
    """The filters narrowed to one month (organisational filters kept)."""
    return replace(filters or Filters(), start=month, end=month)


def headline_figures(con: duckdb.DuckDBPyConnection, month: date, filters: Filters | None = None) -> dict:
    """The month's headline figures as the overview page computes them, plus per-level medians."""
    f = month_filters(month, filters)
    figures = dict(queries.headline(con, f))
    levels = _by_level_order(queries.latency_by_level(con, f))
    figures["median_hours_by_level"] = dict(
        zip(levels["level"].to_list(), levels["median_hours"].to_list(), strict=True)
    )
    return figures


def _by_level_order(df: pl.DataFrame) -> pl.DataFrame:
    order = {c: i for i, c in enumerate(contract.LEVEL_CODES)}
    return df.sort(pl.col("level").replace_strict(order, default=99, return_dtype=pl.Int32))


def overdue_pending_now(con: duckdb.DuckDBPyConnection, filters: Filters | None) -> int:
    """Pending steps over their limit (red tier) at the snapshot: a 'now' figure, no month applies."""
    return queries.overdue_pending(con, filters or Filters())["red"]


def has_data(figures: dict) -> bool:
    keys = ("approved_matters", "substitutions", "bureau_items", "findings", "records")
    return any(figures.get(k) for k in keys) or bool(figures.get("median_hours_by_level"))


# ------------------------------------------------------------------------------------------ formatting
def fmt(value, kind: str, lang: str) -> str:
    if value is None:
        return "—"
    if kind == "count":
        return f"{int(value):,}"
    if kind == "hours":
        return f"{value:,.1f}"
    if kind == "rate100":
        return f"{value:,.2f}"
    if kind == "share":
        return f"{100 * value:.1f}%"
    return str(value)


def change(now, before, kind: str, lang: str) -> str:
    if now is None or before is None:
        return "—"
    diff = now - before
    if kind == "share":
        return t("monthly.change_pp", lang, value=f"{100 * diff:+.1f}")
    if kind == "count":
        text = f"{int(diff):+,}"
    else:
        text = f"{diff:+,.2f}" if kind == "rate100" else f"{diff:+,.1f}"
    if before:
        text += f"（{100 * diff / before:+.0f}%）" if lang == "zh" else f" ({100 * diff / before:+.0f}%)"
    return text


# ------------------------------------------------------------------------------------------ docx helpers
def _set_fonts(doc) -> None:
    """Latin and East Asian fonts on every style used, so Word/WPS draw Chinese in a proper CJK font."""
    for style in doc.styles:
        if style.type != 1 or not hasattr(style, "font"):  # paragraph and character styles only
            continue
        style.font.name = DOCUMENT_LATIN_FONT
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        fonts.set(qn("w:eastAsia"), DOCUMENT_EAST_ASIA_FONT)
        fonts.set(qn("w:ascii"), DOCUMENT_LATIN_FONT)
        fonts.set(qn("w:hAnsi"), DOCUMENT_LATIN_FONT)
    doc.styles["Normal"].font.size = Pt(10.5)  # 五号


def _table(doc, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = "" if text is None else str(text)
    doc.add_paragraph()


def _chart(doc, chart, lang: str) -> None:
    doc.add_picture(io.BytesIO(chart_to_png(chart, lang=lang)), width=CHART_WIDTH)
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _snapshot(con) -> str | None:
    rows = con.sql("SELECT value FROM meta WHERE key = 'snapshot_at'").fetchall()
    return rows[0][0] if rows and rows[0][0] else None


# ------------------------------------------------------------------------------------------ sections
def _headlines(doc, con, month: date, filters: Filters | None, lang: str) -> dict:
    now = headline_figures(con, month, filters)
    before = headline_figures(con, add_months(month, -1), filters)
    now["overdue_pending"] = overdue_pending_now(con, filters)
    before["overdue_pending"] = None
    doc.add_heading(t("monthly.s.headlines", lang), level=1)
    rows = []
    for key, msg, kind in HEADLINES:
        rows.append(
            [
                t(msg, lang),
                fmt(now.get(key), kind, lang),
                fmt(before.get(key), kind, lang),
                change(now.get(key), before.get(key), kind, lang),
            ]
        )
    for level, hours in now["median_hours_by_level"].items():
        prev = before["median_hours_by_level"].get(level)
        rows.append(
            [
                t("monthly.h.median_hours_level", lang, level=label("level", level, lang)),
                fmt(hours, "hours", lang),
                fmt(prev, "hours", lang),
                change(hours, prev, "hours", lang),
            ]
        )
    header = [
        t("monthly.col.figure", lang),
        format_month(month),
        format_month(add_months(month, -1)),
        t("monthly.col.change", lang),
    ]
    _table(doc, header, rows)
    doc.add_paragraph(t("monthly.note.pending_now", lang))
    return now


def _latency(doc, con, f: Filters, lang: str) -> None:
    doc.add_heading(t("monthly.s.latency", lang), level=1)
    levels = _by_level_order(queries.latency_by_level(con, f))
    if levels.is_empty():
        doc.add_paragraph(t("monthly.none", lang))
        return
    _chart(doc, charts.level_bars(levels, "median_hours", t("axis.median_hours", lang), lang), lang)
    header = [
        t("axis.level", lang),
        t("axis.steps", lang),
        t("axis.median_hours", lang),
        t("axis.p90_hours", lang),
        t("axis.median_workdays", lang),
        t("axis.over_limit_share", lang),
    ]
    rows = [
        [
            label("level", r["level"], lang),
            fmt(r["steps"], "count", lang),
            fmt(r["median_hours"], "hours", lang),
            fmt(r["p90_hours"], "hours", lang),
            fmt(r["median_workdays"], "hours", lang),
            fmt(r["over_limit_share"], "share", lang),
        ]
        for r in levels.iter_rows(named=True)
    ]
    _table(doc, header, rows)


def _findings(
    doc, con, f: Filters, month: date, filters: Filters | None, lang: str, masks: dict | None
) -> None:
    doc.add_heading(t("monthly.s.findings", lang), level=1)
    trend_f = replace(f, start=add_months(month, -11), end=month)
    by_family = queries.findings_by_family_month(con, trend_f)
    if not by_family.is_empty():
        _chart(doc, charts.findings_by_family(by_family, lang), lang)
    counts = queries.rule_counts(con, f).filter(pl.col("findings") > 0)
    if counts.is_empty():
        doc.add_paragraph(t("monthly.no_findings", lang))
        return
    title = "title_zh" if lang == "zh" else "title_en"
    header = [
        t("monthly.col.rule", lang),
        t("monthly.col.article", lang),
        t("monthly.col.rule_title", lang),
        t("axis.findings", lang),
        t("monthly.col.per_100", lang),
    ]
    rows = [
        [
            r["rule_id"],
            r["article"],
            r[title],
            fmt(r["findings"], "count", lang),
            fmt(r["per_100"], "rate100", lang),
        ]
        for r in counts.iter_rows(named=True)
    ]
    _table(doc, header, rows)
    doc.add_heading(t("monthly.s.worst", lang), level=2)
    detail = "detail" if lang == "zh" else "detail_en"
    for rule_id in counts["rule_id"].head(TOP_RULES).to_list():
        cases = queries.violations_page(con, f, (rule_id,), limit=WORST_PER_RULE)
        if masks is not None:
            cases = mask_text(cases, [detail, "people"], masks)
        doc.add_paragraph(rule_id, style="List Bullet")
        _table(
            doc,
            [t("monthly.col.record", lang), t("monthly.col.when", lang), t("monthly.col.detail", lang)],
            [
                [
                    r["record_id"],
                    r["occurred_at"].strftime("%Y-%m-%d %H:%M") if r["occurred_at"] else "—",
                    r[detail],
                ]
                for r in cases.iter_rows(named=True)
            ],
        )


def _substitutions(doc, con, f: Filters, month: date, lang: str, mask: str | None) -> None:
    doc.add_heading(t("monthly.s.substitutions", lang), level=1)
    trend = queries.substitutions_monthly(con, replace(f, start=add_months(month, -11), end=month))
    if not trend.is_empty():
        _chart(doc, charts.substitutions_by_month(trend, lang), lang)
    subs = queries.substitution_timeline(con, f, None, limit=MAX_ROWS)
    if subs.is_empty():
        doc.add_paragraph(t("monthly.none", lang))
    else:
        if mask:
            subs = mask_names(subs, ["absent_name", "substitute_name"], mode=mask)
        header = [
            t("axis.absent_person", lang),
            t("axis.substitute", lang),
            t("axis.start", lang),
            t("axis.days", lang),
            t("axis.authorized", lang),
            t("axis.direction", lang),
        ]
        yes, no = t("monthly.yes", lang), t("monthly.no", lang)
        rows = [
            [
                r["absent_name"] or r["absent_id"],
                r["substitute_name"] or r["substitute_id"],
                r["start_at"].strftime("%Y-%m-%d %H:%M"),
                fmt(r["days"], "hours", lang),
                yes if r["authorized"] else no,
                t(f"direction.{r['direction']}", lang) if r["direction"] else "—",
            ]
            for r in subs.iter_rows(named=True)
        ]
        _table(doc, header, rows)
    doc.add_heading(t("monthly.s.escalations", lang), level=1)
    meetings = queries.meeting_monthly(con, f)
    if meetings.is_empty():
        doc.add_paragraph(t("monthly.none", lang))
        return
    header = [
        t("monthly.col.meeting_type", lang),
        t("monthly.col.meetings", lang),
        t("monthly.col.items", lang),
        t("monthly.col.tie_breaks", lang),
        t("monthly.col.escalations", lang),
        t("axis.escalation_rate", lang),
    ]
    rows = [
        [
            label("meeting_type", r["meeting_type"], lang),
            fmt(r["meetings"], "count", lang),
            fmt(r["items"], "count", lang),
            fmt(r["tie_breaks"], "count", lang),
            fmt(r["escalations"], "count", lang),
            fmt(r["escalation_rate"], "share", lang),
        ]
        for r in meetings.iter_rows(named=True)
    ]
    _table(doc, header, rows)
    items = queries.escalated_items(con, f, limit=MAX_ROWS)
    if not items.is_empty():
        _table(
            doc,
            [
                t("monthly.col.item", lang),
                t("monthly.col.held_on", lang),
                t("monthly.col.topic", lang),
                t("monthly.col.outcome", lang),
            ],
            [
                [r["item_id"], str(r["held_on"]), r["topic"] or "", label("outcome", r["outcome"], lang)]
                for r in items.iter_rows(named=True)
            ],
        )


# ------------------------------------------------------------------------------------------ entry point
def write_monthly_docx(
    db: str | Path,
    month: str | date,
    out_path: str | Path,
    filters: Filters | None = None,
    lang: str = "zh",
    mask: str | None = None,
) -> Path:
    """Write the monthly report for `month` ("YYYY-MM") under `filters` to `out_path` (.docx).

    mask: None, "id" or "initials" masks people's names (pipelines.exports.mask_names)."""
    the_month = month if isinstance(month, date) else parse_month(month)
    if the_month is None:
        raise ValueError(t("monthly.bad_month", lang, month=month))
    out = Path(out_path)
    con = duckdb.connect(str(db), read_only=True)
    try:
        doc = Document()
        _set_fonts(doc)
        for section in doc.sections:
            section.page_width, section.page_height = Cm(21), Cm(29.7)
            section.left_margin = section.right_margin = Cm(2.5)
        snapshot = _snapshot(con)
        doc.add_heading(t("monthly.title", lang, month=format_month(the_month)), level=0)
        sub = doc.add_paragraph(filters_text(month_filters(the_month, filters), lang))
        sub.add_run("\n" + snapshot_text(snapshot, lang))
        now = _headlines(doc, con, the_month, filters, lang)
        if not has_data(now):
            doc.add_paragraph(t("monthly.no_data", lang, month=format_month(the_month)))
        else:
            f = month_filters(the_month, filters)
            masks = None
            if mask:
                roster = con.sql("SELECT staff_id, name FROM staff").pl()
                masks = name_replacements(roster, mask)
            _latency(doc, con, f, lang)
            _findings(doc, con, f, the_month, filters, lang, masks)
            _substitutions(doc, con, f, the_month, lang, mask)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".part")
        doc.save(str(tmp))
        tmp.replace(out)
    finally:
        con.close()
    return out
