"""How matters really travel (issue 27), on small explicit stores: return loops against a hand computation,
routes, conformance and the two-level notice; and the edges of the three rules it adds — M4-REGULAR (month
boundaries, the interval, the first meeting month, the snapshot's month), M4-DEPUTIES, and A7-PLAN (29, 30 and
31 days after filing, a plan approved only by a deputy, or by a deputy acting for the chief)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from storebuilder import ROSTER, findings, make_store, meeting, read, staff_rows, step, sub

from pipelines import queries
from pipelines.core.filters import Filters
from pipelines.domain.settings import load_settings
from pipelines.store.db import connect_readonly

MARCH = "2024-03-01 08:00"


def _loops_store(tmp_path):
    """Five matters in March 2024 (1 March is a Friday) whose loops are computed by hand below."""
    def s(matter, no, level, who, received, decided=None, decision="APPROVE", **kw):
        return step(matter, no, level, who, received, decided, decision, submitted=MARCH, **kw)

    return make_store(tmp_path, approvals=[
        # R1, PLAN: returned by the deputy (back 48 h later, 2 working days) and by the chief (back 72 h later
        # over a weekend: 1 working day), then approved by the chief
        s("R1", 1, "TEAM_LEAD", "L1", "2024-03-04 09:00", "2024-03-04 10:00"),
        s("R1", 2, "DEPUTY", "D1", "2024-03-04 11:00", "2024-03-05 09:00", "RETURN"),
        s("R1", 3, "TEAM_LEAD", "L1", "2024-03-05 10:00", "2024-03-05 11:00"),
        s("R1", 4, "DEPUTY", "D1", "2024-03-07 09:00", "2024-03-07 10:00"),
        s("R1", 5, "CHIEF", "C1", "2024-03-07 11:00", "2024-03-08 09:00", "RETURN"),
        s("R1", 6, "DEPUTY", "D1", "2024-03-08 10:00", "2024-03-08 11:00"),
        s("R1", 7, "CHIEF", "C1", "2024-03-11 09:00", "2024-03-11 10:00"),
        # R2, DOCUMENT: returned by the deputy, back at the team leader, not yet at the deputy: an open loop
        s("R2", 1, "TEAM_LEAD", "L1", "2024-03-04 09:00", "2024-03-04 12:00", matter_type="DOCUMENT"),
        s("R2", 2, "DEPUTY", "D1", "2024-03-04 13:00", "2024-03-06 09:00", "RETURN", matter_type="DOCUMENT"),
        s("R2", 3, "TEAM_LEAD", "L1", "2024-03-06 10:00", matter_type="DOCUMENT"),
        # R3, DOCUMENT of team T3 approved by its own deputy: the required route, conforms
        s("R3", 1, "TEAM_LEAD", "L3", "2024-03-04 09:00", "2024-03-04 10:00", matter_type="DOCUMENT", team="T3"),
        s("R3", 2, "DEPUTY", "D2", "2024-03-04 11:00", "2024-03-04 15:00", matter_type="DOCUMENT", team="T3"),
        # R4, TEAM: the same person decides at two levels (a notice)
        s("R4", 1, "TEAM_LEAD", "L2", "2024-03-04 09:00", "2024-03-04 10:00", matter_type="TEAM", team="T2"),
        s("R4", 2, "DEPUTY", "L2", "2024-03-04 11:00", "2024-03-04 12:00", matter_type="TEAM", team="T2"),
        # R5, PAYOUT approved without the chief: an A7-CHIEF finding, does not conform
        s("R5", 1, "TEAM_LEAD", "L1", "2024-03-04 09:00", "2024-03-04 10:00", matter_type="PAYOUT"),
        s("R5", 2, "DEPUTY", "D1", "2024-03-04 11:00", "2024-03-04 12:00", matter_type="PAYOUT"),
    ])


@pytest.fixture(scope="module")
def loops_db(tmp_path_factory):
    return _loops_store(tmp_path_factory.mktemp("loops"))


def _q(db, name, *args):
    con = connect_readonly(db)
    try:
        return getattr(queries, name)(con, *args)
    finally:
        con.close()


def test_return_loops_per_level_equal_a_hand_computation(loops_db):
    got = _q(loops_db, "rework_by_level", Filters())
    rows = {r["level"]: r for r in got.iter_rows(named=True)}
    assert got["level"].to_list() == ["TEAM_LEAD", "DEPUTY", "CHIEF"]  # low to high
    t, d, c = rows["TEAM_LEAD"], rows["DEPUTY"], rows["CHIEF"]
    assert (t["returns"], t["reached"], t["returned_matters"], t["returned_share"]) == (0, 5, 0, 0.0)
    assert t["median_rework_hours"] is None
    # deputy: R1 (back after 48 h, 2 working days) and R2 (open); reached by all five matters, two returned there
    assert (d["returns"], d["closed_loops"], d["open_loops"]) == (2, 1, 1)
    assert (d["median_rework_hours"], d["median_rework_workdays"]) == (48.0, 2.0)
    assert (d["reached"], d["returned_matters"], d["returned_share"]) == (5, 2, 0.4)
    # chief: R1 only, back on Monday 09:00 after Friday 09:00: 72 h, 1 working day
    assert (c["returns"], c["closed_loops"], c["open_loops"], c["median_rework_hours"], c["median_rework_workdays"]) == \
        (1, 1, 0, 72.0, 1.0)
    assert (c["reached"], c["returned_share"]) == (1, 1.0)
    loops = read(loops_db, "rework_loops", order="matter_id, step_no")
    assert loops.select("matter_id", "step_no", "back_step_no", "closed").rows() == [
        ("R1", 2, 4, True), ("R1", 5, 7, True), ("R2", 2, None, False)]


def test_approvers_by_return_share_and_the_filters_narrow_the_loops(loops_db):
    share = _q(loops_db, "approvers_by_return_share", Filters())
    # C1 returned 1 of 2 decided steps, D1 2 of 5 (R1 three, R2 and R5 one each): highest share first
    assert share.select("approver_id", "returns", "decided", "return_share").rows() == [
        ("C1", 1, 2, 0.5), ("D1", 2, 5, 0.4)]
    deputy = _q(loops_db, "rework_by_level", Filters(levels=("DEPUTY",)))
    assert deputy["level"].to_list() == ["DEPUTY"] and deputy["returns"].to_list() == [2]
    assert _q(loops_db, "rework_by_level", Filters(teams=("T3",)))["returns"].sum() == 0
    by_type = _q(loops_db, "rework_by", Filters(), "matter_type")
    assert dict(by_type.select("key", "returns").rows()) == {"PLAN": 2, "DOCUMENT": 1}
    summary = _q(loops_db, "rework_summary", Filters())
    assert summary["closed_share"] == summary["closed_loops"] / summary["returns"] > 0
    assert _q(loops_db, "rework_summary", Filters(start=dt.date(2024, 4, 1)))["returns"] == 0
    assert _q(loops_db, "rework_summary", Filters(start=dt.date(2024, 4, 1)))["closed_share"] is None  # no return


def test_routes_conformance_and_the_two_level_notice(loops_db):
    m = read(loops_db, "matters", order="matter_id")
    assert dict(m.select("matter_id", "route").rows()) == {
        "R1": "TEAM_LEAD>DEPUTY>TEAM_LEAD>DEPUTY>CHIEF>DEPUTY>CHIEF", "R2": "TEAM_LEAD>DEPUTY>TEAM_LEAD",
        "R3": "TEAM_LEAD>DEPUTY", "R4": "TEAM_LEAD>DEPUTY", "R5": "TEAM_LEAD>DEPUTY"}
    assert dict(m.select("matter_id", "on_required_route").rows()) == {
        "R1": False, "R2": False, "R3": True, "R4": True, "R5": False}  # R5: a payout needs the chief
    assert dict(m.select("matter_id", "conforms").rows()) == {"R1": True, "R2": None, "R3": True, "R4": True, "R5": False}
    assert dict(m.select("matter_id", "two_level_approvers").rows())["R4"] == "L2"
    assert _q(loops_db, "conformance_by_type", Filters()) == {"DOCUMENT": 1.0, "PAYOUT": 0.0, "PLAN": 1.0, "TEAM": 1.0}
    # over every type: R1, R3 and R4 conform of the four judged (R2 is open), as the Returns page's headline says
    assert _q(loops_db, "conformance_rate", Filters()) == 0.75
    assert _q(loops_db, "conformance_rate", Filters(start=dt.date(2030, 1, 1))) is None
    routes = _q(loops_db, "routes_by_type", Filters())
    doc = routes.filter(pl.col("matter_type") == "DOCUMENT")  # closed matters only: R2 is open
    assert doc.select("route", "matters", "route_share", "on_required_route").rows() == [("TEAM_LEAD>DEPUTY", 1, 1.0, True)]
    assert _q(loops_db, "two_level_count", Filters()) == 1
    listed = _q(loops_db, "records_page", Filters(), "paths", (("two_level", True),))
    assert listed["matter_id"].to_list() == ["R4"] and listed["two_level_names"].to_list() == ["Lead Two"]
    report = _q(loops_db, "report_figures", Filters())
    assert [r["level"] for r in report["rework_by_level"]] == ["TEAM_LEAD", "DEPUTY", "CHIEF"]
    assert report["conformance_by_type"]["PAYOUT"] == 0.0
    assert report["not_narrowed"] == {}
    levelled = _q(loops_db, "report_figures", Filters(levels=("CHIEF",)))
    assert levelled["not_narrowed"]["conformance_by_type"] == {"level": "not_applicable"}


# --------------------------------------------------------------------------------------------------
# M4-REGULAR
# --------------------------------------------------------------------------------------------------

SNAPSHOT_STEP = step("S", 1, "TEAM_LEAD", "L1", "2024-06-15 09:00", "2024-06-15 12:00", matter_type="TEAM")
EVERY = ["C1", "D1", "D2", "L1", "L2", "L3", "VP1"]


def _meetings():
    return [
        meeting("B-JAN", "BUREAU", "2024-01-31", "C1", EVERY),  # the last day of January ...
        meeting("B-MAR", "BUREAU", "2024-03-01", "C1", EVERY),  # ... and the first of March: February has none
        meeting("B-APR", "BUREAU", "2024-04-30", "C1", EVERY),
        meeting("B-MAY", "BUREAU", "2024-05-01", "C1", EVERY),
        meeting("L-FEB", "TEAM_LEADS", "2024-02-15", "C1", EVERY),
        meeting("L-MAY", "TEAM_LEADS", "2024-05-10", "C1", EVERY),
    ]


def test_m4_regular_month_boundaries_and_the_first_meeting_month(tmp_path):
    db = make_store(tmp_path, approvals=[SNAPSHOT_STEP], meetings=_meetings())
    # judged: from the first meeting's month (2024-01; the effective date is 2023-01-01) to the month before the
    # snapshot's (2024-05): June has no meeting and is not judged yet
    assert findings(db, "M4-REGULAR") == {"2024-02:BUREAU", "2024-01:TEAM_LEADS", "2024-03:TEAM_LEADS",
                                          "2024-04:TEAM_LEADS"}
    v = read(db, "violations").filter(pl.col("record_id") == "2024-01:TEAM_LEADS").row(0, named=True)
    assert (v["record_kind"], v["month"], v["article"]) == ("month", dt.date(2024, 1, 1), "4")
    assert "none before it" in v["detail_en"]
    cm = read(db, "compliance_monthly").filter(pl.col("rule_id") == "M4-REGULAR")
    assert cm["records"].sum() == 10 and cm["findings"].sum() == 4  # 5 months x 2 meeting types


def test_m4_regular_interval_and_effective_date_are_settings(tmp_path):
    intervals = load_settings().with_changes(meeting_interval_months={"BUREAU": 2, "TEAM_LEADS": 3})
    db = make_store(tmp_path / "a.duckdb", approvals=[SNAPSHOT_STEP], meetings=_meetings(), settings=intervals)
    # February is within two months of January's bureau meeting; March and April within three of February's
    assert findings(db, "M4-REGULAR") == {"2024-01:TEAM_LEADS"}
    later = load_settings().with_changes(effective_date=dt.date(2024, 3, 15))
    db = make_store(tmp_path / "b.duckdb", approvals=[SNAPSHOT_STEP], meetings=_meetings(), settings=later)
    assert findings(db, "M4-REGULAR") == {"2024-03:TEAM_LEADS", "2024-04:TEAM_LEADS"}  # judged from 2024-03
    assert findings(make_store(tmp_path / "c.duckdb", approvals=[SNAPSHOT_STEP]), "M4-REGULAR") == set()  # no meetings


# --------------------------------------------------------------------------------------------------
# M4-DEPUTIES
# --------------------------------------------------------------------------------------------------


def test_m4_deputies_a_team_leaders_meeting_without_any_deputy(tmp_path):
    meetings = [
        meeting("NO-DEP", "TEAM_LEADS", "2024-03-08", "C1", ["C1", "L1", "L2", "L3"]),
        meeting("ONE-DEP", "TEAM_LEADS", "2024-04-08", "C1", ["C1", "D2", "L1", "L2", "L3"]),
        meeting("BUREAU", "BUREAU", "2024-03-05", "C1", ["C1", "VP1", "L1"]),  # a bureau meeting: not this rule
    ]
    db = make_store(tmp_path / "a.duckdb", approvals=[SNAPSHOT_STEP], meetings=meetings)
    assert findings(db, "M4-DEPUTIES") == {"NO-DEP"}
    off = load_settings().with_changes(deputies_attend_team_leads=False)
    assert findings(make_store(tmp_path / "b.duckdb", approvals=[SNAPSHOT_STEP], meetings=meetings, settings=off),
                    "M4-DEPUTIES") == set()
    no_deputies = staff_rows([r for r in ROSTER if r[2] != "DEPUTY"])
    assert findings(make_store(tmp_path / "c.duckdb", staff=no_deputies, approvals=[SNAPSHOT_STEP], meetings=meetings),
                    "M4-DEPUTIES") == set()


# --------------------------------------------------------------------------------------------------
# A7-PLAN
# --------------------------------------------------------------------------------------------------


def _case(case_id: str, filed: str, major: bool = True) -> dict:
    return {"case_id": case_id, "team": "T1", "judge_id": "M1", "filed_on": dt.date.fromisoformat(filed),
            "closed_on": None, "case_kind": "首次执行", "amount_yuan": None, "is_major": major, "deadline_on": None}


def _plan(matter: str, case_id: str, approver: str, decision: str = "APPROVE", acting_for: str | None = None) -> dict:
    return step(matter, 1, "CHIEF", approver, "2024-02-01 09:00", "2024-02-01 10:00", decision, case_id=case_id,
                acting_for=acting_for, submitted="2024-02-01 08:00")


def test_a7_plan_29_30_31_days_after_filing(tmp_path):
    # snapshot 2024-06-15: filed 05-17 (29 days), 05-16 (30 days: not more than 30), 05-15 (31 days)
    db = make_store(tmp_path, approvals=[SNAPSHOT_STEP], cases=[
        _case("D29", "2024-05-17"), _case("D30", "2024-05-16"), _case("D31", "2024-05-15"),
        _case("MINOR", "2024-01-02", major=False), _case("BEFORE", "2022-12-30")])
    assert findings(db, "A7-PLAN") == {"D31"}
    v = read(db, "violations").filter(pl.col("rule_id") == "A7-PLAN").row(0, named=True)
    assert (v["record_kind"], v["month"], v["team"], v["division"], v["people"]) == \
        ("case", dt.date(2024, 5, 1), "T1", "D-ONE", "M1")
    assert "31 days" in v["detail_en"]
    seven = load_settings().with_changes(major_case_plan_days=29)
    assert findings(make_store(tmp_path / "b.duckdb", approvals=[SNAPSHOT_STEP], settings=seven, cases=[
        _case("D29", "2024-05-17"), _case("D30", "2024-05-16")]), "A7-PLAN") == {"D30"}


def test_a7_plan_needs_the_chiefs_approval_not_a_deputys(tmp_path):
    cases = [_case(c, "2024-01-10") for c in ("BY-CHIEF", "BY-DEPUTY", "ACTING-OK", "ACTING-UNAUTHORISED",
                                              "REJECTED", "NONE")]
    db = make_store(tmp_path, cases=cases, approvals=[
        SNAPSHOT_STEP,
        _plan("P1", "BY-CHIEF", "C1"),
        # a plan approved only by a deputy (at chief level, but not acting for the chief)
        step("P2", 1, "DEPUTY", "D1", "2024-02-01 09:00", "2024-02-01 10:00", case_id="BY-DEPUTY"),
        _plan("P3", "ACTING-OK", "D1", acting_for="C1"),
        _plan("P4", "ACTING-UNAUTHORISED", "D2", acting_for="C1"),
        _plan("P5", "REJECTED", "C1", decision="REJECT"),
    ], substitutions=[sub("S1", "C1", "D1", "VP1", "2024-01-31 00:00", "2024-02-02 00:00", authorized=True),
                      sub("S2", "C1", "D2", "VP1", "2024-01-31 00:00", "2024-02-02 00:00", authorized=False)])
    assert findings(db, "A7-PLAN") == {"BY-DEPUTY", "ACTING-UNAUTHORISED", "REJECTED", "NONE"}
    details = dict(read(db, "violations").filter(pl.col("rule_id") == "A7-PLAN").select("record_id", "detail_en").rows())
    assert "P2" in details["BY-DEPUTY"] and "no chief-level approval" in details["BY-DEPUTY"]
    assert "no enforcement plan matter" in details["NONE"]
    chief = dict(read(db, "matters").select("matter_id", "chief_approved").rows())
    assert chief == {"S": False, "P1": True, "P2": False, "P3": True, "P4": False, "P5": False}
