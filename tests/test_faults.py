"""Faults of the machine are named as such, never blamed on the user's rows; a second writer says it waits
(issue 23).

The full disk and the read-only folder are real: the store lives on a small tmpfs mounted in a mount
namespace of its own (`unshare -m`, or `unshare -rm` for a user who is not root), so nothing is left mounted
whatever happens to the test; the loads are the command line's, as a court's IT staff would run them.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest
from storebuilder import snapshot

from pipelines.access._db import access_path
from pipelines.core.faults import MachineFault, fault_of
from pipelines.ingest.loader import load_paths
from pipelines.store import db as store

ROOT = Path(__file__).resolve().parents[1]
VALID = ROOT / "tests" / "fixtures" / "loader" / "valid"
UNSHARE = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-rm"]
ROW_PROBLEM = re.compile(r"第 \d+ 行")  # a problem located in a row of the files (loader.report.problem_line)


def _state(db: Path) -> tuple:
    """The catalogue byte for byte and the files of its folder (names and sizes): what a failed load must
    leave as it was. Not the lock, the loads' log nor the audit trail: they record the attempt (issue 25)."""
    kept = {store.lock_path(db).name, store.log_path(db).name, access_path(db).name}
    files = sorted((p.relative_to(db.parent).as_posix(), p.stat().st_size) for p in db.parent.rglob("*")
                   if p.is_file() and not p.name.startswith(tuple(kept)))
    return hashlib.sha256(db.read_bytes()).hexdigest(), files


# Run inside the namespace: `python -c` of this, with the mount point, the demo exports and a results
# folder outside the mount. Each step's exit status and output land in the results folder.
DRIVER = r'''
import hashlib, json, os, subprocess, sys
from pathlib import Path
mnt, demo, out, valid = map(Path, sys.argv[1:5])
db = mnt / "store" / "warehouse.duckdb"
py = [sys.executable, "-m", "pipelines"]

def state():
    files = sorted((str(p.relative_to(db.parent)), p.stat().st_size) for p in db.parent.rglob("*")
                   if p.is_file() and not p.name.endswith((".lock", ".log")))
    return [hashlib.sha256(db.read_bytes()).hexdigest(), files]

def run(name, *args):
    r = subprocess.run(py + list(args) + ["--db", str(db)], capture_output=True, text=True)
    (out / f"{name}.json").write_text(json.dumps({"rc": r.returncode, "out": r.stdout, "err": r.stderr}))
    return r.returncode

def fill(free_kb):
    avail = os.statvfs(mnt).f_bavail * os.statvfs(mnt).f_frsize
    with open(mnt / "filler", "wb") as fh:
        fh.truncate(0)
    subprocess.run(["fallocate", "-l", str(max(avail - free_kb * 1024, 0)), str(mnt / "filler")], check=True)

assert run("first", "load", str(valid)) == 0
results = {}
for free_kb in map(int, sys.argv[5].split(",")):
    before = state()
    fill(free_kb)
    run(f"full_{free_kb}", "load", str(demo), *sys.argv[6:])
    results[free_kb] = before == state()
    os.remove(mnt / "filler")
results["after"] = run("after", "load", str(demo))  # the disk freed: the same files load
subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
before = state()
run("ro_load", "load", str(demo))
run("ro_rebuild", "rebuild", "--lang", "en")
results["ro_same"] = before == state()
(out / "results.json").write_text(json.dumps(results))
'''


