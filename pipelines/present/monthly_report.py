"""The monthly report: one .docx in Chinese (or English) that analysts can paste from or print.

    write_monthly_docx(db, "2024-06", "out.docx", filters=Filters(teams=("执行一团队",)))

Figures come from the same SQL over the marts as the dashboard (pipelines.queries), so the report shows
exactly the overview page's numbers for that month; charts are the pages' builders (pipelines.present.charts)
rendered to PNG by pipelines.present.chart_export with the CJK font. Sections: headline figures with the change
vs. the previous month, latency by level (chart + table), findings by article with the worst cases,
substitutions and escalations, the statutory clock of cases (closed within the term against the previous
month, per team, the open cases longest past their deadline). A month without data gives a document that
says so.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from itertools import pairwise
from pathlib import Path

import duckdb
import polars as pl
from docx import Document
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

from pipelines import queries
from pipelines.core.filters import Filters, add_months, format_month, parse_month
from pipelines.core.i18n import label, t
from pipelines.core.ordering import sort_org
from pipelines.present import charts
from pipelines.present.chart_export import filters_text, print_png, snapshot_text
from pipelines.present.exports import mask_names, mask_text, name_replacements
from pipelines.present.fonts import (
    DOCUMENT_BODY_FONT,
    DOCUMENT_FONTS,
    DOCUMENT_HEADING_FONT,
    DOCUMENT_HEADING_LATIN_FONT,
    DOCUMENT_LATIN_FONT,
)
from pipelines.present.formatting import yes_no
from pipelines.store import db as store
from pipelines.tables.marts import format_value

CHART_WIDTH_CM = 16.0  # A4 text width (21 cm less 2 x 2.5 cm margins)
CHART_WIDTH = Cm(CHART_WIDTH_CM)
WORST_PER_RULE = 5
TOP_RULES = 5
MAX_ROWS = 30

# Headline figures: key in queries.headline (or our additions), message key, kind of number.
HEADLINES = (
    ("approved_matters", "monthly.h.approved", "count"),
    # the share decided within their level's limit leads: the median of all steps moved with the mix of
    # levels alone (issue 22); per-level medians follow in their own table
    ("within_limit_share", "monthly.h.within_limit_share", "share"),
    ("overdue_pending", "monthly.h.overdue_pending", "count"),
    ("findings", "monthly.h.findings", "count"),
    ("findings_per_100", "monthly.h.findings_per_100", "rate100"),
    ("substitutions", "monthly.h.substitutions", "count"),
    ("acting_share", "monthly.h.acting_share", "share"),
    ("escalation_rate", "monthly.h.escalation_rate", "share"),
    ("on_time_share", "monthly.h.on_time_share", "share"),
)
OVERDUE_CASES = 10  # the longest-overdue open cases listed in the clock section


# ------------------------------------------------------------------------------------------ figures
def month_filters(month: date, filters: Filters | None) -> Filters:
    """The filters narrowed to one month (organisational filters kept)."""
    return replace(filters or Filters(), start=month, end=month)


def headline_figures(con: duckdb.DuckDBPyConnection, month: date, filters: Filters | None = None) -> dict:
    """The month's headline figures as the overview page computes them, the acting-for share as the
    Substitutions page does, and per-level medians (levels low to high)."""
    f = month_filters(month, filters)
    figures = dict(queries.headline(con, f))
    figures["acting_share"] = queries.acting_share(con, f)
    levels = queries.latency_by_level(con, f)
    figures["median_hours_by_level"] = dict(
        zip(levels["level"].to_list(), levels["median_hours"].to_list(), strict=True)
    )
    return figures


def scope_notes(month: date, filters: Filters | None, lang: str) -> list[str]:
    """For each headline figure that a filter set cannot narrow (meetings are bureau-wide), a sentence
    saying so; the pending figure's 'now' is said by monthly.note.pending_now."""
    f = month_filters(month, filters)
    notes = []
    for key, msg, _kind in HEADLINES:
        if key in queries.headline.figure.keys:
            s = queries.scope("headline", f, key)
        elif key == "acting_share":
            s = queries.scope("acting_share", f)
        else:
            continue
        if s.ignored:
            notes.append(t("monthly.note.not_narrowed", lang, figure=t(msg, lang), note=s.note(lang)))
    return notes


