"""Derived tables (marts) rebuilt after every load. Placeholder until the metrics issue lands."""

from __future__ import annotations


def rebuild_marts(con, settings=None, progress=None) -> None:  # noqa: ARG001
    """Rebuild every derived table inside `con` (a read-write DuckDB connection, inside the load)."""
