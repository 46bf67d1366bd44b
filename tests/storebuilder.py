"""Build small real DuckDB stores from explicit rows, for the metrics and rules tests.

`make_store(path, approvals=[step(...), ...], ...)` creates the six input tables (pipelines.tables.inputs),
inserts the rows given (everything else empty, staff defaults to ROSTER), runs `rebuild_marts` and
returns the store's path. `read(db, table)` reads a table back as polars, `read_all(db, tables)` several.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl

from pipelines.core import contract
from pipelines.marts.build import rebuild_marts
from pipelines.store import db as store
from pipelines.tables import inputs as schema

# A bureau: the VP in charge, the chief, two deputies (divisions D-ONE, D-TWO), three teams.
ROSTER = [
    # staff_id, name, post, team, division
    ("VP1", "Wang VP", "VP", None, None),
    ("C1", "Li Chief", "CHIEF", None, None),
    ("D1", "Zhang Deputy", "DEPUTY", None, "D-ONE"),
    ("D2", "Zhao Deputy", "DEPUTY", None, "D-TWO"),
    ("L1", "Lead One", "TEAM_LEAD", "T1", "D-ONE"),
    ("L2", "Lead Two", "TEAM_LEAD", "T2", "D-ONE"),
    ("L3", "Lead Three", "TEAM_LEAD", "T3", "D-TWO"),
    ("M1", "Member One", "MEMBER", "T1", "D-ONE"),
    ("M2", "Member Two", "MEMBER", "T1", "D-ONE"),
    ("M3", "Member Three", "MEMBER", "T3", "D-TWO"),
]


def ts(text: str) -> dt.datetime:
    """'2024-03-04 09:00' -> datetime."""
    return dt.datetime.fromisoformat(text)


def staff_rows(roster=ROSTER) -> list[dict]:
    return [
        {"staff_id": s, "name": n, "post": p, "team": t, "division": d, "title": None, "party_secretary": False}
        for s, n, p, t, d in roster
    ]


def step(
    matter: str,
    no: int,
    level: str,
    approver: str,
    received: str,
    decided: str | None = None,
    decision: str | None = "APPROVE",
    *,
    matter_type: str = "PLAN",
    team: str | None = "T1",
    case_id: str | None = None,
    submitted: str | None = None,
    acting_for: str | None = None,
) -> dict:
    """One approval step. `submitted` defaults to the first step's received time (pass it per matter)."""
    return {
        "matter_id": matter,
        "case_id": case_id,
        "team": team,
        "matter_type": matter_type,
        "submitted_at": ts(submitted or "2024-03-01 09:00"),
        "submitted_by": "M1",
        "step_no": no,
        "level": level,
        "approver_id": approver,
        "received_at": ts(received),
        "decided_at": ts(decided) if decided else None,
        "decision": decision if decided else None,
        "acting_for": acting_for,
    }


def sub(sid: str, absent: str, substitute: str, decided_by: str, start: str, end: str | None, authorized=False) -> dict:
    return {
        "substitution_id": sid,
        "absent_id": absent,
        "substitute_id": substitute,
        "decided_by": decided_by,
        "start_at": ts(start),
        "end_at": ts(end) if end else None,
        "authorized": authorized,
        "reason": None,
    }


def meeting(mid: str, mtype: str, held_on: str, chair: str, attendees: list[str], chair_authorized=False) -> dict:
    return {
        "meeting_id": mid,
        "meeting_type": mtype,
        "held_on": dt.date.fromisoformat(held_on),
        "chair_id": chair,
        "chair_authorized": chair_authorized,
        "attendee_ids": attendees,
    }


