"""Table exports: CSV with BOM that round-trips Chinese, typed XLSX, formula neutralisation, name masking."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines import queries
from pipelines.core.filters import Filters
from pipelines.present.exports import (
    ExportInfo,
    export_csv,
    export_file_name,
    export_xlsx,
    first_line,
    mask_names,
    mask_text,
    name_replacements,
    neutralize_formulas,
    table_to_csv_bytes,
    table_to_xlsx_bytes,
)

HEADERS = {
    "case_id": "案号",
    "approver_name": "审批人",
    "approver_id": "审批人工号",
    "steps": "环节数",
    "median_hours": "中位时长（小时）",
    "decided_on": "办理日期",
    "received_at": "到达时间",
    "over_limit": "超期",
    "note": "备注",
}


@pytest.fixture
def table() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "case_id": ["（2024）豫1302执1234号", "（2024）豫1302执88号", "（2023）豫1302执恢5号"],
            "approver_name": ["张三", "欧阳明", "李四"],
            "approver_id": ["E001", "E002", "E003"],
            "steps": [12, -3, 0],
            "median_hours": [1.25, None, -0.5],
            "decided_on": [date(2024, 6, 3), None, date(2024, 5, 31)],
            "received_at": [datetime(2024, 6, 1, 9, 30), datetime(2024, 6, 2, 14, 0), None],
            "over_limit": [True, False, None],
            "note": ["正常", '=HYPERLINK("http://x","点我")', "-12.5"],
        }
    )


def test_csv_starts_with_the_bom_and_round_trips_chinese(table):
    data = table_to_csv_bytes(table.drop("note"))
    assert data.startswith(b"\xef\xbb\xbf")
    back = pl.read_csv(io.BytesIO(data), schema=table.drop("note").schema)
    assert_frame_equal(back, table.drop("note"))


def test_csv_uses_display_headers(table):
    data = table_to_csv_bytes(table, headers=HEADERS)
    first_line = data.decode("utf-8-sig").splitlines()[0]
    assert first_line.split(",") == [HEADERS[c] for c in table.columns]


def test_xlsx_has_typed_cells_chinese_headers_and_a_frozen_header_row(table):
    wb = openpyxl.load_workbook(
        io.BytesIO(table_to_xlsx_bytes(table, sheet_name="审批时长", headers=HEADERS))
    )
    ws = wb["审批时长"]
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    assert header == [HEADERS[c] for c in table.columns]
    col = {name: i for i, name in enumerate(header)}
    row2 = ws[2]
    assert row2[col["案号"]].value == "（2024）豫1302执1234号"
    assert row2[col["环节数"]].data_type == "n" and row2[col["环节数"]].value == 12
    assert ws[3][col["环节数"]].value == -3  # a negative number stays a number
    assert row2[col["中位时长（小时）"]].value == pytest.approx(1.25)
    assert row2[col["办理日期"]].is_date and row2[col["办理日期"]].value == datetime(2024, 6, 3)
    assert row2[col["办理日期"]].number_format == "yyyy-mm-dd"
    assert row2[col["到达时间"]].is_date and row2[col["到达时间"]].value == datetime(2024, 6, 1, 9, 30)
    assert row2[col["超期"]].data_type == "b" and row2[col["超期"]].value is True
    assert ws[3][col["中位时长（小时）"]].value is None  # null stays empty, not "null"
    # Columns are wide enough for their Chinese content (double-width characters).
    case_letter = openpyxl.utils.get_column_letter(col["案号"] + 1)
    assert ws.column_dimensions[case_letter].width >= 2 * len("（2024）豫1302执1234号") - 8


def test_xlsx_flattens_lists_and_durations():
    df = pl.DataFrame({"people": [["E001", "E002"]], "wait": [timedelta(hours=36)]})
    ws = openpyxl.load_workbook(io.BytesIO(table_to_xlsx_bytes(df))).active
    assert ws["A2"].value == "E001;E002"
    assert ws["B2"].value == pytest.approx(36.0)


def test_formula_injection_is_neutralised_in_csv_and_xlsx(table):
    evil = pl.DataFrame(
        {
            "text": ["=1+1", "+SUM(A1:A9)", "-2+3", "@cmd", "\tx", "\r=1", "正常", "-12.5", None,
                     "＝HYPERLINK(\"http://x\")", "＋1", "－2＋3", "＠SUM(A1)", "a＝b"],
            "n": [-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12, -13, -14],
        }
    )
    expected = ["'=1+1", "'+SUM(A1:A9)", "'-2+3", "'@cmd", "'\tx", "'\r=1", "正常", "-12.5", None,
                "'＝HYPERLINK(\"http://x\")", "'＋1", "'－2＋3", "'＠SUM(A1)", "a＝b"]
    assert neutralize_formulas(evil)["text"].to_list() == expected
    assert neutralize_formulas(evil)["n"].to_list() == evil["n"].to_list()

    back = pl.read_csv(io.BytesIO(table_to_csv_bytes(evil)), schema=evil.schema)
    assert back["text"].to_list() == expected
    assert back["n"].to_list() == evil["n"].to_list()

    ws = openpyxl.load_workbook(io.BytesIO(table_to_xlsx_bytes(evil))).active
    cells = [ws.cell(row=r, column=1) for r in range(2, 2 + evil.height)]
    # xlsx stores a carriage return as _x000D_ (Excel reads it back as CR; openpyxl leaves it escaped)
    assert [c.value.replace("_x000D_", "\r") if c.value else c.value for c in cells] == expected
    assert all(c.data_type in ("s", "n") for c in cells)  # text (or empty), never a formula ("f")
    assert [ws.cell(row=r, column=2).value for r in range(2, 2 + evil.height)] == evil["n"].to_list()

    xlsx = openpyxl.load_workbook(io.BytesIO(table_to_xlsx_bytes(table, headers=HEADERS))).active
    note = [c.value for c in xlsx["I"]]
    assert note[2].startswith("'=HYPERLINK")


def test_mask_by_staff_id(table):
    masked = mask_names(table, ["approver_name"], mode="id")
    assert masked["approver_name"].to_list() == ["E001", "E002", "E003"]
    assert masked.drop("approver_name").equals(table.drop("approver_name"))
    with pytest.raises(ValueError, match="staff-id column"):
        mask_names(table.drop("approver_id"), ["approver_name"], mode="id")
    other = table.rename({"approver_id": "who"})
    assert mask_names(other, ["approver_name"], "id", {"approver_name": "who"})["approver_name"][0] == "E001"


def test_mask_by_initials_keeps_people_apart():
    df = pl.DataFrame(
        {
            "name": ["张三", "张伟", "欧阳明", "李四", "John Smith", None, "张三"],
            "staff_id": ["E1", "E2", "E3", "E4", "E5", None, "E1"],
        }
    )
    masked = mask_names(df, ["name"], mode="initials")["name"].to_list()
    assert masked == ["张某1", "张某2", "欧阳某", "李某", "J.S.", None, "张某1"]
    assert not any("三" in (m or "") or "伟" in (m or "") for m in masked)


def test_names_inside_free_text_are_masked():
    roster = pl.DataFrame({"staff_id": ["E1", "E2"], "name": ["张三", "张三丰"]})
    findings = pl.DataFrame({"detail": ["张三丰代行张三的审批权限"]})
    by_id = mask_text(findings, ["detail"], name_replacements(roster, "id"))
    assert by_id["detail"][0] == "E2代行E1的审批权限"
    by_initials = mask_text(findings, ["detail"], name_replacements(roster, "initials"))
    assert by_initials["detail"][0] == "张某2代行张某1的审批权限"


def test_xlsx_refuses_more_rows_than_excel_holds(monkeypatch):
    from pipelines.present import exports

    monkeypatch.setattr(exports, "EXCEL_MAX_ROWS", 2)
    with pytest.raises(ValueError, match="Excel"):
        table_to_xlsx_bytes(pl.DataFrame({"a": [1, 2, 3]}), lang="en")


# ------------------------------------------------------------------------------------------ whole tables

INFO = ExportInfo(title="待办环节明细", filters=Filters(start=date(2024, 4, 1), end=date(2024, 6, 1)),
                  snapshot="2024-06-30 23:59:00", lang="zh")
SHARES = pl.DataFrame({
    "month": [date(2024, 5, 1), date(2024, 6, 1), None],
    "over_limit_share": [0.02, 0.125, None],
    "authorized": [True, False, None],
    "case_id": ["（2024）豫1302执1号", None, "x"],
    "held_on": [datetime(2024, 6, 11), datetime(2024, 6, 12), None],
})


def test_csv_export_says_what_where_and_when_then_formats_for_people():
    data = export_csv(SHARES, INFO, headers={"month": "月份", "over_limit_share": "超时限比例"})
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "待办环节明细｜期间：2024-04 至 2024-06；全局｜数据截至 2024-06-30 23:59"
    back = pl.read_csv(io.BytesIO(data), skip_rows=1, infer_schema=False).with_columns(
        pl.all().replace("", None))  # blank either way: empty cell or ""
    assert back.columns[:2] == ["月份", "超时限比例"]
    assert back["月份"].to_list() == ["2024-05", "2024-06", None]  # months as YYYY-MM, not full dates
    assert back["超时限比例"].to_list() == ["2.0%", "12.5%", None]  # percentages, not 0.02
    assert back["authorized"].to_list() == ["是", "否", None]
    assert back["held_on"].to_list() == ["2024-06-11", "2024-06-12", None]  # no 00:00:00
    assert "None" not in data.decode("utf-8-sig")


def test_xlsx_export_has_a_chinese_sheet_a_first_line_and_typed_percent_and_month_cells():
    wb = openpyxl.load_workbook(io.BytesIO(export_xlsx(SHARES, INFO, headers={"over_limit_share": "超时限比例"})))
    assert wb.sheetnames == ["待办环节明细"]
    ws = wb["待办环节明细"]
    assert ws["A1"].value == first_line(INFO)
    assert [c.value for c in ws[2]][:2] == ["month", "超时限比例"]
    assert ws.freeze_panes == "A3"
    assert ws["B3"].value == pytest.approx(0.02) and ws["B3"].number_format == "0.0%"
    assert ws["A3"].is_date and ws["A3"].number_format == "yyyy-mm"
    assert ws["C3"].value == "是" and ws["C4"].value == "否"
    en = openpyxl.load_workbook(io.BytesIO(export_xlsx(SHARES, ExportInfo(title="Pending steps", lang="en"))))
    assert en.sheetnames == ["Pending steps"] and en.active["A1"].value.startswith("Pending steps | Whole bureau")


def test_file_names_follow_the_language_and_the_period():
    assert export_file_name(INFO, "xlsx") == "待办环节明细_2024-04至2024-06.xlsx"
    en = ExportInfo(title="Pending steps: by person", filters=INFO.filters, lang="en")
    assert export_file_name(en, "csv") == "Pending_steps_by_person_2024-04_to_2024-06.csv"


def test_a_fetch_function_exports_the_whole_filtered_table_not_one_page(demo_db):
    import duckdb

    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        f = Filters(start=date(2024, 1, 1), end=date(2024, 6, 1))
        total = queries.violations_count(con, f, None)
        assert total > 60, "the demo has more findings than a page"
        calls = []

        def fetch(limit, offset):
            calls.append((limit, offset))
            return queries.violations_page(con, f, None, limit, offset)

        from pipelines.present import exports

        data = exports.export_csv(fetch, ExportInfo(title="违规发现", filters=f, lang="zh"))
        back = pl.read_csv(io.BytesIO(data), skip_rows=1, infer_schema=False)
        assert back.height == total
        assert back["record_id"].n_unique() >= total * 0.9
        wb = openpyxl.load_workbook(io.BytesIO(exports.export_xlsx(fetch, ExportInfo(title="违规发现", lang="zh"))))
        assert wb["违规发现"].max_row == total + 2  # first line, header, every row
    finally:
        con.close()


def test_paging_stops_on_a_short_page_and_stacks_pages_with_null_columns():
    from pipelines.present import exports

    rows = pl.DataFrame({"id": list(range(7)), "note": [None] * 3 + ["a"] * 4})
    pages = list(exports.iter_pages(lambda limit, offset: rows.slice(offset, limit), page_rows=3))
    assert [p.height for p in pages] == [3, 3, 1]
    pages[0] = pages[0].with_columns(pl.lit(None).alias("note"))  # all-null page: Null dtype
    assert exports.collect(lambda limit, offset: rows.slice(offset, limit), page_rows=3)["id"].to_list() == list(range(7))


def _wide_table(rows: int = 120) -> pl.DataFrame:
    return pl.DataFrame({
        "case_id": [f"（2024）豫1302执{i}号" for i in range(rows)],
        "median_hours": [15.94166 + i for i in range(rows)],
        "per_100": [3.14159] * rows,
        "over_limit_share": [0.0237] * rows,
        "detail": ["逾期未办结，经团队长催办后仍未处理，局长批示限期办结并说明理由。" * 3] * rows,
        "team": ["执行一团队"] * rows,
        "approver_name": ["张三"] * rows,
        "occurred_at": [datetime(2024, 5, 3, 9, 30)] * (rows - 1) + [datetime(2024, 5, 4)],
        "held_on": [datetime(2024, 5, 6)] * rows,
    })


def test_xlsx_prints_one_page_wide_landscape_when_wide_with_title_and_header_on_every_page():
    """Read back with openpyxl: A4, fit to one page wide (any number long), landscape for a wide table and
    portrait for a narrow one, rows 1-2 (what/where/when and the headers) repeated on every page, long text
    wrapped in its column."""
    wide = openpyxl.load_workbook(io.BytesIO(export_xlsx(_wide_table(), ExportInfo(title="违规发现"))))
    ws = wide.active
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    # fitToWidth absent = 1 (the OOXML default, which xlsxwriter leaves out); fitToHeight 0 = as many as needed
    assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == "$1:$2"
    detail = next(c for c in ws[2] if c.value == "detail").column_letter
    assert ws[f"{detail}3"].alignment.wrap_text is True and ws.column_dimensions[detail].width < 70  # capped, not 200 wide
    narrow = openpyxl.load_workbook(io.BytesIO(export_xlsx(pl.DataFrame({"team": ["执行一团队"], "steps": [3]}),
                                                          ExportInfo(title="x"))))
    ns = narrow.active
    assert ns.page_setup.orientation == "portrait" and ns.print_title_rows == "$1:$2"
    assert (ns.page_setup.fitToWidth or 1, ns.page_setup.fitToHeight) == (1, 0)


def test_csv_numbers_read_as_the_page_shows_them_and_xlsx_keeps_full_precision():
    df = _wide_table(3)
    lines = export_csv(df, ExportInfo(title="t")).decode("utf-8-sig").splitlines()
    header = lines[1].split(",")
    first = dict(zip(header, lines[2].split(","), strict=False))
    assert first["median_hours"] == "15.9" and first["per_100"] == "3.14" and first["over_limit_share"] == "2.4%"
    # a date-only value is its date, a time its minute, in one column
    assert first["occurred_at"] == "2024-05-03 09:30" and lines[-1].split(",")[header.index("occurred_at")] == "2024-05-04"
    assert first["held_on"] == "2024-05-06"
    ws = openpyxl.load_workbook(io.BytesIO(export_xlsx(df, ExportInfo(title="t")))).active
    col = {c.value: c.column_letter for c in ws[2]}
    hours = ws[f"{col['median_hours']}3"]
    assert hours.value == pytest.approx(15.94166) and hours.number_format == "#,##0.0"
    assert ws[f"{col['per_100']}3"].number_format == "#,##0.00"
    assert ws[f"{col['over_limit_share']}3"].number_format == "0.0%"
    assert ws[f"{col['held_on']}3"].number_format == "yyyy-mm-dd"
