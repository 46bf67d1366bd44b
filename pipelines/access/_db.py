"""The access file beside the store: one SQLite database (accounts, the audit trail, the pseudonym key).

SQLite (the standard library's) rather than the DuckDB store: the server, the command line and a load
write it at the same moments, and the store takes one writer at a time. WAL journal, a busy timeout, and
permissions 0600: it holds password hashes.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SUFFIX = ".access.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    login TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('staff', 'analyst', 'admin')),
    staff_id TEXT,
    email TEXT,
    lang TEXT NOT NULL DEFAULT 'zh' CHECK (lang IN ('zh', 'en')),
    disabled INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    who TEXT,
    action TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
CREATE TRIGGER IF NOT EXISTS audit_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TABLE IF NOT EXISTS keys (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


_READY: set[Path] = set()  # access files whose schema this process has made sure of


def access_path(db: str | Path) -> Path:
    """`data/warehouse.duckdb` -> `data/warehouse.access.sqlite`."""
    db = Path(db)
    return db.with_name(db.stem + SUFFIX)


def exists(db: str | Path) -> bool:
    return access_path(db).exists()


@contextmanager
def connect(db: str | Path, create: bool = True) -> Iterator[sqlite3.Connection | None]:
    """A connection to the access file of store `db` in one transaction (committed at the end of the
    block). Without the file and `create` false: None (no account exists)."""
    path = access_path(db)
    if not path.exists():
        if not create:
            yield None
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        _READY.discard(path)  # a new file (or one removed since): its schema first
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    con = sqlite3.connect(path, timeout=10, isolation_level=None)
    try:
        con.row_factory = sqlite3.Row
        con.execute("PRAGMA busy_timeout = 10000")
        if path not in _READY:  # once per file and process: an export's row is one short write, no DDL
            con.execute("PRAGMA journal_mode = WAL")
            con.executescript(SCHEMA)
            _READY.add(path)
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
    finally:
        con.close()
