"""rebuild_marts: every mart exists (even on an empty store), settings beside the store apply, progress."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from storebuilder import findings, make_store, read, read_all, rebuild, step, sub

from pipelines.core.filters import Filters
from pipelines.domain.rules import RULES
from pipelines.domain.settings import load_settings
from pipelines.ingest.loader import load_paths
from pipelines.marts import build as marts
from pipelines.marts.build import COUNTED, MART_NAMES, latency_from_counts, level_latency, rebuild_marts
from pipelines.queries._sql import where
from pipelines.store import db as store
from pipelines.tables import inputs as schema
from pipelines.tables.marts import LATENCY_MEASURES_SQL

CONTRACT_LEVEL_COLUMNS = {"level", "steps", "median_hours", "p90_hours", "median_workdays", "over_limit_share"}
CONTRACT_VIOLATION_COLUMNS = {"rule_id", "article", "record_kind", "record_id", "detail"}


def test_empty_store_builds_every_mart(tmp_path):
    db = tmp_path / "empty.duckdb"
    con = duckdb.connect(str(db))
    schema.create_input_tables(con)
    calls = []
    rebuild_marts(con, progress=lambda f, m: calls.append((f, m)))
    tables = {r[0] for r in con.sql("SELECT table_name FROM duckdb_tables() UNION SELECT view_name FROM duckdb_views()").fetchall()}
    con.close()
    assert set(MART_NAMES) <= tables
    for name in MART_NAMES:
        rows = read(db, name).height
        assert rows == (len(RULES) if name == "rule_catalogue" else 14 if name == "meta" else 0), name
    assert CONTRACT_LEVEL_COLUMNS <= set(read(db, "level_latency").columns)
    assert CONTRACT_VIOLATION_COLUMNS <= set(read(db, "violations").columns)
    fractions = [f for f, _ in calls]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0 and fractions == sorted(fractions)
    assert all(isinstance(m, str) and m for _, m in calls)


def _store_with_a_long_substitution(tmp_path):
    return make_store(
        tmp_path,
        substitutions=[sub("S1", "M1", "M2", "L1", "2024-03-01 00:00", "2024-03-15 23:59:59")],
        approvals=[step("A", 1, "TEAM_LEAD", "L1", "2024-03-04 09:00", "2024-03-05 17:00")],
    )


def test_settings_file_beside_the_store_changes_findings_on_rebuild(tmp_path):
    db = _store_with_a_long_substitution(tmp_path)
    assert findings(db, "S12-TEMPORARY") == set()
    assert read(db, "step_latency")["over_limit"].to_list() == [False]  # 1 working day, limit 1
    (tmp_path / "settings.toml").write_text(
        "[regulation]\ntemporary_substitution_limit_days = 7\n"
        "[latency.level_limits_workdays]\nTEAM_LEAD = 0.5\nDEPUTY = 2\nCHIEF = 3\nVP = 5\nPRESIDENT = 5\nCOMMITTEE = 20\n",
        encoding="utf-8",
    )
    rebuild(db)  # no settings passed: read from beside the store
    assert findings(db, "S12-TEMPORARY") == {"S1"}
    assert read(db, "step_latency")["over_limit"].to_list() == [True]
    meta = dict(read(db, "meta").iter_rows())
    assert meta["settings_source"].endswith("settings.toml") and '"temporary_substitution_limit_days": 7.0' in meta["settings"]


def test_holidays_file_beside_the_store(tmp_path):
    db = make_store(tmp_path, approvals=[step("A", 1, "DEPUTY", "D1", "2024-03-04 09:00", "2024-03-06 09:00")])
    assert read(db, "step_latency")["latency_workdays"].to_list() == [2]
    (tmp_path / "holidays.csv").write_text("date,kind\n2024-03-05,holiday\n", encoding="utf-8")
    rebuild(db)
    assert read(db, "step_latency")["latency_workdays"].to_list() == [1]


def test_defaults_match_the_domain():
    s = load_settings()
    assert s.effective_date.isoformat() == "2023-01-01"
    assert s.level_limits_workdays == {"TEAM_LEAD": 1, "DEPUTY": 2, "CHIEF": 3, "VP": 5, "PRESIDENT": 5, "COMMITTEE": 20}
    assert set(s.leadership_posts) == {"DEPUTY", "CHIEF", "VP", "PRESIDENT", "COMMITTEE"}
    assert s.equal_rank_substitution_allowed and s.temporary_substitution_limit_days == 30
    assert s.yellow_share == pytest.approx(2 / 3)


def test_rebuild_twice_gives_identical_tables(tmp_path):
    db = _store_with_a_long_substitution(tmp_path)
    before = {n: read(db, n) for n in MART_NAMES}
    rebuild(db)
    for n in MART_NAMES:
        assert read(db, n).equals(before[n]), n


def test_violations_carry_what_the_pages_need(tmp_path):
    db = make_store(tmp_path, substitutions=[sub("S1", "M1", "L1", "L3", "2024-03-04 00:00", "2024-03-04 23:59:59")])
    v = read(db, "violations").filter(pl.col("rule_id") == "S12-REVERSE").row(0, named=True)
    assert v["article"] == "12" and v["record_kind"] == "substitution" and v["record_id"] == "S1"
    assert v["team"] == "T1" and v["division"] == "D-ONE" and v["people"] == "M1;L1;L3"
    assert str(v["month"]) == "2024-03-01" and str(v["occurred_at"]) == "2024-03-04 00:00:00"
    assert "Lead One（L1）" in v["detail"] and "逆向" in v["detail"]
    assert "Lead One (L1)" in v["detail_en"] and "reverse" in v["detail_en"]


def test_progress_speaks_the_users_language(tmp_path):
    db = make_store(tmp_path, approvals=[step("A", 1, "TEAM_LEAD", "L1", "2024-03-04 09:00", "2024-03-05 17:00")],
                    rebuild=False)
    for lang, chinese in (("en", False), ("zh", True)):
        calls = []
        con = duckdb.connect(str(db))
        try:
            rebuild_marts(con, progress=lambda f, m, calls=calls: calls.append(m), lang=lang)
        finally:
            con.close()
        assert calls and all(any("\u4e00" <= ch <= "\u9fff" for ch in m) == chinese for m in calls), calls


# level_latency is merged from value counts; DuckDB's own aggregates over the rows are the reference.
_LEVELS = {"TEAM_LEAD": (2, 1.0), "DEPUTY": (3, 2.0), "CHIEF": (4, None)}
_HOURS = st.one_of(st.none(), st.sampled_from([0.0, 0.5, 2.75, 25.1]),
                   st.integers(0, 2000 * 60).map(lambda m: m / 60), st.floats(0, 3000, allow_nan=False))
_STEP = st.tuples(st.sampled_from(sorted(_LEVELS)), _HOURS, st.one_of(st.none(), st.integers(0, 400)),
                  st.one_of(st.none(), st.booleans()))


# 60 step lists of up to 60 rows, one in-memory DuckDB each (~0.1-0.3 s): enough to reach the edges of the
# merge (no steps, all hours null, one level, ties in the quantiles) several times each.
@settings(max_examples=60, deadline=None)
@given(st.lists(_STEP, min_size=0, max_size=60))
def test_level_latency_from_value_counts_equals_the_aggregates_over_the_rows(steps):
    con = duckdb.connect()
    con.execute("""CREATE TABLE latency_steps (level VARCHAR, level_rank TINYINT, latency_hours DOUBLE,
                   latency_workdays INTEGER, limit_workdays DOUBLE, over_limit BOOLEAN)""")
    rows = [(lv, _LEVELS[lv][0], h, w, _LEVELS[lv][1], o) for lv, h, w, o in steps]
    if rows:
        con.executemany("INSERT INTO latency_steps VALUES (?, ?, ?, ?, ?, ?)", rows)
    merged = level_latency(con).rows()
    on_rows = con.sql(f"""SELECT level, level_rank, {LATENCY_MEASURES_SQL} FROM latency_steps
                          GROUP BY level, level_rank ORDER BY level_rank""").fetchall()
    assert merged == on_rows  # to the last digit, NULLs in the same places


# The same merge over a pre-aggregate at the shared filters' grain (value counts per month × team ×
# division × matter type × level): for any filter, the counts of the cells it keeps give the measures of
# its steps, equal to DuckDB's aggregates over those steps to the last digit.
_MONTHS = [date(2024, m, 1) for m in (1, 2, 3)]
_CELL = st.tuples(st.sampled_from(_MONTHS), st.sampled_from(["T1", "T2", "T3"]), st.sampled_from(["D1", "D2"]),
                  st.sampled_from(["PLAN", "PAYOUT"]))
_FILTERS = st.builds(
    Filters, start=st.one_of(st.none(), st.sampled_from(_MONTHS)), end=st.one_of(st.none(), st.sampled_from(_MONTHS)),
    teams=st.lists(st.sampled_from(["T1", "T2", "T3"]), unique=True, max_size=2).map(tuple),
    divisions=st.lists(st.sampled_from(["D1", "D2"]), unique=True, max_size=1).map(tuple),
    matter_types=st.lists(st.sampled_from(["PLAN", "PAYOUT"]), unique=True, max_size=1).map(tuple),
    levels=st.lists(st.sampled_from(sorted(_LEVELS)), unique=True, max_size=2).map(tuple))


# 60 (cube, filter) pairs, one in-memory DuckDB each (~0.1-0.2 s): the filter adds 5 dimensions to the steps'
# space, each set and unset, so as many draws as the merge above for the same reach per dimension.
@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_CELL, _STEP, st.integers(1, 3)), min_size=0, max_size=60), _FILTERS)
def test_latency_from_pre_aggregated_counts_equals_the_aggregates_over_the_rows_for_any_filter(steps, f):
    con = duckdb.connect()
    con.execute("""CREATE TABLE latency_steps (month DATE, team VARCHAR, division VARCHAR, matter_type VARCHAR,
                   level VARCHAR, level_rank TINYINT, latency_hours DOUBLE, latency_workdays INTEGER,
                   limit_workdays DOUBLE, over_limit BOOLEAN)""")
    rows = [(*cell, lv, _LEVELS[lv][0], h, w, _LEVELS[lv][1], o) for cell, (lv, h, w, o), times in steps
            for _ in range(times)]  # steps alike in every column: counts above 1
    if rows:
        con.executemany("INSERT INTO latency_steps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute(f"""CREATE TABLE cube AS SELECT month, team, division, matter_type, level, level_rank,
                    {", ".join(COUNTED)}, count(*) AS n FROM latency_steps GROUP BY ALL""")
    w, p = where(f, "latency_steps")  # the query layer's filter, over the cube's columns of the same names
    merged = latency_from_counts(
        con, f"SELECT level, level_rank, {', '.join(COUNTED)}, sum(n) AS n FROM cube {w} GROUP BY ALL", p).rows()
    on_rows = con.sql(f"""SELECT level, level_rank, {LATENCY_MEASURES_SQL} FROM latency_steps {w}
                          GROUP BY level, level_rank ORDER BY level_rank""", params=p or None).fetchall()
    assert merged == on_rows


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


@pytest.mark.parametrize("batch", [800, 1500])
def test_marts_built_in_small_batches_equal_those_built_in_one(tmp_path, demo_exports, monkeypatch, batch):
    """800 steps: the demo's larger months are split in two batches, its cases' months grouped several to a
    batch; 1500: the approvals' months grouped two to a batch. Every mart as with one batch."""
    db = tmp_path / "warehouse.duckdb"
    assert load_paths(demo_exports, db).ok  # the demo's 18k steps in one batch
    whole = read_all(db, MART_NAMES)
    monkeypatch.setattr(marts, "BATCH_STEPS", batch)
    store.rebuild(db)
    assert int(dict(read(db, "meta").rows())["recomputed_matters"]) == whole["matters"].height
    for name, frame in read_all(db, MART_NAMES).items():
        if name != "meta":
            assert _sorted(frame).equals(_sorted(whole[name])), name


