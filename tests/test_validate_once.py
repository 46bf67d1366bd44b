"""Validate once, load what was validated (issue 24): `validate_for_load` keeps its staged rows and what they
were checked against; `load_paths(..., validated=...)` loads them without reading the files again, unless
the files, the store or the settings changed since, and then validates again. Never stale checks; no
staging folder left behind. Real stores; `readers.open_paths` is only watched, to count the reads."""

from __future__ import annotations

import gc
import os
import shutil
import time
from pathlib import Path

import pytest
from storebuilder import snapshot

from pipelines.ingest import loader, readers
from pipelines.ingest.loader import load_paths, validate_for_load
from pipelines.store import db as store

VALID = Path(__file__).parent / "fixtures" / "loader" / "valid"
STEPS = "审批记录_2024-06.csv"
HEADER = "审批单号,案号,承办团队,审批事项,提交时间,提交人工号,环节序号,审批层级,审批人工号,到达时间,办理时间,处理结果,代行对象工号\n"


@pytest.fixture
def reads(monkeypatch) -> list[list[Path]]:
    """Every time the loader opens export files (the paths it was given), in order."""
    calls: list[list[Path]] = []
    real = readers.open_paths

    def watched(paths, *args, **kwargs):
        calls.append([Path(p) for p in paths])
        return real(paths, *args, **kwargs)

    monkeypatch.setattr(readers, "open_paths", watched)
    return calls


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("loaded") / "warehouse.duckdb"
    assert load_paths([VALID], db).ok
    return db


