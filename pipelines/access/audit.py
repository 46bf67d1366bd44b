"""The audit trail (留痕): who did what, when, append-only, beside the store.

`record(db, who, action, **details)` adds one row; SQLite triggers refuse any UPDATE or DELETE of the
table, so a row once written stays. Details are JSON; anything named like a secret (password, token,
cookie, secret) is never written, whatever a caller passes.

Actions: sign_in (outcome ok | wrong | locked | disabled | no_account, method password | oidc), sign_out,
session_expired, page_view (page, filters, scope), export (figure, format, scope), load and rebuild (files
with their SHA-256, outcome), account_add, account_disable, account_enable, account_passwd, settings.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from pipelines.access._db import connect, exists
from pipelines.access.clock import now_local

SECRET_WORDS = ("password", "passwd", "token", "cookie", "secret", "hash")


def _clean(details: dict) -> dict:
    return {k: v for k, v in details.items() if not any(w in k.lower() for w in SECRET_WORDS)}


def record(db: str | Path, who: str | None, action: str, **details) -> None:
    """Append one row to the trail of store `db`."""
    at = now_local().isoformat(sep=" ", timespec="seconds")
    text = json.dumps(_clean(details), ensure_ascii=False, sort_keys=True, default=str)
    with connect(db) as con:
        con.execute("INSERT INTO audit (at, who, action, details) VALUES (?, ?, ?, ?)", (at, who, action, text))


def read(db: str | Path, since: date | datetime | None = None, limit: int | None = None) -> list[dict]:
    """The trail, oldest first (the newest `limit` rows when given): dicts with id, at, who, action, details."""
    if not exists(db):
        return []
    where, params = "", []
    if since is not None:
        where, params = "WHERE at >= ?", [since.isoformat(sep=" ") if isinstance(since, datetime) else since.isoformat()]
    sql = f"SELECT id, at, who, action, details FROM audit {where} ORDER BY id"
    if limit is not None:
        sql = f"SELECT * FROM ({sql[:-len(' ORDER BY id')]} ORDER BY id DESC LIMIT {int(limit)}) ORDER BY id"
    with connect(db, create=False) as con:
        rows = con.execute(sql, params).fetchall() if con is not None else []
    return [{"id": r["id"], "at": r["at"], "who": r["who"], "action": r["action"], "details": json.loads(r["details"])}
            for r in rows]


def line(row: dict) -> str:
    """One row as the `audit` command prints it: time, who, action, details as key=value."""
    details = " ".join(f"{k}={json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v}"
                       for k, v in row["details"].items() if v is not None)
    return f"{row['at']}  {row['who'] or '-'}  {row['action']}  {details}".rstrip()
