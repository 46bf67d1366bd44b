"""The DuckDB store: schema versions and migrations, the `loads` record, the atomic switch.

The app keeps reading the store while a load runs, and DuckDB lets a file be held by one read-write
process or by many read-only ones, never both. So a change never writes into the store itself: it copies
the store's catalogue (the DuckDB file; the big tables are Parquet files beside it, pipelines.tables.parts)
to a file beside it, changes the copy in one transaction, checkpoints it, and `os.replace`s it over the
catalogue. A reader sees the old file or the new one, never half a load; a connection opened before the
switch keeps the old data until it is reopened. Changes are serialised by a lock file.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import duckdb
import polars as pl

from pipelines.core import contract
from pipelines.core.frames import registered
from pipelines.core.progress import Progress, scaled
from pipelines.core.sql import literal_list
from pipelines.tables import inputs as schema
from pipelines.tables import parts

DEFAULT_DB = Path("data/warehouse.duckdb")
# DuckDB's memory during a load (its buffer pool, sorts, joins): beyond it DuckDB spills to a temp folder
# beside the store, so a load's memory stays bounded as the store grows (issue 9).
LOAD_MEMORY_LIMIT = "1GB"
ATTACHED_AS = "store"
T = TypeVar("T")


# Readers cache the Parquet files' footers (pipelines.tables.parts): a file is never rewritten under its name,
# so what is cached stays true, and each query no longer parses the footers of the files it scans.
def _reading(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    con.execute("SET parquet_metadata_cache = true")
    return con


def quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """No progress bar of DuckDB's own: a load's statements run for seconds at 10M steps, and DuckDB would
    draw bars into the command line's and the server's output between the load's own progress lines."""
    con.execute("SET enable_progress_bar = false")
    return con


# --------------------------------------------------------------------------------------------------
# Schema versions. Append a migration to change the schema; never edit one that has shipped.
# --------------------------------------------------------------------------------------------------


def _v1_initial(con: duckdb.DuckDBPyConnection) -> None:
    schema.create_input_tables(con)
    con.execute(
        """CREATE TABLE IF NOT EXISTS loads (
            load_id BIGINT PRIMARY KEY,
            loaded_at TIMESTAMP NOT NULL,   -- wall clock: an audit record, not a figure
            outcome VARCHAR NOT NULL,       -- 'ok' (rejected loads never reach the store: see the .loads.log)
            files VARCHAR NOT NULL,         -- JSON: [{name, path, sha256, rows: {table: n}}]
            rows VARCHAR NOT NULL,          -- JSON: {table: rows loaded}
            dropped_columns VARCHAR NOT NULL -- JSON: [[source, [headers]]]
        )"""
    )
    con.execute(
        """CREATE TABLE IF NOT EXISTS load_files (
            load_id BIGINT NOT NULL,
            file VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL,
            table_name VARCHAR NOT NULL,
            rows BIGINT NOT NULL
        )"""
    )