def overdue_pending_now(con: duckdb.DuckDBPyConnection, filters: Filters | None) -> int:
    """Pending steps over their limit (red tier) at the snapshot: a 'now' figure, no month applies."""
    return queries.overdue_pending(con, filters or Filters())["red"]


def has_data(figures: dict) -> bool:
    keys = ("approved_matters", "substitutions", "bureau_items", "findings", "records", "cases_closed")
    return any(figures.get(k) for k in keys) or bool(figures.get("median_hours_by_level"))


# ------------------------------------------------------------------------------------------ formatting
SHOWN_DIGITS = {"count": 0, "hours": 1, "rate100": 2}


def change(now, before, kind: str, lang: str) -> str:
    """The change from `before` to `now` as the difference of the two values as shown (15.94 shown 15.9 and
    15.96 shown 16.0 is +0.1, never "+0.0"; 16.0 against 15.9 is never "+0.2"); shares in percentage points."""
    if now is None or before is None:
        return "—"
    if kind == "share":
        diff_pp = round(round(100 * now, 1) - round(100 * before, 1), 1)
        return "±0" if diff_pp == 0 else t("monthly.change_pp", lang, value=f"{diff_pp:+.1f}")
    digits = SHOWN_DIGITS.get(kind, 1)
    now, before = round(now, digits), round(before, digits)
    diff = round(now - before, digits)
    if diff == 0:
        return "±0"
    if kind == "count":
        text = f"{int(diff):+,}"
    else:
        text = f"{diff:+,.2f}" if kind == "rate100" else f"{diff:+,.1f}"
    if before:
        pct = 100 * diff / before
        pct_text = f"{pct:+.1f}%" if abs(pct) < 10 else f"{pct:+.0f}%"  # "-0.4%", not "-0%"
        text += f"（{pct_text}）" if lang == "zh" else f" ({pct_text})"
    return text


# ------------------------------------------------------------------------------------------ docx layout
# Set as a court office files a report: Song-style serif body (小四), Hei-style headings and captions, tables
# in 五号 with their numbers right-aligned, each table and figure numbered with a caption (表1 above a table,
# 图1 below a figure, Word SEQ fields so Word can list and renumber them), table headers repeated on every
# page and never left alone at the foot of one, charts laid out at the text width with >= 9.5 pt text.
BODY_PT, TABLE_PT, CAPTION_PT = 12, 10.5, 10.5  # 小四, 五号
KEEP_WHOLE_ROWS = 15  # a table up to this many rows is kept on one page
BLACK = RGBColor(0, 0, 0)
HEADER_FILL = "E7E6E6"


def _style_fonts(style, east_asia: str, latin: str) -> None:
    """Name the style's fonts explicitly (theme fonts removed: they override the names in Word)."""
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)


def _declare_fonts(doc) -> None:
    """The report's fonts in the font table, each with the alternative Word takes where it is missing
    (宋体 / 黑体: see pipelines.present.fonts)."""
    part = next(p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    root = parse_xml(part.blob)
    for family, alt_name, kind in DOCUMENT_FONTS:
        for old in root.findall(qn("w:font")):
            if old.get(qn("w:name")) == family:
                root.remove(old)
        root.append(parse_xml(
            f'<w:font {nsdecls("w")} w:name="{family}"><w:altName w:val="{alt_name}"/><w:charset w:val="86"/>'
            f'<w:family w:val="{kind}"/><w:pitch w:val="variable"/></w:font>'
        ))
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _set_fonts(doc) -> None:
    """Body serif and sans headings on every paragraph/character style; sizes and black headings."""
    for style in doc.styles:
        if style.type not in (1, 2) or not hasattr(style, "font"):  # paragraph and character styles only
            continue
        style.font.name = DOCUMENT_LATIN_FONT
        _style_fonts(style, DOCUMENT_BODY_FONT, DOCUMENT_LATIN_FONT)
    doc.styles["Normal"].font.size = Pt(BODY_PT)
    for name, size in (("Title", 20), ("Heading 1", 15), ("Heading 2", 13), ("Caption", CAPTION_PT)):
        style = doc.styles[name]
        _style_fonts(style, DOCUMENT_HEADING_FONT, DOCUMENT_HEADING_LATIN_FONT)
        style.font.size = Pt(size)
        style.font.color.rgb = BLACK
        style.font.bold = name != "Title"
        style.font.italic = False
        style.paragraph_format.keep_with_next = True
    doc.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    border = doc.styles["Title"].element.pPr.find(qn("w:pBdr")) if doc.styles["Title"].element.pPr is not None else None
    if border is not None:
        border.getparent().remove(border)
    caption = doc.styles["Caption"].paragraph_format
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.space_before, caption.space_after = Pt(6), Pt(6)
    _declare_fonts(doc)


def _field(paragraph, code: str, shown: str) -> None:
    """A Word field (SEQ, PAGE) with its current result, so the text reads right before Word updates it."""
    for kind, text in (("begin", None), ("instr", code), ("separate", None), ("result", shown), ("end", None)):
        run = paragraph.add_run()
        if kind == "instr":
            instr = run._r.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
            instr.text = f" {code} "
            run._r.append(instr)
        elif kind == "result":
            run.text = text
        else:
            run._r.append(run._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind}))


