"""Dashboard queries against a real demo store: filters narrow the figures, paging is LIMIT/OFFSET."""

from datetime import date

import polars as pl
import pytest

from pipelines import queries
from pipelines.filters import Filters


@pytest.fixture(scope="module")
def info(con):
    return queries.store_info(con)


def test_store_info_and_options(con, info):
    assert info.ready and info.first_month < info.last_month
    assert info.meta_value("snapshot_at")
    opts = queries.filter_options(con)
    assert len(opts["divisions"]) >= 2 and opts["teams"] and "CHIEF" in opts["levels"]


def test_division_filter_lowers_the_headline(con, info):
    f = Filters().clamp(info.first_month, info.last_month)
    division = queries.filter_options(con)["divisions"][0]
    whole, part = queries.headline(con, f), queries.headline(con, Filters(f.start, f.end, divisions=(division,)))
    assert 0 < part["approved_matters"] < whole["approved_matters"]
    assert part["substitutions"] <= whole["substitutions"]


def test_headline_matches_the_marts(con, info):
    f = Filters(info.first_month, info.last_month)
    n = con.sql("SELECT count(*) FROM matters WHERE closed AND final_decision = 'APPROVE'").fetchall()[0][0]
    assert queries.headline(con, f)["approved_matters"] == n


def test_latency_by_level_agrees_with_level_latency_over_all_months(con, info):
    ours = queries.latency_by_level(con, Filters(info.first_month, info.last_month)).sort("level")
    theirs = con.sql("SELECT level, steps, median_hours, p90_hours FROM level_latency ORDER BY level").pl()
    joined = ours.join(theirs, on="level", suffix="_mart")
    assert joined.height == theirs.height
    assert (joined["steps"] == joined["steps_mart"]).all()
    assert ((joined["median_hours"] - joined["median_hours_mart"]).abs() < 1e-6).all()


def test_level_filter_keeps_only_that_level(con, info):
    f = Filters(info.first_month, info.last_month, levels=("CHIEF",))
    assert queries.latency_by_level(con, f)["level"].to_list() == ["CHIEF"]
    assert set(queries.pending_summary(con, f)["level"].to_list()) <= {"CHIEF"}


def test_violations_are_paged(con, info):
    f = Filters(info.first_month, info.last_month)
    total = queries.violations_count(con, f)
    assert total > 10
    first = queries.violations_page(con, f, limit=5, offset=0)
    second = queries.violations_page(con, f, limit=5, offset=5)
    assert first.height == 5 and second.height == 5
    keys = lambda df: set(zip(df["rule_id"], df["record_id"]))
    assert not keys(first) & keys(second)
    one_rule = first["rule_id"][0]
    assert set(queries.violations_page(con, f, (one_rule,), limit=50)["rule_id"]) == {one_rule}


def test_rule_counts_cover_the_catalogue(con, info):
    counts = queries.rule_counts(con, Filters(info.first_month, info.last_month))
    catalogue = queries.rule_catalogue(con)
    assert sorted(counts["rule_id"]) == sorted(catalogue["rule_id"])
    total = con.sql("SELECT count(*) FROM violations").fetchall()[0][0]
    assert counts["findings"].sum() == total


def test_pending_page_is_ordered_by_used_share(con):
    page = queries.pending_page(con, Filters(), limit=10)
    shares = page["used_share"].drop_nulls().to_list()
    assert shares == sorted(shares, reverse=True)
    assert queries.pending_count(con, Filters()) == con.sql("SELECT count(*) FROM pending_steps").fetchall()[0][0]


def test_flow_and_pareto(con, info):
    f = Filters(info.first_month, info.last_month)
    edges = queries.flow_edges(con, f)
    assert "SUBMITTED" in edges["source"].to_list()
    pareto = queries.pareto_wait(con, f, "level")
    assert pareto["cumulative_share"].is_sorted() and abs(pareto["cumulative_share"][-1] - 1) < 1e-9


def test_substitution_and_meeting_queries(con, info):
    f = Filters(info.first_month, info.last_month)
    monthly = queries.substitutions_monthly(con, f)
    assert monthly["substitutions"].sum() == con.sql("SELECT count(*) FROM substitution_facts").fetchall()[0][0]
    timeline = queries.substitution_timeline(con, f, None)
    assert (timeline["end_shown"] >= timeline["start_at"]).all()
    out = queries.outcomes(con, f)
    assert out["items"].sum() == con.sql("SELECT count(*) FROM meeting_item_facts").fetchall()[0][0]


def test_an_old_period_has_no_data(con):
    f = Filters(date(1990, 1, 1), date(1990, 3, 1))
    h = queries.headline(con, f)
    assert h["approved_matters"] == 0 and h["escalation_rate"] is None
    assert queries.monthly_overview(con, f).is_empty()
    assert isinstance(queries.latency_by_level(con, f), pl.DataFrame)


def test_findings_per_100_follow_the_division_and_team_filters(con, info):
    eff = info.meta_value("effective_date")
    whole = Filters(info.first_month, info.last_month)
    division = queries.filter_options(con)["divisions"][0]
    part = Filters(whole.start, whole.end, divisions=(division,))
    # records judged: closed matters and substitutions of the division since the effective date;
    # bureau-wide meetings and meeting items drop out under an organisational filter
    expected = con.sql(
        f"""SELECT (SELECT count(*) FROM matters WHERE closed AND division = $d
                      AND final_decided_at::DATE >= '{eff}'::DATE)
                 + (SELECT count(*) FROM substitution_facts WHERE division = $d AND start_at::DATE >= '{eff}'::DATE)""",
        params={"d": division},
    ).fetchall()[0][0]
    findings, records = queries.findings_and_records(con, part)
    all_findings, all_records = queries.findings_and_records(con, whole)
    assert records == expected and 0 < records < all_records
    assert 0 < findings < all_findings
    h = queries.headline(con, part)
    assert h["findings_per_100"] == 100.0 * findings / records
    # per rule: per 100 is the filtered findings over the filtered records
    counts = queries.rule_counts(con, part)
    with_records = counts.filter(pl.col("records") > 0)
    assert with_records.height > 0
    assert ((with_records["per_100"] - 100.0 * with_records["findings"] / with_records["records"]).abs() < 1e-9).all()
    # meeting rules judge bureau-wide records only: none under a division filter, some without one
    kinds = ["meeting", "meeting_item"]
    assert counts.filter(pl.col("record_kind").is_in(kinds))["records"].sum() == 0
    assert queries.rule_counts(con, whole).filter(pl.col("record_kind").is_in(kinds))["records"].sum() > 0
    # a team filter narrows further than its division
    team = next(t for t, d in queries.filter_options(con)["teams"] if d == division)
    _, team_records = queries.findings_and_records(con, Filters(whole.start, whole.end, teams=(team,)))
    assert 0 < team_records <= records
