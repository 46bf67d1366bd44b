"""The import template: read back, filled in, loaded."""

from __future__ import annotations

import datetime as dt
import io

import fastexcel
import openpyxl

from pipelines.core import contract
from pipelines.ingest.loader import load_paths
from pipelines.ingest.template import template_xlsx_bytes


def test_template_has_a_sheet_per_table_with_chinese_headers():
    data = template_xlsx_bytes("zh")
    reader = fastexcel.read_excel(data)
    for table in contract.TABLES.values():
        assert table.zh in reader.sheet_names
        assert reader.load_sheet(table.zh).to_polars().columns == [c.zh for c in table.columns]
    assert "填写说明" in reader.sheet_names


def test_template_has_drop_downs_frozen_headers_and_formats():
    wb = openpyxl.load_workbook(io.BytesIO(template_xlsx_bytes("zh")))
    ws = wb["审批记录"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.bold
    formulas = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert len(formulas) == 3  # matter type, level, decision
    lists = wb["_lists"]
    assert lists.sheet_state == "hidden"
    values = {lists.cell(r, c).value for c in range(1, lists.max_column + 1) for r in range(1, lists.max_row + 1)}
    assert {"同意", "退回", "团队长", "局长", "执行案款发放"} <= values
    assert ws.column_dimensions["E"].width > 0
    notes = wb["填写说明"]
    texts = [str(c.value) for row in notes.iter_rows() for c in row if c.value]
    assert any("审批层级" in s for s in texts) and any("团队长" in s for s in texts)
    # the statutory deadline column says what an empty cell means
    row = next(r for r in notes.iter_rows(values_only=True) if r[1] == "审限届满日期")
    assert row[0] == "案件" and row[3] == "否" and "留空则按立案日期计算" in row[4]


def test_a_filled_in_template_loads(tmp_path):
    wb = openpyxl.load_workbook(io.BytesIO(template_xlsx_bytes("zh")))
    wb["人员名册"].append(["C1", "吴局长", "局长", None, None, "局长", "是"])
    wb["人员名册"].append(["L1", "王团队长", "团队长", "执行一队", "一分管", None, "否"])
    wb["案件"].append(["（2024）豫1302执1号", "执行一队", None, dt.datetime(2024, 1, 10), None, "首次执行", None, "否",
                     dt.datetime(2024, 10, 10)])
    wb["审批记录"].append(
        ["SP1", None, "执行一队", "执行案款发放", dt.datetime(2024, 6, 3, 9), "L1", 1, "局长", "C1",
         dt.datetime(2024, 6, 3, 9), dt.datetime(2024, 6, 4, 10, 30), "同意", None]
    )
    path = tmp_path / "导入模板.xlsx"
    wb.save(path)
    db = tmp_path / "warehouse.duckdb"
    report = load_paths([path], db)
    assert report.ok, report.format("en")
    assert report.rows["staff"] == 2 and report.rows["approvals"] == 1 and report.rows["cases"] == 1
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.sql("SELECT deadline, deadline_source FROM case_clock").fetchall() == [(dt.date(2024, 10, 10), "EXPORTED")]
    finally:
        con.close()
    assert report.unrecognised == []  # the notes and list sheets are not mistaken for data


def test_english_template_uses_column_names():
    reader = fastexcel.read_excel(template_xlsx_bytes("en"))
    assert reader.load_sheet("approvals").to_polars().columns == list(contract.APPROVALS.column_names)
