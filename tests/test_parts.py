"""The partitioned store (pipelines.tables.parts): a load rewrites the Parquet partitions it touches and no
others, copies no big table, leaves catalogue and files as they were when it fails, keeps retired files
for readers until their grace has passed, sweeps what a killed load left, and an old store migrates."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from storebuilder import make_store, snapshot, step

from pipelines.core import contract
from pipelines.core.frames import registered
from pipelines.ingest.loader import load_paths
from pipelines.marts import build as marts
from pipelines.store import db as store
from pipelines.tables import marts as marts_spec
from pipelines.tables import parts


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files(db: Path) -> dict[str, int]:
    """Every file under the store's parts folder -> its mtime (ns)."""
    root = parts.parts_dir(db)
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def listed(db: Path, table: str) -> dict[str, tuple]:
    """path -> (first month, last month) of the files the catalogue lists for `table`."""
    con = store.connect_readonly(db)
    try:
        rows = con.execute("SELECT path, month_lo, month_hi FROM part_files WHERE table_name = ?", [table]).fetchall()
    finally:
        con.close()
    return {path: (lo, hi) for path, lo, hi in rows}


SMALL_FILES = 3_000  # rows per file in these tests' stores: the demo's tables in several files each


@pytest.fixture(scope="module")
def base(tmp_path_factory, demo_exports) -> Path:
    """A demo store loaded into its own folder (its own parts), not to be changed: copy it with copy_store."""
    db = tmp_path_factory.mktemp("parts-base") / "warehouse.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(parts, "ROWS_PER_FILE", SMALL_FILES)
        assert load_paths(demo_exports, db).ok
    return db


@pytest.fixture(autouse=True)
def small_files(monkeypatch):
    monkeypatch.setattr(parts, "ROWS_PER_FILE", SMALL_FILES)


