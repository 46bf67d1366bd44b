"""`python -m pipelines.bench [--scale N ...]`: load and marts-rebuild time against DuckDB's own read.

For each scale: write the demo exports, load them (`loader.load_paths`: read, validate, store, marts),
rebuild the marts alone on the loaded store, and read the same CSV files with DuckDB's `read_csv`
into a table in the same run. Prints seconds and the ratios the team's targets are stated in
(DEVELOPERS.md: CSV load ≤ 1.5×, all marts ≤ 0.5× of DuckDB's raw read). xlsx files (the small staff
and meeting tables) are loaded but DuckDB cannot read them, so the raw read covers the CSV files only.
Default scales: 1 (the demo) and the scale giving about one million approval steps.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

STEPS_AT_SCALE_1 = 17_500  # approval steps of the demo at scale 1 (about); the demo grows ~ scale²
ONE_MILLION_SCALE = round((1_000_000 / STEPS_AT_SCALE_1) ** 0.5)  # 8 -> about 1.1M steps


def _raw_read(paths: list[Path], workdir: Path) -> tuple[float, int]:
    """Seconds DuckDB takes to read_csv every CSV file into tables of a fresh database file."""
    db = workdir / "raw.duckdb"
    con = duckdb.connect(str(db))
    t0 = time.perf_counter()
    rows = 0
    for i, p in enumerate(x for x in paths if x.suffix.lower() == ".csv"):
        quoted = str(p).replace("'", "''")
        try:
            con.execute(f"CREATE TABLE t{i} AS SELECT * FROM read_csv('{quoted}', all_varchar = true)")
        except duckdb.Error:  # e.g. a GB18030 file: DuckDB cannot decode it offline
            con.execute(f"CREATE TABLE t{i} AS SELECT * FROM read_csv('{quoted}', all_varchar = true, encoding = 'latin-1')")
        rows += con.sql(f"SELECT count(*) FROM t{i}").fetchall()[0][0]
    elapsed = time.perf_counter() - t0
    con.close()
    db.unlink(missing_ok=True)
    return elapsed, rows


def _filter_change(db: Path) -> float:
    """Server seconds for what the Latency and Overview pages query after a filter change (worst of a few).

    Each filter is new to the page, so nothing is cached: a short-lived read-only connection, then the
    pages' own queries (pipelines.queries) with a division, a level and a one-year period filter.
    """
    from pipelines import queries, store
    from pipelines.filters import Filters

    con = store.connect_readonly(db)
    try:
        divisions = queries.filter_options(con).get("divisions") or [None]
        info = queries.store_info(con)
    finally:
        con.close()
    end = info.last_month
    start = end.replace(year=end.year - 1) if end else None
    cases = [
        Filters(divisions=(divisions[0],)) if divisions[0] else Filters(),
        Filters(levels=("CHIEF",)),
        Filters(start=start, end=end, matter_types=("PAYOUT",)),
    ]
    worst = 0.0
    for f in cases:
        t0 = time.perf_counter()
        con = store.connect_readonly(db)
        try:
            queries.headline(con, f)
            queries.latency_quantiles(con, f)
            queries.latency_by(con, f, "month")
            queries.monthly_overview(con, f)
        finally:
            con.close()
        worst = max(worst, time.perf_counter() - t0)
    return worst


def bench(scale: int, workdir: Path, seed: int = 7) -> dict:
    from pipelines.demo import write_demo_exports
    from pipelines.loader import load_paths
    from pipelines.marts import rebuild_marts

    out = workdir / f"exports-{scale}"
    t0 = time.perf_counter()
    paths = write_demo_exports(out, seed=seed, scale=scale)
    t_demo = time.perf_counter() - t0

    raw, raw_rows = _raw_read(paths, workdir)

    db = workdir / f"store-{scale}.duckdb"
    t0 = time.perf_counter()
    report = load_paths(paths, db)
    t_load = time.perf_counter() - t0
    if not report.ok:
        raise SystemExit(report.format("en"))

    con = duckdb.connect(str(db))
    steps = con.sql("SELECT count(*) FROM approvals").fetchall()[0][0]
    t0 = time.perf_counter()
    rebuild_marts(con)
    t_marts = time.perf_counter() - t0
    con.close()

    t_filter = _filter_change(db)

    raw2, _ = _raw_read(paths, workdir)  # again, so disk caches favour neither side
    raw = min(raw, raw2)
    return {
        "scale": scale,
        "approval_steps": steps,
        "csv_rows": raw_rows,
        "demo_s": t_demo,
        "duckdb_read_csv_s": raw,
        "load_s": t_load,
        "marts_s": t_marts,
        "load_ratio": t_load / raw if raw else None,
        "marts_ratio": t_marts / raw if raw else None,
        "filter_change_s": t_filter,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m pipelines.bench", description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=int, nargs="+", default=[1, ONE_MILLION_SCALE])
    p.add_argument("--keep", type=Path, default=None, help="work in this folder and keep the files")
    args = p.parse_args(argv)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="tierwatch-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        print(f"{'scale':>5} {'steps':>10} {'read_csv s':>10} {'load s':>8} {'load×':>6} {'marts s':>8} {'marts×':>7} {'filter s':>8}")
        for scale in args.scale:
            r = bench(scale, workdir)
            print(
                f"{r['scale']:>5} {r['approval_steps']:>10,} {r['duckdb_read_csv_s']:>10.2f} {r['load_s']:>8.2f} "
                f"{r['load_ratio']:>6.2f} {r['marts_s']:>8.2f} {r['marts_ratio']:>7.2f} {r['filter_change_s']:>8.3f}",
                flush=True,
            )
        print(
            "targets: load× ≤ 1.5 (CSV), marts× ≤ 0.5 (ratios to DuckDB's read_csv of the same files, same run); "
            "filter s ≤ 0.2 (a page's queries after a filter change, at 10M steps)"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