@pytest.fixture(scope="module")
def machine(tmp_path_factory, demo_exports) -> Path:
    """Runs DRIVER once in its own mount namespace; returns the folder of its results."""
    import json

    tmp = tmp_path_factory.mktemp("machine")
    mnt, out = tmp / "mnt", tmp / "out"
    mnt.mkdir()
    out.mkdir()
    demo = tmp / "demo"
    demo.mkdir()
    for p in demo_exports:
        shutil.copy(p, demo / p.name)
    script = f'mount -t tmpfs -o size=48m tmpfs "{mnt}" && exec "{sys.executable}" -c "$0" "$@"'
    # free space left: 150 KB (validation staging the rows), 12 MB (the switch: the catalogue's commit)
    r = subprocess.run([*UNSHARE, "sh", "-c", script, DRIVER, str(mnt), str(demo), str(out), str(VALID), "150,12000"],
                       cwd=ROOT, capture_output=True, text=True, check=False, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr
    assert json.loads(out.joinpath("first.json").read_text())["rc"] == 0
    return out


def _run(machine: Path, name: str) -> dict:
    import json

    return json.loads((machine / f"{name}.json").read_text())


@pytest.mark.parametrize("free_kb", [150, 12000], ids=["while-validating", "while-switching"])
def test_a_full_disk_is_named_exit_2_and_no_problem_of_the_rows(machine, free_kb):
    import json

    r = _run(machine, f"full_{free_kb}")
    assert r["rc"] == 2, r
    assert "磁盘空间已满" in r["err"] and "store" in r["err"], r["err"]
    assert "数据库未作任何改动" in r["err"]
    # not one problem attributed to the files: no located row, no failure count, no "expected"
    assert not ROW_PROBLEM.search(r["err"]) and "导入失败" not in r["err"] and "应为" not in r["err"]
    assert r["out"] == ""
    assert json.loads((machine / "results.json").read_text())[str(free_kb)] is True  # the store as it was


def test_once_the_disk_has_room_the_same_files_load(machine):
    import json

    assert json.loads((machine / "results.json").read_text())["after"] == 0


def test_a_read_only_store_folder_is_named_exit_2(machine):
    import json

    load, rebuild = _run(machine, "ro_load"), _run(machine, "ro_rebuild")
    assert load["rc"] == 2 and "只读" in load["err"] and not ROW_PROBLEM.search(load["err"]), load
    assert rebuild["rc"] == 2 and "read-only" in rebuild["err"] and not rebuild["err"].startswith("Error"), rebuild
    assert json.loads((machine / "results.json").read_text())["ro_same"] is True


def test_a_file_that_vanishes_while_loading_is_named_not_its_rows(tmp_path):
    """The approvals file disappears while the cases are validated: one fault naming it, no reference
    problems for the steps (they were never read), no store written."""
    exports = tmp_path / "exports"
    shutil.copytree(VALID, exports)
    gone = exports / "审批记录_2024-06.csv"
    db = tmp_path / "store" / "warehouse.duckdb"

    def progress(_fraction: float, _message: str) -> None:
        gone.unlink(missing_ok=True)

    report = load_paths([exports], db, "en", progress=progress)
    assert not report.ok and report.fault is not None and report.fault.kind == "vanished", report.format("en")
    assert report.problems == [] and report.problem_count == 0
    text = report.format("en")
    assert "vanished" in text and "审批记录_2024-06.csv" in text and "row" not in text
    assert not db.exists()


def test_memory_exhausted_is_a_fault_not_a_problem(tmp_path, monkeypatch, demo_exports):
    """DuckDB out of memory during the load's marts (its limit made tiny: a real OutOfMemoryException)."""
    db = tmp_path / "warehouse.duckdb"
    assert load_paths([VALID], db).ok
    before = _state(db), snapshot(db)
    monkeypatch.setattr(store, "LOAD_MEMORY_LIMIT", "8MB")
    report = load_paths(demo_exports, db, "zh")
    assert report.fault is not None and report.fault.kind == "memory", report.format("en")
    assert "内存不足" in report.format("zh") and report.problems == []
    assert (_state(db), snapshot(db)) == before


def test_faults_are_told_from_the_engines_errors(tmp_path):
    """Real errors of Python, polars and DuckDB, each the machine's or not."""
    with pytest.raises(OSError) as full:
        Path("/dev/full").write_bytes(b"x" * 100_000)
    with pytest.raises(pl.exceptions.ComputeError) as full_polars:
        pl.DataFrame({"a": list(range(100_000))}).write_parquet("/dev/full")
    con = duckdb.connect(config={"memory_limit": "2MB"})
    with pytest.raises(duckdb.OutOfMemoryException) as oom:
        con.sql("SELECT list(range) FROM range(10000000)").fetchall()
    with pytest.raises(FileNotFoundError) as vanished:
        (tmp_path / "gone.csv").read_text()
    assert [fault_of(e.value).kind for e in (full, full_polars, oom, vanished)] == [
        "disk_full", "disk_full", "memory", "vanished"]
    assert fault_of(MemoryError()).kind == "memory"
    # the input's: a malformed file, a value that is not a number
    with pytest.raises(pl.exceptions.ComputeError) as malformed:
        pl.read_csv(b'a,b\n1,"2\n', quote_char='"')
    with pytest.raises(ValueError) as bad:
        int("一万")
    assert fault_of(malformed.value) is None and fault_of(bad.value) is None
    # chained: a fault behind a reader's error is still the machine's
    try:
        try:
            Path("/dev/full").write_bytes(b"x" * 100_000)
        except OSError as exc:
            raise RuntimeError("reading failed") from exc
    except RuntimeError as exc:
        assert isinstance(fault_of(exc), MachineFault)


# --------------------------------------------------------------------------------------------------
# A second writer
# --------------------------------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipelines", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_a_second_load_says_at_once_that_it_waits_and_then_loads(tmp_path):
    """Load 1 holds the store (the loader's own lock, taken here as a load takes it); load 2, started from
    the command line, says it waits, for which command since when, and loads once load 1 lets go."""
    db = tmp_path / "warehouse.duckdb"
    assert load_paths([VALID], db).ok
    lines: list[str] = []
    with store.locked(db, "load"):
        holder = store.lock_holder(db)
        assert holder["command"] == "load" and holder["pid"] == os.getpid() and holder["since"]
        second = _cli("load", str(VALID), "--db", str(db), "--lang", "en")
        reader = threading.Thread(target=lambda: lines.extend(iter(second.stderr.readline, "")), daemon=True)
        reader.start()
        deadline = time.monotonic() + 120
        while not any("waits" in line for line in lines):
            assert second.poll() is None, (second.returncode, lines)  # it must wait, not finish or fail
            assert time.monotonic() < deadline, lines
            time.sleep(0.05)
        assert second.poll() is None  # still waiting: the store is held
    second.wait(timeout=120)
    reader.join(timeout=30)
    out = second.stdout.read()
    waiting = next(line for line in lines if "waits" in line)
    assert f"load, process {os.getpid()}, since {holder['since']}" in waiting
    assert second.returncode == 0, (out, lines)
    assert store.lock_holder(db) == {}  # cleared by whoever held it last


def test_no_wait_exits_2_and_changes_nothing(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    assert load_paths([VALID], db).ok
    before = _state(db)
    with store.locked(db, "rebuild"):
        load = _cli("load", str(VALID), "--db", str(db), "--no-wait")
        rebuild = _cli("rebuild", "--db", str(db), "--no-wait", "--lang", "en")
        (_, load_err), (_, rebuild_err) = load.communicate(timeout=120), rebuild.communicate(timeout=120)
    assert load.returncode == 2 and "重建汇总表" in load_err and "未等待" in load_err, load_err
    assert rebuild.returncode == 2 and "(rebuild, process" in rebuild_err and "did not wait" in rebuild_err
    assert _state(db) == before


def test_two_loads_in_one_process_take_turns_and_the_second_is_told(tmp_path):
    """The app: two sessions load at once (threads of one server). The second's `on_wait` hears who holds
    the store before it waits; both loads succeed, one after the other."""
    db = tmp_path / "warehouse.duckdb"
    assert load_paths([VALID], db).ok
    told: list[dict] = []
    results = {}
    with store.locked(db, "load"):
        second = threading.Thread(target=lambda: results.setdefault("second", load_paths([VALID], db, on_wait=told.append)))
        second.start()
        deadline = time.monotonic() + 60
        while not told:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert second.is_alive()
    second.join(timeout=120)
    assert told[0]["pid"] == os.getpid() and told[0]["command"] == "load"
    assert results["second"].ok
