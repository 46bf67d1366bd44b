"""Shared fixtures. Area-specific fixtures live in the test modules that use them."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO_SEED = 7


@pytest.fixture(scope="session")
def demo_exports(tmp_path_factory) -> list[Path]:
    """The demo export set (scale 1), written once per test session."""
    from pipelines.demo import write_demo_exports

    return write_demo_exports(tmp_path_factory.mktemp("demo-exports"), seed=DEMO_SEED, scale=1)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory, demo_exports) -> Path:
    """A real DuckDB store loaded from the demo exports, marts built. Treat as read-only."""
    from pipelines.loader import load_paths

    db = tmp_path_factory.mktemp("demo-store") / "warehouse.duckdb"
    report = load_paths(demo_exports, db)
    assert report.ok, report.format("en")
    return db


@pytest.fixture
def empty_db(tmp_path) -> Path:
    """Path of a store that does not exist yet (what a fresh install has)."""
    return tmp_path / "warehouse.duckdb"