def copy_store(src: Path, dst: Path) -> Path:
    """A store folder copied the way a court's IT restores a backup elsewhere: catalogue and parts folder."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(src, dst)
    shutil.copytree(parts.parts_dir(src), parts.parts_dir(dst))
    assert store.init_store(dst) == dst  # a restored store's views are pointed at its own folder
    return dst


@pytest.fixture
def one_month(tmp_path, demo_exports) -> tuple[Path, dt.date]:
    """The demo's approval steps of one submission month again under new matter ids: a month's load."""
    [year] = [p for p in demo_exports if p.name == "审批记录_2024.csv"]
    steps = pl.read_csv(year, infer_schema=False)
    submitted = next(c.zh for c in contract.APPROVALS.columns if c.name == "submitted_at")
    month = steps.filter(pl.col(submitted).str.starts_with("2024-03"))
    folder = tmp_path / "month"
    folder.mkdir()
    month.with_columns(("N" + pl.col("审批单号")).alias("审批单号")).write_csv(folder / year.name, include_bom=True)
    assert month.height > 100
    return folder, dt.date(2024, 3, 1)


def test_a_load_rewrites_only_the_files_of_the_months_it_touches(tmp_path, base, one_month):
    db = copy_store(base, tmp_path / "s" / "warehouse.duckdb")
    folder, month = one_month
    before, approvals_before, steps_before = files(db), listed(db, "approvals"), listed(db, "step_latency")
    assert len(approvals_before) > 3 and len(steps_before) > 3
    catalogue_before = db.stat().st_size
    assert load_paths([folder], db).ok

    approvals_after, steps_after = listed(db, "approvals"), listed(db, "step_latency")
    # inputs: the files holding the month were rewritten (its rows are in new files), every other file is
    # listed as before and was not written again (same name, same mtime)
    rewritten = set(approvals_before) - set(approvals_after)
    assert rewritten == {p for p, (lo, hi) in approvals_before.items() if lo is not None and lo <= month <= hi}
    assert len(rewritten) < len(approvals_before) / 2
    kept = set(approvals_before) & set(approvals_after)
    assert kept and all(Path(p).stat().st_mtime_ns == before[str(Path(p).relative_to(parts.parts_dir(db)))] for p in kept)
    # the marts too: the files of the new steps' months and the pending matters', not the others
    assert 0 < len(set(steps_before) - set(steps_after)) < len(steps_before) / 2
    # every file the catalogue listed before is still there (the replaced ones retired, kept for readers)
    after = files(db)
    assert all(after.get(name) == mtime for name, mtime in before.items())
    # no copy of the big tables in the catalogue: it stays small (its free blocks after rewriting the small
    # marts are reused by the next load: ~1.7x the first build at most) while the parts grow
    assert db.stat().st_size < catalogue_before * 2 and db.stat().st_size < 16 * 2**20
    con = store.connect_readonly(db)
    try:
        assert con.sql("SELECT count(*) FROM approvals WHERE matter_id LIKE 'N%'").fetchall()[0][0] > 100
    finally:
        con.close()


def written_rows(db: Path, table: str, before: dict[str, tuple]) -> dict[tuple, int]:
    """(first month, last month) -> rows of each file of `table` listed now and not in `before`."""
    con = store.connect_readonly(db)
    try:
        rows = con.execute("SELECT path, month_lo, month_hi, rows FROM part_files WHERE table_name = ?", [table]).fetchall()
    finally:
        con.close()
    return {(lo, hi): n for path, lo, hi, n in rows if path not in before}


def test_the_next_load_of_a_month_rewrites_that_months_rows_not_the_months_that_shared_its_file(tmp_path, base, one_month):
    db = copy_store(base, tmp_path / "s" / "warehouse.duckdb")
    folder, month = one_month
    first = listed(db, "approvals")
    assert load_paths([folder], db).ok
    # the file that held March also held other months: they are written once more, apart from March
    carried = written_rows(db, "approvals", first)
    assert (month, month) in carried and len(carried) > 1
    second = listed(db, "approvals")
    assert load_paths([folder], db).ok  # the same month again (as a corrected export would be)
    assert written_rows(db, "approvals", second) == {(month, month): carried[(month, month)]}
    # and the marts: the months the load changed, not the ~ROWS_PER_FILE rows of a file they had joined
    for table in ("step_latency", "matters"):
        before = listed(db, table)
        assert load_paths([folder], db).ok
        assert sum(written_rows(db, table, before).values()) < parts.ROWS_PER_FILE, table


def test_small_files_are_merged_once_there_are_more_than_a_few(tmp_path, base, one_month, monkeypatch):
    db = copy_store(base, tmp_path / "s" / "warehouse.duckdb")
    folder, _ = one_month
    assert load_paths([folder], db).ok  # leaves the months it changed in small files of their own

    def small_files() -> set[str]:
        con = store.connect_readonly(db)
        try:
            return {r[0] for r in con.execute(
                "SELECT path FROM part_files WHERE rows < ? AND month_lo IS NOT NULL", [SMALL_FILES // 4]).fetchall()}
        finally:
            con.close()

    before = small_files()
    assert before
    monkeypatch.setattr(parts, "MAX_SMALL_FILES", 0)  # more than none: the next load merges them all
    assert load_paths([folder], db).ok
    assert not before & small_files()
    assert not before & set().union(*(listed(db, t) for t in parts.PARTITIONED))


def test_the_catalogue_holds_no_big_table_and_every_view_has_its_declared_columns(base):
    con = store.connect_readonly(base)
    try:
        tables = {r[0] for r in con.sql("SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()}
        views = {r[0] for r in con.sql(
            "SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT internal").fetchall()}
        assert set(parts.PARTITIONED) | {"violations"} <= views
        assert not (set(parts.PARTITIONED) | {"violations"}) & tables
        for name in parts.PARTITIONED:
            described = [(r[0], r[1]) for r in con.sql(f'DESCRIBE "{name}"').fetchall()]
            assert described == parts.columns(name), name
            assert con.sql(f'SELECT count(*) FROM "{name}"').fetchall()[0][0] > 0, name
        for name in marts_spec.MART_NAMES:  # every mart, views included, as declared
            marts_spec.check_written(name, [(r[0], r[1]) for r in con.sql(f'DESCRIBE "{name}"').fetchall()])
        for name in contract.LOAD_ORDER:
            cols = [r[0] for r in con.sql(f'DESCRIBE "{name}"').fetchall()]
            assert tuple(cols) == contract.TABLES[name].column_names, name
        # files hold whole months in order, within their recorded range, up to ROWS_PER_FILE rows
        for name, p in parts.PARTITIONED.items():
            for path, lo, hi, rows in con.execute(
                "SELECT path, month_lo, month_hi, rows FROM part_files WHERE table_name = ?", [name]).fetchall():
                got = con.sql(f"SELECT min({p.key_sql}), max({p.key_sql}), count(*) FROM read_parquet('{path}')").fetchall()
                assert got == [(lo, hi, rows)] and (rows <= SMALL_FILES or lo == hi), (name, path)
                assert months_out_of_order(con, p, path) == 0, (name, path)
    finally:
        con.close()


def months_out_of_order(con, p: parts.Partitioned, path: str) -> int:
    """Rows of a file whose month is before the previous row's."""
    return con.sql(f"""SELECT count(*) FROM (SELECT {p.key_sql} AS m, lag({p.key_sql}) OVER (ORDER BY file_row_number) AS prev
                       FROM read_parquet('{path}', file_row_number = true)) WHERE m < prev""").fetchall()[0][0]


