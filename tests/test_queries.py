"""Dashboard queries against a real demo store: filters narrow the figures, paging is LIMIT/OFFSET."""

from datetime import date

import polars as pl
import pytest

from pipelines import queries
from pipelines.core.filters import Filters, add_months


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
    monthly = queries.monthly_overview(con, f)  # every month of the period, each of nothing
    assert monthly["month"].to_list() == [date(1990, 1, 1), date(1990, 2, 1), date(1990, 3, 1)]
    assert monthly.select("approved_matters", "substitutions", "findings").sum().row(0) == (0, 0, 0)
    assert monthly["median_hours"].null_count() == 3 and monthly["escalation_rate"].null_count() == 3
    assert isinstance(queries.latency_by_level(con, f), pl.DataFrame)


def test_every_monthly_series_has_every_month_of_the_period_zeros_as_zeros(con):
    """A month without a record is a month of 0, never a month left out (a line ran 2 -> 2 straight through a
    month of 0 findings; a three-month substitutions chart showed only April)."""
    subs = queries.substitutions_monthly(con, Filters())
    months = sorted(set(subs["month"]))
    # a month of the demo data without a substitution, inside a period that has some before and after it
    gaps = [m for m in _months(months[0], months[-1]) if m not in months]
    assert gaps, "the demo data has a month without a substitution"
    gap = gaps[0]
    f = Filters(add_months(gap, -1), add_months(gap, 1))
    period = [add_months(gap, -1), gap, add_months(gap, 1)]
    for name, df, counts in (
        ("substitutions_monthly", queries.substitutions_monthly(con, f), ("substitutions", "person_days")),
        ("monthly_overview", queries.monthly_overview(con, f), ("approved_matters", "substitutions", "findings")),
        ("findings_by_family_month", queries.findings_by_family_month(con, f), ("findings",)),
        ("on_time_monthly", queries.on_time_monthly(con, f), ("closed", "on_time")),
        ("acting_monthly", queries.acting_monthly(con, f), ("decided_steps", "acting_steps")),
        ("rule_trend", queries.rule_trend(con, f), ("findings",)),
        ("latency_by", queries.latency_by(con, f, "month").rename({"key": "month"}), ("steps",)),
        ("meeting_rates", queries.meeting_rates(con, f), ()),
    ):
        assert sorted(set(df["month"])) == period, name
        assert all(df[c].null_count() == 0 for c in counts), name
    gap_row = queries.substitutions_monthly(con, f).filter(pl.col("month") == gap)
    assert gap_row.height >= 1 and gap_row["substitutions"].sum() == 0
    overview = queries.monthly_overview(con, f).filter(pl.col("month") == gap)
    assert overview["substitutions"].to_list() == [0]


def _months(first, last):
    out = [first]
    while out[-1] < last:
        out.append(add_months(out[-1], 1))
    return out