CASE_NUMBER = re.compile(r"^[（(]\d{4}[）)][^\s]*?号$")  # （2024）豫1302执1234号
# A case number inside free text ("议题JW2023-028-01（（2023）豫1302执恢261号终结本次执行程序审查）…"), with the
# closing punctuation that may follow it: a line may not start with that punctuation, so it travels with the number.
CASE_IN_TEXT = re.compile(r"[（(]\d{4}[）)][^\s（()）,，。；;、]{1,16}?号[）)，,。；;、]?")
TABLE_WIDTH_CM = 16.0
CELL_MARGINS_CM = 0.38  # Word's default left and right cell margins, 0.19 cm each
AUTOSPACE_EM = 0.25  # the space Word (and LibreOffice) add where Chinese meets Latin letters or digits
CASE_MARGIN_EM = 2.0  # room kept at a line's end before a case number: the estimate is not Word's own layout


def _is_wide(ch: str) -> bool:
    return ord(ch) > 0x2E80


def _char_em(ch: str) -> float:
    """About how wide one character draws, in em: CJK and full-width square, Latin capitals wider than the
    rest (Times New Roman's digits are half an em)."""
    if _is_wide(ch):
        return 1.0
    if ch == " ":
        return 0.25
    return 0.72 if ch.isupper() else 0.55


def _text_em(text: str) -> float:
    """About how wide `text` draws in em, with the space Word adds where Chinese meets Latin or digits."""
    width = sum(_char_em(ch) for ch in text)
    turns = sum(1 for a, b in pairwise(text) if a != " " != b and _is_wide(a) != _is_wide(b)
                and (a.isalnum() or b.isalnum()))
    return width + turns * AUTOSPACE_EM


def _text_cm(text: str, size: float = TABLE_PT) -> float:
    """About how wide `text` draws in cm at `size` pt."""
    return _text_em(text) * size * 2.54 / 72


def case_number_lines(text: str, width_cm: float, size: float = TABLE_PT) -> list[str]:
    """`text` cut where a line must end early so that no case number in it breaks across two lines.

    Word breaks Chinese text between any two characters and has no "keep these together" for a run of text;
    joiners inside the number would change what people copy out of the report. So the lines of the cell are
    estimated (Word's own breaks: between Chinese characters, at spaces, never inside a Latin word), and a
    line ends before a case number that would not fit, with CASE_MARGIN_EM to spare, on the current line."""
    if not CASE_IN_TEXT.search(text):
        return [text]
    line_em = (width_cm - CELL_MARGINS_CM) * 72 / (2.54 * size)
    tokens = re.findall(CASE_IN_TEXT.pattern + r"|[!-~]+| |.", text)
    lines, current, x = [], "", 0.0
    for token in tokens:
        before = current[-1:] if x else ""  # the space Word adds between it and the token counts too
        width = _text_em(before + token) - _text_em(before)
        if CASE_IN_TEXT.fullmatch(token) and x > 0 and x + width > line_em - CASE_MARGIN_EM:
            lines.append(current)
            current, x = token, _text_em(token)
        elif x + width > line_em and x > 0:  # Word's own break: the token starts the next line
            current, x = current + token, _text_em(token)
        else:
            current, x = current + token, x + width
    return [*lines, current]


