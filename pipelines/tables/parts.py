"""The big tables as Parquet files beside the store, each file holding whole months (issue 9).

A load used to copy the whole DuckDB file, change the copy and switch it in: seconds of I/O and twice the
disk for a province's store. Now the tables that grow with the data (`PARTITIONED`) live as Parquet files
under `<store>.parts/<table>/<load>-<n>.parquet`, each holding the rows of a run of whole months in order
(at most ROWS_PER_FILE rows, unless one month has more), written under a new name and never overwritten.
`warehouse.duckdb` is a small catalogue: the small tables, one VIEW per partitioned table over its current
files (absolute paths), `part_files` (each file's table, first and last month, rows) and `retired_files`
(files an older catalogue listed, kept for readers that may still have it attached).

Inside a load (`pipelines.store.db.building`) the partitioned tables are changed through an overlay
(`Session`): the files holding the months the load touches are read into TEMP work tables (DuckDB spills
them; a temp table is never checkpointed into the catalogue), deletes and inserts go there, and a TEMP
VIEW of each table's name (temp shadows the catalogue's view, also inside other views) shows work ∪ the
untouched files, so every read of the load sees its own writes. Rows no earlier load stored stay out of
the work tables: a table replaced whole (a full build's marts) stages each appended batch as a Parquet
file of its own, and a first load's inputs are read from the files validation staged them in (`append`,
`adopt`); at 10M steps DuckDB spilled work tables that size to disk and read them back (a rebuild 70 -> 54
s, 2.2 -> 1.5 GB). At commit the work tables and staged files are written to new files, the views are
redefined to the new file list, and the catalogue is committed and switched as before: a reader sees the
old catalogue (old files) or the new one (new files), never half. A full rebuild replaces every file. The
months a load changes are written to files of their own (see MAX_SMALL_FILES), so the next load rewrites
those months, not the big file they had joined.

Files no catalogue lists: a failed load deletes those it wrote; a killed one leaves them, and the next
load deletes every file under the folder that its catalogue does not list (`sweep`, under the store's
lock: no other load is writing). Files an older catalogue listed are recorded in `retired_files` with the
time of the switch and deleted by the first load after RETIRED_GRACE: until then a reader that attached
the older catalogue (the app keeps a version attached while a page run reads it; a report may read for a
minute) can still read them. Only files inside the store's own folder are ever deleted; a catalogue copied
without its folder reads the original's files and never deletes them.

API (pipelines.store.db.upsert and pipelines.marts.build write through it): `insert`, `append` (a polars
frame), `adopt`, `delete`, `replace`, and `of_months` to read only the files of some months (on a load's
connection; on a plain DuckDB connection they act on ordinary tables); `Session` is created by
`pipelines.store.db.building`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.core.frames import registered
from pipelines.core.sql import literal, literal_list

# How long a file an older catalogue listed is kept after the switch that retired it (see above).
RETIRED_GRACE = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Partitioned:
    name: str
    # the partition month from the table's own columns (a DATE, the first of the month)
    key_sql: str
    doc: str
    column: str = "month"  # the column key_sql truncates (a range on it lets DuckDB skip row groups)

    def in_months(self, lo: dt.date | None, hi: dt.date | None) -> str:
        """SQL: the rows of months `lo` to `hi` (None: the NULL month), as a range on the column itself."""
        if lo is None:
            return f'"{self.column}" IS NULL'
        after = (hi.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        return f"""("{self.column}" >= DATE {literal(lo.replace(day=1))} AND "{self.column}" < DATE {literal(after)})"""


# The tables that grow with steps and cases, and each one's month. Inputs: a matter's rows share one (its
# submission month), a case's is its filing month: neither changes when a step or a closing date arrives.
# Marts by their own `month`, the one the pages' period filters use: step_latency by the step's, matters by
# the matter's (its final decision's, its submission's while pending), the findings by theirs, case_clock
# by the closing month (open cases, recomputed every load, are the NULL month and have files of their own).
PARTITIONED: dict[str, Partitioned] = {
    p.name: p
    for p in (
        Partitioned("approvals", "date_trunc('month', submitted_at)::DATE", "the matter's submission month",
                    "submitted_at"),
        Partitioned("cases", "date_trunc('month', filed_on)::DATE", "the filing month", "filed_on"),
        Partitioned("step_latency", '"month"', "the step's month"),
        Partitioned("matters", '"month"', "the matter's month"),
        Partitioned("matter_violations", '"month"', "the finding's month"),
        Partitioned("case_clock", '"month"', "the closing month (NULL: open)"),
    )
}
# `violations` is a view over the matters' findings (partitioned) and the others' (a small table).
VIOLATIONS_PARTS = ("matter_violations", "other_violations")

# Rows per file. A file holds whole months, in order (its row groups' min/max month let a period filter
# skip the rest), from `month_lo` to `month_hi`; a load rewrites the files holding the months it touches.
# Files, not months, are DuckDB's unit of cost when reading: measured at 1.1M steps, the pages' queries
# took 2.4x the CPU of the native tables over one file per month (~170 files per table; each file a
# query scans costs ~0.1-0.2 ms to open and plan even with its metadata cached) and 1.3x over one file.
# So files are large and few (1.1M steps: 3 per table; 10M: ~20), and a month's load rewrites ~1-2 of
# them per table: the newest, and the one of any older month it changes.
ROWS_PER_FILE = 500_000
# A load writes the months it changes to files of their own, apart from the unchanged months that shared a
# file with them (rewritten once, as one file): so the next load, which changes the newest months again,
# rewrites a month's rows, not the ~500k of the file it had joined (at 10M a month's load wrote 0.7 s of
# Parquet for 25k new steps); a table written whole keeps its newest two months apart for the same reason.
# The small files this leaves are merged when there are more than MAX_SMALL_FILES of a table (fewer than
# ROWS_PER_FILE // 4 rows each): ~every 6th load rewrites them.
MAX_SMALL_FILES = 6
# Rows the files' COPYs may read beyond the table's once before one partitioned COPY is cheaper (seconds
# at most: a few months of a load's work tables read once per file they are written to).
SCAN_MORE_ROWS = 2_000_000
ROW_GROUP_ROWS = 122_880  # DuckDB's row group, in its tables and in the Parquet files it writes
COMPRESSION = "snappy"  # writes 2x faster than lz4 or zstd here, reads as fast as lz4 (zstd: ~10% slower)
STAGED_COMPRESSION = "lz4"  # a full build's frames, staged until the commit (Session.append), written by polars


def columns(name: str) -> list[tuple[str, str]]:
    """(column, DuckDB type) of a partitioned table, in its declared order."""
    from pipelines.core import contract
    from pipelines.tables import marts as marts_spec

    if name in contract.TABLES:
        return [(c.name, contract.duckdb_type(c)) for c in contract.TABLES[name].columns]
    mart = "violations" if name in VIOLATIONS_PARTS else name
    return [(c.name, c.type) for c in marts_spec.MARTS[mart].columns]


def parts_dir(db: Path) -> Path:
    """The folder of a store's Parquet files: `warehouse.parts` beside `warehouse.duckdb`."""
    return db.with_name(db.name.removesuffix(".duckdb") + ".parts")


