"""The store as the views see it: where it is, its version stamp (the cache key), and the cached query
runner. Read-only connections (retried while a load switches the file) come from pipelines.store.
A new load changes the stamp, so pages show the new data on their next run."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from pipelines import exports, queries
from pipelines.queries import StoreInfo
from pipelines.store import StoreBusy, connect_readonly

__all__ = ["StoreBusy", "cached", "clear_caches", "db_path", "name_masks", "stamp", "store_info"]

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = ROOT / "data" / "warehouse.duckdb"


def db_path() -> Path:
    return Path(os.environ.get("TIERWATCH_DB") or DEFAULT_DB)


def stamp(db: Path) -> tuple[int, int] | None:
    """(mtime_ns, size) of the store file: the cache key that makes a new load show new data."""
    try:
        s = db.stat()
    except FileNotFoundError:
        return None
    return (s.st_mtime_ns, s.st_size)


@st.cache_data(show_spinner=False, max_entries=16)
def store_info(db: str, stamp_: tuple | None) -> StoreInfo:
    if stamp_ is None:
        return StoreInfo("missing")
    con = connect_readonly(Path(db))
    try:
        return queries.store_info(con)
    finally:
        con.close()


@st.cache_data(show_spinner=False, max_entries=1024)
def cached(db: str, stamp_: tuple | None, name: str, args: tuple):
    """`queries.<name>(con, *args)` against the store version `stamp_`, cached per version."""
    con = connect_readonly(Path(db))
    try:
        return getattr(queries, name)(con, *args)
    finally:
        con.close()


@st.cache_data(show_spinner=False, max_entries=8)
def name_masks(db: str, stamp_: tuple | None, mode: str) -> dict[str, str]:
    """name -> mask (工号 or initials) for every person in the store's roster; empty when not masking."""
    if mode == "none" or stamp_ is None:
        return {}
    con = connect_readonly(Path(db))
    try:
        roster = queries.roster_names(con)
    finally:
        con.close()
    return exports.name_replacements(roster, mode)


def clear_caches() -> None:
    cached.clear()
    store_info.clear()
    name_masks.clear()