def test_findings_per_100_follow_the_division_and_team_filters(con, info):
    eff = info.meta_value("effective_date")
    whole = Filters(info.first_month, info.last_month)
    division = queries.filter_options(con)["divisions"][0]
    part = Filters(whole.start, whole.end, divisions=(division,))
    # records judged: closed matters, substitutions and major cases due a plan (A7-PLAN: filed since the
    # effective date, more than 30 days before the snapshot) of the division; bureau-wide meetings, meeting
    # items and months (M4-REGULAR) drop out under an organisational filter
    snapshot = info.meta_value("snapshot_at")[:10]
    expected = con.sql(
        f"""SELECT (SELECT count(*) FROM matters WHERE closed AND division = $d
                      AND final_decided_at::DATE >= '{eff}'::DATE)
                 + (SELECT count(*) FROM substitution_facts WHERE division = $d AND start_at::DATE >= '{eff}'::DATE)
                 + (SELECT count(*) FROM cases c JOIN case_clock k USING (case_id)
                    WHERE c.is_major AND k.division = $d AND c.filed_on >= '{eff}'::DATE
                      AND c.filed_on + 30 < '{snapshot}'::DATE)""",
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


# ------------------------------------------------------------------------------------------ the Overview's combined queries
def _headline_of_its_parts(con, f: Filters) -> dict:
    """The headline as the figures it is made of compute it, one query each (what `headline` ran before it
    counted everything in one query)."""
    from pipelines.queries.clock import clock_summary

    findings, records = queries.findings_and_records(con, f)
    meetings, clock = queries.bureau_meetings(con, f), clock_summary(con, f)
    return {
        "approved_matters": queries.matter_summary(con, f)["approved_matters"],
        "median_hours": queries.median_hours(con, f),
        "within_limit_share": queries.within_limit_share(con, f),
        "substitutions": queries.substitution_summary(con, f)["substitutions"],
        "bureau_items": meetings["items"],
        "escalation_rate": meetings["escalation_rate"],
        "findings": findings,
        "records": records,
        "findings_per_100": 100.0 * findings / records if records else None,
        "cases_closed": clock["closed"],
        "on_time_share": clock["on_time_share"],
    }


def _levels_as_before(con, f: Filters) -> pl.DataFrame:
    """`latency_by_level` as one query of its own for `f` (what it ran before the periods were combined)."""
    from pipelines.tables.marts import LATENCY_MEASURES_SQL

    if f == Filters():
        return con.sql("SELECT * FROM level_latency ORDER BY level_rank").pl()
    w, p = queries.where(f, "step_latency", "NOT is_pending")
    return con.sql(f"""SELECT level, level_rank, {LATENCY_MEASURES_SQL} FROM step_latency {w}
                       GROUP BY level, level_rank ORDER BY level_rank""", params=p or None).pl()


def _filter_sets(con, info):
    """A hypothesis strategy: filters a user can set on this store (any period, up to two of each list)."""
    from hypothesis import strategies as st

    opts = queries.filter_options(con)
    months, m = [], info.first_month
    while m <= info.last_month:
        months.append(m)
        m = date(m.year + m.month // 12, m.month % 12 + 1, 1)
    subset = lambda values, n: st.lists(st.sampled_from(values), max_size=n, unique=True).map(tuple)

    @st.composite
    def filter_sets(draw):
        start = draw(st.sampled_from(months))
        end = draw(st.sampled_from([x for x in months if x >= start]))
        period = draw(st.sampled_from(["month", "range", "range", "none", "start only"]))
        return Filters(
            start=None if period == "none" else start,
            end={"none": None, "start only": None, "month": start}.get(period, end),
            divisions=draw(subset(opts["divisions"], 1)),
            teams=draw(subset([tm for tm, _ in opts["teams"]], 2)),
            matter_types=draw(subset(opts["matter_types"], 2)),
            levels=draw(subset(opts["levels"], 2)),
        )

    return filter_sets()


def test_the_combined_queries_give_what_the_separate_ones_gave_for_random_filters(con, info):
    """The Overview reads the period and the one before it in one query each (headline_periods,
    latency_by_level_periods): to the last digit what each period's own queries give, for any filters."""
    from hypothesis import HealthCheck, given, settings

    # 15 filter sets on the demo store (~0.1-0.2 s each): the combined queries differ from the separate ones
    # only in how the period and the one before it are split, which every draw with a period exercises.
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_filter_sets(con, info))
    def check(f):
        prev = f.previous()
        now, before, year_ago = queries.headline_periods(con, f)
        assert now == _headline_of_its_parts(con, f) == queries.headline(con, f)
        assert before == (_headline_of_its_parts(con, prev) if prev else {})
        assert year_ago == (_headline_of_its_parts(con, f.year_ago()) if prev else {})
        levels, levels_prev = queries.latency_by_level_periods(con, f)
        alone = queries.latency_by_level(con, f)
        assert levels.equals(alone) and alone.equals(_levels_as_before(con, f)) and levels.schema == alone.schema
        if prev is None:
            assert levels_prev is None
        else:
            assert levels_prev.equals(_levels_as_before(con, prev)) and levels_prev.schema == alone.schema

    check()


class _OnTheStepRows:
    """A connection on which the latency figures read step_latency's decided rows (Parquet files) instead of
    `latency_steps`, their copy in the catalogue: the same SQL over the rows it is copied from."""

    ROWS = "(SELECT * FROM step_latency WHERE NOT is_pending) AS latency_steps"

    def __init__(self, con):
        self.con, self.rewritten = con, 0

    def sql(self, text, params=None):
        if "FROM latency_steps" in text:
            self.rewritten += 1
            text = text.replace("FROM latency_steps", "FROM " + self.ROWS)
        return self.con.sql(text, params=params)


def test_latency_figures_from_latency_steps_equal_those_on_the_step_rows_for_random_filters(con, info):
    """Every latency figure reads latency_steps; for any filters it equals, to the last digit, the same
    figure computed with quantile_cont over step_latency's decided rows."""
    from hypothesis import HealthCheck, given, settings

    rows = _OnTheStepRows(con)
    figures = [
        lambda c, f: queries.median_hours(c, f),
        lambda c, f: queries.latency_by_level(c, f),
        lambda c, f: queries.latency_quantiles(c, f, "hours"),
        lambda c, f: queries.latency_quantiles(c, f, "workdays"),
        lambda c, f: queries.latency_by(c, f, "month"),
        lambda c, f: queries.latency_by(c, f, "team"),
        lambda c, f: queries.latency_by(c, f, "approver"),
        lambda c, f: queries.slowest_approvers(c, f),
        lambda c, f: queries.workload_speed(c, f),
        lambda c, f: queries.pareto_wait(c, f),
        lambda c, f: queries.flow_edges(c, f),
        lambda c, f: queries.headline(c, f)["median_hours"],
        lambda c, f: queries.monthly_overview(c, f).select("month", "median_hours"),
    ]

    # 15 filter sets on the demo store (~0.3 s each: thirteen latency figures twice): the two tables differ only
    # in their rows, never in the filter's handling, so a few draws per dimension suffice.
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_filter_sets(con, info))
    def check(f):
        for fig in figures:
            got, want = fig(con, f), fig(rows, f)
            if isinstance(got, pl.DataFrame):
                assert got.equals(want) and got.schema == want.schema, f
            else:
                assert got == want, f

    check()
    assert rows.rewritten > 0
    assert queries.latency_by_level(con, Filters(levels=("CHIEF",))).height == 1  # the copy is not empty