def row_groups_sql(name: str, table: str | None = None, files: list[str] | None = None) -> str:
    """SQL: (first month, last month, rows, rows of no month) of each row group of `table` (a DuckDB
    table) or of Parquet `files`, by `name`'s month."""
    key = PARTITIONED[name].key_sql
    stats = f"min({key}), max({key}), count(*), count(*) - count({key})"
    if files is not None:
        return (f"SELECT {stats} FROM read_parquet({literal_list(files)}, filename = true, file_row_number = true) "
                f"GROUP BY filename, file_row_number // {ROW_GROUP_ROWS}")
    return f"SELECT {stats} FROM {table} GROUP BY rowid // {ROW_GROUP_ROWS}"


def in_month_order(plan: list[tuple], groups: list[tuple]) -> bool:
    """Whether rows whose row groups are `groups` (row_groups_sql: a load's work table of a table and its
    staged files), to be written as `plan`'s files, lie in month order closely enough that writing each file
    by its own range of months reads little more than the rows once (DuckDB skips the row groups whose
    min/max month is outside the range). A full load's marts are built month by month, so theirs do; an
    input read in the order of a court's export may not."""
    rows = sum(g[2] for g in groups)
    scanned = 0
    for _, lo, hi, _ in plan:
        for first, last, n, nulls in groups:
            if lo is None:
                scanned += n if nulls else 0
            elif first is not None and first <= hi and last >= lo:
                scanned += n
    return scanned <= max(2 * rows, rows + SCAN_MORE_ROWS)


