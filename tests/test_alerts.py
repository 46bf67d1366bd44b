"""Alert rules and their state: each alert fires once when it turns TRIGGERED, never on every run, re-arms
after its interval (snapshot time), and each rule finds the same records as the page it watches."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines import queries
from pipelines.core.filters import Filters
from pipelines.domain.settings import Settings
from pipelines.notify.alerts import Alert, advance, alert_text, evaluate, states

T0 = datetime(2024, 6, 3, 9, 0)
A = Alert("pending_red", "SP1#2", "T1", "D1", {"matter": "SP1", "step": 2, "approver": "X", "days": 3,
                                                "level": "DEPUTY", "limit": 2.0})
B = Alert("case_last_days", "C1", "T2", "D1", {"case": "C1", "team": "T2", "deadline": "2024-06-20", "days": 5,
                                                "due": "2024-06-15", "n": 10})


def _step(db, alerts, when, rearm=7):
    fired, triggered = advance(db, alerts, when, rearm)
    return [a.key for a in fired], {t.alert.key for t in triggered}


def test_an_alert_fires_once_per_change_and_re_arms(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    assert _step(db, [A], T0) == (["SP1#2"], {"SP1#2"})                   # OK -> TRIGGERED: fires
    assert _step(db, [A], T0 + timedelta(hours=1)) == ([], {"SP1#2"})      # still triggered: silent
    assert _step(db, [A, B], T0 + timedelta(days=1)) == (["C1"], {"SP1#2", "C1"})  # another alert: only it fires
    assert _step(db, [B], T0 + timedelta(days=2)) == ([], {"C1"})          # A clears
    assert states(db)[("pending_red", "SP1#2")]["status"] == "OK"
    assert _step(db, [A, B], T0 + timedelta(days=3)) == ([], {"SP1#2", "C1"})  # back within 7 days: no flapping
    assert _step(db, [], T0 + timedelta(days=4)) == ([], set())
    assert _step(db, [A], T0 + timedelta(days=8)) == (["SP1#2"], {"SP1#2"})   # re-armed after 7 days: fires
    # still triggered a whole interval after it fired: one reminder, then silent again
    assert _step(db, [A], T0 + timedelta(days=15)) == (["SP1#2"], {"SP1#2"})
    assert _step(db, [A], T0 + timedelta(days=16)) == ([], {"SP1#2"})
    assert states(db)[("pending_red", "SP1#2")]["fired_count"] == 3


def test_a_dry_run_moves_no_state(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    fired, _ = advance(db, [A], T0, 7, commit=False)
    assert [a.key for a in fired] == ["SP1#2"] and states(db) == {}
    assert _step(db, [A], T0)[0] == ["SP1#2"]


@settings(max_examples=60, deadline=None)  # each example is a run of up to 12 evaluations on a real SQLite file
@given(runs=st.lists(st.tuples(st.booleans(), st.integers(min_value=1, max_value=96)), min_size=1, max_size=12),
       rearm=st.integers(min_value=1, max_value=5))
def test_never_twice_within_the_interval_and_never_a_change_missed(tmp_path_factory, runs, rearm):
    db = tmp_path_factory.mktemp("alerts") / "warehouse.duckdb"
    when, fires, was, last = T0, [], False, None
    for on, hours in runs:
        when += timedelta(hours=hours)
        fired, _ = advance(db, [A] if on else [], when, rearm)
        if fired:
            assert on
            fires.append(when)
        armed = last is None or when - last >= timedelta(days=rearm)
        if on and not was and armed:  # a change to TRIGGERED with the alert armed always fires
            assert fired
        if on and was and not armed:  # still triggered within the interval: never again
            assert not fired
        if fired:
            last = when
        was = on
    assert all(b - a >= timedelta(days=rearm) for a, b in pairwise(fires))


def test_the_rules_find_what_the_pages_show(con, tmp_path):
    s = Settings()
    found = evaluate(con, s)
    by_rule = {r: [a for a in found if a.rule == r] for r in ("targets", "pending_red", "case_last_days", "item_undecided")}
    assert len(by_rule["pending_red"]) == queries.overdue_pending(con, Filters())["red"] > 0
    n = s.alert_case_last_days
    cases = con.sql(f"SELECT count(*) FROM case_clock WHERE is_open AND days_left BETWEEN 0 AND {n}").fetchall()[0][0]
    assert len(by_rule["case_last_days"]) == cases > 0
    undecided = queries.records_count(con, Filters(), "findings", (("rule_id", "M5-UNDECIDED"),))
    assert len(by_rule["item_undecided"]) == undecided > 0  # both: more than 30 days after the meeting
    assert by_rule["targets"] == []  # the demo store's snapshot month meets the default targets
    strict = evaluate(con, s.with_changes(target_median_step_hours=1.0))
    [target] = [a for a in strict if a.rule == "targets"]
    assert target.key == "median_step_hours:2024-06" and target.team is None  # bureau-wide
    assert "审批环节用时中位数" in alert_text(target, "zh") and "above the target 1.00" in alert_text(target, "en")
    # each alert carries its record's team and division: a team's scope sees only its own
    from pipelines.core.scope import Scope

    team = Scope.team("执行一团队")
    seen = [a for a in found if a.visible_to(team)]
    assert seen and all(a.team == "执行一团队" for a in seen)
    assert not any(a.visible_to(team) for a in by_rule["item_undecided"])
