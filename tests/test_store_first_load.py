"""Regression: the first load into a new store must build marts from the rows it loads.

With the schema migrations in the load's own transaction, DuckDB 2.0 showed the marts an empty
`approvals` table once a load inserted more than ~130k rows (count(*) said 150k, SELECT * gave 0 rows),
so a court's first real export produced an empty dashboard.
"""

from __future__ import annotations

import duckdb

from pipelines.demo.write import write_demo_exports
from pipelines.ingest.loader import load_paths


def test_first_load_of_a_large_export_builds_marts_from_all_its_rows(tmp_path):
    files = write_demo_exports(tmp_path / "exports", seed=3, scale=3)
    db = tmp_path / "warehouse.duckdb"
    report = load_paths(files, db)
    assert report.ok, report.format("en")
    con = duckdb.connect(str(db), read_only=True)
    try:
        approvals = con.sql("SELECT count(*) FROM approvals").fetchall()[0][0]
        assert approvals > 130_000
        assert con.sql("SELECT count(*) FROM step_latency").fetchall()[0][0] == approvals
        assert con.sql("SELECT sum(steps) FROM matters").fetchall()[0][0] == approvals
        assert con.sql("SELECT value FROM meta WHERE key = 'snapshot_at'").fetchall()[0][0] is not None
    finally:
        con.close()