def fit_widths(header: Sequence[str], rows: Sequence[Sequence[str]], widths_cm: Sequence[float]) -> list[float]:
    """Column widths that keep every header word and every case number on one line: each column at least as
    wide as its longest English word (in the header) or case number (in a cell, alone or in its text), the others narrowed in
    proportion so the table keeps the text width. ("Escalations" broke as "Escalation/s"; a case number
    broke after 执.)"""
    pad = CELL_MARGINS_CM + 0.02
    need = []
    for i, head in enumerate(header):
        words = [w for w in re.split(r"[\s/]+", head or "") if w and not any(_is_wide(ch) for ch in w)]
        cases = [m.group(0) for r in rows if i < len(r) and r[i] for m in CASE_IN_TEXT.finditer(str(r[i]))]
        longest = max([_text_cm(w, TABLE_PT) * 1.05 for w in words] + [_text_cm(c) * 1.05 for c in cases] + [0])
        need.append(longest + pad)
    widths = [max(w, n) for w, n in zip(widths_cm, need, strict=False)]
    total = sum(widths_cm)
    extra = sum(widths) - total
    if extra > 0:
        slack = [w - n if w > n else 0 for w, n in zip(widths, need, strict=False)]
        room = sum(slack)
        if room > 0:
            take = min(1.0, extra / room)
            widths = [w - s * take for w, s in zip(widths, slack, strict=False)]
    return [round(w, 2) for w in widths]


def _cell_text(cell, text: str, *, bold: bool = False, align=None, size: float = TABLE_PT,
               width_cm: float | None = None) -> None:
    """Write `text` into a table cell; in a column of known width, a line ends early rather than break a case
    number inside the text (case_number_lines)."""
    cell.text = ""
    paragraph = cell.paragraphs[0]
    text = "" if text is None else str(text)
    lines = case_number_lines(text, width_cm, size) if width_cm and not CASE_NUMBER.match(text) else [text]
    for n, line in enumerate(lines):
        run = paragraph.add_run(line)
        run.bold = bold
        run.font.size = Pt(size)
        if n < len(lines) - 1:
            run.add_break()
    paragraph.paragraph_format.space_after = Pt(0)
    if align is not None:
        paragraph.alignment = align
    cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER


def _row_props(row, *, header: bool) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(trpr.makeelement(qn("w:cantSplit"), {}))  # a row never breaks across pages
    if header:
        trpr.append(trpr.makeelement(qn("w:tblHeader"), {}))  # repeated at the top of every page


