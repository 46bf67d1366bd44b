"""Readers: find the tables in files and folders, whatever the encoding or format."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import xlsxwriter

from pipelines.ingest.readers import ROW, find_files, read_paths

STAFF_CSV = "工号,姓名,岗位\nS1,张三,局长\nS2,李四,副局长\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_encodings_are_detected(tmp_path, encoding):
    path = tmp_path / "人员名册.csv"
    path.write_bytes(STAFF_CSV.encode(encoding))
    result = read_paths([path])
    [src] = result.sources
    assert src.table == "staff"
    assert src.frame.columns == [ROW, "工号", "姓名", "岗位"]  # a BOM never sticks to the first header
    assert src.frame["姓名"].to_list() == ["张三", "李四"]
    assert src.encoding == ("gb18030" if encoding in ("gb18030", "gbk") else "utf-8")


def test_gb18030_detected_even_when_only_a_late_row_is_chinese(tmp_path):
    text = "staff_id,name,post\n" + "".join(f"S{i},n{i},MEMBER\n" for i in range(5000)) + "S9,王五,MEMBER\n"
    path = tmp_path / "staff.csv"
    path.write_bytes(text.encode("gb18030"))
    [src] = read_paths([path]).sources
    assert src.frame["name"][-1] == "王五"


def test_rows_keep_their_excel_row_numbers(tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text(STAFF_CSV, encoding="utf-8")
    [src] = read_paths([path]).sources
    assert src.frame[ROW].to_list() == [2, 3]  # header is row 1
    assert src.file == "staff.csv" and src.sheet is None


@pytest.mark.parametrize(
    ("name", "table"),
    [
        ("审批记录_2024-06.csv", "approvals"),
        ("Approvals-2024.csv", "approvals"),
        ("meeting_items_june.csv", "meeting_items"),
        ("会议议题2024.csv", "meeting_items"),
        ("会议.csv", "meetings"),
        ("替补记录(6月).csv", "substitutions"),
    ],
)
def test_table_recognised_by_file_name_with_any_suffix(tmp_path, name, table):
    path = tmp_path / name
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    [src] = read_paths([path]).sources
    assert src.table == table


def test_unrecognised_files_are_reported(tmp_path):
    (tmp_path / "staff.csv").write_text(STAFF_CSV, encoding="utf-8")
    (tmp_path / "说明.txt").write_text("hello", encoding="utf-8")
    (tmp_path / "phone_book.csv").write_text("a\n1\n", encoding="utf-8")
    (tmp_path / ".hidden.csv").write_text("a\n1\n", encoding="utf-8")
    result = read_paths([tmp_path])
    assert [s.table for s in result.sources] == ["staff"]
    assert sorted(result.unrecognised) == ["phone_book.csv", "说明.txt"]


def test_folders_are_searched_recursively_and_files_of_one_table_kept_apart(tmp_path):
    (tmp_path / "2024" / "06").mkdir(parents=True)
    (tmp_path / "审批记录_2024-05.csv").write_text("审批单号\nA\n", encoding="utf-8")
    (tmp_path / "2024" / "06" / "审批记录_2024-06.csv").write_text("审批单号\nB\nC\n", encoding="utf-8")
    result = read_paths([tmp_path])
    assert sorted((s.file, s.rows) for s in result.sources) == [("审批记录_2024-05.csv", 1), ("审批记录_2024-06.csv", 2)]
    assert {f.path.name: f.rows for f in result.files} == {
        "审批记录_2024-05.csv": {"approvals": 1},
        "审批记录_2024-06.csv": {"approvals": 2},
    }
    assert all(len(f.sha256) == 64 for f in result.files)


def _workbook(path, sheets: dict[str, list[list]]):
    wb = xlsxwriter.Workbook(path)
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    time_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if isinstance(v, dt.datetime):
                    ws.write_datetime(i, j, v, time_fmt)
                elif isinstance(v, dt.date):
                    ws.write_datetime(i, j, dt.datetime.combine(v, dt.time()), date_fmt)
                elif v is not None:
                    ws.write(i, j, v)
    wb.close()


def test_xlsx_workbook_with_a_sheet_per_table(tmp_path):
    path = tmp_path / "导出.xlsx"
    _workbook(
        path,
        {
            "人员名册": [["工号", "姓名", "岗位"], ["S1", "张三", "局长"]],
            "会议": [["会议编号", "召开日期"], ["H1", dt.date(2024, 6, 7)]],
            "Sheet3": [],
            "备注": [["随便写点"]],
        },
    )
    result = read_paths([path])
    assert [(s.table, s.sheet) for s in result.sources] == [("staff", "人员名册"), ("meetings", "会议")]
    assert result.unrecognised == ["导出.xlsx [备注]"]  # the empty default sheet is not worth a mention
    meetings = result.sources[1].frame
    assert meetings["召开日期"].to_list() == ["2024-06-07 00:00:00"]  # an Excel date cell, taken as it is


def test_xlsx_file_per_table_uses_its_first_sheet_and_skips_blank_rows(tmp_path):
    path = tmp_path / "审批记录_2024-06.xlsx"
    _workbook(
        path,
        {
            "Sheet1": [
                ["审批单号", "环节序号", "到达时间"],
                ["SP1", 1, dt.datetime(2024, 6, 3, 9, 5)],
                [None, None, None],
                ["SP1", 2, "2024/06/04 10:00"],
            ]
        },
    )
    [src] = read_paths([path]).sources
    assert src.table == "approvals"
    assert src.frame[ROW].to_list() == [2, 4]  # the blank row 3 is gone, row numbers are Excel's
    assert src.frame["环节序号"].to_list() == ["1", "2"]  # numbers come back as text without ".0"
    assert src.frame["到达时间"].to_list() == ["2024-06-03 09:05:00", "2024/06/04 10:00"]


def test_parquet_keeps_its_types(tmp_path):
    path = tmp_path / "meetings.parquet"
    pl.DataFrame({"meeting_id": ["H1"], "held_on": [dt.date(2024, 6, 7)]}).write_parquet(path)
    [src] = read_paths([path]).sources
    assert src.table == "meetings"
    assert src.frame.schema["held_on"] == pl.Date
    assert src.frame[ROW].to_list() == [2]


def test_unreadable_file_is_reported_not_raised(tmp_path):
    path = tmp_path / "staff.xlsx"
    path.write_bytes(b"this is not a workbook")
    result = read_paths([path])
    assert result.sources == []
    [bad] = result.unreadable
    assert bad.path == path


def test_find_files_skips_office_lock_files(tmp_path):
    (tmp_path / "~$staff.xlsx").write_bytes(b"")
    (tmp_path / "staff.csv").write_text(STAFF_CSV, encoding="utf-8")
    assert [p.name for p in find_files([tmp_path])] == ["staff.csv"]