def _v2_input_tables_without_key_indexes(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the PRIMARY KEY indexes of the input tables.

    Keys stay unique without them: validation rejects a key twice in one load, and a load deletes the
    stored rows with its keys before inserting. Measured on 1M approval steps, the ART index made the
    insert 2.3x slower, a reload (delete + insert) 9x slower and the file twice as big.
    """
    for name in contract.LOAD_ORDER:
        con.execute(f'CREATE TABLE "{name}__v2" AS SELECT * FROM "{name}"')
        con.execute(f'DROP TABLE "{name}"')
        con.execute(f'ALTER TABLE "{name}__v2" RENAME TO "{name}"')


def _v3_load_warnings(con: duckdb.DuckDBPyConnection) -> None:
    """Warnings recorded with each load: rows that loaded but look wrong (contract.SEVERITY), located."""
    con.execute(
        """CREATE TABLE IF NOT EXISTS load_warnings (
            load_id BIGINT NOT NULL,
            kind VARCHAR NOT NULL,          -- contract.ORDER_CHECKS kind, e.g. decided_before_received
            table_name VARCHAR NOT NULL,
            file VARCHAR NOT NULL,
            sheet VARCHAR,
            "row" INTEGER,                  -- Excel row number (header = 1)
            "column" VARCHAR,               -- the header as the file spelled it
            value VARCHAR,
            other VARCHAR                   -- the value it contradicts
        )"""
    )


def _v4_cases_deadline_on(con: duckdb.DuckDBPyConnection) -> None:
    """cases.deadline_on (审限届满日期), the case system's statutory deadline: optional, so older stores
    get an empty column (their cases' deadlines are computed from the filing date)."""
    con.execute('ALTER TABLE "cases" ADD COLUMN IF NOT EXISTS "deadline_on" DATE')


def _v5_partitioned_parquet(con: duckdb.DuckDBPyConnection) -> None:
    """The big tables move out of the DuckDB file into Parquet partitioned by month beside it
    (pipelines.tables.parts): the inputs `approvals` and `cases`, the marts `step_latency`, `matters`,
    `case_clock` and the matters' findings of `violations`, which becomes a view over those
    (`matter_violations`, partitioned) and the other findings (`other_violations`, a small table). The
    file keeps one view per table under its old name, so every query and `duckdb <store>` work unchanged."""
    parts.create_catalogue_tables(con)
    names = parts.tables(con)
    cols = ", ".join(f'"{c}" {t}' for c, t in parts.columns("other_violations"))
    con.execute(f"CREATE TABLE IF NOT EXISTS other_violations ({cols})")
    if "violations" in names:
        con.execute("CREATE TEMP TABLE __moving_matter_violations AS SELECT * FROM violations WHERE record_kind = 'matter'")
        con.execute("INSERT INTO other_violations BY NAME SELECT * FROM violations WHERE record_kind <> 'matter'")
        con.execute("DROP TABLE violations")
        parts.session(con).replace("matter_violations", "__moving_matter_violations")
        parts.session(con).flush()
        con.execute("DROP TABLE __moving_matter_violations")
    for name in parts.PARTITIONED:
        parts.move_out(con, name)
    parts.ensure_violations_view(con)


def _v6_latency_steps(con: duckdb.DuckDBPyConnection) -> None:
    """The mart `latency_steps` (the latency figures' copy of the decided steps, in this file rather than
    in Parquet) from the stored step_latency: a store built before it opens without a rebuild of its marts
    (~12 s at 10M steps, against 2 minutes)."""
    from pipelines.marts.build import latency_steps_sql

    names = parts.relations(con)
    if "step_latency" in names and "latency_steps" not in names:
        con.execute("CREATE TABLE latency_steps AS " + latency_steps_sql())


def _v7_load_warnings_record(con: duckdb.DuckDBPyConnection) -> None:
    """load_warnings.record_id: the record a warning is about (the matter whose attributes a load changed,
    DOMAIN.md §5); empty for the warnings about one row."""
    con.execute("ALTER TABLE load_warnings ADD COLUMN IF NOT EXISTS record_id VARCHAR")


MIGRATIONS: tuple[Callable[[duckdb.DuckDBPyConnection], None], ...] = (
    _v1_initial,
    _v2_input_tables_without_key_indexes,
    _v3_load_warnings,
    _v4_cases_deadline_on,
    _v5_partitioned_parquet,
    _v6_latency_steps,
    _v7_load_warnings_record,
)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> int:
    """Version of the schema in `con`'s current database, or in the one attached as `catalog` (0: empty)."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_version' "
        "AND database_name = coalesce(?, current_database())",
        [catalog],
    ).fetchall()[0][0]
    if not exists:
        return 0
    prefix = f'"{catalog}".' if catalog else ""
    row = con.sql(f"SELECT max(version) FROM {prefix}schema_version").fetchall()[0]
    return int(row[0] or 0)


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply the migrations `con` lacks (inside the caller's transaction). Returns the new version."""
    current = schema_version(con)
    if current > SCHEMA_VERSION:
        raise RuntimeError(f"store schema version {current} is newer than this program ({SCHEMA_VERSION})")
    if current == 0:
        con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP)")
    for version in range(current + 1, SCHEMA_VERSION + 1):
        MIGRATIONS[version - 1](con)
        con.execute("INSERT INTO schema_version VALUES (?, ?)", [version, datetime.now()])
    return SCHEMA_VERSION


# --------------------------------------------------------------------------------------------------
# Opening: one way into a store file
#
# Readers attach the file read-only (`attach`, its path bound as a parameter) to an in-memory DuckDB, checked
# current (`_attach_current`: an old schema is migrated through the write path, `building`, and never
# elsewhere), retried while a load switches it (`_retrying`); the two ways in are a short-lived connection
# (`connect_readonly`) and the app's long-lived `Reader`. The writer opens only its own copy of the file
# (`_open_copy`, inside `building`).
# --------------------------------------------------------------------------------------------------


class StoreBusy(RuntimeError):
    """The store could not be opened for reading, even after a few tries (a load is switching it)."""


def attach(con: duckdb.DuckDBPyConnection, db: Path | str, alias: str = ATTACHED_AS) -> None:
    """Attach the store file `db` to `con`, read-only, as `alias`: no check, no migration (validation reads
    the stored keys this way and writes nothing).

    Readers attach the store to an in-memory database rather than opening it with `duckdb.connect(db)`:
    DuckDB caches database instances by path within a process, so a plain connect would keep handing out
    the file that was current when the first connection was opened, where a load replaces the file."""
    con.execute(f'ATTACH ? AS "{alias}" (READ_ONLY)', [str(Path(db).resolve())])


def _attach_current(con: duckdb.DuckDBPyConnection, path: Path, alias: str) -> None:
    """`attach`, its schema current: a store of an older schema (or moved to another folder) is detached,
    migrated by the write path (`building`: on a copy, switched in) and the new file attached."""
    attach(con, path, alias)
    try:
        if schema_version(con, alias) >= SCHEMA_VERSION and not parts.moved(con, path, alias):
            return
        con.execute(f'DETACH "{alias}"')
    except BaseException:
        con.execute(f'DETACH DATABASE IF EXISTS "{alias}"')
        raise
    with building(path, "migrate"):
        pass
    attach(con, path, alias)


def _retrying(open_once: Callable[[], T], path: Path, tries: int) -> T:
    """`open_once()`, tried `tries` times while it fails on the file (a load replacing it: `os.replace`), then
    StoreBusy. A missing store raises FileNotFoundError at once."""
    last: Exception | None = None
    for attempt in range(max(1, tries)):
        try:
            return open_once()
        except (duckdb.Error, OSError) as exc:  # file being replaced or locked
            if isinstance(exc, FileNotFoundError) and not path.exists():
                raise
            last = exc
            time.sleep(0.1 * (attempt + 1))
    raise StoreBusy(str(last))


def _open_copy(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection on a load's own copy of the store (`building`): nothing else opens, replaces or
    reads that file, so it is opened as itself, with no retry."""
    return quiet(duckdb.connect(str(path), config={"memory_limit": LOAD_MEMORY_LIMIT}))


def connect_readonly(db: Path | str = DEFAULT_DB, *, tries: int = 5) -> duckdb.DuckDBPyConnection:
    """A short-lived read-only connection to the current store; reopen it to see a newer load. How the
    command line, the reports, the loader's summary and the bench read the store (the app: `Reader`).
    A missing store raises FileNotFoundError; one being switched, StoreBusy after `tries`."""
    path = Path(db)
    if not path.exists():
        raise FileNotFoundError(path)

    def open_once() -> duckdb.DuckDBPyConnection:
        con = _reading(duckdb.connect(":memory:"))
        try:
            _attach_current(con, path, ATTACHED_AS)
            con.execute(f'USE "{ATTACHED_AS}"')
        except BaseException:
            con.close()
            raise
        return con

    return _retrying(open_once, path, tries)


# --------------------------------------------------------------------------------------------------
# The app's reader: one DuckDB instance per process, each store version attached once
# --------------------------------------------------------------------------------------------------


class Reader:
    """Read-only cursors on the current store for a long-lived process (the dashboard).

    Opening DuckDB costs: on this machine `duckdb.connect(":memory:")` takes ~0.1-0.3 s and attaching the
    store ~0.02 s, where a page's queries take a few ms each. So the process keeps one in-memory DuckDB
    instance, attaches each version of the store file once (a load replaces the file: a new inode, size or
    mtime is a new version; its schema is checked, and migrated, once), and hands out cursors (~0.1 ms),
    one per thread at a time (DuckDB's rule). A version stays attached while a cursor on it is open, so a
    page run that started before a load finishes on the data it started with; versions nobody reads any
    more are detached.
    """

    def __init__(self, memory_limit: str = "1GB") -> None:
        self._lock = threading.Lock()
        self._memory_limit = memory_limit
        self._base: duckdb.DuckDBPyConnection | None = None
        self._versions: dict[tuple, str] = {}  # version key -> alias, oldest first
        self._open: dict[str, int] = {}  # alias -> cursors open on it
        self._count = 0
        self.cursors_opened = 0  # for tests and the bench: how often a reader asked for one

    @contextmanager
    def cursor(self, db: Path | str, *, tries: int = 5) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only cursor on the store's current version, for one thread, closed on leaving."""
        path = Path(db)
        cur, alias = _retrying(lambda: self._acquire(path), path, tries)
        try:
            yield cur
        finally:
            cur.close()
            self._release(alias)

    def attached(self) -> list[str]:
        """The store versions attached now (aliases, oldest first)."""
        with self._lock:
            return list(self._versions.values())

    def close(self) -> None:
        with self._lock:
            if self._base is not None:
                self._base.close()
            self._base, self._versions, self._open = None, {}, {}

    def _acquire(self, path: Path) -> tuple[duckdb.DuckDBPyConnection, str]:
        with self._lock:
            alias = self._current(path)
            self._open[alias] = self._open.get(alias, 0) + 1
            cur = self._base.cursor()
            self.cursors_opened += 1
        try:
            cur.execute(f'USE "{alias}"')
        except BaseException:
            cur.close()
            self._release(alias)
            raise
        return cur, alias

    def _current(self, path: Path) -> str:
        """The alias of the store's current version, attached (and its schema current) if new. Locked."""
        if self._base is None:
            self._base = _reading(duckdb.connect(":memory:", config={"memory_limit": self._memory_limit}))
        key = _version_key(path)
        alias = self._versions.get(key)
        if alias is not None:
            return alias
        self._count += 1
        alias = f"store_v{self._count}"
        _attach_current(self._base, path, alias)
        if _version_key(path) != key:  # replaced (or migrated) while attaching: try again
            self._base.execute(f'DETACH "{alias}"')
            raise duckdb.IOException(f"{path} was replaced while being opened")
        self._versions[key] = alias
        self._detach_unused()
        return alias

    def _release(self, alias: str) -> None:
        with self._lock:
            self._open[alias] = self._open.get(alias, 1) - 1
            self._detach_unused()

    def _detach_unused(self) -> None:
        """Detach every version but the newest that no cursor reads. Locked."""
        for key, alias in list(self._versions.items())[:-1]:
            if self._open.get(alias, 0) <= 0 and self._base is not None:
                self._base.execute(f'DETACH "{alias}"')
                del self._versions[key]
                self._open.pop(alias, None)


def _version_key(path: Path) -> tuple:
    s = path.stat()
    return (str(path.resolve()), s.st_ino, s.st_mtime_ns, s.st_size)


def missing_values(con: duckdb.DuckDBPyConnection, table: str, column: str, values: pl.Series) -> pl.Series:
    """Those of `values` (distinct, non-null text) that no stored row of `table.column` holds.

    DuckDB anti-joins the few incoming values (registered, not copied) against the stored column, on the
    read-only connection; only the values the store lacks come back to Python, never the stored keys.
    """
    incoming = pl.DataFrame({"value": values.cast(pl.String)})
    with registered(con, incoming, "__incoming_values", copy=False) as name:
        rows = con.sql(
            f'SELECT w.value FROM {name} AS w WHERE NOT EXISTS '
            f'(SELECT 1 FROM "{table}" AS s WHERE s."{column}" = w.value)'
        ).fetchall()
    return pl.Series("value", [r[0] for r in rows], pl.String)


def marts_current(db: Path | str) -> bool:
    """Whether the store's marts were built by this version of the marts (meta.marts_version)."""
    from pipelines.marts.build import MARTS_VERSION

    con = connect_readonly(db)
    try:
        if "meta" not in {r[0] for r in con.sql("SELECT table_name FROM duckdb_tables()").fetchall()}:
            return False
        row = con.sql("SELECT value FROM meta WHERE key = 'marts_version'").fetchall()
        return bool(row) and row[0][0] == str(MARTS_VERSION)
    finally:
        con.close()


def table_counts(db: Path | str) -> dict[str, int]:
    """Rows per input table."""
    con = connect_readonly(db)
    try:
        return {name: con.sql(f'SELECT count(*) FROM "{name}"').fetchall()[0][0] for name in contract.LOAD_ORDER}
    finally:
        con.close()


# --------------------------------------------------------------------------------------------------
# Writing: build beside, switch atomically
# --------------------------------------------------------------------------------------------------


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


def log_path(db: Path) -> Path:
    """Text log of load attempts that were rejected or failed (never written into the store)."""
    return db.with_name(db.name.removesuffix(".duckdb") + ".loads.log")


class StoreLocked(RuntimeError):
    """Another load or rebuild holds the store, and the caller asked not to wait (`--no-wait`). `holder`:
    what the lock records of it (`command`, `pid`, `since`), or {} if it recorded nothing readable."""

    def __init__(self, holder: dict) -> None:
        super().__init__(f"store held by {holder or 'another process'}")
        self.holder = holder


def lock_holder(db: Path | str) -> dict:
    """What the store's lock records of the load or rebuild holding it: {command, pid, since} ({}: none or
    unreadable). Read without taking the lock: the holder writes it once it has the lock, and clears it
    before letting go."""
    try:
        text = lock_path(Path(db)).read_text(encoding="utf-8").strip()
        holder = json.loads(text) if text else {}
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}


# Locks this thread holds (store paths): a load holds the store's lock from validation to the switch, and
# `building` inside it takes it again. flock locks belong to an open file, so a second open of the lock file
# in the same process would wait for itself; other threads (two sessions of the app) still wait their turn.
_HELD = threading.local()
# What a waiting caller is told: the holder as lock_holder reads it ({} if unknown).
OnWait = Callable[[dict], None]


@contextmanager
def locked(db: Path, command: str = "load", *, wait: bool = True, on_wait: OnWait | None = None) -> Iterator[None]:
    """Hold the store's lock (one writer at a time), recording in it which `command`, which process and
    since when. Held by another: `on_wait(holder)` at once, then wait for it; with `wait` False raise
    StoreLocked instead. Re-entrant within a thread."""
    db = Path(db)
    key = str(db.resolve())
    held = getattr(_HELD, "paths", None)
    if held is None:
        held = _HELD.paths = set()
    if key in held:
        yield
        return
    db.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path(db), "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = lock_holder(db)
            if not wait:
                raise StoreLocked(holder) from None
            if on_wait is not None:
                on_wait(holder)
            fcntl.flock(fh, fcntl.LOCK_EX)
        held.add(key)
        try:
            fh.seek(0)
            fh.truncate()
            fh.write(json.dumps({"command": command, "pid": os.getpid(),
                                 "since": datetime.now().isoformat(sep=" ", timespec="seconds")}))
            fh.flush()
            yield
        finally:
            held.discard(key)
            try:
                fh.truncate(0)
            except OSError:  # a full or read-only disk: the next holder overwrites it
                pass
            fcntl.flock(fh, fcntl.LOCK_UN)


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def _remove_stale_copies(db: Path) -> None:
    """Delete the building copies (and their WALs) of changes that were killed before they could clean up:
    each is as large as the store. Called under the lock, so no copy beside `db` is being built."""
    pattern = re.compile(rf"\.{re.escape(db.name)}\.\d+\.building(\.wal)?")
    if db.parent.is_dir():
        for path in db.parent.iterdir():
            if pattern.fullmatch(path.name):
                path.unlink(missing_ok=True)


@contextmanager
def building(
    db: Path | str, command: str = "load", *, wait: bool = True, on_wait: OnWait | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection on a copy of the store's catalogue, in one open transaction, schema current.

    The catalogue is small (the big tables are Parquet files beside it, pipelines.tables.parts): copying it is
    cheap. The partitioned tables are changed through the load's overlay (`parts.session(con)`), whose
    touched partitions are written to new files when the block is left normally; then the copy is
    committed, checkpointed and switched in. An exception discards the copy and the files the load wrote:
    the catalogue stays byte-for-byte as it was and the parts folder holds the same files.
    `command`, `wait`, `on_wait`: see `locked` (which operation holds the store; what to do if one does).
    """
    db = Path(db)
    with locked(db, command, wait=wait, on_wait=on_wait):
        _remove_stale_copies(db)
        tmp = db.with_name(f".{db.name}.{os.getpid()}.building")
        try:  # a full or read-only disk fails here: leave no partial copy behind
            if db.exists():
                shutil.copyfile(db, tmp)
            con = _open_copy(tmp)
        except BaseException:
            _remove(tmp)
            raise
        overlay = parts.Session(con, db)
        try:
            # Migrations commit on their own, before the load's transaction. In one transaction with a
            # large insert, DuckDB 2.0 showed the marts an empty `approvals` right after the v2
            # migration's create-drop-rename (tests/test_store_first_load.py). The copy is still
            # discarded on any failure, so the store stays all-or-nothing.
            con.execute("BEGIN TRANSACTION")
            migrate(con)
            parts.relocate(con, db)  # the store folder was moved or restored elsewhere
            con.execute("COMMIT")
            # What a killed load left under the parts folder: no catalogue lists it.
            parts.sweep(db, parts.referenced(con))
            con.execute("BEGIN TRANSACTION")
            yield con
            overlay.flush()
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
            con.close()
            os.replace(tmp, db)
            overlay.after_switch()
        except BaseException:
            try:
                con.close()
            finally:
                _remove(tmp)
                overlay.discard()
            raise
        finally:
            overlay.close()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# A validation kept for a later load (pipelines.ingest.loader.Validation) keeps its staged rows in a folder
# named like a load's, marked `kept`: a killed process's is swept like any other, and a load (under the lock)
# also sweeps those a live process kept longer than this (a session that ended without loading).
KEPT_STAGING_HOURS = 12.0


def _staging_area(db: Path) -> Path:
    """Where a store's staging folders live: beside it (or in /tmp while its folder does not exist yet),
    after sweeping the folders of loads that were killed (their process is gone)."""
    parent = db.parent if db.parent.is_dir() else Path(tempfile.gettempdir())
    pattern = re.compile(rf"\.{re.escape(db.name)}\.(\d+)\.staging\w*")
    for path in parent.iterdir():
        m = pattern.fullmatch(path.name)
        if m and int(m.group(1)) != os.getpid() and not _pid_alive(int(m.group(1))):
            shutil.rmtree(path, ignore_errors=True)
    return parent


@contextmanager
def staging(db: Path | str) -> Iterator[Path]:
    """A folder beside the store for a load's validated rows (Parquet, `validate.validate_sources`), removed
    when the block ends. Folders of loads that were killed (their process is gone) are swept first. Beside
    the store, not in /tmp: the rows of a province's load are as large as its store."""
    db = Path(db)
    folder = Path(tempfile.mkdtemp(prefix=f".{db.name}.{os.getpid()}.staging", dir=_staging_area(db)))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def kept_staging(db: Path | str) -> Path:
    """A staging folder (see `staging`) that outlives the call: the caller removes it (a validation kept for
    its load). Swept when its process is gone, or by a load once older than KEPT_STAGING_HOURS."""
    db = Path(db)
    return Path(tempfile.mkdtemp(prefix=f".{db.name}.{os.getpid()}.stagingkept_", dir=_staging_area(db)))


def sweep_kept_staging(db: Path | str, older_than_hours: float = KEPT_STAGING_HOURS) -> int:
    """Remove the kept staging folders (`kept_staging`) of any live process older than `older_than_hours`;
    returns how many. Called under the store's lock: a load using a kept folder holds that lock."""
    db = Path(db)
    if not db.parent.is_dir():
        return 0
    pattern = re.compile(rf"\.{re.escape(db.name)}\.\d+\.stagingkept_\w*")
    cutoff = time.time() - older_than_hours * 3600
    n = 0
    for path in db.parent.iterdir():
        try:
            old = pattern.fullmatch(path.name) is not None and path.stat().st_mtime < cutoff
        except OSError:  # removed meanwhile
            continue
        if old:
            shutil.rmtree(path, ignore_errors=True)
            n += 1
    return n


def version_key(db: Path | str) -> tuple | None:
    """The store file's current version (a load or migration replaces the file: a new inode, size or mtime),
    None while there is no store: what a validation kept for a later load was checked against."""
    try:
        return _version_key(Path(db))
    except FileNotFoundError:
        return None


def init_store(db: Path | str = DEFAULT_DB) -> Path:
    """Create an empty store (schema only) if there is none; migrate an old one (opening it does)."""
    db = Path(db)
    if db.exists():
        connect_readonly(db).close()
    else:
        with building(db):
            pass
    return db


# A table's rows for a load: a polars frame, or the Parquet files validation staged them in (in order).
Rows = pl.DataFrame | list[Path]


def _parquet(paths: list[Path]) -> str:
    """SQL reading staged files, for statements built around it (`_incoming`) or kept for later (`_changes`)."""
    return f"read_parquet({literal_list(paths)})"


@contextmanager
def _incoming(con: duckdb.DuckDBPyConnection, rows: Rows, columns: list[str]) -> Iterator[str]:
    """`rows` as something SQL can select from: staged Parquet is read by DuckDB directly (no Python copy)."""
    if not isinstance(rows, pl.DataFrame):
        yield f"(SELECT {', '.join(f'{chr(34)}{c}{chr(34)}' for c in columns)} FROM {_parquet(rows)})"
        return
    with registered(con, rows.select(columns), "__incoming") as name:
        yield name


def _height(con: duckdb.DuckDBPyConnection, rows: Rows) -> int:
    if isinstance(rows, pl.DataFrame):
        return rows.height
    return con.execute("SELECT count(*) FROM read_parquet(?)", [[str(p) for p in rows]]).fetchall()[0][0] if rows else 0


def upsert(con: duckdb.DuckDBPyConnection, table: str, rows: Rows) -> None:
    """Insert `rows` into `table`; rows whose key is already stored are replaced."""
    t = contract.TABLES[table]
    cols = ", ".join(f'"{c}"' for c in t.column_names)
    if not isinstance(rows, pl.DataFrame) and not rows:
        return
    if table in parts.PARTITIONED and not isinstance(rows, pl.DataFrame) and parts.adopt(con, table, rows):
        return  # its first rows: read from validation's files until the commit writes the table's own
    with _incoming(con, rows, list(t.column_names)) as incoming:
        if table in parts.PARTITIONED and parts.active(con) is not None:  # Parquet files: the load's overlay
            match = " AND ".join(f't."{k}" = n."{k}"' for k in t.key)
            parts.delete(con, table, f"EXISTS (SELECT 1 FROM {incoming} AS n WHERE {match})")
            parts.insert(con, table, incoming)
            return
        if con.sql(f'SELECT count(*) FROM (SELECT 1 FROM "{table}" LIMIT 1)').fetchall()[0][0]:
            on = " AND ".join(f'"{table}"."{k}" = n."{k}"' for k in t.key)
            con.execute(f'DELETE FROM "{table}" USING {incoming} AS n WHERE {on}')
        con.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM {incoming}')


def _rebuild_marts(
    con: duckdb.DuckDBPyConnection, settings, progress: Progress | None, changes=None, lang: str = "zh"
) -> bool:
    from pipelines.marts.build import rebuild_marts

    return rebuild_marts(con, settings=settings, progress=progress, changes=changes, lang=lang,
                         before_full=_free_big_marts)


def _changes(con: duckdb.DuckDBPyConnection, frames: dict[str, Rows]):
    """What a load is about to write, for its marts to recompute only that (pipelines.marts.build.Changes).
    Read before the upsert: a substitution the load replaces counts with its stored pair of people too. Of
    staged rows, the load's matters and cases are SQL over the Parquet files (evaluated by the marts only
    when they recompute part of the store: a first load rebuilds everything), never lists in Python."""
    from pipelines.marts.build import Changes

    changes = Changes()
    if "approvals" in frames:
        a = frames["approvals"]
        changes.matter_ids = a["matter_id"].unique().to_list() if isinstance(a, pl.DataFrame) else (
            f"SELECT matter_id FROM {_parquet(a)}" if a else [])
    if "cases" in frames:
        c = frames["cases"]
        changes.case_ids = c["case_id"].unique().to_list() if isinstance(c, pl.DataFrame) else (
            f"SELECT case_id FROM {_parquet(c)}" if c else [])
    subs = frames.get("substitutions")
    if subs is not None and _height(con, subs):
        with _incoming(con, subs, ["substitution_id", "absent_id", "substitute_id"]) as incoming:
            pairs = con.sql(
                f"""SELECT absent_id, substitute_id FROM substitutions
                    WHERE substitution_id IN (SELECT substitution_id FROM {incoming})
                    UNION SELECT absent_id, substitute_id FROM {incoming}"""
            ).fetchall()
        changes.substitution_pairs = sorted(set(pairs), key=str)
    return changes


def write_load(
    db: Path | str,
    frames: dict[str, Rows],
    files: list[dict],
    dropped: list[tuple[str, list[str]]],
    progress: Progress | None = None,
    messages: Callable[[str, str], str] | None = None,
    warnings: pl.DataFrame | None = None,
    settings=None,
    lang: str = "zh",
    *,
    wait: bool = True,
    on_wait: OnWait | None = None,
) -> int:
    """Store validated rows atomically (per table a polars frame, or the Parquet files validation staged,
    which DuckDB inserts directly), update the marts, record the load and its warnings (rows of
    `validate.WARNING_SCHEMA`). Returns the load id. `settings`: None reads the store's own; `lang`: of the
    marts' progress messages. `wait`, `on_wait`: when another load or rebuild holds the store (`locked`)."""
    say = messages or (lambda key, table: table)
    with building(db, "load", wait=wait, on_wait=on_wait) as con:
        changes = _changes(con, frames)
        n = max(len(frames), 1)
        for i, (table, frame) in enumerate(frames.items()):
            if progress:
                progress(0.6 * i / n, say("write", table))
            upsert(con, table, frame)
        # Record the load before the marts, so meta.built_from_load names this load.
        load_id = con.sql("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchall()[0][0]
        rows = {t: _height(con, f) for t, f in frames.items()}
        con.execute(
            "INSERT INTO loads VALUES (?, ?, 'ok', ?, ?, ?)",
            [load_id, datetime.now(), json.dumps(files, ensure_ascii=False), json.dumps(rows), json.dumps(dropped, ensure_ascii=False)],
        )
        file_rows = [(load_id, f["name"], f["sha256"], t, r) for f in files for t, r in f["rows"].items()]
        if file_rows:
            con.executemany("INSERT INTO load_files VALUES (?, ?, ?, ?, ?)", file_rows)
        if warnings is not None and warnings.height:
            with registered(con, warnings, "__warnings") as name:
                con.execute(
                    f"""INSERT INTO load_warnings BY NAME SELECT ?::BIGINT AS load_id, kind, table_name, file, sheet,
                              "row", "column", value, other, record_id FROM {name}""",
                    [load_id],
                )
        if progress:
            progress(0.6, say("marts", ""))
        _rebuild_marts(con, settings, scaled(progress, 0.6, 0.95), changes, lang)
        if progress:
            progress(0.97, say("switch", ""))
    return int(load_id)


# The catalogue's big marts (at 10M: 10.45M and 2.5M rows), which a rebuild writes anew.
BIG_CATALOGUE_MARTS = ("latency_steps", "acting_monthly")


def _free_big_marts(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the big catalogue marts and checkpoint, on the load's copy, before a full rebuild (`rebuild`, or
    a load after the settings, holidays or roster changed) writes them again:
    DuckDB reuses free blocks but frees a table's only when the transaction that dropped it is checkpointed,
    so rebuilding them in one transaction left the catalogue twice their size (at 10M 213 -> 416 MB, which
    every later load copies and fsyncs: ~0.25 s of a month's load). A commit on the copy is invisible to
    readers, and a failure still discards the copy."""
    for name in BIG_CATALOGUE_MARTS:
        con.execute(f'DROP TABLE IF EXISTS "{name}"')
    con.execute("COMMIT")
    con.execute("CHECKPOINT")
    con.execute("BEGIN TRANSACTION")


def rebuild(
    db: Path | str = DEFAULT_DB, settings=None, progress: Progress | None = None, lang: str = "zh", *,
    wait: bool = True, on_wait: OnWait | None = None,
) -> None:
    """Rebuild every mart from the stored tables (after a settings change), atomically like a load.
    `wait`, `on_wait`: when another load or rebuild holds the store (`locked`)."""
    path = Path(db)
    if not path.exists():
        raise FileNotFoundError(path)
    with building(path, "rebuild", wait=wait, on_wait=on_wait) as con:
        _rebuild_marts(con, settings, scaled(progress, 0.0, 0.95), lang=lang)
        if progress:  # the files leaving the block writes: ~40% of a rebuild at 10M steps
            from pipelines.core.i18n import t

            progress(0.97, t("loader.progress.switch", lang))


def log_attempt(db: Path | str, record: dict) -> None:
    """Append a load attempt to the text log beside the store: rejected or failed ones, and loaded ones that
    changed stored matters (pipelines.ingest.loader)."""
    path = log_path(Path(db))
    line = json.dumps({"at": datetime.now().isoformat(timespec="seconds"), **record}, ensure_ascii=False) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(line)
    except OSError:  # a full or read-only disk: the attempt is reported to the user all the same
        pass
