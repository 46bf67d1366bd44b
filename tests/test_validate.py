"""Validation: every accepted spelling is normalised; everything else is a located problem."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from pipelines.ingest.readers import read_paths
from pipelines.ingest.validate import Validated, validate_sources

STAFF = "工号,姓名,岗位,所属团队,分管部门\nS1,张三,局长,,\nS2,李四,副局长,,一分管\nS3,王五,团队长,一队,一分管\n"


def check(tmp_path, files: dict[str, str]) -> Validated:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return validate_sources(read_paths([tmp_path]).sources)


@pytest.mark.parametrize(
    "cell",
    ["2024-06-03 09:05", "2024-06-03 09:05:00", "2024/06/03 09:05", "2024/06/03 09:05:00", "2024-6-3 9:05",
     " 2024-06-03 09:05:00 ", "2024-06-03T09:05:00"],
)
def test_timestamp_forms(tmp_path, cell):
    v = check(tmp_path, {"审批记录.csv": f"审批单号,到达时间\nA,{cell}\n"})
    assert v.frames["approvals"]["received_at"].to_list() == [dt.datetime(2024, 6, 3, 9, 5)]
    assert not [p for p in v.problems if p.column_name == "received_at"]


@pytest.mark.parametrize("cell", ["2024-06-07", "2024/06/07", "2024年6月7日", "2024年06月07日", "2024-6-7", "2024-06-07 00:00:00"])
def test_date_forms(tmp_path, cell):
    v = check(tmp_path, {"会议.csv": f"会议编号,召开日期\nH1,{cell}\n"})
    assert v.frames["meetings"]["held_on"].to_list() == [dt.date(2024, 6, 7)]
    assert not [p for p in v.problems if p.column_name == "held_on"]


def test_substitution_dates_without_time_cover_the_whole_day(tmp_path):
    v = check(
        tmp_path,
        {"替补记录.csv": "替补单号,开始时间,结束时间\nT1,2024-06-10,2024/06/12\nT2,2024-06-10 08:30,2024-06-10 12:00\n"},
    )
    f = v.frames["substitutions"]
    assert f["start_at"].to_list() == [dt.datetime(2024, 6, 10), dt.datetime(2024, 6, 10, 8, 30)]
    assert f["end_at"].to_list() == [dt.datetime(2024, 6, 12, 23, 59, 59), dt.datetime(2024, 6, 10, 12)]


def test_enum_cells_code_label_alias_any_case(tmp_path):
    v = check(
        tmp_path,
        {"staff.csv": "staff_id,name,post\nA,甲,局长\nB,乙,DEPUTY\nC,丙,deputy\nD,丁,执行法官\nE,戊,处长\nF,己, 团队长 \nG,庚,Team leader\n"},
    )
    assert v.frames["staff"]["post"].to_list() == ["CHIEF", "DEPUTY", "DEPUTY", "MEMBER", "DEPUTY", "TEAM_LEAD", "TEAM_LEAD"]


def test_matter_type_label_with_half_width_brackets(tmp_path):
    v = check(tmp_path, {"审批记录.csv": "审批单号,审批事项\nA,\"财产处置、降价(撤回)拍卖、抵债、变卖\"\nB,执行案款发放\n"})
    assert v.frames["approvals"]["matter_type"].to_list() == ["DISPOSAL", "PAYOUT"]


def test_booleans_and_defaults(tmp_path):
    cells = ["是", "否", "true", "FALSE", "1", "0", "Y", "n", ""]
    rows = "".join(f"S{i},x,局长,{c}\n" for i, c in enumerate(cells))
    v = check(tmp_path, {"staff.csv": "工号,姓名,岗位,党支部书记\n" + rows})
    assert v.frames["staff"]["party_secretary"].to_list() == [True, False, True, False, True, False, True, False, False]


def test_bool_column_missing_takes_its_default(tmp_path):
    v = check(tmp_path, {"staff.csv": "工号,姓名,岗位\nS1,x,局长\n"})
    assert v.frames["staff"]["party_secretary"].to_list() == [False]


def test_id_lists_split_on_every_separator(tmp_path):
    v = check(tmp_path, {"meetings.csv": 'meeting_id,attendee_ids\nH1,"A;B；C,D，E、F"\nH2, G \n'})
    assert v.frames["meetings"]["attendee_ids"].to_list() == [["A", "B", "C", "D", "E", "F"], ["G"]]


def test_decimals_with_thousands_separators_and_ints(tmp_path):
    v = check(
        tmp_path,
        {"cases.csv": 'case_id,amount_yuan\nA,"1,234,567.89"\nB,100\nC,\n',
         "会议议题.csv": "议题编号,赞成票\nI1,3\nI2, 4 \n"},
    )
    assert v.frames["cases"]["amount_yuan"].to_list() == [1234567.89, 100.0, None]
    assert v.frames["meeting_items"]["votes_for"].to_list() == [3, 4]


def test_text_cells_are_stripped_and_blank_is_empty(tmp_path):
    v = check(tmp_path, {"staff.csv": "工号,姓名,岗位,职务\n\tS1 ,张三,局长,   \n"})
    f = v.frames["staff"]
    assert f["staff_id"].to_list() == ["S1"]
    assert f["title"].to_list() == [None]


def test_english_and_chinese_headers_give_the_same_columns(tmp_path):
    v = check(
        tmp_path,
        {"staff_a.csv": "staff_id,NAME,post\nS1,甲,CHIEF\n", "人员名册_b.csv": "工号,姓名,岗位\nS2,乙,局长\n"},
    )
    assert v.ok, [p.format("en") for p in v.problems]
    assert v.frames["staff"]["staff_id"].to_list() == ["S1", "S2"]


def test_columns_outside_the_contract_are_dropped_and_listed(tmp_path):
    v = check(tmp_path, {"staff.csv": "工号,姓名,岗位,手机号,备注\nS1,甲,局长,13900000000,好人\n"})
    assert v.frames["staff"].columns == ["staff_id", "name", "post", "team", "division", "title", "party_secretary"]
    assert v.dropped == [("staff.csv", ["手机号", "备注"])]


def test_every_problem_is_collected_at_once_with_its_location(tmp_path):
    v = check(
        tmp_path,
        {
            "人员名册.csv": STAFF,
            "审批记录.csv": (
                "审批单号,审批事项,提交时间,提交人工号,环节序号,审批层级,审批人工号,到达时间,办理时间,处理结果\n"
                "A,执行案款发放,2024-06-01 09:00,S3,1,团队长,S3,2024-06-01 09:00,2024-06-01 10:00,同意\n"
                "A,执行案款发放,2024-06-01 09:00,S3,2,科长,S2,2024-06-01 10:00,2024-06-01 11:00,同意\n"
                "A,执行案款发放,2024-06-01 09:00,S3,3,局长,S1,2024-06-01 11:00,2024-06-01 10:00,同意\n"
                "A,执行案款发放,2024-06-01 09:00,S3,x,局长,S1,2024-06-01 11:00,,\n"
                "B,执行案款发放,2024-06-01 09:00,S3,1,局长,S1,2024-13-01 11:00,2024-06-02 10:00,\n"
            ),
        },
    )
    found = {(p.file, p.row, p.column, p.value, p.kind) for p in v.problems}
    assert found == {
        ("审批记录.csv", 3, "审批层级", "科长", "enum"),
        ("审批记录.csv", 5, "环节序号", "x", "int"),
        ("审批记录.csv", 6, "到达时间", "2024-13-01 11:00", "timestamp"),
        ("审批记录.csv", 6, "处理结果", None, "required_if"),
    }
    assert v.problem_count == len(found)
    # A step decided before it was received loads: a warning, counted and located like an error.
    assert [(w.file, w.row, w.column, w.value, w.kind) for w in v.warnings] == [
        ("审批记录.csv", 4, "办理时间", "2024-06-01 10:00:00", "decided_before_received")
    ]
    assert v.warning_count == 1 and v.warning_frame["row"].to_list() == [4]


def test_problem_messages_in_both_languages(tmp_path):
    v = check(tmp_path, {"会议.csv": "会议编号,会议类型,召开日期\nH1,周会,2024-06-07\n"})
    [p] = [p for p in v.problems if p.kind == "enum"]
    assert p.format("zh") == "第 2 行，列「会议类型」，值“周会”：应为以下之一：局务会议、团队长联席会议"
    assert "row 2" in p.format("en") and "BUREAU (Bureau meeting)" in p.format("en")


def test_missing_required_column_and_required_cells(tmp_path):
    v = check(tmp_path, {"staff.csv": "staff_id,post\nS1,MEMBER\n,CHIEF\n"})
    kinds = sorted((p.kind, p.row, p.column) for p in v.problems)
    assert ("missing_column", None, "name") in kinds  # the file used English headers, so does the message
    assert ("required", 3, "staff_id") in kinds
    assert ("required_if", 2, "team") in kinds and ("required_if", 2, "division") in kinds  # a MEMBER needs both


def test_duplicate_keys_across_files_name_both_places(tmp_path):
    v = check(
        tmp_path,
        {"人员名册_1.csv": "工号,姓名,岗位\nS1,甲,局长\n", "人员名册_2.csv": "工号,姓名,岗位\nS2,乙,局长\nS1,甲,局长\n"},
    )
    [p] = v.problems
    assert (p.kind, p.file, p.row, p.value, p.other_file, p.other_row) == ("duplicate_key", "人员名册_2.csv", 3, "S1", "人员名册_1.csv", 2)
    assert "人员名册_1.csv 第 2 行" in p.format("zh")


def test_matter_columns_must_agree_between_steps(tmp_path):
    v = check(
        tmp_path,
        {"审批记录.csv": "审批单号,审批事项,提交时间,环节序号\nA,PAYOUT,2024-06-01 09:00,1\nA,PAYOUT,2024-06-01 09:30,2\nB,PAYOUT,2024-06-01 09:00,1\n"},
    )
    [p] = [p for p in v.problems if p.kind == "inconsistent"]
    assert (p.row, p.column, p.value, p.other_row, p.other) == (3, "提交时间", "2024-06-01 09:30:00", 2, "2024-06-01 09:00:00")


def test_references_against_this_load_and_the_store(tmp_path):
    files = {"人员名册.csv": STAFF, "会议.csv": "会议编号,主持人工号,参会人员工号\nH1,S1,S1；S2、S9\n"}
    v = check(tmp_path, files)
    [p] = [p for p in v.problems if p.kind == "reference"]
    assert (p.column, p.value, p.row) == ("参会人员工号", "S9", 2)
    (tmp_path / "人员名册.csv").unlink()
    stored = pl.Series(["S1", "S2", "S9"])
    v = validate_sources(read_paths([tmp_path]).sources, not_stored=lambda table, column, values: values.filter(~values.is_in(stored.implode())))
    assert not [p for p in v.problems if p.kind == "reference"]


def test_parquet_typed_columns_are_taken_as_they_are(tmp_path):
    pl.DataFrame(
        {
            "替补单号": ["T1"],
            "开始时间": [dt.date(2024, 6, 10)],
            "结束时间": [dt.date(2024, 6, 12)],
            "授权代行": [True],
        }
    ).write_parquet(tmp_path / "替补记录.parquet")
    v = validate_sources(read_paths([tmp_path]).sources)
    f = v.frames["substitutions"]
    assert f["start_at"].to_list() == [dt.datetime(2024, 6, 10)]
    assert f["end_at"].to_list() == [dt.datetime(2024, 6, 12, 23, 59, 59)]
    assert f["authorized"].to_list() == [True]
