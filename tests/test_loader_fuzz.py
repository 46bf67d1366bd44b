"""Fuzzing the loader with damaged copies of a small valid export set (tests/fixtures/loader/valid).

Random bytes, truncations, mutated cells and headers: whatever the input, a load ends in one of two
outcomes only. Either it is refused, every problem located (a file that was given, and for cells a row
and a column) and the store byte-for-byte as it was; or it loads. Never an exception (the command line's
exit 2), never the loader's internal-failure guard ("unexpected").
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.ingest.loader import load_paths

VALID = Path(__file__).parent / "fixtures" / "loader" / "valid"
FILES = sorted(p.name for p in VALID.iterdir())

NASTY_CELLS = [
    "", " ", "\x00", "a\x00b", "NaN", "inf", "-inf", "1e400", "9999-12-31", "0000-01-01", "24-03-01", "1900-01-01",
    "2024-02-30", "2024-06-03 25:00", "2024/06/03 09:00", "2024年6月3日", "-1", "0", "1.5", "18446744073709551616",
    "是", "否", "maybe", "局长", "科长", "APPROVE", "V1", "X9", "；；", "\ufeff", "\u3000", '"', "a,b", "line\nbreak",
    "é", "𠀀", "=1+1", "x" * 300,
]


@pytest.fixture(scope="module")
def base_store(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("fuzz-base") / "warehouse.duckdb"
    assert load_paths([VALID], db).ok
    return db


def _cells(name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO((VALID / name).read_text(encoding="utf-8"))))


def _write_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


@st.composite
def damage(draw) -> tuple[str, bytes]:
    """(file name, new content) for one file of the export set, or a new file beside them."""
    how = draw(st.sampled_from(["random", "truncate", "cell", "cell", "cell", "header", "binary"]))
    name = draw(st.sampled_from(FILES))
    original = (VALID / name).read_bytes()
    if how == "random":
        return name, draw(st.binary(max_size=400))
    if how == "truncate":
        return name, original[: draw(st.integers(0, len(original)))]
    if how == "binary":  # random bytes where a workbook or a Parquet file is expected
        suffix = draw(st.sampled_from([".xlsx", ".parquet"]))
        return Path(name).stem + "_extra" + suffix, draw(st.binary(max_size=400))
    rows = _cells(name)
    if how == "header":
        r = 0
        c = draw(st.integers(0, len(rows[0]) - 1))
        rows[0][c] = draw(st.sampled_from([*rows[0], "", "\x00", "未知列"]))
    else:
        r = draw(st.integers(1, len(rows) - 1))
        c = draw(st.integers(0, len(rows[r]) - 1))
        rows[r][c] = draw(st.one_of(st.sampled_from(NASTY_CELLS), st.text(max_size=12)))
    return name, _write_csv(rows)


# 40 damaged export sets, the same 40 on every run (derandomize: a CI failure reproduces): each is a real load
# (~0.3-0.5 s), and 40 draw every kind of damage (random bytes, truncation, a cell, a header, a stray
# workbook) on each file several times.
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.lists(damage(), min_size=1, max_size=2))
def test_a_damaged_export_is_refused_located_or_loaded(base_store, changes):
    with tempfile.TemporaryDirectory() as tmp:
        folder, db = Path(tmp) / "exports", Path(tmp) / "store" / "warehouse.duckdb"
        shutil.copytree(VALID, folder)
        db.parent.mkdir()
        shutil.copy(base_store, db)
        for name, content in changes:
            (folder / name).write_bytes(content)
        before = hashlib.sha256(db.read_bytes()).hexdigest()

        report = load_paths([folder], db)  # an exception here is the command line's exit 2

        if report.ok:
            assert report.written and report.load_id == 2
            return
        assert report.problems, report.format("en")
        given_files = {p.name for p in folder.iterdir()}
        for p in report.problems:
            assert p.kind != "unexpected", p.format("en")
            assert p.file in given_files
            if p.kind in ("required", "enum", "int", "date", "timestamp", "decimal", "bool", "nul_byte", "date_range"):
                assert p.row is not None and p.column is not None
            assert p.format("zh") and p.format("en")
        assert report.format("zh") and report.format("en")
        assert hashlib.sha256(db.read_bytes()).hexdigest() == before