@pytest.mark.parametrize("batch", [800, marts.BATCH_STEPS])
def test_a_full_build_leaves_latency_steps_in_month_order_without_sorting_it(tmp_path, demo_exports, monkeypatch, batch):
    """A full build takes latency_steps in step_latency's order (no sort of 10.45M rows at 10M): months in
    order batch by batch, each batch sorted, so a month can step back only where one batch's steps reach
    into the next one's months. The period filters of the pages skip row groups by that order."""
    monkeypatch.setattr(marts, "BATCH_STEPS", batch)
    db = tmp_path / "warehouse.duckdb"
    assert load_paths(demo_exports, db).ok
    con = duckdb.connect(str(db), read_only=True)
    try:
        batches = len(marts._batches(con, "approvals", "matter_id", None))
        rows, descents = con.sql("""SELECT count(*), count(*) FILTER (WHERE month < before)
                                    FROM (SELECT month, lag(month) OVER (ORDER BY rowid) AS before FROM latency_steps)""").fetchall()[0]
    finally:
        con.close()
    assert rows > 10_000 and (batches > 10 if batch == 800 else batches == 1)
    assert descents <= batches - 1, (descents, batches)


def test_among_selects_exactly_the_ids_of_the_temp_table_whatever_their_text():
    con = duckdb.connect()
    con.execute("CREATE TABLE t (id VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [("SP2024060001",), ("SP2024060002",), ("O'Brien-1",), ("z",), (None,)])
    con.execute("CREATE TEMP TABLE ids (id VARCHAR)")
    con.executemany("INSERT INTO ids VALUES (?)", [("O'Brien-1",), ("SP2024060002",), ("absent",)])

    def picked():
        return sorted(r[0] for r in con.sql(f"SELECT id FROM t WHERE {marts._among(con, 't.id', 'ids', 'id')}").fetchall())

    assert picked() == ["O'Brien-1", "SP2024060002"]
    con.execute("DELETE FROM ids")
    assert picked() == []
