"""Metric marts (DOMAIN.md §5) on small explicit stores."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from storebuilder import item, make_store, meeting, read, step, sub


def _latency_store(tmp_path):
    # Deputy steps with latencies 1, 2, 3, 10, 30 hours (same day each: 0 working days except the 30 h one)
    hours = [1, 2, 3, 10, 30]
    steps = [
        step(f"M{i}", 1, "DEPUTY", "D1", "2024-03-04 08:00",
             (dt.datetime(2024, 3, 4, 8) + dt.timedelta(hours=h)).isoformat(sep=" "),
             matter_type="DOCUMENT", submitted="2024-03-04 08:00")
        for i, h in enumerate(hours)
    ]
    # Chief steps: 2 h and a slow one (Mon 4 Mar -> Mon 11 Mar = 5 working days > 3)
    steps += [
        step("M0", 2, "CHIEF", "C1", "2024-03-04 09:00", "2024-03-04 11:00", matter_type="DOCUMENT", submitted="2024-03-04 08:00"),
        step("M1", 2, "CHIEF", "C1", "2024-03-04 10:00", "2024-03-11 10:00", matter_type="DOCUMENT", submitted="2024-03-04 08:00"),
        # pending: team leader since Thu 7 Mar (limit 1), chief since Fri 8 Mar (limit 3)
        step("P1", 1, "TEAM_LEAD", "L1", "2024-03-07 09:00", None, submitted="2024-03-07 09:00"),
        step("P2", 1, "CHIEF", "C1", "2024-03-08 09:00", None, submitted="2024-03-08 09:00"),
        step("P3", 1, "DEPUTY", "D1", "2024-03-11 09:00", None, submitted="2024-03-11 09:00"),
    ]
    return make_store(tmp_path, approvals=steps), hours


def test_level_latency_quantiles_match_numpy_linear(tmp_path):
    db, hours = _latency_store(tmp_path)
    lv = read(db, "level_latency").sort("level_rank")
    assert lv["level"].to_list() == ["DEPUTY", "CHIEF"]  # only levels with decided steps
    dep = lv.row(0, named=True)
    assert dep["steps"] == 5
    assert dep["median_hours"] == pytest.approx(np.quantile(hours, 0.5))
    assert dep["p90_hours"] == pytest.approx(np.quantile(hours, 0.9))  # 18.0 by linear interpolation
    assert dep["mean_hours"] == pytest.approx(np.mean(hours)) and dep["max_hours"] == 30
    assert dep["median_workdays"] == 0 and dep["limit_workdays"] == 2
    chief = lv.row(1, named=True)
    assert chief["p90_hours"] == pytest.approx(np.quantile([2.0, 168.0], 0.9))
    assert chief["over_limit_share"] == pytest.approx(0.5)


def test_pending_age_and_warning_tiers_at_the_snapshot(tmp_path):
    db, _ = _latency_store(tmp_path)
    meta = dict(read(db, "meta").iter_rows())
    # snapshot = latest received_at or decided_at anywhere in approvals: 2024-03-11 10:00
    assert meta["snapshot_at"] == "2024-03-11 10:00:00"
    p = read(db, "pending_steps", order="matter_id")
    assert p["matter_id"].to_list() == ["P1", "P2", "P3"]
    # P1: (Thu 7, Mon 11] = Fri, Mon = 2 > 1 -> RED; P2: (Fri 8, Mon 11] = 1 of 3 -> none;
    # P3: same day -> 0
    assert p["age_workdays"].to_list() == [2, 1, 0]
    assert p["warning_tier"].to_list() == ["RED", None, None]
    assert p["age_hours"].to_list() == [pytest.approx(97.0), pytest.approx(73.0), pytest.approx(1.0)]


def test_yellow_once_two_thirds_of_the_limit_is_used(tmp_path):
    db = make_store(
        tmp_path,
        approvals=[
            step("Y", 1, "CHIEF", "C1", "2024-03-04 09:00", None, submitted="2024-03-04 09:00"),  # 2 of 3
            step("G", 1, "CHIEF", "C1", "2024-03-05 09:00", None, submitted="2024-03-05 09:00"),  # 1 of 3
            step("R", 1, "CHIEF", "C1", "2024-02-29 09:00", None, submitted="2024-02-29 09:00"),  # 4 of 3
            step("X", 1, "DEPUTY", "D1", "2024-03-06 09:00", "2024-03-06 10:00", submitted="2024-03-06 09:00"),
        ],
    )
    p = read(db, "pending_steps", order="matter_id").select("matter_id", "age_workdays", "used_share", "warning_tier")
    assert p.rows() == [("G", 1, pytest.approx(1 / 3), None), ("R", 4, pytest.approx(4 / 3), "RED"),
                        ("Y", 2, pytest.approx(2 / 3), "YELLOW")]


def test_latency_by_dimensions_add_up_to_level_latency(tmp_path):
    from pipelines import queries
    from pipelines.core.filters import Filters
    from pipelines.store.db import connect_readonly

    db, _ = _latency_store(tmp_path)
    lv = dict(read(db, "level_latency").select("level", "steps").iter_rows())
    con = connect_readonly(db)
    try:
        for dim in queries.LATENCY_DIMENSIONS:
            by = queries.latency_by(con, Filters(), dim)
            got = dict(by.group_by("level").agg(pl.col("steps").sum()).iter_rows())
            assert got == lv, dim
        appr = queries.latency_by(con, Filters(), "approver").filter(pl.col("key") == "D1")
    finally:
        con.close()
    assert appr["key_label"].to_list() == ["Zhang Deputy"]


def test_matters_final_decision_and_lead_time(tmp_path):
    db = make_store(
        tmp_path,
        approvals=[
            step("A", 1, "DEPUTY", "D1", "2024-03-04 09:00", "2024-03-04 12:00", submitted="2024-03-04 08:00"),
            step("A", 2, "CHIEF", "C1", "2024-03-04 12:00", "2024-03-06 08:00", "REJECT", submitted="2024-03-04 08:00"),
            step("B", 1, "DEPUTY", "D1", "2024-03-04 09:00", None, submitted="2024-03-04 08:00"),
        ],
    )
    m = read(db, "matters", order="matter_id")
    a, b = m.row(0, named=True), m.row(1, named=True)
    assert (a["closed"], a["final_decision"], a["final_level"], a["final_approver_id"]) == (True, "REJECT", "CHIEF", "C1")
    assert a["lead_time_hours"] == pytest.approx(48.0) and a["lead_time_workdays"] == 2
    assert a["highest_level"] == "CHIEF" and a["division"] == "D-ONE" and a["month"] == dt.date(2024, 3, 1)
    assert (b["closed"], b["final_decision"], b["lead_time_hours"]) == (False, None, None)


def test_substitution_facts_and_acting_steps(tmp_path):
    db = make_store(
        tmp_path,
        approvals=[
            step("A", 1, "TEAM_LEAD", "M1", "2024-03-04 09:00", "2024-03-04 10:00", acting_for="L1", submitted="2024-03-04 08:00"),
            step("A", 2, "DEPUTY", "D1", "2024-03-04 10:00", "2024-03-04 11:00", submitted="2024-03-04 08:00"),
            step("B", 1, "TEAM_LEAD", "L1", "2024-03-10 09:00", "2024-03-10 10:00", submitted="2024-03-10 08:00"),
            step("B", 2, "DEPUTY", "D1", "2024-03-10 10:00", "2024-03-10 11:00", submitted="2024-03-10 08:00"),
        ],
        substitutions=[
            sub("S1", "L1", "M1", "D1", "2024-03-04 00:00", "2024-03-06 23:59:59"),
            sub("S2", "M1", "M2", "L1", "2024-03-20 00:00", "2024-03-20 23:59:59"),
            sub("S3", "C1", "D1", "C1", "2024-04-01 00:00", None, authorized=True),
        ],
    )
    f = read(db, "substitution_facts", order="substitution_id")
    assert f["post_pair"].to_list() == ["TEAM_LEAD→MEMBER", "MEMBER→MEMBER", "CHIEF→DEPUTY"]
    assert f["direction"].to_list() == ["FORWARD", "EQUAL", "FORWARD"]
    assert f["person_days"].to_list() == [3, 1, 0]  # S3 starts after the snapshot (2024-03-10 11:00)
    assert f["days"][0] == pytest.approx(3 - 1 / 86400)
    assert f["team"].to_list() == ["T1", "T1", None]
    act = read(db, "acting_monthly").group_by("level", "level_rank").agg(
        pl.col("decided_steps").sum(), pl.col("acting_steps").sum()).sort("level_rank")
    assert act.select("level", "decided_steps", "acting_steps").rows() == [("TEAM_LEAD", 2, 1), ("DEPUTY", 2, 0)]


def test_meeting_items_and_monthly_rates(tmp_path):
    db = make_store(
        tmp_path,
        meetings=[
            meeting("B1", "BUREAU", "2024-03-04", "C1", ["VP1", "C1"]),
            meeting("B2", "BUREAU", "2024-04-01", "C1", ["VP1", "C1"]),  # a meeting with no items
            meeting("T1", "TEAM_LEADS", "2024-03-05", "C1", ["C1", "L1", "L2"]),
        ],
        meeting_items=[
            item("I1", "B1", (4, 1, 0), "MAJORITY"),
            item("I2", "B1", (2, 2, 0), "VP_DECIDED"),
            item("I3", "B1", (4, 1, 0), "ESCALATED_LEADER", is_major=True, vp="AGAINST", decided_on="2024-03-14"),
            item("I4", "B1", (1, 4, 0), "ESCALATED_COMMITTEE", is_major=True, chief="FOR", decided_on="2024-03-24"),
            item("I5", "T1", (3, 0, 0), "ADVISORY"),
        ],
    )
    it = read(db, "meeting_item_facts", order="item_id")
    assert it["votes_cast"].to_list() == [5, 4, 5, 5, 3]
    assert it["majority"].to_list() == ["FOR", None, "FOR", "AGAINST", "FOR"]
    assert it["vp_dissents"].to_list() == [False, False, True, True, False]
    assert it["chief_dissents"].to_list() == [False, False, False, True, False]
    assert it["days_to_decision"].to_list() == [None, None, 10, 20, None]
    mm = read(db, "meeting_monthly", order="month, meeting_type")
    assert mm.select("month", "meeting_type", "meetings", "items", "tie_breaks", "escalations").rows() == [
        (dt.date(2024, 3, 1), "BUREAU", 1, 4, 1, 2),
        (dt.date(2024, 3, 1), "TEAM_LEADS", 1, 1, 0, 0),
        (dt.date(2024, 4, 1), "BUREAU", 1, 0, 0, 0),
    ]
    b = mm.row(0, named=True)
    assert (b["tie_break_rate"], b["escalation_rate"], b["median_days_to_decision"]) == (0.25, 0.5, 15.0)


def test_compliance_per_100_records_of_the_kind_per_month(tmp_path):
    db = make_store(
        tmp_path,
        substitutions=[
            sub("R", "M1", "L1", "L1", "2024-03-04 00:00", "2024-03-04 23:59:59"),  # reverse (and self-decided)
            sub("F1", "L1", "M1", "L1", "2024-03-05 00:00", "2024-03-05 23:59:59"),
            sub("F2", "L1", "M1", "L1", "2024-03-06 00:00", "2024-03-06 23:59:59"),
            sub("F3", "L1", "M1", "L1", "2024-03-07 00:00", "2024-03-07 23:59:59"),
            sub("F4", "L1", "M1", "L1", "2024-04-07 00:00", "2024-04-07 23:59:59"),
        ],
    )
    c = read(db, "compliance_monthly").filter(pl.col("rule_id") == "S12-REVERSE").sort("month")
    assert c.select("month", "findings", "records", "per_100").rows() == [
        (dt.date(2024, 3, 1), 1, 4, 25.0),
        (dt.date(2024, 4, 1), 0, 1, 0.0),
    ]
    assert set(read(db, "compliance_monthly")["record_kind"]) == {"substitution"}
