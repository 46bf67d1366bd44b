"""What the store holds: status, months, filter choices, the Data page's tables (not figures)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from pipelines.core.contract import LEVEL_CODES
from pipelines.core.ordering import natural_key, org_order
from pipelines.queries._sql import q, row, scalar
from pipelines.tables.marts import MART_NAMES

INPUT_TABLES = ("staff", "cases", "approvals", "substitutions", "meetings", "meeting_items")


@dataclass(frozen=True)
class StoreInfo:
    status: str  # "missing" | "empty" | "stale" (data loaded, marts of an older version missing) | "ready"
    tables: tuple[str, ...] = ()
    meta: tuple[tuple[str, str], ...] = ()
    first_month: date | None = None
    last_month: date | None = None

    @property
    def ready(self) -> bool:
        return self.status == "ready"

    def meta_value(self, key: str) -> str | None:
        return dict(self.meta).get(key)


def tables(con) -> set[str]:
    return set(q(con, "SELECT table_name FROM information_schema.tables")["table_name"].to_list())


def store_info(con) -> StoreInfo:
    """What the store holds: `ready` when the marts are built and hold approval steps; `stale` when approval
    steps are loaded but marts this version reads are missing (built by an older version: a rebuild
    computes them)."""
    present = tables(con)
    if not set(MART_NAMES) <= present:
        loaded = "approvals" in present and scalar(con, "SELECT EXISTS (FROM approvals)")
        return StoreInfo("stale" if loaded else "empty", tuple(sorted(present)))
    meta = tuple(q(con, "SELECT key, CAST(value AS VARCHAR) AS value FROM meta").iter_rows())
    steps = scalar(con, "SELECT count(*) FROM step_latency")
    if not steps:
        return StoreInfo("empty", tuple(sorted(present)), meta)
    first, last = row(
        con,
        """SELECT min(m), max(m) FROM (
             SELECT month AS m FROM step_latency UNION ALL SELECT month FROM substitution_facts
             UNION ALL SELECT month FROM meeting_facts)""",
    )
    return StoreInfo("ready", tuple(sorted(present)), meta, _as_date(first), _as_date(last))


def meta(con) -> dict[str, str | None]:
    return dict(con.sql("SELECT key, value FROM meta").fetchall())


def _as_date(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().replace(day=1)
    return value.replace(day=1)


def filter_options(con) -> dict[str, list]:
    """Choices for the sidebar: divisions, teams (with their division), matter types and levels present
    (levels low to high)."""
    org = q(
        con,
        """SELECT DISTINCT team, division FROM step_latency WHERE team IS NOT NULL
           UNION SELECT DISTINCT team, division FROM substitution_facts WHERE team IS NOT NULL
           ORDER BY division NULLS LAST, team""",
    )
    # natural order (执行一处, 执行二处, 执行三处; 执行二团队 before 执行十团队), never by code point
    divisions = [d for d in org_order(org["division"].to_list()) if d]
    rank = {d: i for i, d in enumerate(divisions)}
    teams = org.select("team", "division").unique(subset="team", keep="first", maintain_order=True).rows()
    teams.sort(key=lambda td: (rank.get(td[1], len(rank)), natural_key(td[0])))
    present = set(q(con, "SELECT DISTINCT level FROM step_latency")["level"].to_list())
    return {
        "divisions": divisions,
        "teams": teams,
        "matter_types": q(con, "SELECT DISTINCT matter_type FROM step_latency ORDER BY 1")["matter_type"].to_list(),
        "levels": [lv for lv in LEVEL_CODES if lv in present],
    }


def roster_names(con) -> pl.DataFrame:
    """staff_id, name of everyone on the roster (for name masking)."""
    return q(con, "SELECT staff_id, name FROM staff")