def _shade(cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    tcpr.append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>'))


class ReportDoc:
    """The document being written, numbering its figures and tables (图1, 表1) as they are added."""

    def __init__(self, doc, lang: str):
        self.doc, self.lang = doc, lang
        self.figures = self.tables = 0

    def add_heading(self, text: str, level: int):
        return self.doc.add_heading(text, level=level)

    def add_paragraph(self, text: str = "", style: str | None = None):
        return self.doc.add_paragraph(text, style=style)

    def caption(self, kind: str, text: str):
        """'表3 各审批层级用时' / 'Table 3. Approval time by level', numbered by a SEQ field."""
        if kind == "figure":
            self.figures += 1
            number = self.figures
        else:
            self.tables += 1
            number = self.tables
        paragraph = self.doc.add_paragraph(style="Caption")
        word = t(f"monthly.caption.{kind}", self.lang)
        paragraph.add_run(word)
        _field(paragraph, f"SEQ {word.strip()} \\* ARABIC", str(number))
        paragraph.add_run(t("monthly.caption.sep", self.lang) + text)
        return paragraph

    def table(
        self,
        caption: str,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        numeric: Sequence[int] = (),
        widths_cm: Sequence[float] | None = None,
    ):
        """A captioned table: header row bold, shaded and repeated on every page; `numeric` columns
        right-aligned; rows never split; a short table kept on one page, a long one at least with its header
        and first row."""
        self.caption("table", caption)
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        numeric = set(numeric)
        widths_cm = fit_widths(header, rows, widths_cm) if widths_cm else None
        for i, (cell, text) in enumerate(zip(table.rows[0].cells, header, strict=True)):
            _cell_text(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
            _shade(cell, HEADER_FILL)
        _row_props(table.rows[0], header=True)
        for row in rows:
            added = table.add_row()
            _row_props(added, header=False)
            for i, (cell, text) in enumerate(zip(added.cells, row, strict=True)):
                _cell_text(cell, text, align=WD_ALIGN_PARAGRAPH.RIGHT if i in numeric else WD_ALIGN_PARAGRAPH.LEFT,
                           width_cm=widths_cm[i] if widths_cm else None)
        keep = len(table.rows) - 1 if len(rows) <= KEEP_WHOLE_ROWS else min(2, len(table.rows) - 1)
        for row in table.rows[:keep]:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True
        if widths_cm:
            table.autofit = False
            for column, width in zip(table.columns, widths_cm, strict=False):
                column.width = Cm(width)  # the grid (LibreOffice, WPS) ...
            for row in table.rows:  # ... and every cell (Word)
                for cell, width in zip(row.cells, widths_cm, strict=False):
                    cell.width = Cm(width)
        self.doc.add_paragraph().paragraph_format.space_after = Pt(0)
        return table

    def chart(self, chart, caption: str) -> None:
        """A chart laid out at the text width (text >= 9.5 pt when printed), then its caption below."""
        self.doc.add_picture(io.BytesIO(print_png(chart, width_cm=CHART_WIDTH_CM, lang=self.lang)), width=CHART_WIDTH)
        picture = self.doc.paragraphs[-1]
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.keep_with_next = True
        # A figure's caption closes it: not kept with what follows (else a heading, figure, table chain
        # moved whole to the next page and left half a page blank).
        self.caption("figure", caption).paragraph_format.keep_with_next = False


def _footer_page_numbers(doc, lang: str) -> None:
    for section in doc.sections:
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        before, after = t("monthly.page", lang).split("{page}")
        paragraph.add_run(before)
        _field(paragraph, "PAGE", "1")
        paragraph.add_run(after)


def _snapshot(con) -> str | None:
    return queries.meta(con).get("snapshot_at") or None


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
                format_value(now.get(key), kind),
                format_value(before.get(key), kind),
                change(now.get(key), before.get(key), kind, lang),
            ]
        )
    header = [
        t("monthly.col.figure", lang),
        format_month(month),
        format_month(add_months(month, -1)),
        t("monthly.col.change", lang),
    ]
    doc.table(t("monthly.t.headlines", lang), header, rows, numeric=(1, 2, 3), widths_cm=(6.0, 2.8, 2.8, 4.4))
    doc.add_paragraph(t("monthly.note.pending_now", lang))
    # The median per level is a breakdown of the median step time: its own table, not loose lines under
    # the last headline (they read as parts of the escalation rate).
    levels = []
    for level, hours in now["median_hours_by_level"].items():
        prev = before["median_hours_by_level"].get(level)
        levels.append([label("level", level, lang), format_value(hours, "hours"), format_value(prev, "hours"),
                       change(hours, prev, "hours", lang)])
    if levels:
        header = [t("axis.level", lang), *header[1:]]
        doc.table(t("monthly.t.median_by_level", lang), header, levels, numeric=(1, 2, 3),
                  widths_cm=(6.0, 2.8, 2.8, 4.4))
    for note in scope_notes(month, filters, lang):
        doc.add_paragraph(note)
    return now


def _latency(doc, con, f: Filters, lang: str) -> None:
    doc.add_heading(t("monthly.s.latency", lang), level=1)
    levels = queries.latency_by_level(con, f)
    if levels.is_empty():
        doc.add_paragraph(t("monthly.none", lang))
        return
    doc.chart(charts.level_bars(levels, "median_hours", t("axis.median_hours", lang), lang),
              t("monthly.f.latency", lang))
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
            format_value(r["steps"], "count"),
            format_value(r["median_hours"], "hours"),
            format_value(r["p90_hours"], "hours"),
            format_value(r["median_workdays"], "hours"),
            format_value(r["over_limit_share"], "share"),
        ]
        for r in levels.iter_rows(named=True)
    ]
    doc.table(t("monthly.t.latency", lang), header, rows, numeric=(1, 2, 3, 4, 5),
              widths_cm=(3.0, 2.2, 2.8, 2.8, 2.8, 2.4))