def _cols(name: str, alias: str = "") -> str:
    return ", ".join(f'{alias}"{c}"' for c, _ in columns(name))


def scan_sql(name: str, files: list[str], *, cast: bool = False) -> str:
    """SELECT of the table's declared columns over `files` (no files: an empty SELECT of the same types);
    `cast`: files not written by a COPY of the table's columns (polars frames: a column all empty in one is
    typed Null there, so the files' schemas are combined by name, then each column cast to its type)."""
    cols = columns(name)
    if not files:
        return "SELECT " + ", ".join(f'NULL::{t} AS "{c}"' for c, t in cols) + " WHERE false"
    if not cast:
        return f"SELECT {_cols(name)} FROM read_parquet({literal_list(files)})"
    select = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in cols)
    return f"SELECT {select} FROM read_parquet({literal_list(files)}, union_by_name = true)"


def tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The catalogue's tables (no views, no temp ones)."""
    return {r[0] for r in con.sql(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND NOT temporary"
    ).fetchall()}


def relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Everything the catalogue holds under a name: its tables and its views (no temp ones)."""
    return tables(con) | _views(con)


def _views(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.sql(
        "SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT temporary "
        "AND NOT internal"
    ).fetchall()}


# --------------------------------------------------------------------------------------------------
# The catalogue's records of files
# --------------------------------------------------------------------------------------------------


def create_catalogue_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """CREATE TABLE IF NOT EXISTS part_files (
            table_name VARCHAR NOT NULL,
            month_lo DATE,                  -- the first and last month of its rows (NULL: the NULL month)
            month_hi DATE,
            path VARCHAR NOT NULL,          -- absolute
            rows BIGINT NOT NULL,
            written_at TIMESTAMP NOT NULL
        )"""
    )
    con.execute(
        """CREATE TABLE IF NOT EXISTS retired_files (
            path VARCHAR NOT NULL,          -- absolute; listed by an older catalogue only
            retired_at TIMESTAMP NOT NULL   -- wall clock of the switch that retired it
        )"""
    )


def referenced(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every file the catalogue in `con` lists or keeps for older readers."""
    if "part_files" not in tables(con):
        return set()
    return {r[0] for r in con.sql("SELECT path FROM part_files UNION SELECT path FROM retired_files").fetchall()}


def _relocated(path: str, root: Path) -> Path:
    """Where file `path` of a store whose folder moved lies under the store's parts folder `root` now."""
    return root.joinpath(*Path(path).parts[-2:])  # <table>/<file>


def moved(con: duckdb.DuckDBPyConnection, db: Path, catalog: str | None = None) -> bool:
    """Whether the catalogue lists its files under another folder while they lie under this store's own
    parts folder: the store folder was moved or restored elsewhere (views hold absolute paths)."""
    prefix = f'"{catalog}".' if catalog else ""
    if not con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = coalesce(?, current_database()) "
        "AND table_name = 'part_files'",
        [catalog],
    ).fetchall()[0][0]:
        return False
    root = parts_dir(Path(db)).resolve()
    row = con.execute(
        f"SELECT path FROM {prefix}main.part_files WHERE NOT starts_with(path, ?) LIMIT 1", [str(root) + os.sep]
    ).fetchall()
    return bool(row) and _relocated(row[0][0], root).exists()


def relocate(con: duckdb.DuckDBPyConnection, db: Path) -> bool:
    """Point the catalogue's records and views at this store's own parts folder when it `moved`."""
    if not moved(con, db):
        return False
    root = parts_dir(Path(db)).resolve()
    for table in ("part_files", "retired_files"):
        paths = [r[0] for r in con.execute(
            f"SELECT DISTINCT path FROM {table} WHERE NOT starts_with(path, ?)", [str(root) + os.sep]).fetchall()]
        pairs = [(str(_relocated(p, root)), p) for p in paths if _relocated(p, root).exists()]
        if pairs:
            con.executemany(f"UPDATE {table} SET path = ? WHERE path = ?", pairs)
    define_views(con, list(PARTITIONED))
    return True


