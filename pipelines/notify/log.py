"""The notify file beside the store: alert states and the digest log, in one SQLite database.

`data/warehouse.duckdb` -> `data/warehouse.notify.sqlite`. SQLite (the standard library's), like the access
file: the hourly digest run writes it while the dashboard reads the store. One digest run at a time holds
`run_lock` (an advisory lock on `warehouse.notify.lock`): a run started by cron while another is still
sending leaves without sending anything.

The digest log holds one row per (channel, login, period, period key): `sent` once the server accepted the
message (never sent again), `failed` with the error and the number of attempts (sent on the next run).
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SUFFIX = ".notify.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS alert_state (
    rule TEXT NOT NULL,
    key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('OK', 'TRIGGERED')),
    team TEXT,
    division TEXT,
    payload TEXT NOT NULL DEFAULT '{}',
    changed_at TEXT NOT NULL,          -- snapshot time of the last change of status
    fired_at TEXT,                     -- snapshot time it last fired
    fired_count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (rule, key)
);
CREATE TABLE IF NOT EXISTS digest_log (
    channel TEXT NOT NULL CHECK (channel IN ('mail', 'webhook')),
    login TEXT NOT NULL,
    period TEXT NOT NULL CHECK (period IN ('day', 'week', 'month')),
    period_key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sent', 'failed')),
    address TEXT,
    message_id TEXT,
    subject TEXT,
    figures TEXT NOT NULL DEFAULT '{}',
    attempts INTEGER NOT NULL DEFAULT 0,
    first_attempt_at TEXT NOT NULL,
    last_attempt_at TEXT NOT NULL,
    sent_at TEXT,
    error TEXT,
    PRIMARY KEY (channel, login, period, period_key)
);
"""


def notify_path(db: str | Path) -> Path:
    db = Path(db)
    return db.with_name(db.stem + SUFFIX)


@contextmanager
def connect(db: str | Path) -> Iterator[sqlite3.Connection]:
    """The notify file (created on first use), in one transaction committed on success."""
    path = notify_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=30)
    con.row_factory = sqlite3.Row
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.executescript(SCHEMA)
        with con:
            yield con
    finally:
        con.close()


class Busy(RuntimeError):
    """Another digest run holds the lock."""


@contextmanager
def run_lock(db: str | Path) -> Iterator[None]:
    """Exclusive for one digest run; raises `Busy` at once when another run holds it."""
    path = notify_path(db).with_suffix(".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(str(path)) from None
        yield
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Entry:
    channel: str
    login: str
    period: str
    period_key: str
    status: str
    attempts: int
    figures: dict
    message_id: str | None
    error: str | None


def _entry(row) -> Entry:
    return Entry(row["channel"], row["login"], row["period"], row["period_key"], row["status"], row["attempts"],
                 json.loads(row["figures"] or "{}"), row["message_id"], row["error"])


def entry(db, channel: str, login: str, period: str, period_key: str) -> Entry | None:
    with connect(db) as con:
        row = con.execute("SELECT * FROM digest_log WHERE channel = ? AND login = ? AND period = ? AND period_key = ?",
                          (channel, login, period, period_key)).fetchone()
    return _entry(row) if row else None


def previous_sent(db, channel: str, login: str, period: str, period_key: str) -> Entry | None:
    """The last digest of this kind that went out to `login` before `period_key` (the comparison's 'before')."""
    with connect(db) as con:
        row = con.execute(
            """SELECT * FROM digest_log WHERE channel = ? AND login = ? AND period = ? AND period_key < ?
               AND status = 'sent' ORDER BY period_key DESC LIMIT 1""",
            (channel, login, period, period_key)).fetchone()
    return _entry(row) if row else None


def record(db, channel: str, login: str, period: str, period_key: str, *, ok: bool, at: str, address: str | None,
           message_id: str | None, subject: str | None, figures: dict, error: str | None) -> None:
    """One attempt's outcome. A row once `sent` is never changed again."""
    with connect(db) as con:
        con.execute(
            """INSERT INTO digest_log (channel, login, period, period_key, status, address, message_id, subject,
                                       figures, attempts, first_attempt_at, last_attempt_at, sent_at, error)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
               ON CONFLICT (channel, login, period, period_key) DO UPDATE SET
                   status = excluded.status, address = excluded.address, message_id = excluded.message_id,
                   subject = excluded.subject, figures = excluded.figures, attempts = digest_log.attempts + 1,
                   last_attempt_at = excluded.last_attempt_at, sent_at = excluded.sent_at, error = excluded.error
               WHERE digest_log.status <> 'sent'""",
            (channel, login, period, period_key, "sent" if ok else "failed", address, message_id, subject,
             json.dumps(figures, ensure_ascii=False, default=str), at, at, at if ok else None, error),
        )


def entries(db) -> list[Entry]:
    with connect(db) as con:
        return [_entry(r) for r in con.execute("SELECT * FROM digest_log ORDER BY period_key, channel, login")]
