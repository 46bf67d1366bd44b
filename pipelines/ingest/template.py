"""The import template: an .xlsx workbook users can fill in and load as it is.

One sheet per table named after it, the contract's headers in row 1 (bold, frozen), drop-down lists for
enum and yes/no columns, date and time columns formatted, id columns kept as text (leading zeros survive),
and a notes sheet describing every column.
"""

from __future__ import annotations

import io

import xlsxwriter

from pipelines.core import contract
from pipelines.core.i18n import CATALOGUE, t

DATA_ROWS = 5000  # rows that carry drop-downs and formats
LISTS_SHEET = "_lists"  # hidden sheet holding the drop-down values
NOTES_SHEETS = ("填写说明", "Notes")  # the readers skip these sheets


def _choices(col: contract.Column, lang: str) -> list[str] | None:
    if col.enum:
        return [col.enum.label(code, lang) if lang == "zh" else code for code in col.enum.codes]
    if col.type == contract.BOOL:
        return [t("template.yes", lang), t("template.no", lang)] if lang == "zh" else ["true", "false"]
    return None


def _type_text(col: contract.Column, lang: str) -> str:
    return t("template.type.enum" if col.enum else f"template.type.{col.type}", lang)


def _required_text(table: contract.Table, col: contract.Column, lang: str) -> str:
    if col.required is True:
        return t("template.yes", lang)
    if isinstance(col.required, contract.RequiredIf):
        cond = col.required
        other = table.column(cond.column)
        if cond.in_codes:
            labels = [other.enum.label(c, lang) if other.enum else c for c in cond.in_codes]
            condition = t("loader.report.and", lang).join(labels)
        else:
            condition = t("loader.condition.non_empty", lang)
        return t("template.required_if", lang, other=other.header(lang) if lang == "zh" else other.name, condition=condition)
    return t("template.no", lang)


def _header(col: contract.Column, lang: str) -> str:
    return col.zh if lang == "zh" else col.name


def template_xlsx_bytes(lang: str = "zh") -> bytes:
    """The import template as .xlsx bytes (Chinese headers by default; `lang="en"`: English names)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    fmt = {
        contract.DATE: wb.add_format({"num_format": "yyyy-mm-dd"}),
        contract.TIMESTAMP: wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        contract.TIMESTAMP_OR_DATE: wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        contract.TEXT: wb.add_format({"num_format": "@"}),
        contract.ID_LIST: wb.add_format({"num_format": "@"}),
    }
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})

    notes = wb.add_worksheet(t("template.notes_sheet", lang))
    lists = wb.add_worksheet(LISTS_SHEET)
    lists.hide()
    list_col = 0

    for name in contract.LOAD_ORDER:
        table = contract.TABLES[name]
        ws = wb.add_worksheet(table.zh if lang == "zh" else table.name)
        ws.freeze_panes(1, 0)
        for j, col in enumerate(table.columns):
            header = _header(col, lang)
            ws.write_string(0, j, header, bold)
            width = max(12, min(40, 2 * len(header) + 4))
            ws.set_column(j, j, width, fmt.get(col.type))
            choices = _choices(col, lang)
            if choices:
                for i, value in enumerate(choices):
                    lists.write_string(i, list_col, value)
                letter = xlsxwriter.utility.xl_col_to_name(list_col)
                ws.data_validation(
                    1, j, DATA_ROWS, j,
                    {"validate": "list", "source": f"={LISTS_SHEET}!${letter}$1:${letter}${len(choices)}"},
                )
                list_col += 1

    notes.set_column(0, 0, 14)
    notes.set_column(1, 1, 22)
    notes.set_column(2, 3, 26)
    notes.set_column(4, 4, 70)
    notes.write_string(0, 0, t("template.notes.intro", lang))
    heads = ["template.notes.table", "template.notes.column", "template.notes.type", "template.notes.required", "template.notes.values"]
    for j, key in enumerate(heads):
        notes.write_string(2, j, t(key, lang), bold)
    notes.freeze_panes(3, 0)
    r = 3
    for name in contract.LOAD_ORDER:
        table = contract.TABLES[name]
        for col in table.columns:
            choices = _choices(col, lang)
            if col.enum and lang == "en":
                values = "; ".join(f"{c} ({col.enum.label(c, 'en')})" for c in col.enum.codes)
            else:
                values = t("loader.report.and", lang).join(choices) if choices else ""
            note = f"template.note.{name}.{col.name}"  # what a column means, where the type does not say it
            if note in CATALOGUE:
                values = "\n".join(v for v in (values, t(note, lang)) if v)
            header = _header(col, lang) + (" *" if col.required is True else "")
            row = [table.label(lang), header, _type_text(col, lang), _required_text(table, col, lang), values]
            for j, v in enumerate(row):
                notes.write_string(r, j, v, wrap)
            r += 1
    wb.close()
    return buf.getvalue()
