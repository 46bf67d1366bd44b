"""Loading: all or nothing, every problem located, same keys replaced, extra columns never stored."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from storebuilder import snapshot

from pipelines.core import contract
from pipelines.ingest.loader import load_paths, validate_paths
from pipelines.store import db as store

VALID = Path(__file__).parent / "fixtures" / "loader" / "valid"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def exports(tmp_path: Path, edits: dict[str, tuple[str, str]] | None = None, name: str = "exports") -> Path:
    """A copy of the valid example exports, with `{file: (old, new)}` text replacements."""
    out = tmp_path / name
    shutil.copytree(VALID, out)
    for file, (old, new) in (edits or {}).items():
        path = out / file
        text = path.read_text(encoding="utf-8")
        assert old in text, (file, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def loaded_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("loaded") / "warehouse.duckdb"
    report = load_paths([VALID], db)
    assert report.ok, report.format("en")
    return db


@pytest.fixture
def db(tmp_path, loaded_db) -> Path:
    """A private copy of a store that already holds the example exports."""
    path = tmp_path / "store" / "warehouse.duckdb"
    path.parent.mkdir()
    shutil.copy(loaded_db, path)
    return path


def rows(db: Path, sql: str) -> list[tuple]:
    con = store.connect_readonly(db)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


# Each kind of bad input: (file, (old text, new text), expected (row, column, value)).
BAD_INPUTS = {
    "enum label": ("审批记录_2024-06.csv", (",2,副局长,", ",2,科长,"), (3, "审批层级", "科长")),
    "timestamp": ("审批记录_2024-06.csv", ("2024-06-04 10:00,2024-06-05", "2024-06-04 10:00,2024-06-32"), (4, "办理时间", "2024-06-32 11:00")),
    "date": ("cases.csv", ("2024/02/01", "2024/02/30"), (3, "filed_on", "2024/02/30")),
    "bool": ("人员名册.csv", ("局长,是", "局长,也许"), (3, "党支部书记", "也许")),
    "int": ("会议议题.csv", ("是,2,1,0", "是,两,1,0"), (2, "赞成票", "两")),
    "int below minimum": ("审批记录_2024-06.csv", ("M1,1,团队长", "M1,0,团队长"), (2, "环节序号", "0")),
    "decimal": ("cases.csv", ('"12,500.00"', "一万"), (2, "amount_yuan", "一万")),
    "required": ("人员名册.csv", ("L1,王团队长", "L1,"), (5, "姓名", None)),
    "required when": ("审批记录_2024-06.csv", ("2024/06/10 16:00:00,APPROVE", "2024/06/10 16:00:00,"), (5, "处理结果", None)),
    "duplicate key": ("会议.csv", ("C1；D1、L1\n", "C1；D1、L1\nHY01,局务会议,2024-06-08,C1,否,C1\n"), (3, "会议编号", "HY01")),
    "matter columns disagree": ("审批记录_2024-06.csv", ("2024-06-03 09:00,M1,2", "2024-06-03 09:30,M1,2"), (3, "提交时间", "2024-06-03 09:30:00")),
    "unknown staff id": ("替补记录.csv", ("D1,L1,C1", "D1,X9,C1"), (2, "替补人工号", "X9")),
    "unknown meeting": ("会议议题.csv", ("YT01,HY01", "YT01,HY99"), (2, "会议编号", "HY99")),
    "unknown case": ("审批记录_2024-06.csv", ("SP002,（2024）豫1302执2号,执行一队,DOCUMENT,2024/06/10 14:00,M2,1", "SP002,（2024）豫1302执9号,执行一队,DOCUMENT,2024/06/10 14:00,M2,1"), (5, "案号", "（2024）豫1302执9号")),
    # Accepted though wrong until issue 11: values outside a plausible range and ambiguous files are errors.
    "NUL byte in a name": ("人员名册.csv", ("王团队长", "王团\x00队长"), (5, "姓名", "王团\\0队长")),
    "the same header twice": ("人员名册.csv", ("工号,姓名,岗位,所属团队,分管部门,职务,党支部书记\nV1,周副院长,",
                                              "工号,姓名,岗位,所属团队,分管部门,职务,党支部书记,姓名\nV1,周副院长,"),
                              (1, "姓名", "姓名")),
    "two-digit year": ("cases.csv", ("2024-01-05", "24-01-05"), (2, "filed_on", "24-01-05")),
    "year 0000": ("cases.csv", ("2024-01-05", "0000-01-05"), (2, "filed_on", "0000-01-05")),
    "year 1900": ("cases.csv", ("2024-01-05", "1900-01-05"), (2, "filed_on", "1900-01-05")),
    "year 9999": ("审批记录_2024-06.csv", ("2024-06-05 11:00", "9999-06-05 11:00"), (4, "办理时间", "9999-06-05 11:00")),
    "amount NaN": ("cases.csv", ('"12,500.00"', "NaN"), (2, "amount_yuan", "NaN")),
    "amount inf": ("cases.csv", ('"12,500.00"', "inf"), (2, "amount_yuan", "inf")),
}

# Loaded, with the warning listed (file, row, column, value), counted and recorded with the load.
WARNING_INPUTS = {
    "decided before received": ("审批记录_2024-06.csv", ("2024-06-03 09:00,2024-06-03 15:30", "2024-06-03 09:00,2024-06-02 15:30"),
                                ("decided_before_received", 2, "办理时间", "2024-06-02 15:30:00")),
    "received before submitted": ("审批记录_2024-06.csv", ("M1,1,团队长,L1,2024-06-03 09:00", "M1,1,团队长,L1,2024-06-02 09:00"),
                                  ("received_before_submitted", 2, "到达时间", "2024-06-02 09:00:00")),
    "substitution ends before it starts": ("替补记录.csv", ("2024-06-10,2024-06-12", "2024-06-10,2024-06-08"),
                                           ("ends_before_start", 2, "结束时间", "2024-06-08 23:59:59")),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_input_is_located_and_the_store_is_unchanged(tmp_path, db, case):
    file, edit, (row, column, value) = BAD_INPUTS[case]
    folder = exports(tmp_path, {file: edit})
    before, tables, beside = sha(db), snapshot(db), set(db.parent.iterdir())
    report = load_paths([folder], db)
    assert not report.ok and not report.written
    located = [(p.file, p.row, p.column, p.value) for p in report.problems]
    assert (file, row, column, value) in located, report.format("en")
    text = report.format("zh")
    assert file in text and f"第 {row} 行" in text and f"「{column}」" in text
    assert sha(db) == before  # byte for byte
    assert snapshot(db) == tables  # and table for table, marts included
    assert store.log_path(db).exists()  # the attempt is logged beside the store, never in it
    assert {p.name for p in set(db.parent.iterdir()) - beside} <= {store.lock_path(db).name, store.log_path(db).name}


@pytest.mark.parametrize("case", WARNING_INPUTS, ids=list(WARNING_INPUTS))
def test_a_warning_loads_and_is_listed_counted_and_recorded(tmp_path, db, case):
    file, edit, (kind, row, column, value) = WARNING_INPUTS[case]
    report = load_paths([exports(tmp_path, {file: edit})], db)
    assert report.ok and report.written, report.format("en")
    assert report.problem_count == 0 and report.warning_count == 1 and report.warning_kinds == {kind: 1}
    [w] = report.warnings
    assert (w.kind, w.file, w.row, w.column, w.value) == (kind, file, row, column, value)
    text = report.format("zh")
    assert "警告 1 条" in text and file in text and f"第 {row} 行" in text and f"「{column}」" in text and value in text
    assert f"row {row}" in report.format("en")
    recorded = rows(db, 'SELECT kind, file, "row", "column", value FROM load_warnings WHERE load_id = (SELECT max(load_id) FROM loads)')
    assert recorded == [(kind, file, row, column, value)]
    assert rows(db, "SELECT count(*) FROM load_warnings")[0][0] == 1  # the first load had none


def test_errors_and_warnings_together_refuse_and_count_both(tmp_path, db):
    edits = {"审批记录_2024-06.csv": WARNING_INPUTS["decided before received"][1], "cases.csv": BAD_INPUTS["amount NaN"][1]}
    before = sha(db)
    report = load_paths([exports(tmp_path, edits)], db, lang="en")
    assert not report.ok and report.problem_count == 1 and report.warning_count == 1
    assert "also 1 data-quality warning" in report.format("en")
    assert sha(db) == before


def test_a_missing_required_column_is_named(tmp_path, db):
    folder = exports(tmp_path)
    path = folder / "会议.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(",".join(line.split(",")[:2] + line.split(",")[3:]) for line in lines) + "\n", encoding="utf-8")
    before = sha(db)
    report = load_paths([folder], db)
    assert ("会议.csv", "召开日期", "missing_column") in [(p.file, p.column, p.kind) for p in report.problems]
    assert "召开日期" in report.format("zh")
    assert sha(db) == before


def test_an_unreadable_file_fails_the_whole_load(tmp_path, db):
    folder = exports(tmp_path)
    (folder / "staff_extra.xlsx").write_bytes(b"not a workbook")
    before = sha(db)
    report = load_paths([folder], db)
    assert not report.ok
    assert [p.file for p in report.problems] == ["staff_extra.xlsx"]
    assert sha(db) == before


def test_all_problems_of_all_files_come_at_once(tmp_path, db):
    edits = {
        "审批记录_2024-06.csv": BAD_INPUTS["enum label"][1],
        "cases.csv": BAD_INPUTS["date"][1],
        "会议议题.csv": BAD_INPUTS["unknown meeting"][1],
    }
    report = load_paths([exports(tmp_path, edits)], db, lang="en")
    assert {p.file for p in report.problems} == set(edits)
    text = report.format("en")
    assert "3 problem(s)" in text and "store is unchanged" in text


def test_loading_twice_changes_nothing(tmp_path, db):
    counts = store.table_counts(db)
    content = rows(db, "SELECT * FROM approvals ORDER BY matter_id, step_no")
    report = load_paths([VALID], db)
    assert report.ok
    assert store.table_counts(db) == counts
    assert rows(db, "SELECT * FROM approvals ORDER BY matter_id, step_no") == content
    assert rows(db, "SELECT count(*) FROM loads") == [(2,)]


def test_a_newer_export_of_the_same_keys_replaces_rows(tmp_path, db):
    newer = tmp_path / "newer"
    newer.mkdir()
    (newer / "审批记录_2024-07.csv").write_text(
        "审批单号,案号,承办团队,审批事项,提交时间,提交人工号,环节序号,审批层级,审批人工号,到达时间,办理时间,处理结果,代行对象工号\n"
        "SP002,（2024）豫1302执2号,执行一队,DOCUMENT,2024/06/10 14:00,M2,2,DEPUTY,L1,2024/06/10 16:00:00,2024/06/11 09:00,退回,D1\n",
        encoding="utf-8",
    )
    assert load_paths([newer], db).ok  # staff and cases come from the store
    assert store.table_counts(db)["approvals"] == 5
    assert rows(db, "SELECT decision, decided_at::VARCHAR FROM approvals WHERE matter_id = 'SP002' AND step_no = 2") == [
        ("RETURN", "2024-06-11 09:00:00")
    ]


HEADER = "审批单号,案号,承办团队,审批事项,提交时间,提交人工号,环节序号,审批层级,审批人工号,到达时间,办理时间,处理结果,代行对象工号\n"


def test_a_load_that_changes_stored_matters_loads_and_lists_them(tmp_path, db):
    """DOMAIN.md §5: a matter's attributes are its latest step's. A later step moves SP001 to another team
    and type (changed: stored -> new); an older step of SP002 arrives with another submitter (kept)."""
    newer = tmp_path / "newer"
    newer.mkdir()
    (newer / "审批记录_2024-07.csv").write_text(
        HEADER
        + "SP001,（2024）豫1302执1号,执行二队,DOCUMENT,2024-06-03 09:00,M1,4,团队长,L1,2024-06-06 09:00,,,\n"
        + "SP002,（2024）豫1302执2号,执行一队,DOCUMENT,2024/06/10 14:00,M1,1,TEAM_LEAD,L1,2024/06/10 14:00,"
          "2024/06/10 16:00:00,APPROVE,\n",
        encoding="utf-8",
    )
    report = load_paths([newer], db)
    assert report.ok and report.written and report.problem_count == 0, report.format("en")
    assert report.warning_kinds == {"matter_changed": 2, "matter_kept": 1}
    found = {(w.kind, w.record, w.column, w.value, w.other, w.row) for w in report.warnings}
    assert found == {
        ("matter_changed", "SP001", "承办团队", "执行二队", "执行一队", 2),
        ("matter_changed", "SP001", "审批事项", "DOCUMENT", "PAYOUT", 2),
        ("matter_kept", "SP002", "提交人工号", "M1", "M2", 3),
    }
    zh, en = report.format("zh"), report.format("en")
    assert "审批单 SP001 在库中原为“执行一队”" in zh and "值“执行二队”" in zh and "审批单属性已变更：2" in zh.replace(" ", "")
    assert "matter SP001 was “执行一队” in the store" in en and "Disagrees with the matter's latest step" in en
    assert report.to_dict()["warnings"][0]["record"] in {"SP001", "SP002"}
    # recorded with the load: the Data page reads them through the query layer
    from pipelines import queries

    con = store.connect_readonly(db)
    try:
        load_id = con.sql("SELECT max(load_id) FROM loads").fetchall()[0][0]
        shown = queries.load_warning_rows(con, load_id, "matter_changed", "en")
        kinds = queries.load_warning_kinds(con, load_id, "zh")
        matters = dict(con.sql("SELECT matter_id, team || '/' || matter_type || '/' || submitted_by FROM matters").fetchall())
    finally:
        con.close()
    assert shown.select("record_id", "column", "other", "value").rows() == [
        ("SP001", "审批事项", "PAYOUT", "DOCUMENT"), ("SP001", "承办团队", "执行一队", "执行二队")]
    assert set(kinds["label"]) == {"审批单属性已变更", "与审批单最新环节不一致（未采用）"}
    # the marts read the matters as their latest steps have them
    assert matters == {"SP001": "执行二队/DOCUMENT/M1", "SP002": "执行一队/DOCUMENT/M2"}
    # and the load log beside the store lists them, in the user's language
    import json

    logged = json.loads(store.log_path(db).read_text(encoding="utf-8").splitlines()[-1])
    assert logged["outcome"] == "ok" and logged["load_id"] == load_id
    assert "审批单 SP001：承办团队 “执行一队” → “执行二队”" in logged["matters"]
    assert any(line.startswith("审批单 SP002：提交人工号 保持“M2”") for line in logged["matters"])
    assert "2 个审批单" in logged["warning"]


def test_loading_the_same_matters_again_warns_of_nothing(tmp_path, db):
    report = load_paths([VALID], db)
    assert report.ok and report.warning_count == 0, report.format("en")


def test_references_are_checked_against_what_is_stored(tmp_path, empty_db):
    staff_only = tmp_path / "staff"
    staff_only.mkdir()
    shutil.copy(VALID / "人员名册.csv", staff_only)
    shutil.copy(VALID / "cases.csv", staff_only)
    assert load_paths([staff_only], empty_db).ok
    approvals_only = tmp_path / "approvals"
    approvals_only.mkdir()
    shutil.copy(VALID / "审批记录_2024-06.csv", approvals_only)
    assert load_paths([approvals_only], empty_db).ok
    # ...and a reference to nobody is still caught when only approvals come.
    text = (approvals_only / "审批记录_2024-06.csv").read_text(encoding="utf-8").replace(",C1,", ",C7,")
    (approvals_only / "审批记录_2024-06.csv").write_text(text, encoding="utf-8")
    report = validate_paths([approvals_only], empty_db)
    assert [(p.row, p.column, p.value) for p in report.problems] == [(4, "审批人工号", "C7")]


def test_attendee_lists_are_checked_against_the_stored_staff_in_the_store(tmp_path, empty_db):
    staff_only = tmp_path / "staff"
    staff_only.mkdir()
    shutil.copy(VALID / "人员名册.csv", staff_only)
    assert load_paths([staff_only], empty_db).ok
    meetings = tmp_path / "meetings"
    meetings.mkdir()
    (meetings / "会议.csv").write_text(
        "会议编号,会议类型,召开日期,主持人工号,授权主持,参会人员工号\n"
        "HY01,局务会议,2024-06-07,C1,否,C1；D1、L1\n"
        "HY02,局务会议,2024-06-14,X'1,否,C1；Z9、L1、Z9\n",
        encoding="utf-8",
    )
    report = validate_paths([meetings], empty_db)
    # Stored staff are found by the store (DuckDB), not by reading every stored id into Python; each
    # unknown id is named on its row, once per mention.
    assert sorted((p.row, p.column, p.value) for p in report.problems) == [
        (3, "主持人工号", "X'1"), (3, "参会人员工号", "Z9"), (3, "参会人员工号", "Z9"),
    ]


def test_extra_columns_are_listed_and_never_stored(tmp_path, empty_db):
    folder = exports(tmp_path, {"人员名册.csv": ("工号,姓名,岗位,所属团队,分管部门,职务,党支部书记", "工号,姓名,身份证号,岗位,所属团队,分管部门,职务,党支部书记")})
    path = folder / "人员名册.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1:] = [",".join(line.split(",")[:2] + ["410000199001011234"] + line.split(",")[2:]) for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = load_paths([folder], empty_db)
    assert report.ok, report.format("en")
    assert report.dropped_columns == [("人员名册.csv", ["身份证号"])]
    assert "身份证号" in report.format("zh")
    for name in contract.LOAD_ORDER:
        cols = rows(empty_db, f"SELECT column_name FROM duckdb_columns() WHERE database_name = 'store' AND table_name = '{name}' ORDER BY column_index")
        assert tuple(c for (c,) in cols) == contract.TABLES[name].column_names
    con = store.connect_readonly(empty_db)
    dump = str(con.sql("SELECT * FROM staff").fetchall())
    con.close()
    assert "410000199001011234" not in dump


def test_validate_paths_writes_nothing(tmp_path, empty_db):
    report = validate_paths([VALID], empty_db)
    assert report.ok and not report.written
    assert report.rows == {"staff": 6, "cases": 2, "meetings": 1, "approvals": 5, "substitutions": 1, "meeting_items": 1}
    assert not empty_db.exists()


def test_progress_is_reported(tmp_path, empty_db):
    seen: list[tuple[float, str]] = []
    assert load_paths([VALID], empty_db, progress=lambda f, msg: seen.append((f, msg))).ok
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("审批记录" in msg for _, msg in seen)


def test_no_files_is_not_a_success(tmp_path, empty_db):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    report = load_paths([tmp_path], empty_db)
    assert not report.ok
    assert report.unrecognised == ["notes.txt"]
    assert not empty_db.exists()


def test_a_file_named_with_any_prefix_or_suffix_loads(tmp_path, empty_db):
    """README: a file is recognised by the one table's name its stem contains, in either language."""
    folder = tmp_path / "exports"
    folder.mkdir()
    renamed = {"替补记录.csv": "tw_ok_替补记录.csv", "人员名册.csv": "2024年6月_人员名册_final.csv",
               "审批记录_2024-06.csv": "export-APPROVALS-june.csv", "会议议题.csv": "本月会议议题.csv"}
    for p in VALID.iterdir():
        shutil.copy(p, folder / renamed.get(p.name, p.name))
    report = load_paths([folder], empty_db, "en")
    assert report.ok and report.written and report.unrecognised == [], report.format("en")
    assert report.rows == load_paths([VALID], empty_db.with_name("other.duckdb")).rows
    assert report.rows["substitutions"] == 1 and report.rows["meeting_items"] >= 1