def define_views(con: duckdb.DuckDBPyConnection, names: list[str]) -> None:
    """The catalogue's view of each table in `names` over the files `part_files` lists for it."""
    db_name = con.sql("SELECT current_database()").fetchall()[0][0]
    for name in names:
        files = [r[0] for r in con.execute(
            "SELECT path FROM part_files WHERE table_name = ? ORDER BY month_lo NULLS FIRST, path", [name]).fetchall()]
        con.execute(f'CREATE OR REPLACE VIEW "{db_name}".main."{name}" AS {scan_sql(name, files)}')


def sweep(db: Path, keep: set[str]) -> list[Path]:
    """Delete the files under the store's parts folder that are not in `keep` (what a killed or failed load
    left), and empty folders. Call under the store's lock only. Returns what it deleted."""
    root = parts_dir(db)
    gone: list[Path] = []
    if not root.is_dir():
        return gone
    for dirpath, dirnames, filenames in os.walk(root, topdown=False):
        for f in filenames:
            path = Path(dirpath) / f
            if str(path.resolve()) not in keep:
                path.unlink(missing_ok=True)
                gone.append(path)
        for d in dirnames:
            with contextlib.suppress(OSError):
                (Path(dirpath) / d).rmdir()  # only if empty
    return gone


# --------------------------------------------------------------------------------------------------
# The overlay of one load
# --------------------------------------------------------------------------------------------------

_SESSIONS: dict[int, Session] = {}


def session(con: duckdb.DuckDBPyConnection) -> Session:
    """The overlay of the load `con` belongs to (pipelines.store.db.building opened it)."""
    try:
        return _SESSIONS[id(con)]
    except KeyError:
        raise RuntimeError("partitioned tables are written inside store.building() only") from None


@dataclass(frozen=True)
class _File:
    lo: dt.date | None
    hi: dt.date | None
    path: str
    rows: int

    def covers(self, month: dt.date | None) -> bool:
        if month is None or self.lo is None:
            return month is None and self.lo is None
        return self.lo <= month <= self.hi


