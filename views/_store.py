"""The store as the views see it: where it is, its version stamp (the cache key), and the cached query
runner. A new load changes the stamp, so pages show the new data on their next run.

Reading: one `pipelines.store.db.Reader` per server process (one DuckDB instance, each store version
attached once) and at most one cursor per page run: `app.py` runs every page inside `script_run()`, the
first query the cache cannot answer opens the run's cursor, the end of the run closes it. Opening DuckDB
per query cost more than the queries (two opens of ~0.1-0.3 s each, a migration probe and the read)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import streamlit as st

from pipelines import queries
from pipelines.domain.settings import USER_FILE_NAME as USER_SETTINGS
from pipelines.domain.settings import Settings, SettingsError, settings_for_store
from pipelines.present import exports
from pipelines.queries import StoreInfo
from pipelines.store.db import Reader, StoreBusy

__all__ = ["StoreBusy", "cached", "clear_caches", "db_path", "name_masks", "reading", "run", "script_run", "settings_stamp",
           "stamp", "store_info", "targets", "warm"]

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = ROOT / "data" / "warehouse.duckdb"


READER = Reader()
_run = threading.local()  # the current page run's open cursors (Streamlit runs each session's script in a thread)


@contextmanager
def script_run() -> Iterator[None]:
    """One page run: the cursor its queries open (at most one per store) is closed when the run ends."""
    stack = ExitStack()
    _run.cursors, _run.stack = {}, stack
    try:
        yield
    finally:
        _run.cursors, _run.stack = None, None
        stack.close()


@contextmanager
def reading(db: str | Path, stamp_: tuple | None = None) -> Iterator:
    """A read-only cursor on the store: the run's own inside `script_run()`, else one for this block.

    The run keeps one cursor per store version (`stamp_`): a load during the run (the Data page) is read
    through a new cursor, never cached under its stamp from the old one."""
    cursors = getattr(_run, "cursors", None)
    if cursors is None:
        with READER.cursor(db) as con:
            yield con
        return
    key = (str(db), stamp_)
    if key not in cursors:
        cursors[key] = _run.stack.enter_context(READER.cursor(db))
    yield cursors[key]


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
    with reading(db, stamp_) as con:
        return queries.store_info(con)


# A list to append (name, args) of every query a page run executes (those the cache cannot answer) to, or
# None: tests/test_pages.py holds the Overview's to pipelines.queries.plans.overview_plan with it.
QUERY_LOG: list | None = None


@st.cache_data(show_spinner=False, max_entries=1024)
def cached(db: str, stamp_: tuple | None, name: str, args: tuple):
    """`queries.<name>(con, *args)` against the store version `stamp_`, cached per version."""
    if QUERY_LOG is not None:
        QUERY_LOG.append((name, args))
    with reading(db, stamp_) as con:
        return getattr(queries, name)(con, *args)


@st.cache_data(show_spinner=False, max_entries=8)
def name_masks(db: str, stamp_: tuple | None, mode: str) -> dict[str, str]:
    """name -> mask (工号 or initials) for every person in the store's roster; empty when not masking."""
    if mode == "none" or stamp_ is None:
        return {}
    with reading(db, stamp_) as con:
        roster = queries.roster_names(con)
    return exports.name_replacements(roster, mode)


def warm(db: Path | None = None) -> None:
    """Answer the Overview's first run before anyone asks: its store info, filter options and queries for the
    default filters, run through the pages' cache as the first visitor's run would (`serve.py` calls this
    before the server listens). A load before the first visit changes the stamp: that visitor's run
    then queries the new version itself. A store missing, empty or being written is left alone."""
    from pipelines.core.filters import Filters
    from pipelines.queries.plans import overview_plan

    db = db or db_path()
    s = stamp(db)
    try:
        info = store_info(str(db), s)
        if not info.ready:
            return
        cached(str(db), s, queries.filter_options.__name__, ())
        for query, *args in overview_plan(Filters().clamp(info.first_month, info.last_month), "zh", info.first_month):
            cached(str(db), s, query.__name__, tuple(args))
    except StoreBusy:
        return


def clear_caches() -> None:
    cached.clear()
    store_info.clear()
    name_masks.clear()
    targets.clear()
    extension_lead_days.clear()


def run(db: str, query, args: tuple):
    """`query(con, *args)` (a function of pipelines.queries) uncached, on a cursor of its own: for whole-table
    exports, which run on a download's worker thread (outside any page run, no Streamlit there) and may be
    too large to cache."""
    with READER.cursor(db) as con:
        return query(con, *args)


def settings_stamp(db: Path) -> tuple:
    """The user's settings file beside the store (mtime, size), or () without one: the targets' cache key."""
    try:
        s = (db.resolve().parent / USER_SETTINGS).stat()
    except FileNotFoundError:
        return ()
    return (s.st_mtime_ns, s.st_size)


@st.cache_data(show_spinner=False, max_entries=8)
def extension_lead_days(db: str, stamp_: tuple) -> int:
    """Days before a case's deadline by which an extension must be requested (settings `[attention]`); the
    default while the settings file does not pass its checks (the Overview says why)."""
    try:
        return settings_for_store(db).extension_lead_days
    except SettingsError:
        return Settings().extension_lead_days


@st.cache_data(show_spinner=False, max_entries=8)
def targets(db: str, stamp_: tuple) -> tuple[dict[str, float], tuple[str, str] | None]:
    """The headline targets (settings `[targets]`, read now: they change no mart) and, for a settings file
    that does not pass its checks, its error in Chinese and English (the defaults apply meanwhile)."""
    try:
        return settings_for_store(db).targets(), None
    except SettingsError as exc:
        return Settings().targets(), (exc.format("zh"), exc.format("en"))
