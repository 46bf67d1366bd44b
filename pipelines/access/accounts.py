"""Accounts: who may sign in, with which role, tied to which roster person.

An account is `staff` (its scope follows the person's post in the roster, `--staff`), `analyst` (the
bureau, names pseudonymised) or `admin` (the bureau and the Data page). Passwords are hashed with
argon2id (argon2-cffi); neither a password nor its hash leaves this module except into the access file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from pipelines.access._db import connect, exists
from pipelines.access.clock import now_local

ROLES = ("staff", "analyst", "admin")
LANGS = ("zh", "en")
LOGIN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 8

_hasher = PasswordHasher()
# A hash to verify against when the login is unknown, so an unknown login takes as long as a wrong password.
_DUMMY = _hasher.hash("tierwatch-no-such-account")


class AccountError(ValueError):
    """A request the accounts cannot carry out; `key` is its message in the catalogue (`access.error.*`)."""

    def __init__(self, key: str, **params) -> None:
        super().__init__(key)
        self.key, self.params = key, params


@dataclass(frozen=True)
class Account:
    login: str
    role: str  # "staff" | "analyst" | "admin"
    staff_id: str | None = None
    email: str | None = None
    lang: str = "zh"
    disabled: bool = False


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: `ok`, `wrong` (unknown login or wrong password: never said which),
    `locked` (too many wrong passwords: `until`), `disabled`."""

    outcome: str
    account: Account | None = None
    until: datetime | None = None
    locked_now: bool = False  # this attempt locked the login


def _account(row) -> Account:
    return Account(row["login"], row["role"], row["staff_id"], row["email"], row["lang"], bool(row["disabled"]))


def any_account(db: str | Path) -> bool:
    """Whether any account exists (sign-in is then required everywhere, on localhost too)."""
    if not exists(db):
        return False
    with connect(db, create=False) as con:
        return con is not None and con.execute("SELECT EXISTS (SELECT 1 FROM accounts)").fetchone()[0] == 1


def list_accounts(db: str | Path) -> list[Account]:
    if not exists(db):
        return []
    with connect(db, create=False) as con:
        return [_account(r) for r in con.execute("SELECT * FROM accounts ORDER BY login")]


def get_account(db: str | Path, login: str) -> Account | None:
    if not exists(db):
        return None
    with connect(db, create=False) as con:
        row = con.execute("SELECT * FROM accounts WHERE login = ?", (login,)).fetchone()
    return _account(row) if row else None


def find_account(db: str | Path, identity: str) -> Account | None:
    """The account an identity provider's claim names: its login, else its e-mail address (case-insensitive)."""
    if not identity or not exists(db):
        return None
    with connect(db, create=False) as con:
        row = con.execute(
            "SELECT * FROM accounts WHERE login = ? OR lower(email) = lower(?) ORDER BY login = ? DESC LIMIT 1",
            (identity, identity, identity),
        ).fetchone()
    return _account(row) if row else None


def _check(login: str, role: str, staff_id: str | None, email: str | None, lang: str) -> None:
    if not LOGIN_RE.match(login or ""):
        raise AccountError("access.error.login", login=login)
    if role not in ROLES:
        raise AccountError("access.error.role", role=role)
    if role == "staff" and not staff_id:
        raise AccountError("access.error.staff_needed")
    if email is not None and not re.match(r"^[^@\s]+@[^@\s]+$", email):
        raise AccountError("access.error.email", email=email)
    if lang not in LANGS:
        raise AccountError("access.error.lang", lang=lang)


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise AccountError("access.error.password_short", n=MIN_PASSWORD)


def add_account(db: str | Path, login: str, password: str | None, *, role: str = "staff", staff_id: str | None = None,
                email: str | None = None, lang: str = "zh") -> Account:
    """A new account. `password` None: an account that signs in only through the identity provider."""
    _check(login, role, staff_id, email, lang)
    if password is not None:
        _check_password(password)
    digest = _hasher.hash(password) if password is not None else None
    stamp = now_local().isoformat(timespec="seconds")
    with connect(db) as con:
        if con.execute("SELECT 1 FROM accounts WHERE login = ?", (login,)).fetchone():
            raise AccountError("access.error.exists", login=login)
        con.execute(
            "INSERT INTO accounts (login, role, staff_id, email, lang, password_hash, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (login, role, staff_id, email, lang, digest, stamp, stamp),
        )
    return Account(login, role, staff_id, email, lang, False)


def _update(db: str | Path, login: str, sql: str, params: tuple) -> None:
    with connect(db) as con:
        cur = con.execute(f"UPDATE accounts SET {sql}, updated_at = ? WHERE login = ?",
                          (*params, now_local().isoformat(timespec="seconds"), login))
        if cur.rowcount == 0:
            raise AccountError("access.error.unknown", login=login)


def set_disabled(db: str | Path, login: str, disabled: bool) -> None:
    _update(db, login, "disabled = ?, failures = 0, locked_until = NULL", (int(disabled),))


def set_password(db: str | Path, login: str, password: str) -> None:
    """A new password (also lifts a lock)."""
    _check_password(password)
    _update(db, login, "password_hash = ?, failures = 0, locked_until = NULL", (_hasher.hash(password),))


def verify_password(db: str | Path, login: str, password: str) -> bool:
    """Whether `password` is the login's (no lock counted: `sign_in` is what the sign-in form calls)."""
    if not exists(db):
        return False
    with connect(db, create=False) as con:
        row = con.execute("SELECT password_hash FROM accounts WHERE login = ?", (login,)).fetchone()
    return _verify(row["password_hash"] if row else None, password)


def _verify(digest: str | None, password: str) -> bool:
    try:
        return _hasher.verify(digest or _DUMMY, password or "") and digest is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def sign_in(db: str | Path, login: str, password: str, *, attempts: int = 5, lock_minutes: float = 15,
            now: datetime | None = None) -> SignIn:
    """Check a password against the login's, counting wrong ones: the `attempts`-th wrong password in a
    row locks the login for `lock_minutes` (wall-clock time: a lock is about now, not about the data)."""
    now = now or now_local()
    with connect(db) as con:
        row = con.execute("SELECT * FROM accounts WHERE login = ?", (login,)).fetchone()
        if row is None:
            _verify(None, password)
            return SignIn("wrong")
        locked = datetime.fromisoformat(row["locked_until"]) if row["locked_until"] else None
        if locked is not None and locked > now:
            return SignIn("locked", until=locked)
        good = _verify(row["password_hash"], password)
        if row["disabled"]:
            return SignIn("disabled") if good else SignIn("wrong")
        if good:
            con.execute("UPDATE accounts SET failures = 0, locked_until = NULL WHERE login = ?", (login,))
            if row["password_hash"] and _hasher.check_needs_rehash(row["password_hash"]):
                con.execute("UPDATE accounts SET password_hash = ? WHERE login = ?", (_hasher.hash(password), login))
            return SignIn("ok", _account(row))
        failures = (0 if locked is not None else row["failures"]) + 1
        if failures >= attempts:
            until = now + timedelta(minutes=lock_minutes)
            con.execute("UPDATE accounts SET failures = 0, locked_until = ? WHERE login = ?",
                        (until.isoformat(timespec="seconds"), login))
            return SignIn("locked", until=until, locked_now=True)
        con.execute("UPDATE accounts SET failures = ?, locked_until = NULL WHERE login = ?", (failures, login))
        return SignIn("wrong")