def test_a_file_naming_no_table_or_two_is_listed_with_the_accepted_names(tmp_path, empty_db):
    folder = tmp_path / "exports"
    folder.mkdir()
    shutil.copy(VALID / "人员名册.csv", folder / "人员名册.csv")
    shutil.copy(VALID / "会议.csv", folder / "审批记录_会议.csv")  # two tables: which one?
    shutil.copy(VALID / "cases.csv", folder / "phone_book.csv")  # none
    report = load_paths([folder], empty_db)
    assert report.ok and sorted(report.unrecognised) == ["phone_book.csv", "审批记录_会议.csv"]
    zh = report.format("zh")
    assert "审批记录_会议.csv：名称中含有多个表名（会议、审批记录）" in zh
    assert "phone_book.csv：名称中没有任何表名" in zh
    assert "人员名册 (staff)、案件 (cases)、审批记录 (approvals)" in zh and "tw_ok_替补记录.csv" in zh
    # nothing recognised at all: no "0 problems, fix them", the names that would be
    only = tmp_path / "only"
    only.mkdir()
    shutil.copy(VALID / "cases.csv", only / "导出数据.csv")
    report = load_paths([only], empty_db, "en")
    assert not report.ok and report.problem_count == 0 and report.unrecognised == ["导出数据.csv"]
    en = report.format("en")
    assert "problem" not in en and "its name contains no table's name" in en and "案件 (cases)" in en


