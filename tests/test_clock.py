"""The statutory clock of a case (DOMAIN.md §6): deadlines, days left, tiers, on-time closing per month.

Most tests call `clock.case_clock` on small frames (pure polars, the official calendar of chinese-calendar);
the last builds a real store and reads the `case_clock` and `clock_monthly` marts.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from storebuilder import make_store, read, rebuild, step

from pipelines.core import contract
from pipelines.domain import clock
from pipelines.domain.settings import load_settings

D = dt.date
SNAPSHOT = dt.datetime(2024, 6, 30, 10, 0)  # a Sunday; the snapshot date is 2024-06-30
PPL = pl.DataFrame({"staff_id": ["J1"], "name": ["Judge One"]})
TEAMS = pl.DataFrame({"team": ["T1"], "division": ["D-ONE"]})


def case(cid: str, filed: D, closed: D | None = None, *, kind: str | None = "首次执行", deadline: D | None = None,
         team: str = "T1") -> dict:
    return {"case_id": cid, "team": team, "judge_id": "J1", "filed_on": filed, "closed_on": closed, "case_kind": kind,
            "amount_yuan": None, "is_major": False, "deadline_on": deadline}


def clock_of(*rows: dict, settings=None, snapshot=SNAPSHOT) -> dict[str, dict]:
    schema = {c.name: pl.Date if c.type == contract.DATE else pl.Boolean if c.type == contract.BOOL
              else pl.Float64 if c.type == contract.DECIMAL else pl.String for c in contract.CASES.columns}
    cases = pl.DataFrame(list(rows), schema=schema)
    out = clock.case_clock(cases, PPL, TEAMS, settings or load_settings(), snapshot)
    return {r["case_id"]: r for r in out.to_dicts()}


def test_six_months_from_filing_and_three_for_non_litigation_cases():
    c = clock_of(
        case("FIRST", D(2024, 1, 10)),
        case("NON-LIT", D(2024, 1, 10), kind="非诉执行"),
        case("NO-KIND", D(2024, 1, 10), kind=None),
    )
    assert c["FIRST"]["deadline"] == D(2024, 7, 10) and c["FIRST"]["term_months"] == 6
    assert c["NON-LIT"]["deadline"] == D(2024, 4, 10) and c["NON-LIT"]["term_months"] == 3
    assert c["NO-KIND"]["deadline"] == D(2024, 7, 10)
    assert {r["deadline_source"] for r in c.values()} == {"COMPUTED"}
    # which kinds run on three months is a setting
    s = load_settings().with_changes(non_litigation_kinds=("非诉执行", "财产保全"))
    assert clock_of(case("KEEP", D(2024, 1, 10), kind="财产保全"), settings=s)["KEEP"]["deadline"] == D(2024, 4, 10)


def test_a_month_end_that_does_not_exist_becomes_the_last_day_of_the_month():
    c = clock_of(case("LEAP", D(2023, 8, 31)), case("PLAIN", D(2022, 8, 31)), case("NOV", D(2023, 11, 30), kind="非诉执行"))
    assert c["LEAP"]["deadline"] == D(2024, 2, 29)  # a Thursday, a working day
    assert c["PLAIN"]["deadline"] == D(2023, 2, 28)  # a Tuesday
    assert c["NOV"]["deadline"] == D(2024, 2, 29)  # 11-30 + 3 months


def test_a_deadline_on_a_non_working_day_moves_to_the_next_working_day():
    c = clock_of(
        case("NATIONAL-DAY", D(2024, 4, 2)),  # 2024-10-02, inside the National Day holiday (10-01..10-07)
        case("NATIONAL-DAY-3M", D(2024, 7, 1), kind="非诉执行"),  # 2024-10-01
        case("MID-AUTUMN", D(2024, 3, 15)),  # 2024-09-15, a Sunday in the Mid-Autumn holiday (09-15..09-17)
        case("WORKED-SATURDAY", D(2024, 4, 12)),  # 2024-10-12 is a Saturday worked in lieu: it stays
        case("SUNDAY", D(2024, 1, 7)),  # 2024-07-07, an ordinary Sunday
    )
    assert c["NATIONAL-DAY"]["deadline"] == D(2024, 10, 8)
    assert c["NATIONAL-DAY-3M"]["deadline"] == D(2024, 10, 8)
    assert c["MID-AUTUMN"]["deadline"] == D(2024, 9, 18)
    assert c["WORKED-SATURDAY"]["deadline"] == D(2024, 10, 12)
    assert c["SUNDAY"]["deadline"] == D(2024, 7, 8)


def test_an_exported_deadline_wins_over_the_computed_one():
    c = clock_of(
        case("EXTENDED", D(2024, 1, 10), deadline=D(2024, 10, 10)),  # an approved extension
        case("ON-HOLIDAY", D(2024, 4, 2), deadline=D(2024, 10, 3)),  # taken as exported, not moved
    )
    assert (c["EXTENDED"]["deadline"], c["EXTENDED"]["computed_deadline"]) == (D(2024, 10, 10), D(2024, 7, 10))
    assert c["EXTENDED"]["deadline_source"] == "EXPORTED"
    assert c["ON-HOLIDAY"]["deadline"] == D(2024, 10, 3) and c["ON-HOLIDAY"]["computed_deadline"] == D(2024, 10, 8)


def test_open_cases_days_left_and_the_yellow_threshold_boundary():
    deadline = {"RED": D(2024, 6, 29), "TODAY": D(2024, 6, 30), "EDGE": D(2024, 7, 30), "CLEAR": D(2024, 7, 31)}
    c = clock_of(*(case(k, D(2024, 1, 2), deadline=v) for k, v in deadline.items()))
    assert {k: (c[k]["days_left"], c[k]["tier"]) for k in deadline} == {
        "RED": (-1, "RED"), "TODAY": (0, "YELLOW"), "EDGE": (30, "YELLOW"), "CLEAR": (31, None),
    }
    # the threshold is a setting
    c = clock_of(*(case(k, D(2024, 1, 2), deadline=v) for k, v in deadline.items()),
                 settings=load_settings().with_changes(clock_yellow_days=31))
    assert c["CLEAR"]["tier"] == "YELLOW"


def test_cases_without_closed_on_are_open_and_never_counted_as_closed():
    c = clock_of(
        case("OPEN", D(2024, 3, 1)),
        case("ON-DEADLINE", D(2023, 12, 1), D(2024, 6, 3)),  # deadline 2024-06-01 (Sat) -> Mon 06-03
        case("DAY-LATE", D(2023, 12, 1), D(2024, 6, 4)),
        case("EARLY", D(2024, 5, 6), D(2024, 6, 5)),
    )
    open_ = c["OPEN"]
    assert open_["is_open"] and open_["on_time"] is None and open_["month"] is None and open_["days_to_close"] is None
    assert open_["days_left"] == (D(2024, 9, 2) - D(2024, 6, 30)).days  # 09-01 is a Sunday
    assert (c["ON-DEADLINE"]["on_time"], c["DAY-LATE"]["on_time"], c["EARLY"]["on_time"]) == (True, False, True)
    assert c["DAY-LATE"]["days_late"] == 1 and c["ON-DEADLINE"]["days_late"] is None
    assert c["ON-DEADLINE"]["days_left"] is None and c["ON-DEADLINE"]["tier"] is None  # tiers are for open cases
    frame = pl.DataFrame(list(c.values()))
    monthly = clock.clock_monthly(frame, keys=())
    assert monthly.to_dicts() == [{
        "month": D(2024, 6, 1), "closed": 3, "on_time": 2, "on_time_share": pytest.approx(2 / 3),
        "median_days_to_close": float((D(2024, 6, 3) - D(2023, 12, 1)).days),
        "mean_days_to_close": pytest.approx((185 + 186 + 30) / 3),
    }]


def test_without_a_snapshot_open_cases_have_no_days_left():
    c = clock_of(case("OPEN", D(2024, 3, 1)), snapshot=None)
    assert c["OPEN"]["deadline"] == D(2024, 9, 2) and c["OPEN"]["days_left"] is None and c["OPEN"]["tier"] is None


def test_the_clock_marts_in_a_store(tmp_path):
    cases = [
        case("A", D(2024, 1, 10), D(2024, 5, 6)),
        case("B", D(2023, 10, 9), D(2024, 5, 20)),  # deadline 2024-04-09: late
        case("C", D(2024, 1, 15), team="T3"),  # open, deadline 2024-07-15: 15 days left
        case("D", D(2023, 12, 1), team="T3"),  # open, deadline 2024-06-03: past
    ]
    snap = [step("SNAP", 1, "DEPUTY", "D1", "2024-06-30 09:00", "2024-06-30 10:00", matter_type="COMMAND")]
    db = make_store(tmp_path, cases=cases, approvals=snap)
    cc = read(db, "case_clock", order="case_id")
    assert cc["case_id"].to_list() == ["A", "B", "C", "D"]
    assert cc["division"].to_list() == ["D-ONE", "D-ONE", "D-TWO", "D-TWO"]  # the team's division on the roster
    assert cc["tier"].to_list() == [None, None, "YELLOW", "RED"]
    assert cc["days_left"].to_list() == [None, None, 15, -27]
    monthly = read(db, "clock_monthly")
    assert monthly.select("month", "team", "division", "closed", "on_time").rows() == [(D(2024, 5, 1), "T1", "D-ONE", 2, 1)]
    # a changed yellow threshold applies on rebuild
    rebuild(db, load_settings().with_changes(clock_yellow_days=10))
    assert read(db, "case_clock", order="case_id")["tier"].to_list() == [None, None, None, "RED"]


@pytest.mark.parametrize("text", ["[clock]\nyellow_days = -1\n", "[clock]\nyellow_days = 2.5\n",
                                  "[clock]\nnon_litigation_kinds = \"非诉执行\"\n",
                                  "[regulation]\nundecided_escalation_days = 0\n"])
def test_invalid_clock_settings_are_refused(tmp_path, text):
    from pipelines.domain.settings import SettingsError

    (tmp_path / "settings.toml").write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError):
        load_settings(store_dir=tmp_path)


def test_clock_settings_from_the_users_file(tmp_path):
    (tmp_path / "settings.toml").write_text('[clock]\nnon_litigation_kinds = ["非诉执行", "财产保全"]\nyellow_days = 15\n',
                                            encoding="utf-8")
    s = load_settings(store_dir=tmp_path)
    assert s.non_litigation_kinds == ("非诉执行", "财产保全") and s.clock_yellow_days == 15
    assert load_settings().clock_yellow_days == 30 and load_settings().undecided_escalation_days == 30


# --------------------------------------------------------------------------------------------------
# The query layer on the demo store: the page's, the report's and the headline's figures agree with a
# plain recomputation from the input `cases` table and the marts
# --------------------------------------------------------------------------------------------------


def test_clock_figures_agree_with_the_input_cases_under_filters(demo_db):
    import duckdb

    from pipelines import queries
    from pipelines.core.filters import Filters
    from pipelines.queries.summary import report_figures

    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        cases = con.sql("SELECT * FROM cases").pl()
        cc = con.sql("SELECT * FROM case_clock").pl()
        team = cases["team"].mode().sort()[0]
        june = Filters(start=D(2024, 6, 1), end=D(2024, 6, 1), teams=(team,))
        # closed in June in that team, straight from the input table
        closed = cases.filter((pl.col("team") == team) & (pl.col("closed_on").dt.truncate("1mo") == D(2024, 6, 1)))
        summary = queries.clock_summary(con, june)
        assert summary["closed"] == closed.height > 0
        days = (closed["closed_on"] - closed["filed_on"]).dt.total_days().cast(pl.Float64)
        assert summary["median_days_to_close"] == pytest.approx(days.median())
        late = closed.join(cc.select("case_id", "deadline"), on="case_id").filter(pl.col("closed_on") > pl.col("deadline"))
        assert summary["on_time"] == closed.height - late.height
        # open cases are a figure of now: the period does not narrow them, the team does
        now = queries.open_cases_now(con, june)
        assert now["open"] == cases.filter((pl.col("team") == team) & pl.col("closed_on").is_null()).height
        assert now == queries.open_cases_now(con, Filters(teams=(team,)))
        assert queries.scope("open_cases_now", june).ignored == (("period", "now"),)
        # the monthly figure, the headline and the report say the same
        monthly = queries.on_time_monthly(con, june)
        assert monthly.select("closed", "on_time").row(0) == (summary["closed"], summary["on_time"])
        assert monthly["median_days_to_close"][0] == pytest.approx(summary["median_days_to_close"])
        assert monthly["mean_days_to_close"][0] == pytest.approx(summary["mean_days_to_close"])
        assert queries.headline(con, june)["on_time_share"] == pytest.approx(summary["on_time_share"])
        report = report_figures(con, june)
        assert (report["cases_closed"], report["cases_closed_on_time"], report["cases_open"]) == (
            summary["closed"], summary["on_time"], now["open"])
        assert report["not_narrowed"]["cases_open"] == {"period": "now"} and "cases_closed" not in report["not_narrowed"]
        # nearest deadline first, the tiers as the page filters them
        page = queries.open_cases_page(con, Filters(teams=(team,)), ("RED",), 5, 0)
        assert page["tier"].to_list() == ["RED"] * page.height and page["days_left"].is_sorted()
        assert queries.open_cases_count(con, Filters(teams=(team,)), ("RED",)) == now["red"]
        by_judge = queries.open_cases_by(con, Filters(teams=(team,)), "judge")
        assert by_judge["cases"].sum() == now["open"]
    finally:
        con.close()
