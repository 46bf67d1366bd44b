"""The court's wall clock, for what is about the present moment (a sign-in, a lock, the audit trail's
times), never for figures: those take "now" from the data's snapshot."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

COURT_TZ = ZoneInfo("Asia/Shanghai")


def now_local() -> datetime:
    """Now in the court's local time, naive (as every time in the store)."""
    return datetime.now(COURT_TZ).replace(tzinfo=None, microsecond=0)