def test_demo_round_trip_stores_exactly_the_exported_rows(demo_exports, demo_db):
    """demo -> files -> load -> the same rows (every table, every column)."""
    from pipelines.ingest.readers import read_paths
    from pipelines.ingest.validate import validate_sources

    read = read_paths(demo_exports)
    validated = validate_sources(read.sources)
    assert validated.ok
    con = store.connect_readonly(demo_db)
    try:
        for name in contract.LOAD_ORDER:
            table = contract.TABLES[name]
            exported = validated.frames[name].sort(list(table.key))
            stored = con.sql(f'SELECT * FROM "{name}" ORDER BY {", ".join(table.key)}').pl()
            assert exported.height == sum(s.rows for s in read.sources if s.table == name) > 0
            assert stored.equals(exported), name
    finally:
        con.close()


# Parquet with types that cannot be read as the contract's: named by column (or by cell), exit 1.
def _approvals_parquet(tmp_path: Path, change) -> Path:
    import polars as pl

    folder = exports(tmp_path)
    csv = folder / "审批记录_2024-06.csv"
    frame = pl.read_csv(csv, infer_schema=False)
    csv.unlink()
    change(frame).write_parquet(folder / "审批记录_2024-06.parquet")
    return folder


def _pl():
    import polars as pl

    return pl


