"""A load killed at any point (SIGKILL: no cleanup runs) leaves a store that opens with the previous data,
and the next load succeeds over whatever the killed one left behind (its half-built copy, the lock file, the
Parquet files it wrote that no catalogue lists).

The load is the command line's (`python -m pipelines load`) in a subprocess on a copy of the demo store,
adding a year of approval steps under new matter ids. It is killed once in each slice of its measured
duration (a seeded random point in each) and once while its building copy exists beside the store.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from storebuilder import snapshot

from pipelines.access._db import access_path
from pipelines.store import db as store
from pipelines.tables import parts

ROOT = Path(__file__).resolve().parents[1]
SLICES = 3  # random kill points, one in each third of the load's duration
VOLATILE = ("loads", "meta")  # hold the time of the load: compared by row count only


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def start_load(folder: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines", "load", str(folder), "--db", str(db), "--lang", "en"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def stable(tables: dict[str, list[tuple]]) -> dict[str, object]:
    return {k: (len(v) if k in VOLATILE else v) for k, v in tables.items()}


def building_files(folder: Path, before: set[Path]) -> list[Path]:
    """What a load has written beside the store so far (its building copy), lock and log aside."""
    return [p for p in set(folder.iterdir()) - before if ".building" in p.name]


@pytest.fixture(scope="module")
def setup(tmp_path_factory, demo_db, demo_exports):
    work = tmp_path_factory.mktemp("kill")
    base = work / "base.duckdb"
    shutil.copy(demo_db, base)
    # A year of steps again under new matter ids: a load that adds 4k steps and changes every mart.
    [year] = [p for p in demo_exports if p.name == "审批记录_2024.csv"]
    steps = pl.read_csv(year, infer_schema=False)
    folder = work / "newer"
    folder.mkdir()
    steps.with_columns(("K" + pl.col("审批单号")).alias("审批单号")).write_csv(folder / year.name, include_bom=True)
    # The load uninterrupted: how long it takes and what it gives.
    reference = work / "reference" / "warehouse.duckdb"
    reference.parent.mkdir()
    shutil.copy(base, reference)
    t0 = time.perf_counter()
    proc = start_load(folder, reference)
    out, _ = proc.communicate(timeout=120)
    duration = time.perf_counter() - t0
    assert proc.returncode == 0, out
    loaded = snapshot(reference)
    before = snapshot(base)
    assert len(loaded["approvals"]) == len(before["approvals"]) + steps.height
    return base, folder, duration, before, loaded


def test_a_load_killed_at_any_point_leaves_the_previous_store_and_the_next_load_succeeds(tmp_path, setup):
    base, folder, duration, before, loaded = setup
    db = tmp_path / "store" / "warehouse.duckdb"
    db.parent.mkdir()
    shutil.copy(base, db)
    original = sha(db)
    beside = set(db.parent.iterdir())
    rng = random.Random(9)
    delays = [duration * (i + rng.random()) / SLICES for i in range(SLICES)]
    outcomes = []
    for delay in [*delays, "building"]:
        proc = start_load(folder, db)
        if delay == "building":  # poll until the load's copy of the store exists, then kill it at once
            deadline = time.perf_counter() + 4 * duration
            while not building_files(db.parent, beside) and proc.poll() is None and time.perf_counter() < deadline:
                time.sleep(0.002)
            assert building_files(db.parent, beside), "the load never had a building copy beside the store"
        else:
            time.sleep(delay)
        finished = proc.poll() is not None
        if not finished:
            os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == (0 if finished else -signal.SIGKILL), out

        con = store.connect_readonly(db)  # opens (not busy, not corrupt)
        con.close()
        now = snapshot(db)
        if sha(db) == original:
            assert now == before, delay
            outcomes.append((delay, "previous"))
        else:  # killed after the switch (or it finished): all of the new load, never part of it
            assert stable(now) == stable(loaded), delay
            assert len(now["loads"]) == len(before["loads"]) + 1
            outcomes.append((delay, "switched"))
            shutil.copy(base, db)  # start the next kill from the previous data again
            original = sha(db)
    assert outcomes[-1] == ("building", "previous"), outcomes  # killed mid-write, the store untouched
    assert building_files(db.parent, beside), "a killed load leaves its copy behind"

    # The next load is not blocked by the lock file or the killed loads' copies, and clears the copies.
    proc = start_load(folder, db)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    assert stable(snapshot(db)) == stable(loaded)
    assert building_files(db.parent, beside) == []
    left = {p.name for p in set(db.parent.iterdir()) - beside}
    # beside the store: its lock, the loads' log, the parts and the audit trail (the command line records each load)
    assert left <= {store.lock_path(db).name, store.log_path(db).name, parts.parts_dir(db).name, access_path(db).name}, left
    # The Parquet files the killed loads wrote and no catalogue lists were swept: every file under the
    # store's parts folder is one its catalogue lists (or keeps for older readers), and each listed exists.
    con = store.connect_readonly(db)
    try:
        listed = parts.referenced(con)
        own = {r[0] for r in con.sql("SELECT path FROM part_files").fetchall() if r[0].startswith(str(parts.parts_dir(db)))}
    finally:
        con.close()
    on_disk = {str(p.resolve()) for p in parts.parts_dir(db).rglob("*") if p.is_file()}
    assert on_disk <= listed and own <= on_disk and own, (sorted(on_disk - listed)[:3], sorted(own - on_disk)[:3])