def file_contents(db: Path) -> dict[tuple, pl.DataFrame]:
    """(table, first month, last month, rows) of each listed file -> its rows, sorted."""
    con = store.connect_readonly(db)
    try:
        return {(name, lo, hi, rows): con.sql(f"SELECT * FROM read_parquet('{path}') ORDER BY ALL").pl()
                for name, path, lo, hi, rows in con.execute(
                    "SELECT table_name, path, month_lo, month_hi, rows FROM part_files").fetchall()}
    finally:
        con.close()


def test_files_written_one_copy_each_or_by_one_partitioned_copy_are_the_same(tmp_path, base, demo_exports, monkeypatch):
    """A table's files are written one COPY per file when its rows lie in month order (the marts, built month
    by month), else by one partitioned COPY (an export in any order): the same files either way."""
    monkeypatch.setattr(parts, "in_month_order", lambda *args: False)
    db = tmp_path / "partitioned" / "warehouse.duckdb"
    assert load_paths(demo_exports, db).ok
    by_range, partitioned = file_contents(base), file_contents(db)
    assert set(by_range) == set(partitioned)
    assert len({key[0] for key in by_range}) == len(parts.PARTITIONED)
    assert sum(1 for key in by_range if key[0] == "step_latency") > 3
    for key, frame in by_range.items():
        assert frame.equals(partitioned[key]), key
    con = store.connect_readonly(db)
    try:
        for name, path in con.execute("SELECT table_name, path FROM part_files").fetchall():
            assert months_out_of_order(con, parts.PARTITIONED[name], path) == 0, (name, path)
    finally:
        con.close()