PARQUET_INPUTS = {
    "float ids": (lambda f: f.with_columns(_pl().lit(1001.5).alias("审批人工号")), (None, "审批人工号", "column_type")),
    "nested column": (lambda f: f.with_columns(_pl().struct("审批人工号").alias("审批人工号")), (None, "审批人工号", "column_type")),
    "list column": (lambda f: f.with_columns(_pl().concat_list("审批人工号").alias("审批人工号")), (None, "审批人工号", "column_type")),
    "text step numbers": (lambda f: f.with_columns(_pl().lit("一").alias("环节序号")), (2, "环节序号", "int")),
    "UInt64 overflow": (lambda f: f.with_columns(_pl().lit(2**64 - 1, _pl().UInt64).alias("环节序号")), (2, "环节序号", "int")),
}


@pytest.mark.parametrize("case", PARQUET_INPUTS, ids=list(PARQUET_INPUTS))
def test_parquet_type_problems_are_named_by_column_and_exit_1(tmp_path, db, capsys, case):
    from pipelines.cli import main

    change, (row, column, kind) = PARQUET_INPUTS[case]
    folder = _approvals_parquet(tmp_path, change)
    before = sha(db)
    report = load_paths([folder], db)
    assert not report.ok
    assert (row, column, kind) in [(p.row, p.column, p.kind) for p in report.problems], report.format("en")
    assert "审批记录_2024-06.parquet" in report.format("zh") and f"「{column}」" in report.format("zh")
    assert sha(db) == before
    assert main(["load", str(folder), "--db", str(db)]) == 1
    assert column in capsys.readouterr().err
    assert sha(db) == before