def test_the_previous_period_before_the_data_is_empty_not_missing(con, info):
    f = Filters(info.first_month, info.first_month)  # the month before holds no data
    now, before, _ = queries.headline_periods(con, f)
    assert now["approved_matters"] > 0
    assert before == _headline_of_its_parts(con, f.previous())
    assert before["approved_matters"] == 0 and before["median_hours"] is None  # no step before the first month
    levels, levels_prev = queries.latency_by_level_periods(con, f)
    assert levels.height > 0 and levels_prev.is_empty() and levels_prev.schema == levels.schema


class _Counting:
    """A connection that counts the SQL statements it runs."""

    def __init__(self, con):
        self.con, self.statements = con, 0

    def sql(self, text, params=None):
        self.statements += 1
        return self.con.sql(text, params=params)


def test_a_filter_change_on_the_overview_runs_nine_statements(con, info):
    """What the Overview runs for a filter (pipelines.queries.plans.overview_plan, held equal to the page by
    tests/test_pages.py): one SQL statement per query function, the period before included. It ran 22
    before the period and the one before it were read together (headline: 7 per period)."""
    from pipelines.queries.plans import overview_plan

    f = Filters(date(2024, 4, 1), date(2024, 6, 1), divisions=(queries.filter_options(con)["divisions"][0],))
    counting = _Counting(con)
    for query, *args in overview_plan(f):
        query(counting, *args)
    assert len(overview_plan(f)) == 9 and counting.statements == 9
