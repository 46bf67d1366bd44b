"""Shared fixtures. Area-specific fixtures live in the test modules that use them; what several modules use on
the demo store (a read-only connection, the Streamlit server and the browser) is built once per session here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO_SEED = 7


# The modules that take longest (worker seconds of a `make test` run on 2 cores, 2026-12-06), started first: `make
# test` runs the suite on workers a module at a time (--dist loadfile, --no-loadscope-reorder: else pytest-xdist
# orders modules by their number of tests), and a long module started last would run on alone while the
# other workers idle. Longest first, each to the next free worker, keeps the workers' ends together.
LONGEST_FIRST = ("test_browser_truth", "test_browser_ui", "test_access_browser", "test_incremental",
                 "test_browser_attention", "test_markdown_browser", "test_browser", "test_validate_once", "test_pages",
                 "test_marts", "test_store", "test_faults", "test_parts", "test_digest", "test_loader", "test_access",
                 "test_figures", "test_properties", "test_report_layout", "test_monthly_report", "test_browser_paths",
                 "test_rules", "test_data_page", "test_sso_browser", "test_loader_fuzz", "test_store_kill", "test_cli")


def pytest_collection_modifyitems(items) -> None:
    """Order the collected tests by module, the longest modules first (LONGEST_FIRST), the others after them
    in their own order; within a module the order stays as written."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(rank)))


@pytest.fixture(scope="session")
def demo_exports(tmp_path_factory) -> list[Path]:
    """The demo export set (scale 1), written once per test session."""
    from pipelines.demo.write import write_demo_exports

    return write_demo_exports(tmp_path_factory.mktemp("demo-exports"), seed=DEMO_SEED, scale=1)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory, demo_exports) -> Path:
    """A real DuckDB store loaded from the demo exports, marts built. Treat as read-only."""
    from pipelines.ingest.loader import load_paths

    db = tmp_path_factory.mktemp("demo-store") / "warehouse.duckdb"
    report = load_paths(demo_exports, db)
    assert report.ok, report.format("en")
    return db


@pytest.fixture
def empty_db(tmp_path) -> Path:
    """Path of a store that does not exist yet (what a fresh install has)."""
    return tmp_path / "warehouse.duckdb"


@pytest.fixture(scope="session")
def con(demo_db):
    """A read-only connection to the demo store, as the report and the command line open it
    (connect_readonly; the pages read through a Reader's cursor on the same file)."""
    from pipelines.store.db import connect_readonly

    c = connect_readonly(demo_db)
    yield c
    c.close()


@pytest.fixture(scope="session")
def server(demo_db):
    """One `streamlit run app.py` against the demo store for every browser test module (its caches stay warm)."""
    from browserkit import streamlit_server

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # one server per worker when the suite runs in parallel
    with streamlit_server(demo_db, f"streamlit{'-' + worker if worker else ''}.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """One headless Debian chromium for every browser test module; each test opens its own context."""
    from browserkit import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A new page at 1366 x 900 in China time (as every court PC is): a monthly chart's marks read in the
    browser's zone would shift a month in any other."""
    from browserkit import TZ

    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", timezone_id=TZ)
    pg = ctx.new_page()
    yield pg
    ctx.close()