def _inflating_workbook(path: Path, megabytes: int) -> None:
    """A real .xlsx (xlsxwriter) whose sheet is padded with `megabytes` of repeated rows: a zip bomb."""
    import zipfile

    import xlsxwriter

    base = path.with_suffix(".base")
    wb = xlsxwriter.Workbook(str(base))
    wb.add_worksheet("人员名册").write_row(0, 0, ["工号", "姓名", "岗位"])
    wb.close()
    row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>S1</t></is></c></row>'
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, data)
                continue
            with dst.open(info.filename, "w", force_zip64=True) as fh:
                fh.write(data.split(b"<sheetData>")[0] + b"<sheetData>")
                chunk = row * ((1 << 20) // len(row))
                for _ in range(megabytes):
                    fh.write(chunk)
                fh.write(b"</sheetData></worksheet>")
    base.unlink()


def test_an_inflating_workbook_is_refused_before_parsing(tmp_path, db):
    """64 MB of XML in a ~0.2 MB file: over the ratio limit (a setting), refused from the zip directory."""
    folder = exports(tmp_path)
    _inflating_workbook(folder / "人员名册_补充.xlsx", 64)
    before = sha(db)
    report = load_paths([folder], db, lang="en")
    [p] = report.problems
    assert (p.file, p.kind) == ("人员名册_补充.xlsx", "too_large")
    assert dict(p.params)["max_ratio"] == "200" and int(dict(p.params)["ratio"].replace(",", "")) > 200
    assert "load.xlsx_max_ratio" in report.format("zh") and "refused before parsing" in report.format("en")
    assert sha(db) == before


def test_the_inflation_limits_are_settings(tmp_path, db):
    folder = exports(tmp_path)
    _inflating_workbook(folder / "人员名册_补充.xlsx", 3)
    (db.parent / "settings.toml").write_text("[load]\nxlsx_max_uncompressed_mb = 1\nxlsx_max_ratio = 100000\n", encoding="utf-8")
    report = load_paths([folder], db)
    assert [(p.kind, dict(p.params)["max_mb"]) for p in report.problems] == [("too_large", "1")]