class Session:
    """A load's changes to the partitioned tables, on the catalogue copy `con` of store `db`."""

    def __init__(self, con: duckdb.DuckDBPyConnection, db: Path) -> None:
        self.con, self.db = con, Path(db).resolve()
        self.root = parts_dir(self.db)
        self.token = f"{dt.datetime.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        self.staging = self.root / f".staging-{self.token}"
        self.written: list[Path] = []  # files this load wrote (deleted if it fails)
        self.expired: list[str] = []  # retired files to delete once the switch is done
        self.touched: dict[str, set[str]] = {}  # table -> files read into its work table (or replaced)
        self.changed: dict[str, set] = {}  # table -> the months whose rows the load deletes or inserts
        self.whole: set[str] = set()  # tables replaced whole
        # table -> Parquet files holding rows the load wrote to it beside its work table (Session.append,
        # Session.adopt); the session deletes those it wrote itself (`owned`), never another's
        self.staged: dict[str, list[str]] = {}
        self.owned: set[str] = set()
        self.files: dict[str, list[_File]] = {}  # table -> its files as the catalogue lists them
        _SESSIONS[id(con)] = self

    def close(self) -> None:
        _SESSIONS.pop(id(self.con), None)

    # ---- state
    def _listed(self, name: str) -> list[_File]:
        if name not in self.files:
            found: list[_File] = []
            if "part_files" in tables(self.con):
                found = [_File(*r) for r in self.con.execute(
                    "SELECT month_lo, month_hi, path, rows FROM part_files WHERE table_name = ? "
                    "ORDER BY month_lo NULLS FIRST, path",
                    [name]).fetchall()]
            self.files[name] = found
        return self.files[name]

    def _untouched(self, name: str) -> list[str]:
        done = self.touched.get(name, set())
        return [f.path for f in self._listed(name) if f.path not in done]

    def _work(self, name: str, *, replacing: bool = False) -> str:
        """The table's work table (created empty on first use) and its TEMP VIEW over work ∪ untouched.
        `replacing`: every file is replaced, none is read (an older version's files may lack a column the
        table has now: a full rebuild after a mart gained columns)."""
        work = f"__parts_{name}"
        if name not in self.touched:
            cols = ", ".join(f'"{c}" {t}' for c, t in columns(name))
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {work} ({cols})")
            self.touched[name] = {f.path for f in self._listed(name)} if replacing else set()
            self._view(name)
        return work

    def _view(self, name: str) -> None:
        self.con.execute(
            f'CREATE OR REPLACE TEMP VIEW "{name}" AS {scan_sql(name, self._untouched(name))} '
            f"UNION ALL {self._rows(name)}"
        )

    def _rows(self, name: str) -> str:
        """SELECT of the rows the load wrote to `name`: its work table and its staged files."""
        select = f"SELECT {_cols(name)} FROM __parts_{name}"
        if self.staged.get(name):
            select += f" UNION ALL {scan_sql(name, self.staged[name], cast=True)}"
        return select

    def _row_groups(self, name: str) -> list[tuple]:
        """The row groups (row_groups_sql) of the rows the load wrote to `name`."""
        groups = self.con.sql(row_groups_sql(name, f"__parts_{name}")).fetchall()
        if self.staged.get(name):
            groups += self.con.sql(row_groups_sql(name, files=self.staged[name])).fetchall()
        return groups

    def _unstage(self, name: str) -> None:
        """The staged files' rows moved into the work table (before a delete, which changes that only)."""
        files = self.staged.pop(name, [])
        if files:
            self.con.execute(f"INSERT INTO __parts_{name} {scan_sql(name, files, cast=True)}")
            self._drop_staged(files)
            self._view(name)

    def _drop_staged(self, files: list[str]) -> None:
        for f in files:
            if f in self.owned:
                Path(f).unlink(missing_ok=True)
                self.owned.discard(f)

    def touch(self, name: str, months, *, changed: bool = True) -> None:
        """Read the files holding any of `months` of `name` into its work table (those not read yet); the
        load changes their rows, unless not `changed` (files read to be merged)."""
        work = self._work(name)
        months = set(months)
        if changed:
            self.changed.setdefault(name, set()).update(months)
        files = [f.path for f in self._listed(name)
                 if f.path not in self.touched[name] and any(f.covers(m) for m in months)]
        if files:
            self.touched[name] |= set(files)
            self.con.execute(f"INSERT INTO {work} SELECT {_cols(name)} FROM read_parquet(?)", [[str(f) for f in files]])
            self._view(name)

    def months_where(self, name: str, where: str) -> set:
        """The months of the rows of untouched files that match `where` (SQL on alias `t`)."""
        files = self._untouched(name)
        if not files:
            return set()
        return {r[0] for r in self.con.execute(
            f"SELECT DISTINCT {PARTITIONED[name].key_sql} FROM read_parquet(?) AS t WHERE {where}", [[str(f) for f in files]]
        ).fetchall()}

    # ---- the API
    def of_months(self, name: str, months) -> str:
        """A relation holding every row of `name` whose month is in `months` (and others): the untouched
        files covering any of them and the work table. Reads those files only."""
        done = self.touched.get(name, set())
        files = [f.path for f in self._listed(name) if f.path not in done and any(f.covers(m) for m in months)]
        select = scan_sql(name, files)
        if name in self.touched:
            select += f" UNION ALL {self._rows(name)}"
        return f"({select})"

    def delete(self, name: str, where: str, returning: str | None = None) -> pl.DataFrame | None:
        """DELETE the rows of `name` that match `where` (SQL on alias `t`); with `returning`, their columns."""
        work = self._work(name)
        self._unstage(name)
        self.touch(name, self.months_where(name, where))
        sql = f"DELETE FROM {work} AS t WHERE {where}" + (f" RETURNING {returning}" if returning else "")
        if returning:
            return pl.from_arrow(self.con.sql(sql).to_arrow_table())
        self.con.execute(sql)
        return None

    def insert(self, name: str, relation: str) -> None:
        """INSERT the rows of `relation` (a table, view or registered frame with the table's columns)."""
        work = self._work(name)
        key = PARTITIONED[name].key_sql
        self.touch(name, {r[0] for r in self.con.sql(f"SELECT DISTINCT {key} FROM {relation}").fetchall()})
        cols = _cols(name)
        self.con.execute(f"INSERT INTO {work} ({cols}) SELECT {cols} FROM {relation}")

    def append(self, name: str, frame: pl.DataFrame) -> None:
        """Append the rows of `frame` (a batch of a mart). A table this load replaces whole (a full build's
        marts: every row of a province's, spilled by DuckDB from the work table under the load's memory
        limit, then read back to be written) keeps them as a Parquet file of its own until the commit
        writes its files from them; any other table inserts them into its work table. (Replaced whole, every
        file is rewritten: no months to touch, no files to read.)"""
        if name not in self.whole:
            with registered(self.con, frame) as view:
                self.insert(name, view)
            return
        files = self.staged.setdefault(name, [])
        path = self.staging / "frames" / name / f"{len(files):05d}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.select([c for c, _ in columns(name)]).write_parquet(
            path, compression=STAGED_COMPRESSION, row_group_size=ROW_GROUP_ROWS)
        files.append(str(path))
        self.owned.add(str(path))
        self._view(name)

    def adopt(self, name: str, files: list[str]) -> bool:
        """The rows of Parquet `files` (another's, kept until the commit) become `name`'s when it has none
        yet (a first load's inputs, staged by validation): read from there, not copied into the work table
        (at 10M steps DuckDB spills that to disk and reads it back). False, nothing done: `name` has rows."""
        if self._listed(name) or self.staged.get(name) or self.con.sql(
                f"SELECT EXISTS (FROM {self._work(name)})").fetchall()[0][0]:
            return False
        key = PARTITIONED[name].key_sql
        self.touch(name, {r[0] for r in self.con.sql(
            f"SELECT DISTINCT {key} FROM ({scan_sql(name, files, cast=True)})").fetchall()})
        self.staged[name] = list(files)
        self._view(name)
        return True

    def replace(self, name: str, relation: str | None = None) -> None:
        """Every file of `name` replaced by the rows of `relation` (None: emptied)."""
        work = self._work(name, replacing=True)
        self._drop_staged(self.staged.pop(name, []))
        self.con.execute(f"DELETE FROM {work}")
        self.whole.add(name)
        self.touched[name] = {f.path for f in self._listed(name)}
        self._view(name)
        if relation is not None:
            self.insert(name, relation)

    # ---- commit
    def _merge_small_files(self, name: str) -> None:
        """Read the table's small files into its work table when there are more than MAX_SMALL_FILES."""
        small = [f for f in self._listed(name) if f.path not in self.touched.get(name, set()) and f.lo is not None
                 and f.rows < ROWS_PER_FILE // 4]
        if len(small) > MAX_SMALL_FILES:
            self.touch(name, {f.lo for f in small}, changed=False)

    def _plan(self, name: str, rows: str) -> list[tuple]:
        """(segment, first month, last month, rows) of the files to write from the load's rows: whole months
        in order, up to ROWS_PER_FILE rows each, never spanning the range of a file left as it is, and (not
        a table replaced whole) the months the load changed apart from those it only carried along, (a table
        replaced whole) its newest two months apart from the others: what the next load changes again."""
        key = PARTITIONED[name].key_sql
        counts = self.con.sql(f"SELECT {key} AS m, count(*) FROM {rows} GROUP BY 1 ORDER BY 1 NULLS FIRST").fetchall()
        kept = [f.lo for f in self._listed(name) if f.path not in self.touched[name] and f.lo is not None]
        changed = set(sorted(m for m, _ in counts if m is not None)[-2:]) if name in self.whole else \
            self.changed.get(name, set())
        plan: list[list] = []  # [segment, lo, hi, rows, changed]
        for month, n in counts:
            last = plan[-1] if plan else None
            new = month in changed
            start = (
                last is None or month is None or last[1] is None
                or last[3] + n > ROWS_PER_FILE
                or any(last[2] < lo < month for lo in kept)
                or last[4] != new
            )
            if start:
                plan.append([len(plan), month, month, n, new])
            else:
                last[2], last[3] = month, last[3] + n
        return [tuple(p[:4]) for p in plan]

    def _write_by_range(self, name: str, rows: str, plan: list[tuple]) -> list[tuple]:
        """One COPY per file, of its months' rows in month order: at 10M rows, in month order, half the
        time of one partitioned COPY sorted by file and month (step_latency 26 -> 14 s, the same files)."""
        part, written = PARTITIONED[name], []
        for seg, lo, hi, n in plan:
            path = self.root / name / f"{self.token}-{seg:04d}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            self.written.append(path)
            self.con.execute(
                f"COPY (SELECT {_cols(name)} FROM {rows} WHERE {part.in_months(lo, hi)} ORDER BY {part.key_sql}) "
                f"TO ? (FORMAT parquet, COMPRESSION {COMPRESSION})", [str(path)]
            )
            written.append((lo, hi, path, n))
        return written

    def _write_partitioned(self, name: str, rows: str, plan: list[tuple]) -> list[tuple]:
        """One partitioned COPY sorted by file and month: what rows in no order of month take (written by
        range, each file's COPY would read most of the table)."""
        out = self.staging / name
        out.parent.mkdir(parents=True, exist_ok=True)
        key = PARTITIONED[name].key_sql
        self.con.execute("CREATE OR REPLACE TEMP TABLE __parts_plan (m DATE, seg INTEGER)")
        months = self.con.sql(f"SELECT DISTINCT {key} FROM {rows}").fetchall()
        segments = [(m, next(seg for seg, lo, hi, _ in plan
                             if (m is None and lo is None) or (lo is not None and m is not None and lo <= m <= hi)))
                    for (m,) in months]
        self.con.executemany("INSERT INTO __parts_plan VALUES (?, ?)", segments)
        # A partitioned COPY buffers up to this many rows per open file before writing them: DuckDB's
        # default (524,288 per file, ~20 files open at 10M) spills under the load's memory limit.
        # One row group's worth: the full rebuild's step_latency at 10M 46 -> 31 s, same files.
        self.con.execute(f"SET partitioned_write_flush_threshold = {ROW_GROUP_ROWS}")
        self.con.execute(
            f"COPY (SELECT {_cols(name, 'w.')}, p.seg FROM (SELECT *, {key} AS __m FROM {rows}) AS w "
            f"JOIN __parts_plan AS p ON w.__m IS NOT DISTINCT FROM p.m ORDER BY p.seg, w.__m) TO ? "
            f"(FORMAT parquet, COMPRESSION {COMPRESSION}, PARTITION_BY (seg), FILENAME_PATTERN 'part_{{i}}')",
            [str(out)],
        )
        self.con.execute("DROP TABLE temp.main.__parts_plan")
        written = []
        for seg, lo, hi, n in plan:
            staged = sorted((out / f"seg={seg}").glob("*.parquet"))
            for i, f in enumerate(staged):
                final = self.root / name / f"{self.token}-{seg:04d}{f'-{i}' if i else ''}.parquet"
                final.parent.mkdir(parents=True, exist_ok=True)
                os.rename(f, final)
                self.written.append(final)
                rows_in = n if len(staged) == 1 else int(self.con.execute(
                    "SELECT sum(num_rows) FROM parquet_file_metadata(?)", [str(final)]).fetchall()[0][0] or 0)
                written.append((lo, hi, final, rows_in))
        return written

    def flush(self) -> None:
        """Write the touched months to new files, record them, retire the files they replace, redefine the
        catalogue's views. Inside the catalogue's transaction; the new files count once it commits."""
        create_catalogue_tables(self.con)
        now = dt.datetime.now()
        retired: list[str] = []
        for name in sorted(self.touched):
            if name not in self.whole:
                self._merge_small_files(name)
            work = f"__parts_{name}"
            rows = f"({self._rows(name)})"
            plan = self._plan(name, rows)
            new: list[tuple] = []
            if plan:
                # one file: its COPY reads the rows once whatever their order
                ordered = len(plan) == 1 or in_month_order(plan, self._row_groups(name))
                write = self._write_by_range if ordered else self._write_partitioned
                new = [(name, lo, hi, str(path), n, now) for lo, hi, path, n in write(name, rows, plan)]
            gone = sorted(self.touched[name])
            retired.extend(gone)
            if gone:
                self.con.executemany("DELETE FROM part_files WHERE table_name = ? AND path = ?", [(name, p) for p in gone])
            if new:
                self.con.executemany("INSERT INTO part_files VALUES (?, ?, ?, ?, ?, ?)", new)
            self.con.execute(f'DROP VIEW IF EXISTS temp.main."{name}"')
            self.con.execute(f"DROP TABLE IF EXISTS temp.main.{work}")
            define_views(self.con, [name])
        self.touched, self.whole, self.files, self.changed, self.staged, self.owned = {}, set(), {}, {}, {}, set()
        shutil.rmtree(self.staging, ignore_errors=True)
        if retired:
            self.con.executemany("INSERT INTO retired_files VALUES (?, ?)", [(p, now) for p in retired])
        own = str(self.root) + os.sep
        self.expired += [r[0] for r in self.con.execute(
            "DELETE FROM retired_files WHERE retired_at < ? RETURNING path", [now - RETIRED_GRACE]).fetchall()
            if r[0].startswith(own)]

    def after_switch(self) -> None:
        """Delete the retired files whose grace has passed (the new catalogue no longer lists them)."""
        for p in self.expired:
            Path(p).unlink(missing_ok=True)
        self.expired = []

    def discard(self) -> None:
        """The load failed: delete every file it wrote."""
        for p in self.written:
            p.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                p.parent.rmdir()  # the folder it made, if now empty
        shutil.rmtree(self.staging, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.root.rmdir()
        self.written = []


# --------------------------------------------------------------------------------------------------
# Module-level API on a load's connection: the overlay inside pipelines.store.db.building(), else (a plain
# DuckDB connection, e.g. the tests' hand-made stores) ordinary tables in that database
# --------------------------------------------------------------------------------------------------


def active(con: duckdb.DuckDBPyConnection) -> Session | None:
    return _SESSIONS.get(id(con))


def insert(con: duckdb.DuckDBPyConnection, name: str, relation: str) -> None:
    """Append the rows of `relation` to `name`."""
    s = active(con)
    if s is not None:
        s.insert(name, relation)
    elif name in tables(con):
        con.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM {relation}')
    else:
        con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM {relation}')


def append(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame, *, whole: bool = False) -> None:
    """Append the rows of polars `frame` to `name`; `whole`: they replace its rows."""
    s = active(con)
    if s is not None:
        if whole:
            s.replace(name)
        s.append(name, frame)
        return
    with registered(con, frame) as view:
        (replace if whole else insert)(con, name, view)


def adopt(con: duckdb.DuckDBPyConnection, name: str, files: list[Path]) -> bool:
    """Inside a load: the rows of Parquet `files` become `name`'s if it has none (see Session.adopt)."""
    s = active(con)
    return s is not None and s.adopt(name, [str(f) for f in files])


def of_months(con: duckdb.DuckDBPyConnection, name: str, months) -> str:
    """SQL relation with every row of `name` in `months` (its partition key's), reading only the files that
    hold them inside a load; elsewhere the whole table."""
    s = active(con)
    return s.of_months(name, months) if s is not None else f'"{name}"'


def delete(con: duckdb.DuckDBPyConnection, name: str, where: str, returning: str | None = None):
    """Delete the rows of `name` matching `where` (SQL on alias `t`); with `returning`, a frame of theirs."""
    s = active(con)
    if s is not None:
        return s.delete(name, where, returning)
    sql = f'DELETE FROM "{name}" AS t WHERE {where}' + (f" RETURNING {returning}" if returning else "")
    if returning:
        return pl.from_arrow(con.sql(sql).to_arrow_table())
    con.execute(sql)
    return None


def replace(con: duckdb.DuckDBPyConnection, name: str, relation: str) -> None:
    """`name` becomes the rows of `relation`."""
    s = active(con)
    if s is not None:
        s.replace(name, relation)
    else:
        con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM {relation}')


VIOLATIONS_VIEW = "SELECT * FROM matter_violations UNION ALL SELECT * FROM other_violations"


def ensure_violations_view(con: duckdb.DuckDBPyConnection) -> None:
    """`violations` as the view over its two parts (a store that still has it as one table: replaced)."""
    if "violations" in tables(con):
        con.execute("DROP TABLE violations")
    if "violations" not in _views(con):
        con.execute(f"CREATE VIEW violations AS {VIOLATIONS_VIEW}")


def move_out(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Migrate: table `name` of the catalogue (if it is one) becomes Parquet files and a view over them;
    a table that does not exist becomes an empty view."""
    s = session(con)
    if name in tables(con):
        con.execute(f'ALTER TABLE "{name}" RENAME TO "__moving_{name}"')
        s.replace(name, f'"__moving_{name}"')
        s.flush()
        con.execute(f'DROP TABLE "__moving_{name}"')
    elif name not in _views(con):
        s.replace(name)
        s.flush()