def _trend_window(con, f: Filters) -> Filters:
    """The twelve months up to the report's month, from the store's first month at the earliest: a figure
    draws every month of its window, zeros as zeros (months before the data would be zeros no record says)."""
    return f.trend_window(12, queries.store_info(con).first_month)


def _paths(doc, con, f: Filters, lang: str) -> None:
    """Return loops by level (chart and table) and conformance by matter type (DOMAIN.md §5)."""
    doc.add_heading(t("monthly.s.paths", lang), level=1)
    levels = queries.rework_by_level(con, f)
    if levels.is_empty() or not levels["returns"].sum():
        doc.add_paragraph(t("monthly.none", lang))
    else:
        doc.chart(charts.return_loops(levels, lang), t("monthly.f.rework", lang))
        header = [t("axis.level", lang), t("col.returns", lang), t("col.closed_loops", lang), t("col.open_loops", lang),
                  t("col.median_rework_hours", lang), t("col.returned_share", lang)]
        rows = [[label("level", r["level"], lang), format_value(r["returns"], "count"), format_value(r["closed_loops"], "count"),
                 format_value(r["open_loops"], "count"), format_value(r["median_rework_hours"], "hours"),
                 format_value(r["returned_share"], "share")] for r in levels.iter_rows(named=True)]
        doc.table(t("monthly.t.rework", lang), header, rows, numeric=(1, 2, 3, 4, 5),
                  widths_cm=(3.0, 2.2, 2.2, 2.2, 3.0, 3.4))
    conf = queries.conformance(con, f)
    if conf.is_empty():
        return
    header = [t("axis.matter_type", lang), t("col.matters", lang), t("col.conforming", lang), t("col.conformance", lang),
              t("col.on_required_route", lang), t("axis.route", lang)]
    rows = [[label("matter_type", r["matter_type"], lang), format_value(r["matters"], "count"),
             format_value(r["conforming"], "count"), format_value(r["conformance"], "share"), format_value(r["route_share"], "share"),
             charts.route_label(queries.required_route(r["matter_type"]), lang)] for r in conf.iter_rows(named=True)]
    doc.table(t("monthly.t.conformance", lang), header, rows, numeric=(1, 2, 3, 4),
              widths_cm=(4.2, 1.8, 1.8, 2.0, 2.4, 3.8))


def _findings(
    doc, con, f: Filters, month: date, filters: Filters | None, lang: str, masks: dict | None
) -> None:
    doc.add_heading(t("monthly.s.findings", lang), level=1)
    trend_f = _trend_window(con, f)
    by_family = queries.findings_by_family_month(con, trend_f)
    if not by_family.is_empty():
        doc.chart(charts.findings_by_family(by_family, lang), t("monthly.f.findings", lang))
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
            format_value(r["findings"], "count"),
            format_value(r["per_100"], "rate100"),
        ]
        for r in counts.iter_rows(named=True)
    ]
    doc.table(t("monthly.t.findings", lang), header, rows, numeric=(3, 4), widths_cm=(3.2, 2.2, 6.2, 2.0, 2.4))
    doc.add_heading(t("monthly.s.worst", lang), level=2)
    detail = "detail" if lang == "zh" else "detail_en"
    for rule_id in counts["rule_id"].head(TOP_RULES).to_list():
        cases = queries.violations_page(con, f, (rule_id,), limit=WORST_PER_RULE)
        if masks is not None:
            cases = mask_text(cases, [detail, "people"], masks)
        doc.table(
            t("monthly.t.worst", lang, rule=rule_id),
            [t("monthly.col.record", lang), t("monthly.col.when", lang), t("monthly.col.detail", lang)],
            [
                [
                    r["record_id"],
                    r["occurred_at"].strftime("%Y-%m-%d %H:%M") if r["occurred_at"] else "—",
                    r[detail],
                ]
                for r in cases.iter_rows(named=True)
            ],
            widths_cm=(3.2, 3.2, 9.6),
        )


