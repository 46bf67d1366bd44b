"""Properties of the marts on random small stores (hypothesis): whatever the data, the figures hold together."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from storebuilder import ROSTER, item, make_store, meeting, read_all, rebuild, sub

from pipelines import queries
from pipelines.core import contract
from pipelines.core.filters import Filters
from pipelines.marts.build import MART_NAMES
from pipelines.store.db import connect_readonly

STAFF_IDS = [r[0] for r in ROSTER]
BASE = dt.datetime(2023, 12, 20, 8, 0)  # spans New Year and the 2024 Spring Festival

minutes = st.integers(min_value=0, max_value=60 * 24 * 60)


@st.composite
def matters(draw, matter_id: str) -> list[dict]:
    n = draw(st.integers(min_value=1, max_value=4))
    submitted = BASE + dt.timedelta(minutes=draw(minutes))
    mtype = draw(st.sampled_from(contract.MATTER_TYPE.codes))
    team = draw(st.sampled_from(["T1", "T2", "T3", None]))
    rows, received = [], submitted
    for no in range(1, n + 1):
        pending = draw(st.booleans()) if no == n else draw(st.integers(0, 5)) == 0
        decided = None if pending else received + dt.timedelta(minutes=draw(st.integers(0, 60 * 24 * 20)))
        rows.append({
            "matter_id": matter_id, "case_id": None, "team": team, "matter_type": mtype,
            "submitted_at": submitted, "submitted_by": "M1", "step_no": no,
            "level": draw(st.sampled_from(contract.LEVEL_CODES)),
            "approver_id": draw(st.sampled_from(STAFF_IDS)),
            "received_at": received, "decided_at": decided,
            "decision": draw(st.sampled_from(contract.DECISION.codes)) if decided else None,
            "acting_for": draw(st.sampled_from([None, None, "C1", "L1"])),
        })
        received = decided or received
    return rows


def _ts(x: dt.datetime) -> str:
    return x.isoformat(sep=" ")


@st.composite
def stores(draw):
    approvals = [r for i in range(draw(st.integers(0, 8))) for r in draw(matters(f"X{i}"))]
    subs = []
    for i in range(draw(st.integers(0, 4))):
        start = BASE + dt.timedelta(minutes=draw(minutes))
        end = draw(st.one_of(st.none(), st.integers(0, 60 * 24 * 40)))
        subs.append(sub(f"S{i}", draw(st.sampled_from(STAFF_IDS)), draw(st.sampled_from(STAFF_IDS)),
                        draw(st.sampled_from(STAFF_IDS)), _ts(start),
                        None if end is None else _ts(start + dt.timedelta(minutes=end)),
                        authorized=draw(st.booleans())))
    meetings, items = [], []
    for i in range(draw(st.integers(0, 3))):
        held = (BASE + dt.timedelta(days=draw(st.integers(0, 60)))).date().isoformat()
        meetings.append(meeting(f"G{i}", draw(st.sampled_from(contract.MEETING_TYPE.codes)), held,
                                draw(st.sampled_from(STAFF_IDS)),
                                draw(st.lists(st.sampled_from(STAFF_IDS), max_size=6, unique=True)),
                                chair_authorized=draw(st.booleans())))
        for j in range(draw(st.integers(0, 3))):
            items.append(item(f"G{i}-{j}", f"G{i}", tuple(draw(st.integers(0, 5)) for _ in range(3)),
                              draw(st.sampled_from(contract.OUTCOME.codes)),
                              vp=draw(st.sampled_from(contract.POSITION.codes)),
                              chief=draw(st.sampled_from(contract.POSITION.codes)),
                              is_major=draw(st.booleans()), minuted=draw(st.booleans())))
    return {"approvals": approvals, "substitutions": subs, "meetings": meetings, "meeting_items": items}


# 12 random stores: each is built and every mart rebuilt and read (~1-2 s), and each store already mixes every
# input table (steps, substitutions, meetings, items) with many cross-checks per store.
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(stores())
def test_marts_hold_together_on_random_stores(data):
    with tempfile.TemporaryDirectory() as tmp:
        db = make_store(Path(tmp), **data)
        marts = read_all(db, MART_NAMES)  # one open of the file for every mart read below
        steps = marts["step_latency"]

        # latency and age are never negative
        for col in ("latency_hours", "latency_workdays", "age_hours", "age_workdays"):
            assert (steps[col].drop_nulls() >= 0).all(), col
        assert steps.height == len(data["approvals"])

        # counts add up across breakdowns: every dimension sums to level_latency's steps per level
        lv = dict(marts["level_latency"].select("level", "steps").iter_rows())
        assert sum(lv.values()) == steps.filter(~pl.col("is_pending")).height
        # the level_latency mart and the query over step_latency (any filter set) give the same table
        con = connect_readonly(db)
        try:
            computed = queries.latency_by_level(con, Filters(start=dt.date(1990, 1, 1)))
        finally:
            con.close()
        mart = marts["level_latency"].sort("level_rank")
        assert computed.columns == mart.columns
        for col in mart.columns:
            a, b = mart[col].to_list(), computed[col].to_list()
            assert all(x == y or abs(x - y) < 1e-9 for x, y in zip(a, b, strict=True)), col
        assert marts["pending_steps"].height == steps.filter(pl.col("is_pending")).height
        # latency_steps (what the latency figures read) is step_latency's decided rows, in its columns
        decided, cols = marts["latency_steps"], marts["latency_steps"].columns
        assert decided.sort(cols, nulls_last=True).equals(
            steps.filter(~pl.col("is_pending")).select(cols).sort(cols, nulls_last=True))
        acting = marts["acting_monthly"]
        assert acting["decided_steps"].sum() == sum(lv.values())

        # findings only name records that exist, of the kind they say
        existing = {
            "matter": {r["matter_id"] for r in data["approvals"]},
            "substitution": {r["substitution_id"] for r in data["substitutions"]},
            "meeting": {r["meeting_id"] for r in data["meetings"]},
            "meeting_item": {r["item_id"] for r in data["meeting_items"]},
            "case": {r["case_id"] for r in data.get("cases", [])},
        }
        v = marts["violations"]
        for kind, rid in v.select("record_kind", "record_id").iter_rows():
            if kind == "month":  # M4-REGULAR: a month and a meeting type, from the first meeting's month on
                month, mtype = rid.split(":")
                first = min(r["held_on"] for r in data["meetings"]).strftime("%Y-%m")
                assert mtype in ("BUREAU", "TEAM_LEADS") and first <= month, rid
            else:
                assert rid in existing[kind]
        assert v.select("rule_id", "record_id").is_duplicated().sum() == 0  # one finding per rule and record
        assert v["detail"].null_count() == 0 and v["detail_en"].null_count() == 0

        # compliance: findings add up to the violations; never more findings than records
        comp = marts["compliance_monthly"]
        assert comp["findings"].sum() == v.height
        assert (comp["findings"] <= comp["records"]).all()

        # closed matters have a final decision; matter count = distinct matters
        m = marts["matters"]
        assert m.height == len(existing["matter"])
        assert m.filter(pl.col("closed") & pl.col("final_decision").is_null()).height == 0

        # rebuilding gives identical tables (the same rows: the first read is of the tables make_store wrote,
        # the second of the views over Parquet the app's opening migrated them to, in no promised order)
        rebuild(db)
        after = read_all(db, MART_NAMES)
        for n in MART_NAMES:
            cols = marts[n].columns
            assert after[n].sort(cols, nulls_last=True).equals(marts[n].sort(cols, nulls_last=True)), n
