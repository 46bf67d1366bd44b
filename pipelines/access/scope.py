"""The scope an account gives, from the roster as loaded (Art. 1-3, 10) and the data's snapshot (Art. 8.5).

- `admin`: the bureau; `analyst`: the bureau with people pseudonymised (setting `access.analyst_pseudonyms`);
- `staff`: the person's post in the current `staff` table: VP, PRESIDENT, CHIEF the bureau; DEPUTY their
  division; TEAM_LEAD their team; MEMBER (or a person no longer on the roster) no dashboard access.
- A deputy acting for the chief under an authorised substitution that covers the snapshot (absent = a
  CHIEF, substitute = the deputy, `authorized`) has the chief's scope, the bureau, for its duration.

Reloading the roster moves the scope with the person: nothing is copied into the account.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from pipelines.access.accounts import Account
from pipelines.core.scope import Scope

BUREAU_POSTS = ("VP", "PRESIDENT", "CHIEF")


def snapshot(con) -> datetime | None:
    """The data's "now": meta `snapshot_at`."""
    try:
        rows = con.sql("SELECT value FROM meta WHERE key = 'snapshot_at'").fetchall()
    except duckdb.Error:  # a store without marts yet
        return None
    if not rows or not rows[0][0]:
        return None
    try:
        return datetime.fromisoformat(str(rows[0][0]))
    except ValueError:
        return None


def roster_post(con, staff_id: str) -> tuple[str, str | None, str | None] | None:
    """(post, team, division) of a person in the current roster, or None when not on it."""
    try:
        rows = con.sql("SELECT post, team, division FROM staff WHERE staff_id = ?", params=[staff_id]).fetchall()
    except duckdb.Error:  # no roster loaded
        return None
    return tuple(rows[0]) if rows else None


def acting_for_chief(con, staff_id: str, now: datetime | None) -> bool:
    """Whether an authorised substitution with absent = a chief and substitute = this person covers `now`."""
    if now is None:
        return False
    try:
        rows = con.sql(
            """SELECT count(*) FROM substitutions s JOIN staff a ON a.staff_id = s.absent_id
               WHERE s.substitute_id = ? AND coalesce(s.authorized, false) AND a.post = 'CHIEF'
                 AND s.start_at <= ? AND (s.end_at IS NULL OR s.end_at >= ?)""",
            params=[staff_id, now, now],
        ).fetchall()
    except duckdb.Error:  # no substitutions loaded
        return False
    return bool(rows and rows[0][0])


def scope_for(account: Account, con, *, pseudonyms: bool = True) -> Scope | None:
    """The scope `account` gives on the store `con` reads, or None: no dashboard access (disabled, a team
    member, a person not on the roster, a post without a team or division to cover). `pseudonyms`: whether an
    analyst sees pseudonyms (the setting)."""
    if account.disabled:
        return None
    if account.role == "admin":
        return Scope.bureau()
    if account.role == "analyst":
        return Scope.bureau(pseudonyms=pseudonyms)
    if not account.staff_id:
        return None
    found = roster_post(con, account.staff_id)
    if found is None:
        return None
    post, team, division = found
    if post in BUREAU_POSTS:
        return Scope.bureau()
    if post == "DEPUTY":
        if acting_for_chief(con, account.staff_id, snapshot(con)):
            return Scope.bureau()
        return Scope.division(division) if division else None
    if post == "TEAM_LEAD":
        return Scope.team(team) if team else None
    return None