def _substitutions(doc, con, f: Filters, month: date, lang: str, mask: str | None) -> None:
    doc.add_heading(t("monthly.s.substitutions", lang), level=1)
    trend = queries.substitutions_monthly(con, _trend_window(con, f))
    if not trend.is_empty():
        doc.chart(charts.substitutions_by_month(trend, lang), t("monthly.f.substitutions", lang))
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
        yes, no = yes_no(lang)
        rows = [
            [
                r["absent_name"] or r["absent_id"],
                r["substitute_name"] or r["substitute_id"],
                r["start_at"].strftime("%Y-%m-%d %H:%M"),
                format_value(r["days"], "hours"),
                yes if r["authorized"] else no,
                t(f"direction.{r['direction']}", lang) if r["direction"] else "—",
            ]
            for r in subs.iter_rows(named=True)
        ]
        doc.table(t("monthly.t.substitutions", lang), header, rows, numeric=(3,),
                  widths_cm=(2.6, 2.6, 3.4, 2.0, 2.4, 3.0))
    doc.add_heading(t("monthly.s.escalations", lang), level=1)
    meetings = queries.meeting_monthly(con, f)
    meeting_scope = queries.scope("meeting_monthly", f)
    if meeting_scope.ignored:
        doc.add_paragraph(t("monthly.note.not_narrowed", lang, figure=t("report.figure.meetings", lang),
                            note=meeting_scope.note(lang)))
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
            format_value(r["meetings"], "count"),
            format_value(r["items"], "count"),
            format_value(r["tie_breaks"], "count"),
            format_value(r["escalations"], "count"),
            format_value(r["escalation_rate"], "share"),
        ]
        for r in meetings.iter_rows(named=True)
    ]
    doc.table(t("monthly.t.meetings", lang), header, rows, numeric=(1, 2, 3, 4, 5),
              widths_cm=(3.4, 2.2, 2.2, 3.0, 2.2, 3.0))
    items = queries.escalated_items(con, f, limit=MAX_ROWS)
    if not items.is_empty():
        doc.table(
            t("monthly.t.escalated_items", lang),
            [
                t("monthly.col.item", lang),
                t("monthly.col.held_on", lang),
                t("monthly.col.topic", lang),
                t("monthly.col.outcome", lang),
            ],
            [
                [r["item_id"], f"{r['held_on']:%Y-%m-%d}" if r["held_on"] else "", r["topic"] or "",
                 label("outcome", r["outcome"], lang)]
                for r in items.iter_rows(named=True)
            ],
            widths_cm=(3.4, 2.6, 6.4, 3.6),
        )