def store_copy(loaded: Path, folder: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(loaded, folder / loaded.name)
    shutil.copytree(loaded.parent / "warehouse.parts", folder / "warehouse.parts")
    return folder / loaded.name


def exports(folder: Path) -> Path:
    shutil.copytree(VALID, folder)
    return folder


def newer_steps(folder: Path) -> Path:
    """Steps that change stored matters (tests/test_loader.py): SP001 moves team and type, SP002 keeps its
    submitter. Validated against a store holding the fixture exports: 2 matter_changed, 1 matter_kept."""
    folder.mkdir(parents=True)
    (folder / "审批记录_2024-07.csv").write_text(
        HEADER
        + "SP001,（2024）豫1302执1号,执行二队,DOCUMENT,2024-06-03 09:00,M1,4,团队长,L1,2024-06-06 09:00,,,\n"
        + "SP002,（2024）豫1302执2号,执行一队,DOCUMENT,2024/06/10 14:00,M1,1,TEAM_LEAD,L1,2024/06/10 14:00,"
          "2024/06/10 16:00:00,APPROVE,\n",
        encoding="utf-8",
    )
    return folder


def comparable(db: Path) -> dict[str, list[tuple]]:
    """The store table for table, but the wall-clock times each load and migration was recorded at."""
    tables = snapshot(db)
    tables["loads"] = [row[:1] + row[2:] for row in tables["loads"]]
    tables["schema_version"] = [row[:1] for row in tables["schema_version"]]
    return tables


def staging_folders(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir() if ".staging" in p.name)


@pytest.mark.parametrize("into", ["an empty store", "a store holding data"])
def test_a_validated_upload_loads_without_reading_the_files_again(tmp_path, loaded, reads, into):
    if into == "an empty store":
        upload, db, twin = exports(tmp_path / "upload"), tmp_path / "a" / "warehouse.duckdb", tmp_path / "b" / "warehouse.duckdb"
        db.parent.mkdir(), twin.parent.mkdir()
    else:
        upload = newer_steps(tmp_path / "upload")
        db, twin = store_copy(loaded, tmp_path / "a"), store_copy(loaded, tmp_path / "b")
    checked = validate_for_load([upload], db)
    assert checked.report.ok and reads == [[upload]]
    assert checked.folder.parent == db.parent and staging_folders(db) == [checked.folder.name]  # beside the store

    report = load_paths([upload], db, validated=checked)
    assert report.ok and report.written, report.format("en")
    assert reads == [[upload]], "the load read the files again"
    # the same report and the same store as a plain load of the same files
    plain = load_paths([upload], twin)
    assert (report.rows, report.files, report.warning_kinds, report.load_id, report.build) == (
        plain.rows, plain.files, plain.warning_kinds, plain.load_id, plain.build)
    assert report.format("zh") == plain.format("zh")
    assert comparable(db) == comparable(twin)
    # and its staged rows are gone
    assert not checked.folder.exists() and staging_folders(db) == []
    assert not checked.report.written  # the validation's own report is left as it was shown


def test_a_validation_made_before_another_load_landed_is_validated_again(tmp_path, loaded, reads):
    """Its checks against the store are stale: here the other load brought the same changes to the same
    matters, so what this load changes is no longer what its validation said."""
    db, twin = store_copy(loaded, tmp_path / "a"), store_copy(loaded, tmp_path / "b")
    upload, other = newer_steps(tmp_path / "upload"), newer_steps(tmp_path / "other")
    checked = validate_for_load([upload], db)
    assert checked.report.warning_kinds == {"matter_changed": 2, "matter_kept": 1}
    assert load_paths([other], db).ok  # another session's load lands first

    report = load_paths([upload], db, validated=checked)
    assert report.ok and report.written, report.format("en")
    assert reads == [[upload], [other], [upload]]  # validated again, under the lock
    assert load_paths([other], twin).ok
    plain = load_paths([upload], twin)
    assert report.warning_kinds == plain.warning_kinds != checked.report.warning_kinds
    assert comparable(db) == comparable(twin)
    assert not checked.folder.exists() and staging_folders(db) == []


def test_a_file_changed_after_validation_is_validated_again(tmp_path, reads):
    """A file that grew or shrank, and one rewritten to the same size with its modification time put back:
    both are read and checked again, and what is loaded (or refused) is the file as it is now."""
    db = tmp_path / "warehouse.duckdb"
    upload = exports(tmp_path / "upload")
    steps = upload / STEPS
    checked = validate_for_load([upload], db)
    assert checked.report.ok
    steps.write_text(steps.read_text(encoding="utf-8").replace("2024-06-03 15:30", "下周一", 1), encoding="utf-8")
    report = load_paths([upload], db, validated=checked)
    assert not report.ok and not report.written and not db.exists()
    assert [(p.file, p.row, p.column, p.value) for p in report.problems] == [(STEPS, 2, "办理时间", "下周一")]
    assert len(reads) == 2 and not checked.folder.exists()

    steps.write_text((VALID / STEPS).read_text(encoding="utf-8"), encoding="utf-8")
    checked = validate_for_load([upload], db)
    assert checked.report.ok
    before = steps.stat()
    text = steps.read_text(encoding="utf-8")
    steps.write_text(text.replace("2024-06-05 11:00", "2024-06-05 11:01", 1), encoding="utf-8")
    os.utime(steps, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (steps.stat().st_size, steps.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    report = load_paths([upload], db, validated=checked)
    assert report.ok and report.written and len(reads) == 4
    con = store.connect_readonly(db)
    try:
        decided = con.sql("SELECT decided_at::VARCHAR FROM approvals WHERE matter_id = 'SP001' AND step_no = 3").fetchall()
    finally:
        con.close()
    assert decided == [("2024-06-05 11:01:00",)]


def test_a_file_added_to_a_validated_folder_or_other_paths_are_validated_again(tmp_path, reads):
    db = tmp_path / "warehouse.duckdb"
    upload = tmp_path / "upload"
    upload.mkdir()
    shutil.copy(VALID / "人员名册.csv", upload)
    checked = validate_for_load([upload], db)
    assert checked.report.ok
    shutil.copy(VALID / "cases.csv", upload)
    report = load_paths([upload], db, validated=checked)
    assert report.ok and set(report.rows) == {"staff", "cases"} and len(reads) == 2

    checked = validate_for_load([upload / "人员名册.csv"], db)
    assert load_paths([VALID], db, validated=checked).rows == load_paths([VALID], tmp_path / "plain.duckdb").rows
    assert len(reads) == 5 and not checked.folder.exists()


def test_settings_changed_after_validation_are_validated_again(tmp_path, reads):
    db = tmp_path / "warehouse.duckdb"
    checked = validate_for_load([VALID], db)
    assert checked.report.ok
    (tmp_path / "settings.toml").write_text("[load]\nxlsx_max_ratio = 100\n", encoding="utf-8")
    assert load_paths([VALID], db, validated=checked).ok
    assert len(reads) == 2


def test_a_validation_kept_but_not_loaded_leaves_nothing_behind(tmp_path):
    """Discarded (other files chosen), garbage-collected (its session dropped), left by a killed process
    (swept by the next validation or load), or kept by a live one for longer than a day's half (swept by
    the next load, under the lock)."""
    db = tmp_path / "warehouse.duckdb"
    checked = validate_for_load([VALID], db)
    folder = checked.folder
    assert folder.is_dir() and checked.kept
    checked.discard()
    checked.discard()
    assert not folder.exists() and not checked.kept
    assert load_paths([VALID], db, validated=checked).ok  # read again: nothing is left to load

    folder = validate_for_load([VALID], db).folder  # nobody holds it
    gc.collect()
    assert not folder.exists()

    dead = tmp_path / f".warehouse.duckdb.{2**22 + 1}.stagingkept_x"  # above Linux's pid_max default
    dead.mkdir()
    validate_for_load([VALID], db).discard()
    assert not dead.exists()

    forgotten = validate_for_load([VALID], db)
    hours_ago = time.time() - (store.KEPT_STAGING_HOURS + 1) * 3600
    os.utime(forgotten.folder, (hours_ago, hours_ago))
    fresh = validate_for_load([VALID], db)
    assert load_paths([VALID], db, validated=fresh).ok
    assert not forgotten.folder.exists() and not forgotten.kept
    assert staging_folders(db) == []


def test_validate_paths_still_returns_the_report_and_keeps_nothing(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    report = loader.validate_paths([VALID], db)
    assert isinstance(report, loader.LoadReport) and report.ok and not report.written
    assert staging_folders(db) == [] and not db.exists()
