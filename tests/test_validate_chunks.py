"""Reading and validating chunk by chunk (issue 9): a file of many chunks loads the same store and gets the
same errors and warnings, at the same rows, as when it is read at once; the checks that span chunks and
files (a key twice, a matter's columns that disagree, references) still find both rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.ingest import readers, validate
from pipelines.ingest.loader import load_paths
from pipelines.ingest.readers import open_paths
from pipelines.ingest.validate import validate_sources
from pipelines.store import db as store

VALID = Path(__file__).parent / "fixtures" / "loader" / "valid"
HEADER = "审批单号,案号,承办团队,审批事项,提交时间,提交人工号,环节序号,审批层级,审批人工号,到达时间,办理时间,处理结果,代行对象工号"
LEVELS = ("团队长", "副局长", "局长")
APPROVERS = ("L1", "D1", "C1")


def _steps(first: int, matters: int) -> list[list[str]]:
    """Three steps per matter, all valid: rows of the approvals file (without header)."""
    out = []
    for m in range(first, first + matters):
        day = 3 + m % 20
        for step in range(3):
            out.append([f"SP{m:03d}", "（2024）豫1302执1号", "执行一队", "执行案款发放", f"2024-06-{day:02d} 09:00", "M1",
                        str(step + 1), LEVELS[step], APPROVERS[step], f"2024-06-{day:02d} 1{step}:00",
                        f"2024-06-{day:02d} 1{step}:30", "同意", ""])
    return out


def _write(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> None:
    path.write_bytes(("\n".join([HEADER, *(",".join(r) for r in rows)]) + "\n").encode(encoding))


def _exports(tmp_path: Path, bad: bool) -> Path:
    """The valid example exports plus two approvals files of many rows; `bad`: problems planted in rows
    that fall in different chunks when a chunk is 4 rows (chunks start at rows 2, 6, 10, 14, 18, 22, …)."""
    out = tmp_path / ("bad" if bad else "good")
    shutil.copytree(VALID, out)
    june = _steps(10, 10)  # rows 2..31
    july = _steps(40, 3)
    if bad:
        june[3][9] = "2024-13-45 25:00"  # row 5: not a timestamp
        june[9][11] = "也许"  # row 11: not a decision
        june[12] = list(june[1])  # row 14: row 3 again, three chunks earlier
        june[20][3] = "DOCUMENT"  # row 22: the matter of rows 20-21 (an earlier chunk) says another type
        june[23][10] = "2024-06-01 08:00"  # row 25: decided before it was received (a warning)
        june[25][8] = "NOBODY"  # row 27: no such staff member
        july[1] = list(june[4])  # another file, row 3: June's row 6 again
    _write(out / "审批记录_2024-06-big.csv", june)
    _write(out / "审批记录_2024-07.csv", july)
    return out


def _load(monkeypatch, folder: Path, db: Path, chunk_rows: int):
    monkeypatch.setattr(validate, "CHUNK_ROWS", chunk_rows)
    return load_paths([folder], db, lang="en")


def _store_rows(db: Path) -> dict[str, list[tuple]]:
    con = store.connect_readonly(db)
    try:
        return {
            "approvals": con.sql("SELECT * FROM approvals ORDER BY matter_id, step_no").fetchall(),
            "step_latency": con.sql("SELECT * FROM step_latency ORDER BY matter_id, step_no").fetchall(),
            "matters": con.sql("SELECT * FROM matters ORDER BY matter_id").fetchall(),
            "load_warnings": con.sql("SELECT * EXCLUDE (load_id) FROM load_warnings ORDER BY ALL").fetchall(),
        }
    finally:
        con.close()


def test_a_file_of_many_chunks_loads_the_same_store_as_one_chunk(tmp_path, monkeypatch):
    folder = _exports(tmp_path, bad=False)
    whole, chunked = tmp_path / "whole" / "w.duckdb", tmp_path / "chunked" / "w.duckdb"
    one = _load(monkeypatch, folder, whole, 1_000_000)
    many = _load(monkeypatch, folder, chunked, 4)
    assert one.ok and many.ok, many.format("en")
    assert many.rows == one.rows and many.rows["approvals"] == 5 + 30 + 9
    assert many.files == one.files
    assert _store_rows(chunked) == _store_rows(whole)
    # and the staging folder beside the store is gone
    assert [p.name for p in chunked.parent.iterdir() if "staging" in p.name] == []


def test_the_same_errors_and_warnings_at_the_same_rows_whatever_the_chunk_size(tmp_path, monkeypatch):
    folder = _exports(tmp_path, bad=True)
    db = tmp_path / "store" / "w.duckdb"
    one = _load(monkeypatch, folder, db, 1_000_000)
    many = _load(monkeypatch, folder, db, 4)
    assert not many.ok and not db.exists()
    assert many.to_dict("en") == one.to_dict("en")
    assert many.format("zh") == one.format("zh") and many.format("en") == one.format("en")
    found = {(p.file, p.row, p.kind, p.other_file, p.other_row) for p in many.problems}
    assert found == {
        ("审批记录_2024-06-big.csv", 5, "timestamp", None, None),
        ("审批记录_2024-06-big.csv", 11, "enum", None, None),
        ("审批记录_2024-06-big.csv", 14, "duplicate_key", "审批记录_2024-06-big.csv", 3),  # chunks 4 and 1
        ("审批记录_2024-06-big.csv", 22, "inconsistent", "审批记录_2024-06-big.csv", 20),  # chunks 6 and 5
        ("审批记录_2024-06-big.csv", 27, "reference", None, None),
        ("审批记录_2024-07.csv", 3, "duplicate_key", "审批记录_2024-06-big.csv", 6),  # across files
    }
    assert [(w.file, w.row, w.kind) for w in many.warnings] == [
        ("审批记录_2024-06-big.csv", 25, "decided_before_received")]


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_rows_are_staged_chunk_by_chunk(tmp_path, suffix):
    folder = _exports(tmp_path, bad=False)
    path = folder / "审批记录_2024-06-big.csv"
    if suffix != ".csv":
        frame = pl.read_csv(path, infer_schema=False)
        path = path.with_suffix(suffix)
        frame.write_parquet(path) if suffix == ".parquet" else frame.write_excel(path)
    staging = tmp_path / "staging"
    staging.mkdir()
    read = open_paths([path])
    v = validate_sources(read.sources, staging=staging, chunk_rows=4)
    assert v.rows == {"approvals": 30}
    assert len(v.staged["approvals"]) == 8  # 30 rows, 4 at a time
    con = duckdb.connect()
    rows = con.sql(f"SELECT __row FROM read_parquet({[str(p) for p in v.staged['approvals']]})").fetchall()
    assert [r[0] for r in rows] == list(range(2, 32))  # Excel's row numbers run on across chunks
    whole = validate_sources(readers.read_paths([path]).sources)
    assert validate._read_staged(v.staged["approvals"], "approvals").equals(whole.frames["approvals"])
    assert [p.format("en") for p in v.problems] == [p.format("en") for p in whole.problems]


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_gb18030_file_whose_first_chunks_are_ascii_is_read_as_gb18030(tmp_path, encoding):
    rows = _steps(1, 4)
    rows[-1][2] = "执行二队"  # the only non-ASCII bytes... and an ASCII-only start:
    for r in rows:
        r[1], r[3], r[7], r[11] = "C1", "PAYOUT", {"团队长": "TEAM_LEAD", "副局长": "DEPUTY", "局长": "CHIEF"}[r[7]], "APPROVE"
    rows[-1][2] = "执行二队"
    path = tmp_path / "approvals.csv"
    _write(path, rows, encoding)
    staging = tmp_path / "staging"
    staging.mkdir()
    read = open_paths([path], workdir=staging)
    v = validate_sources(read.sources, staging=staging, chunk_rows=3)
    assert read.sources[0].encoding == encoding
    frame = validate._read_staged(v.staged["approvals"], "approvals")
    assert frame.height == 12 and frame["team"].to_list()[-1] == "执行二队"
    assert sorted(p.name for p in staging.iterdir()) == ["approvals"]  # the transcoded copy is gone
    assert readers.read_paths([path]).sources[0].frame.height == 12


def test_a_file_unreadable_in_a_later_chunk_is_refused_as_a_whole(tmp_path, monkeypatch):
    """Its earlier chunks' problems are not reported (they were read from a file that cannot be read)."""
    folder = tmp_path / "ragged"
    folder.mkdir()
    rows = ["工号,姓名,岗位", "S1,n1,不是岗位"] + [f"S{i},n{i},局长" for i in range(2, 12)] + ["S99,x,局长,多一列"]
    (folder / "人员名册.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    monkeypatch.setattr(validate, "CHUNK_ROWS", 4)
    report = load_paths([folder], tmp_path / "store" / "w.duckdb", lang="en")
    assert [(p.file, p.kind) for p in report.problems] == [("人员名册.csv", "unreadable")]
    assert "found more fields" in report.format("en")
