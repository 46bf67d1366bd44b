"""Command line: `python -m pipelines load/report/rebuild/demo` exit codes and output."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

from pipelines.cli import main

ROOT = Path(__file__).resolve().parents[1]
VALID = Path(__file__).parent / "fixtures" / "loader" / "valid"


def test_load_exit_0_then_exit_1_with_problems_and_store_unchanged(tmp_path, capsys):
    db = tmp_path / "warehouse.duckdb"
    assert main(["load", str(VALID), "--db", str(db)]) == 0
    assert "导入成功" in capsys.readouterr().out
    bad = tmp_path / "bad"
    shutil.copytree(VALID, bad)
    path = bad / "会议.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("2024-06-07", "明天"), encoding="utf-8")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    assert main(["load", str(bad), "--db", str(db), "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert "会议.csv" in err and "row 2" in err and "召开日期" in err and "明天" in err
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_load_of_a_missing_path_exits_1(tmp_path, capsys):
    assert main(["load", str(tmp_path / "nowhere"), "--db", str(tmp_path / "w.duckdb")]) == 1
    assert "路径不存在" in capsys.readouterr().err


def test_report_json_and_rebuild(tmp_path, capsys):
    db = tmp_path / "warehouse.duckdb"
    assert main(["load", str(VALID), "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["report", "--db", str(db), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert isinstance(report, dict) and report
    assert main(["rebuild", "--db", str(db)]) == 0
    assert main(["report", "--db", str(tmp_path / "none.duckdb"), "--json"]) == 1


def test_python_dash_m_pipelines_runs_as_documented(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "load", str(VALID), "--db", str(db), "--lang", "en"],
        check=False, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Loaded: 6 file(s)" in done.stdout


def test_demo_loads_only_the_files_it_wrote(tmp_path, capsys):
    out, db = tmp_path / "demo", tmp_path / "warehouse.duckdb"
    out.mkdir()
    # A stray staff file a user left in the demo folder must not end up in the demo store.
    (out / "staff_old.csv").write_text("staff_id,name,post\nX999,旧人员,局长\n", encoding="utf-8")
    assert main(["demo", "--db", str(db), "--out", str(out)]) == 0
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.sql("SELECT count(*) FROM staff WHERE staff_id = 'X999'").fetchall()[0][0] == 0
        last_load = con.sql("SELECT max(load_id) FROM loads").fetchall()[0][0]
        built_from = con.sql("SELECT value FROM meta WHERE key = 'built_from_load'").fetchall()[0][0]
    finally:
        con.close()
    # The marts say which load they were built from: the load that just ran.
    assert str(last_load) == str(built_from)


def test_report_docx_without_a_month_says_so(tmp_path, capsys):
    db = tmp_path / "warehouse.duckdb"
    assert main(["load", str(VALID), "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["report", "--db", str(db), "--docx", str(tmp_path / "r.docx")]) == 1
    assert "--month" in capsys.readouterr().err
    assert not (tmp_path / "r.docx").exists()


def test_rebuild_if_stale_rebuilds_marts_an_older_version_built_and_leaves_current_ones(tmp_path):
    import duckdb

    from pipelines.marts.build import MARTS_VERSION

    db = tmp_path / "warehouse.duckdb"
    assert main(["load", str(VALID), "--db", str(db)]) == 0
    current = hashlib.sha256(db.read_bytes()).hexdigest()
    assert main(["rebuild", "--db", str(db), "--if-stale"]) == 0
    assert hashlib.sha256(db.read_bytes()).hexdigest() == current, "current marts must not be rebuilt"

    con = duckdb.connect(str(db))  # as a store built by an older program would look
    con.execute("UPDATE meta SET value = '1' WHERE key = 'marts_version'")
    con.close()
    assert main(["rebuild", "--db", str(db), "--if-stale"]) == 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.sql("SELECT value FROM meta WHERE key = 'marts_version'").fetchall() == [(str(MARTS_VERSION),)]
    finally:
        con.close()