def _clock(doc, con, f: Filters, month: date, filters: Filters | None, lang: str, masks: dict | None) -> None:
    """The statutory clock (DOMAIN §6): the month's cases closed within the term against the previous
    month, the trend, per team, and the open cases past their deadline now."""
    doc.add_heading(t("monthly.s.clock", lang), level=1)
    doc.add_paragraph(t("monthly.clock.basis", lang, title=t("clock.basis.title", lang), text=t("clock.basis.text", lang)))
    now = queries.clock_summary(con, f)
    before = queries.clock_summary(con, month_filters(add_months(month, -1), filters))
    measures = (("closed", "monthly.clock.closed", "count"), ("on_time", "monthly.clock.on_time", "count"),
                ("on_time_share", "monthly.h.on_time_share", "share"),
                ("median_days_to_close", "monthly.clock.median_days", "hours"))
    doc.table(
        t("monthly.t.clock", lang),
        [t("monthly.col.figure", lang), format_month(month), format_month(add_months(month, -1)),
         t("monthly.col.change", lang)],
        [[t(msg, lang), format_value(now[k], kind), format_value(before[k], kind), change(now[k], before[k], kind, lang)]
         for k, msg, kind in measures],
        numeric=(1, 2, 3), widths_cm=(6.0, 2.8, 2.8, 4.4),
    )
    trend = queries.on_time_monthly(con, _trend_window(con, f))
    if not trend.is_empty():
        doc.chart(charts.on_time_trend(trend, lang), t("monthly.f.clock", lang))
    teams = queries.closed_by_team(con, f)
    open_now = queries.open_cases_by(con, f, "team")
    tiers = open_now.group_by("key").agg(
        open=pl.col("cases").sum(), red=pl.col("cases").filter(pl.col("tier") == "RED").sum()
    )
    per_team = sort_org(teams.join(tiers, left_on="team", right_on="key", how="full", coalesce=True), "team")
    if not per_team.is_empty():
        doc.table(
            t("monthly.t.clock_teams", lang),
            [t("axis.team", lang), t("monthly.clock.closed", lang), t("monthly.h.on_time_share", lang),
             t("monthly.clock.median_days", lang), t("monthly.clock.open_now", lang), t("monthly.clock.red_now", lang)],
            [[r["team"], format_value(r["closed"] or 0, "count"), format_value(r["on_time_share"], "share"),
              format_value(r["median_days_to_close"], "hours"), format_value(r["open"] or 0, "count"),
              format_value(r["red"] or 0, "count")] for r in per_team.iter_rows(named=True)],
            numeric=(1, 2, 3, 4, 5), widths_cm=(3.6, 2.2, 2.8, 3.0, 2.2, 2.2),
        )
    overdue = queries.open_cases_page(con, f, ("RED",), OVERDUE_CASES, 0)
    counts = queries.open_cases_now(con, f)
    doc.add_paragraph(t("monthly.clock.now", lang, open=counts["open"], red=counts["red"], yellow=counts["yellow"]))
    if not overdue.is_empty():
        if masks is not None:
            overdue = mask_text(overdue, ["judge_name"], masks)
        doc.table(
            t("monthly.t.clock_overdue", lang, n=overdue.height),
            [t("col.case_id", lang), t("axis.team", lang), t("col.judge_name", lang), t("col.deadline", lang),
             t("monthly.clock.days_over", lang)],
            [[r["case_id"], r["team"] or "—", r["judge_name"] or "—", f"{r['deadline']:%Y-%m-%d}",
              format_value(-r["days_left"], "count")] for r in overdue.iter_rows(named=True)],
            numeric=(4,), widths_cm=(5.0, 3.0, 2.6, 2.8, 2.6),
        )


# ------------------------------------------------------------------------------------------ entry point
def new_report(lang: str) -> ReportDoc:
    """An empty report: A4 with the report's margins, fonts and styles, page numbers in the footer."""
    document = Document()
    _set_fonts(document)
    for section in document.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin, section.bottom_margin = Cm(2.54), Cm(2.3)
    _footer_page_numbers(document, lang)
    return ReportDoc(document, lang)


def write_monthly_docx(
    db: str | Path,
    month: str | date,
    out_path: str | Path,
    filters: Filters | None = None,
    lang: str = "zh",
    mask: str | None = None,
) -> Path:
    """Write the monthly report for `month` ("YYYY-MM") under `filters` to `out_path` (.docx).

    mask: None, "id" or "initials" masks people's names (pipelines.present.exports.mask_names)."""
    the_month = month if isinstance(month, date) else parse_month(month)
    if the_month is None:
        raise ValueError(t("monthly.bad_month", lang, month=month))
    out = Path(out_path)
    con = store.connect_readonly(db)
    try:
        doc = new_report(lang)
        document = doc.doc
        snapshot = _snapshot(con)
        doc.add_heading(t("monthly.title", lang, month=format_month(the_month)), level=0)
        sub = doc.add_paragraph(filters_text(month_filters(the_month, filters), lang))
        sub.add_run("\n" + snapshot_text(snapshot, lang))
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
        now = _headlines(doc, con, the_month, filters, lang)
        if not has_data(now):
            doc.add_paragraph(t("monthly.no_data", lang, month=format_month(the_month)))
        else:
            f = month_filters(the_month, filters)
            masks = None
            if mask:
                masks = name_replacements(queries.roster_names(con), mask)
            _latency(doc, con, f, lang)
            _paths(doc, con, f, lang)
            _findings(doc, con, f, the_month, filters, lang, masks)
            _substitutions(doc, con, f, the_month, lang, mask)
            _clock(doc, con, f, the_month, filters, lang, masks)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".part")
        document.save(str(tmp))
        tmp.replace(out)
    finally:
        con.close()
    return out
