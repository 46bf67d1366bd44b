"""The store as the views see it: where it is, its version stamp (the cache key), read-only connections,
and the cached query runner. A new load changes the stamp, so pages show the new data on their next run."""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb
import streamlit as st

from pipelines import exports, queries
from pipelines.queries import StoreInfo
from pipelines.store import connect_readonly

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = ROOT / "data" / "warehouse.duckdb"


class StoreBusy(RuntimeError):
    pass


def db_path() -> Path:
    return Path(os.environ.get("TIERWATCH_DB") or DEFAULT_DB)


def stamp(db: Path) -> tuple[int, int] | None:
    """(mtime_ns, size) of the store file: the cache key that makes a new load show new data."""
    try:
        s = db.stat()
    except FileNotFoundError:
        return None
    return (s.st_mtime_ns, s.st_size)


def open_readonly(db: Path):
    """A short-lived read-only connection; retried briefly in case a load is switching the file."""
    last: Exception | None = None
    for attempt in range(5):
        try:
            return connect_readonly(db)
        except (duckdb.IOException, duckdb.Error, OSError) as exc:  # file being replaced or locked
            last = exc
            time.sleep(0.1 * (attempt + 1))
    raise StoreBusy(str(last))


@st.cache_data(show_spinner=False, max_entries=16)
def store_info(db: str, stamp_: tuple | None) -> StoreInfo:
    if stamp_ is None:
        return StoreInfo("missing")
    con = open_readonly(Path(db))
    try:
        return queries.store_info(con)
    finally:
        con.close()


@st.cache_data(show_spinner=False, max_entries=1024)
def cached(db: str, stamp_: tuple | None, name: str, args: tuple):
    """`queries.<name>(con, *args)` against the store version `stamp_`, cached per version."""
    con = open_readonly(Path(db))
    try:
        return getattr(queries, name)(con, *args)
    finally:
        con.close()


@st.cache_data(show_spinner=False, max_entries=8)
def name_masks(db: str, stamp_: tuple | None, mode: str) -> dict[str, str]:
    """name -> mask (工号 or initials) for every person in the store's roster; empty when not masking."""
    if mode == "none" or stamp_ is None:
        return {}
    con = open_readonly(Path(db))
    try:
        roster = con.sql("SELECT staff_id, name FROM staff").pl()
    finally:
        con.close()
    return exports.name_replacements(roster, mode)


def clear_caches() -> None:
    cached.clear()
    store_info.clear()
    name_masks.clear()