def item(
    iid: str, mid: str, votes: tuple[int, int, int], outcome: str, *, vp="FOR", chief="FOR",
    is_major=False, minuted=True, decided_on: str | None = None, topic: str = "topic",
) -> dict:
    f, a, ab = votes
    return {
        "item_id": iid,
        "meeting_id": mid,
        "case_id": None,
        "topic": topic,
        "is_major": is_major,
        "votes_for": f,
        "votes_against": a,
        "votes_abstain": ab,
        "vp_position": vp,
        "chief_position": chief,
        "outcome": outcome,
        "decided_on": dt.date.fromisoformat(decided_on) if decided_on else None,
        "minuted": minuted,
    }


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    cols = contract.TABLES[table].column_names
    frame = pl.DataFrame([{c: r.get(c) for c in cols} for r in rows], infer_schema_length=None)
    con.register("_rows", frame)
    con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM _rows')
    con.unregister("_rows")


def make_store(
    path: Path,
    *,
    staff: list[dict] | None = None,
    cases: list[dict] | None = None,
    approvals: list[dict] | None = None,
    substitutions: list[dict] | None = None,
    meetings: list[dict] | None = None,
    meeting_items: list[dict] | None = None,
    settings=None,
    rebuild: bool = True,
) -> Path:
    db = path if path.suffix == ".duckdb" else path / "store.duckdb"
    con = duckdb.connect(str(db))
    try:
        schema.create_input_tables(con)
        _insert(con, "staff", staff if staff is not None else staff_rows())
        _insert(con, "cases", cases or [])
        _insert(con, "meetings", meetings or [])
        _insert(con, "approvals", approvals or [])
        _insert(con, "substitutions", substitutions or [])
        _insert(con, "meeting_items", meeting_items or [])
        if rebuild:
            rebuild_marts(con, settings)
    finally:
        con.close()
    return db


def rebuild(db: Path, settings=None) -> None:
    """Rebuild the marts of a store `make_store` built. Once the app's way of opening it has migrated the
    store (its big tables became views over Parquet, pipelines.tables.parts), only a load's connection can write
    them: then the rebuild is the users' own (`store.rebuild`)."""
    con = duckdb.connect(str(db))
    try:
        migrated = store.schema_version(con) > 0
        if not migrated:
            rebuild_marts(con, settings)
    finally:
        con.close()
    if migrated:
        store.rebuild(db, settings)


def read(db: Path, table: str, order: str | None = None) -> pl.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        q = f'SELECT * FROM "{table}"' + (f" ORDER BY {order}" if order else "")
        return con.sql(q).pl()
    finally:
        con.close()


def read_all(db: Path, tables) -> dict[str, pl.DataFrame]:
    """Several tables read through one connection (opening the file costs ~40 ms, reading a small mart ~1 ms)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.sql(f'SELECT * FROM "{t}"').pl() for t in tables}
    finally:
        con.close()


def findings(db: Path, rule_id: str | None = None) -> dict[str, set[str]] | set[str]:
    """rule_id -> set of record ids found (or the set for one rule)."""
    v = read(db, "violations")
    if rule_id is not None:
        return set(v.filter(pl.col("rule_id") == rule_id)["record_id"].to_list())
    return {r: set(g["record_id"].to_list()) for (r,), g in v.group_by("rule_id")}


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every table and view of a store as the app opens it (store.connect_readonly), rows in a fixed order:
    for comparing a store table for table (NaN made comparable). The catalogue's records of its Parquet
    files (`part_files`, `retired_files`: names and times of files, pipelines.tables.parts) are left out: two
    stores with the same data have different files; the views over them are compared."""
    import math

    from pipelines.store import db as store

    con = store.connect_readonly(db)
    try:
        names = [r[0] for r in con.sql(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "UNION SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT internal "
            "ORDER BY 1"
        ).fetchall() if r[0] not in ("part_files", "retired_files")]
        return {
            name: [tuple("NaN" if isinstance(v, float) and math.isnan(v) else v for v in row)
                   for row in con.sql(f'SELECT * FROM "{name}" ORDER BY ALL').fetchall()]
            for name in names
        }
    finally:
        con.close()
