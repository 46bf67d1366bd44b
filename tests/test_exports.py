"""Table exports: CSV with BOM that round-trips Chinese, typed XLSX, formula neutralisation, name masking."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.exports import (
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
            "text": ["=1+1", "+SUM(A1:A9)", "-2+3", "@cmd", "\tx", "\r=1", "正常", "-12.5", None],
            "n": [-1, -2, -3, -4, -5, -6, -7, -8, -9],
        }
    )
    expected = ["'=1+1", "'+SUM(A1:A9)", "'-2+3", "'@cmd", "'\tx", "'\r=1", "正常", "-12.5", None]
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
    from pipelines import exports

    monkeypatch.setattr(exports, "EXCEL_MAX_ROWS", 2)
    with pytest.raises(ValueError, match="Excel"):
        table_to_xlsx_bytes(pl.DataFrame({"a": [1, 2, 3]}), lang="en")