def test_a_table_in_no_order_of_month_is_written_by_one_partitioned_copy():
    """The choice itself: a work table in month order is written file by file, one in no order of month
    (every row group holds every month) by one partitioned COPY."""
    con = duckdb.connect()
    months = [dt.date(2020 + i // 12, i % 12 + 1, 1) for i in range(24)]
    con.execute("CREATE TABLE ordered AS SELECT (DATE '2020-01-01' + to_months((i // 100000)::INTEGER))::DATE AS month "
                "FROM range(2400000) t(i)")
    con.execute("CREATE TABLE shuffled AS SELECT * FROM ordered ORDER BY hash(rowid)")
    plan = [(i, months[4 * i], months[4 * i + 3], 400_000) for i in range(6)]  # files of four months

    def row_groups(table):
        return con.sql(parts.row_groups_sql("step_latency", table)).fetchall()

    assert parts.in_month_order(plan, row_groups("ordered"))
    assert not parts.in_month_order(plan, row_groups("shuffled"))
    # a small table is written file by file whatever its order: reading it once per file costs little
    con.execute("CREATE TABLE small AS SELECT * FROM shuffled USING SAMPLE 50000 ROWS")
    assert parts.in_month_order(plan, row_groups("small"))


def inserted_into_work_tables(monkeypatch) -> None:
    """Every row a load writes copied into its work table: no staged frames, no adopted files."""
    def append(self, name, frame):
        with registered(self.con, frame) as view:
            self.insert(name, view)

    monkeypatch.setattr(parts.Session, "adopt", lambda self, name, files: False)
    monkeypatch.setattr(parts.Session, "append", append)


def test_a_first_load_keeps_its_rows_in_staged_files_and_writes_the_same_files(tmp_path, demo_exports, monkeypatch):
    """A first load reads its inputs from the Parquet files validation staged and stages each batch of its
    marts as a Parquet file, instead of copying every row into work tables (at 10M steps DuckDB spilled those
    to disk and read them back: a rebuild 70 -> 54 s): the files it writes are those of rows copied."""
    monkeypatch.setattr(marts, "BATCH_STEPS", 4_000)  # several batches: several staged files per mart
    before_commit, flush = {}, parts.Session.flush

    def spy(self):
        for name in self.touched:
            work = self.con.sql(f"SELECT count(*) FROM __parts_{name}").fetchall()[0][0]
            before_commit[name] = (work, len(self.staged.get(name, [])))
        flush(self)

    monkeypatch.setattr(parts.Session, "flush", spy)
    db = tmp_path / "staged" / "warehouse.duckdb"
    assert load_paths(demo_exports, db).ok
    assert set(before_commit) == set(parts.PARTITIONED)
    for name in ("approvals", "cases", "step_latency", "matters", "case_clock"):
        work_rows, staged_files = before_commit[name]
        assert work_rows == 0 and staged_files >= 1, name
    assert before_commit["step_latency"][1] > 3  # one file per batch
    assert not list(parts.parts_dir(db).glob(".staging-*"))

    monkeypatch.setattr(parts.Session, "flush", flush)
    inserted_into_work_tables(monkeypatch)
    copied = tmp_path / "copied" / "warehouse.duckdb"
    assert load_paths(demo_exports, copied).ok
    staged, inserted = file_contents(db), file_contents(copied)
    assert set(staged) == set(inserted)
    for key, frame in staged.items():
        assert frame.equals(inserted[key]), key


def test_staged_rows_can_still_be_deleted_and_adopted_files_are_never_deleted(tmp_path, base):
    """Rows a load keeps in files (its marts' batches, a first load's validated inputs) are rows of the load
    all the same: a delete reaches them. The files it adopted are validation's: it never deletes them."""
    con = store.connect_readonly(base)
    try:
        steps = con.sql("SELECT * FROM step_latency ORDER BY ALL").pl()
        approvals = con.sql("SELECT * FROM approvals ORDER BY ALL").pl()
    finally:
        con.close()
    validated = tmp_path / "validated.parquet"  # as validation stages them: the source file and row besides
    approvals.with_columns(pl.lit("审批记录.csv").alias("_file"), pl.int_range(pl.len()).alias("_row")).write_parquet(validated)
    # a batch may have a column all empty, typed by polars as Null: staged first, it must not type the rest
    half = steps.height // 2
    steps = pl.concat([steps[:half].with_columns(pl.lit(None).alias("acting_for")), steps[half:]], how="diagonal_relaxed")
    gone_matter, gone_step = approvals["matter_id"][0], steps["matter_id"][-1]
    db = tmp_path / "s" / "warehouse.duckdb"
    db.parent.mkdir()
    with store.building(db) as con:
        assert parts.adopt(con, "approvals", [validated])
        assert not parts.adopt(con, "approvals", [validated])  # it has rows now
        parts.append(con, "step_latency", steps[:half].with_columns(pl.lit(None).alias("acting_for")), whole=True)
        parts.append(con, "step_latency", steps[half:])
        parts.delete(con, "approvals", f"t.matter_id = '{gone_matter}'")
        parts.delete(con, "step_latency", f"t.matter_id = '{gone_step}'")
    assert validated.exists()
    con = store.connect_readonly(db)
    try:
        assert con.sql("SELECT * FROM approvals ORDER BY ALL").pl().equals(
            approvals.filter(pl.col("matter_id") != gone_matter))
        assert con.sql("SELECT * FROM step_latency ORDER BY ALL").pl().equals(
            steps.filter(pl.col("matter_id") != gone_step))
    finally:
        con.close()
    assert not list(parts.parts_dir(db).glob(".staging-*"))


def test_a_load_that_fails_at_the_switch_leaves_catalogue_and_files_as_they_were(tmp_path, base, one_month, monkeypatch):
    db = copy_store(base, tmp_path / "s" / "warehouse.duckdb")
    folder, _ = one_month
    catalogue, before, tables = sha(db), files(db), snapshot(db)

    def refuse(src, dst):  # the switch itself fails (a full disk, a read-only folder): every file is written by now
        raise OSError("no space left on device")

    monkeypatch.setattr(store.os, "replace", refuse)
    try:
        assert not load_paths([folder], db).ok
    except OSError:
        pass
    monkeypatch.undo()
    assert sha(db) == catalogue and files(db) == before and snapshot(db) == tables
    assert [p.name for p in db.parent.iterdir() if "building" in p.name] == []
    assert load_paths([folder], db).ok  # and the next load succeeds


def test_retired_files_stay_for_readers_until_their_grace_has_passed(tmp_path, base, one_month, monkeypatch):
    db = copy_store(base, tmp_path / "s" / "warehouse.duckdb")
    folder, _ = one_month
    reader = store.Reader()
    with reader.cursor(db) as old:  # a page run that started before the load
        count = old.sql("SELECT count(*) FROM approvals").fetchall()[0][0]
        assert load_paths([folder], db).ok
        # its catalogue's files were retired, not deleted: it finishes on the data it started with
        assert old.sql("SELECT count(*) FROM approvals").fetchall()[0][0] == count
        assert old.sql("SELECT count(*) FROM step_latency").fetchall()[0][0] > 0
    con = store.connect_readonly(db)
    retired = [r[0] for r in con.sql("SELECT path FROM retired_files").fetchall()]
    con.close()
    assert retired and all(Path(p).exists() for p in retired)
    # a later load within the grace keeps them; one after it deletes them and forgets them
    store.rebuild(db)
    assert all(Path(p).exists() for p in retired)
    monkeypatch.setattr(parts, "RETIRED_GRACE", dt.timedelta(0))
    store.rebuild(db)
    assert not any(Path(p).exists() for p in retired)
    con = store.connect_readonly(db)
    try:
        listed = parts.referenced(con)
        assert not set(retired) & listed
        assert con.sql("SELECT count(*) FROM approvals").fetchall()[0][0] > count
    finally:
        con.close()
    reader.close()


def test_the_next_load_sweeps_what_a_killed_load_left_and_nothing_it_does_not_own(tmp_path, base):
    db = copy_store(base, tmp_path / "s" / "warehouse.duckdb")
    root = parts.parts_dir(db)
    orphan = root / "step_latency" / "killed-load-0000.parquet"
    shutil.copy(next((root / "step_latency").rglob("*.parquet")), orphan)
    staging = root / ".staging-killed" / "approvals" / "seg=0"
    staging.mkdir(parents=True)
    (staging / "part_0.parquet").write_bytes(b"half")
    elsewhere = tmp_path / "other.parquet"  # a file outside the store's folder (another store's)
    elsewhere.write_bytes(b"not ours")
    before = snapshot(db)
    store.rebuild(db)
    assert not orphan.exists() and not staging.exists() and elsewhere.exists()
    assert snapshot(db) == before


def test_a_store_copied_elsewhere_reads_its_own_files(tmp_path, base):
    db = copy_store(base, tmp_path / "moved" / "warehouse.duckdb")
    con = store.connect_readonly(db)
    try:
        paths = [r[0] for r in con.sql("SELECT path FROM part_files").fetchall()]
    finally:
        con.close()
    assert paths and all(p.startswith(str(parts.parts_dir(db).resolve())) for p in paths)
    assert snapshot(db) == snapshot(base)


def test_an_old_store_with_its_tables_inside_the_file_migrates_to_parquet(tmp_path):
    # What version 4 wrote: every table inside the DuckDB file, `violations` one table.
    db = make_store(
        tmp_path / "old.duckdb",
        approvals=[step("A", 1, "TEAM_LEAD", "L1", "2024-03-04 09:00", "2024-03-05 17:00"),
                   step("B", 1, "TEAM_LEAD", "L1", "2024-05-04 09:00", None)],
    )
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP)")
    con.execute("INSERT INTO schema_version VALUES (1, NULL), (2, NULL), (3, NULL), (4, NULL)")
    for migration in store.MIGRATIONS[:4]:
        if migration is not store.MIGRATIONS[1]:
            migration(con)
    con.execute("CREATE TABLE v4_violations AS SELECT * FROM violations ORDER BY rule_id, record_id")
    con.execute("DROP VIEW violations")
    con.execute("DROP TABLE matter_violations; DROP TABLE other_violations")
    con.execute("ALTER TABLE v4_violations RENAME TO violations")
    tables = {r[0] for r in con.sql("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert {"approvals", "step_latency", "violations", "case_clock"} <= tables
    names = [*contract.LOAD_ORDER, *marts_spec.MART_NAMES]
    old = {name: con.sql(f'SELECT * FROM "{name}" ORDER BY ALL').fetchall() for name in names}
    con.close()
    ro = store.connect_readonly(db)
    try:
        assert store.schema_version(ro) == store.SCHEMA_VERSION
        views = {r[0] for r in ro.sql("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
        assert set(parts.PARTITIONED) | {"violations"} <= views
        assert ro.sql("SELECT count(*) FROM approvals").fetchall() == [(2,)]
    finally:
        ro.close()
    assert files(db)  # the rows are in Parquet files now
    now = snapshot(db)
    assert {name: now[name] for name in names} == old
    assert findings_of(db)


def findings_of(db: Path) -> list[tuple]:
    con = store.connect_readonly(db)
    try:
        return con.sql("SELECT rule_id, record_id FROM violations ORDER BY ALL").fetchall()
    finally:
        con.close()
