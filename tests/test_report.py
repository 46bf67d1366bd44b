"""build_report / format_report: the contract's JSON keys, month scoping, both languages."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from storebuilder import item, make_store, meeting, read, step, sub

from pipelines.domain.rules import RULES
from pipelines.present.report import build_report, format_report

CONTRACT_KEYS = {"level_latency", "violations_by_rule", "substitutions_total", "bureau_items", "tie_breaks", "escalations"}


@pytest.fixture
def small_db(tmp_path):
    return make_store(
        tmp_path,
        approvals=[
            # March: a payout without the chief (A7) and a clean one; April: one more clean matter
            step("A", 1, "DEPUTY", "D1", "2024-03-04 09:00", "2024-03-04 13:00", matter_type="PAYOUT"),
            step("B", 1, "DEPUTY", "D1", "2024-03-05 09:00", "2024-03-05 11:00", matter_type="PAYOUT"),
            step("B", 2, "CHIEF", "C1", "2024-03-05 11:00", "2024-03-06 11:00", matter_type="PAYOUT"),
            step("C", 1, "DEPUTY", "D1", "2024-04-01 09:00", "2024-04-01 10:00", matter_type="DOCUMENT"),
            step("D", 1, "CHIEF", "C1", "2024-04-02 09:00", None, matter_type="FORCE"),
        ],
        substitutions=[sub("S1", "L1", "M1", "L1", "2024-03-04 00:00", "2024-03-05 23:59:59")],
        meetings=[meeting("B1", "BUREAU", "2024-03-11", "C1", ["VP1", "C1"])],
        meeting_items=[item("I1", "B1", (2, 2, 0), "VP_DECIDED"), item("I2", "B1", (3, 0, 0), "MAJORITY")],
    )


def test_report_has_the_contract_keys_and_headline_figures(small_db):
    r = build_report(small_db)
    assert CONTRACT_KEYS <= r.keys()
    assert r["snapshot_at"] == "2024-04-02 09:00:00" and r["calendar_fallback_years"] == []
    levels = {row["level"]: row for row in r["level_latency"]}
    assert set(levels) == {"DEPUTY", "CHIEF"}
    assert levels["DEPUTY"]["steps"] == 3
    assert levels["DEPUTY"]["median_hours"] == pytest.approx(np.quantile([4.0, 2.0, 1.0], 0.5))
    assert {"level", "steps", "median_hours", "p90_hours", "median_workdays", "over_limit_share"} <= levels["CHIEF"].keys()
    assert r["violations_by_rule"]["A7-CHIEF"] == 1 and len(r["violations_by_rule"]) == len(RULES)
    assert sum(r["violations_by_rule"].values()) == read(small_db, "violations").height == r["violations_total"]
    assert (r["substitutions_total"], r["bureau_items"], r["tie_breaks"], r["escalations"]) == (1, 2, 1, 0)
    assert (r["matters"], r["approved_matters"], r["pending_steps"]) == (4, 3, 1)
    json.dumps(r)  # serialisable as it is


def test_month_scopes_the_figures(small_db):
    april = build_report(small_db, month="2024-04")
    assert april["month"] == "2024-04"
    assert [row["level"] for row in april["level_latency"]] == ["DEPUTY"]
    assert april["level_latency"][0]["steps"] == 1
    assert april["violations_by_rule"]["A7-CHIEF"] == 0
    assert (april["substitutions_total"], april["bureau_items"], april["matters"]) == (0, 0, 1)
    march = build_report(small_db, month="2024-03", filters={"division": "D-ONE"})
    assert march["violations_by_rule"]["A7-CHIEF"] == 1 and march["level_latency"][0]["steps"] == 2


def test_format_report_in_both_languages(small_db):
    r = build_report(small_db)
    zh, en = format_report(r, "zh"), format_report(r, "en")
    assert "执行管理层级" in zh and "副局长" in zh and "A7-CHIEF" in zh
    assert "Deputy chief" in en and "A7-CHIEF" in en and "执行" not in en.replace("执行管理", "")


def test_report_command_line_json(small_db):
    out = subprocess.run(
        [sys.executable, "-m", "pipelines", "report", "--db", str(small_db), "--json"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert CONTRACT_KEYS <= json.loads(out).keys()


def test_report_on_the_demo_store(demo_db):
    r = build_report(demo_db)
    assert CONTRACT_KEYS <= r.keys()
    assert sum(row["steps"] for row in r["level_latency"]) > 0
    assert r["violations_total"] == read(demo_db, "violations").height
