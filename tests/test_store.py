"""The store: schema versions, atomic switch, readers that never see half a load."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from storebuilder import snapshot

from pipelines.core import contract
from pipelines.ingest.loader import load_paths
from pipelines.store import db as store
from pipelines.tables import parts

VALID = Path(__file__).parent / "fixtures" / "loader" / "valid"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_init_store_creates_every_table_at_the_current_version(empty_db):
    store.init_store(empty_db)
    con = store.connect_readonly(empty_db)
    assert store.schema_version(con) == store.SCHEMA_VERSION
    tables = {r[0] for r in con.sql("SELECT table_name FROM duckdb_tables() WHERE database_name = 'store'").fetchall()}
    views = {r[0] for r in con.sql("SELECT view_name FROM duckdb_views() WHERE database_name = 'store'").fetchall()}
    assert set(contract.LOAD_ORDER) | {"loads", "load_files", "schema_version"} <= tables | views
    assert {"approvals", "cases"} <= views  # Parquet partitions beside the catalogue (pipelines.tables.parts)
    for name in contract.LOAD_ORDER:
        cols = [r[0] for r in con.sql(f"SELECT column_name FROM duckdb_columns() WHERE database_name = 'store' AND table_name = '{name}' ORDER BY column_index").fetchall()]
        assert tuple(cols) == contract.TABLES[name].column_names
    # Keys are kept unique by validation and delete-then-insert, not by (slow) ART indexes.
    assert con.sql("SELECT count(*) FROM duckdb_constraints() WHERE database_name = 'store' AND constraint_type = 'PRIMARY KEY' AND table_name <> 'loads'").fetchall() == [(0,)]
    con.close()


def test_an_old_store_is_migrated_not_rejected(empty_db):
    # A version-0 store: the input tables exist, nothing else (what a first prototype wrote).
    con = duckdb.connect(str(empty_db))
    from pipelines.tables import inputs as schema

    schema.create_input_tables(con)
    con.execute("INSERT INTO staff (staff_id, name, post) VALUES ('S1', '甲', 'CHIEF')")
    con.close()
    ro = store.connect_readonly(empty_db)
    assert store.schema_version(ro) == store.SCHEMA_VERSION
    assert ro.sql("SELECT staff_id FROM staff").fetchall() == [("S1",)]
    assert ro.sql("SELECT count(*) FROM loads").fetchall() == [(0,)]
    ro.close()


def test_a_version_2_store_gets_the_cases_deadline_column_and_keeps_its_cases(empty_db):
    # What version 2 wrote: cases without deadline_on (审限届满日期), which the contract added later.
    con = duckdb.connect(str(empty_db))
    con.execute("BEGIN TRANSACTION")
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP)")
    for migration in store.MIGRATIONS[:2]:
        migration(con)
    con.execute("ALTER TABLE cases DROP COLUMN deadline_on")
    con.execute("INSERT INTO schema_version VALUES (1, NULL), (2, NULL)")
    con.execute("INSERT INTO cases (case_id, team, filed_on) VALUES ('（2024）豫1302执1号', 'T1', DATE '2024-01-02')")
    con.execute("COMMIT")
    con.close()
    ro = store.connect_readonly(empty_db)
    assert store.schema_version(ro) == store.SCHEMA_VERSION
    cols = [r[0] for r in ro.sql("SELECT column_name FROM duckdb_columns() WHERE table_name = 'cases' ORDER BY column_index").fetchall()]
    assert tuple(cols) == contract.CASES.column_names
    assert ro.sql("SELECT case_id, deadline_on FROM cases").fetchall() == [("（2024）豫1302执1号", None)]
    ro.close()


def test_a_failing_change_leaves_the_store_byte_for_byte_unchanged(empty_db):
    store.init_store(empty_db)
    before = sha(empty_db)
    with pytest.raises(RuntimeError), store.building(empty_db) as con:
        con.execute("INSERT INTO staff (staff_id, name, post) VALUES ('S1', '甲', 'CHIEF')")
        raise RuntimeError("marts failed")
    assert sha(empty_db) == before
    assert [p.name for p in empty_db.parent.iterdir() if "building" in p.name] == []


def store_rows(db: Path, table: str) -> pl.DataFrame:
    con = store.connect_readonly(db)
    try:
        return con.sql(f'SELECT * FROM "{table}"').pl()
    finally:
        con.close()


class Injected(Exception):
    """The failure injected into a real load (raised from its progress callback, inside the write)."""


def _newer_exports(tmp_path: Path) -> Path:
    """The example exports again, with two new matters and a renamed chief: a load that adds and replaces."""
    out = tmp_path / "newer"
    shutil.copytree(VALID, out)
    steps = out / "审批记录_2024-06.csv"
    steps.write_text(steps.read_text(encoding="utf-8").replace("SP00", "SQ00"), encoding="utf-8")
    staff = out / "人员名册.csv"
    staff.write_text(staff.read_text(encoding="utf-8").replace("吴局长", "吴局长（新）"), encoding="utf-8")
    return out


def test_a_load_that_fails_while_writing_leaves_the_store_unchanged(tmp_path):
    """Failed at points it reports progress while writing (storing the tables, the marts' stages, the
    switch), the load leaves the store byte for byte and table for table as it was, nothing
    beside it but the log, and the next load succeeds as if the failure had never happened."""
    base = tmp_path / "base" / "warehouse.duckdb"
    assert load_paths([VALID], base).ok
    newer = _newer_exports(tmp_path)

    # Where a successful load reports progress once validation is over: each is a point to fail at.
    reference = tmp_path / "reference" / "warehouse.duckdb"
    reference.parent.mkdir()
    shutil.copy(base, reference)
    reports: list[tuple[float, str]] = []
    assert load_paths([newer], reference, lang="en", progress=lambda f, msg: reports.append((f, msg))).ok
    validated = next(i for i, (f, _) in enumerate(reports) if f >= 0.6)  # the loader's last validation report
    writing = [i for i, (f, _) in enumerate(reports) if i > validated and f < 1.0]
    assert len(writing) >= 4, reports  # storing, the marts' stages, the switch
    points = sorted({*writing[:: max(1, len(writing) // 4)], writing[-1]})  # first, last and between
    loaded = snapshot(reference)
    assert loaded["staff"] != snapshot(base)["staff"] and len(loaded["approvals"]) == 10

    for point in points:
        db = tmp_path / f"fail-{point}" / "warehouse.duckdb"
        db.parent.mkdir()
        shutil.copy(base, db)
        before, tables, beside = sha(db), snapshot(db), set(db.parent.iterdir())
        seen = iter(range(len(reports)))

        def fail_here(f: float, msg: str, point=point, seen=seen) -> None:
            if next(seen) == point:
                raise Injected(f"at {f:.3f} {msg!r}")

        with pytest.raises(Injected):
            load_paths([newer], db, lang="en", progress=fail_here)
        assert sha(db) == before, reports[point]
        assert snapshot(db) == tables, reports[point]
        left = {p.name for p in set(db.parent.iterdir()) - beside}
        assert left <= {store.lock_path(db).name, store.log_path(db).name}, (reports[point], left)
        assert '"outcome": "error"' in store.log_path(db).read_text(encoding="utf-8")
        assert load_paths([newer], db).ok
        again = snapshot(db)
        assert {k: v for k, v in again.items() if k not in ("loads", "meta")} == {
            k: v for k, v in loaded.items() if k not in ("loads", "meta")
        }, reports[point]
        assert len(again["loads"]) == len(loaded["loads"])


def test_upsert_replaces_rows_with_the_same_key(empty_db):
    store.init_store(empty_db)
    staff = pl.DataFrame({"staff_id": ["S1", "S2"], "name": ["甲", "乙"], "post": ["CHIEF", "DEPUTY"]})
    with store.building(empty_db) as con:
        store.upsert(con, "staff", staff.with_columns(*[pl.lit(None, pl.String).alias(c) for c in ("team", "division", "title")], pl.lit(False).alias("party_secretary")))
    newer = pl.DataFrame({"staff_id": ["S2", "S3"], "name": ["乙（新）", "丙"], "post": ["DEPUTY", "MEMBER"]})
    with store.building(empty_db) as con:
        store.upsert(con, "staff", newer.with_columns(*[pl.lit(None, pl.String).alias(c) for c in ("team", "division", "title")], pl.lit(False).alias("party_secretary")))
    con = store.connect_readonly(empty_db)
    assert con.sql("SELECT staff_id, name FROM staff ORDER BY staff_id").fetchall() == [("S1", "甲"), ("S2", "乙（新）"), ("S3", "丙")]
    con.close()


def test_a_reader_open_during_a_load_keeps_the_old_data_until_reopened(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    first = tmp_path / "first"
    first.mkdir()
    shutil.copy(VALID / "人员名册.csv", first)
    assert load_paths([first], db).ok
    reader = store.connect_readonly(db)
    assert reader.sql("SELECT count(*) FROM approvals").fetchall() == [(0,)]
    assert load_paths([VALID], db).ok  # the app has the store open: the load still succeeds
    assert reader.sql("SELECT count(*) FROM approvals").fetchall() == [(0,)]  # never half a load
    fresh = store.connect_readonly(db)
    assert fresh.sql("SELECT count(*) FROM approvals").fetchall() == [(5,)]
    reader.close()
    fresh.close()
    # Opened read-only with duckdb itself, the path shows the current tables.
    plain = duckdb.connect(str(db), read_only=True)
    assert plain.sql("SELECT count(*) FROM approvals").fetchall() == [(5,)]
    plain.close()


def test_rebuild_keeps_the_input_tables(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    assert load_paths([VALID], db).ok
    store.rebuild(db)
    assert store.table_counts(db) == {"staff": 6, "cases": 2, "meetings": 1, "approvals": 5, "substitutions": 1, "meeting_items": 1}


def test_a_rebuild_that_fails_after_freeing_the_big_marts_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    """A rebuild drops and checkpoints the big catalogue marts on its copy before writing them again (so the
    catalogue does not double); failing after that, the store is still byte for byte what it was."""
    from pipelines.marts import build as marts

    db = tmp_path / "warehouse.duckdb"
    assert load_paths([VALID], db).ok
    before, files = sha(db), sorted(p.name for p in parts.parts_dir(db).rglob("*.parquet"))

    def fail(con, full=True):
        assert not {"latency_steps", "acting_monthly"} & parts.tables(con)  # freed by then
        raise Injected("marts failed")

    monkeypatch.setattr(marts, "write_sql_marts", fail)
    with pytest.raises(Injected):
        store.rebuild(db)
    assert sha(db) == before
    assert sorted(p.name for p in parts.parts_dir(db).rglob("*.parquet")) == files
    con = store.connect_readonly(db)
    try:
        assert con.sql("SELECT count(*) FROM latency_steps").fetchall()[0][0] > 0
    finally:
        con.close()


def test_a_load_that_rebuilds_everything_frees_the_big_marts_first_and_failing_leaves_the_store(tmp_path, monkeypatch):
    """A load after the roster changed rebuilds every mart, and frees the big catalogue marts first as a
    rebuild does (else the catalogue doubles until the next rebuild); an incremental load does not touch
    them; failing after the freeing, the store is byte for byte what it was."""
    from pipelines.marts import build as marts

    db = tmp_path / "warehouse.duckdb"
    assert load_paths([VALID], db).ok
    before, files = sha(db), sorted(p.name for p in parts.parts_dir(db).rglob("*.parquet"))
    seen: list[set[str]] = []

    def fail(con, full=True):
        seen.append({"latency_steps", "acting_monthly"} & parts.tables(con))
        raise Injected("marts failed")

    monkeypatch.setattr(marts, "write_sql_marts", fail)
    with pytest.raises(Injected):  # the same files again: an incremental load, the big marts kept
        store.write_load(db, {"cases": store_rows(db, "cases")}, [], [])
    staff = store_rows(db, "staff").with_columns(pl.lit("T9").alias("team"))
    with pytest.raises(Injected):  # a changed roster: a full rebuild, the big marts freed first
        store.write_load(db, {"staff": staff}, [], [])
    assert seen == [{"latency_steps", "acting_monthly"}, set()]
    assert sha(db) == before
    assert sorted(p.name for p in parts.parts_dir(db).rglob("*.parquet")) == files


def test_rebuild_progress_ends_on_writing_the_files_not_on_done(tmp_path):
    """The marts' 'done' is not the end of a rebuild: the Parquet files are written when the block is left
    (~40% of a rebuild at 10M steps), and the progress says so instead of sitting at 100%."""
    from pipelines.core.i18n import t

    db = tmp_path / "warehouse.duckdb"
    assert load_paths([VALID], db).ok
    seen: list[tuple[float, str]] = []
    store.rebuild(db, progress=lambda f, msg: seen.append((f, msg)), lang="en")
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and max(fractions) < 1.0
    assert seen[-1] == (0.97, t("loader.progress.switch", "en"))
    assert seen[-2] == (0.95, t("metrics.progress.done", "en"))


def test_loads_are_recorded(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    report = load_paths([VALID], db)
    con = store.connect_readonly(db)
    [(load_id, outcome, rows)] = con.sql("SELECT load_id, outcome, rows FROM loads").fetchall()
    assert (load_id, outcome) == (report.load_id, "ok")
    assert '"approvals": 5' in rows
    files = con.sql("SELECT file, sha256, table_name, rows FROM load_files ORDER BY file").fetchall()
    assert ("审批记录_2024-06.csv", sha(VALID / "审批记录_2024-06.csv"), "approvals", 5) in files
    con.close()


# ------------------------------------------------------------------------------------------ the app's reader
def test_reader_cursors_follow_loads_and_finish_on_the_data_they_started_with(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    first = tmp_path / "first"
    first.mkdir()
    shutil.copy(VALID / "人员名册.csv", first)
    assert load_paths([first], db).ok
    reader = store.Reader()
    try:
        with reader.cursor(db) as before:
            assert before.sql("SELECT count(*) FROM approvals").fetchall() == [(0,)]
            with reader.cursor(db) as same:  # the same version is attached once
                assert same.sql("SELECT count(*) FROM staff").fetchall() == [(6,)]
            assert len(reader.attached()) == 1
            assert load_paths([VALID], db).ok  # replaces the file while `before` is open
            with reader.cursor(db) as after:
                assert after.sql("SELECT count(*) FROM approvals").fetchall() == [(5,)]
            assert len(reader.attached()) == 2  # the old version is still read
            assert before.sql("SELECT count(*) FROM approvals").fetchall() == [(0,)]  # never half a load
        assert len(reader.attached()) == 1  # nobody reads the old version any more: detached
        with reader.cursor(db) as again:
            assert again.sql("SELECT count(*) FROM approvals").fetchall() == [(5,)]
        assert reader.cursors_opened == 4
    finally:
        reader.close()


def test_reader_migrates_an_old_store_once(empty_db):
    con = duckdb.connect(str(empty_db))
    from pipelines.tables import inputs as schema

    schema.create_input_tables(con)
    con.execute("INSERT INTO staff (staff_id, name, post) VALUES ('S1', '甲', 'CHIEF')")
    con.close()
    reader = store.Reader()
    try:
        with reader.cursor(empty_db) as cur:
            assert cur.sql("SELECT staff_id FROM staff").fetchall() == [("S1",)]
            assert cur.sql("SELECT max(version) FROM schema_version").fetchall() == [(store.SCHEMA_VERSION,)]
    finally:
        reader.close()


def test_a_version_5_store_gets_latency_steps_from_its_steps_without_a_rebuild(tmp_path):
    """Stores built before `latency_steps` existed open with it built from their step_latency (migration
    v6), and their latency figures are what the steps give."""
    from pipelines import queries
    from pipelines.core.filters import Filters

    db = tmp_path / "warehouse.duckdb"
    assert load_paths([VALID], db).ok
    with store.building(db) as con:  # what version 5 left: no latency_steps
        con.execute("DROP TABLE latency_steps")
        con.execute("DELETE FROM schema_version WHERE version >= 6")
    with duckdb.connect(str(db), read_only=True) as plain:  # not the app's opening: that would migrate it
        built_at = plain.sql("SELECT value FROM meta WHERE key = 'marts_version'").fetchall()
    ro = store.connect_readonly(db)
    try:
        assert store.schema_version(ro) == store.SCHEMA_VERSION
        assert ro.sql("SELECT value FROM meta WHERE key = 'marts_version'").fetchall() == built_at  # no rebuild
        decided = ro.sql("SELECT count(*) FROM step_latency WHERE NOT is_pending").fetchall()[0][0]
        assert decided > 0 and ro.sql("SELECT count(*) FROM latency_steps").fetchall()[0][0] == decided
        f = Filters(levels=("TEAM_LEAD",))
        w, p = queries.where(f, "step_latency", "NOT is_pending")
        assert queries.median_hours(ro, f) == ro.sql(
            f"SELECT quantile_cont(latency_hours, 0.5) FROM step_latency {w}", params=p).fetchall()[0][0]
    finally:
        ro.close()


def test_reader_on_a_missing_store_says_so(tmp_path):
    with pytest.raises(FileNotFoundError), store.Reader().cursor(tmp_path / "none.duckdb"):
        pass
