"""Who gets a digest: accounts with an e-mail address (pipelines.access), each with the scope their account
gives (`scope_for`: the post in the current roster, so a team leader's digest covers their team only).

Audiences (`digest --audience`): `vp` = accounts of a VP or president; `chief` = of the chief and the deputies
(a deputy in their division, or the bureau while acting for the chief); `team` = of team leaders; `analyst` =
analyst and admin accounts. An account whose scope is None (disabled, a team member, someone no longer on the
roster) gets nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.access.accounts import Account, get_account, list_accounts
from pipelines.access.scope import roster_post, scope_for
from pipelines.core.scope import Scope

AUDIENCES = ("vp", "chief", "team", "analyst")
AUDIENCE_OF_POST = {"VP": "vp", "PRESIDENT": "vp", "CHIEF": "chief", "DEPUTY": "chief", "TEAM_LEAD": "team"}


@dataclass(frozen=True)
class Recipient:
    login: str
    email: str
    lang: str
    name: str
    audience: str
    scope: Scope


def _name(con, staff_id: str | None) -> str | None:
    if not staff_id:
        return None
    rows = con.sql("SELECT name FROM staff WHERE staff_id = ?", params=[staff_id]).fetchall()
    return rows[0][0] if rows else None


def audience_of(account: Account, con) -> str | None:
    if account.role in ("analyst", "admin"):
        return "analyst"
    found = roster_post(con, account.staff_id) if account.staff_id else None
    return AUDIENCE_OF_POST.get(found[0]) if found else None


def recipient(account: Account, con) -> Recipient | None:
    """The account as a digest's recipient, or None (no address, disabled, no scope)."""
    if account.disabled or not account.email:
        return None
    scope = scope_for(account, con)
    audience = audience_of(account, con)
    if scope is None or audience is None:
        return None
    return Recipient(account.login, account.email, account.lang, _name(con, account.staff_id) or account.login,
                     audience, scope)


def recipients(db, con, audience: str | None = None, login: str | None = None) -> list[Recipient]:
    """The recipients of `--audience` (every account of it with an address) or `--to LOGIN`."""
    accounts = [a for a in [get_account(db, login)] if a is not None] if login else list_accounts(db)
    out = []
    for account in accounts:
        r = recipient(account, con)
        if r is not None and (audience is None or r.audience == audience):
            out.append(r)
    return out
