"""Loading: all or nothing, every problem located, same keys replaced, extra columns never stored."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from pipelines import contract, store
from pipelines.loader import load_paths, validate_paths

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
    "decided before received": ("审批记录_2024-06.csv", ("2024-06-03 09:00,2024-06-03 15:30", "2024-06-03 09:00,2024-06-02 15:30"), (2, "办理时间", "2024-06-02 15:30:00")),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_input_is_located_and_the_store_is_unchanged(tmp_path, db, case):
    file, edit, (row, column, value) = BAD_INPUTS[case]
    folder = exports(tmp_path, {file: edit})
    before = sha(db)
    report = load_paths([folder], db)
    assert not report.ok and not report.written
    located = [(p.file, p.row, p.column, p.value) for p in report.problems]
    assert (file, row, column, value) in located, report.format("en")
    text = report.format("zh")
    assert file in text and f"第 {row} 行" in text and f"「{column}」" in text
    assert sha(db) == before  # byte for byte
    assert store.log_path(db).exists()  # the attempt is logged beside the store, never in it


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


def test_demo_round_trip_stores_exactly_the_exported_rows(demo_exports, demo_db):
    """demo -> files -> load -> the same rows (every table, every column)."""
    from pipelines.readers import read_paths
    from pipelines.validate import validate_sources

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
