"""Every rule of DOMAIN.md §4: a record that breaks it and a near miss that does not.

Each test builds a small bureau store (tests/storebuilder.py: ROSTER has VP1, chief C1, deputies D1
(division D-ONE) and D2 (D-TWO), team leaders L1 (T1, D-ONE), L2 (T2, D-ONE), L3 (T3, D-TWO) and
members M1, M2 (T1), M3 (T3)), rebuilds the marts and reads `violations`.
"""

from __future__ import annotations

import re

import polars as pl
from storebuilder import findings, item, make_store, meeting, read, rebuild, staff_rows, step, sub

from pipelines.domain.rules import RULES, RULES_BY_ID
from pipelines.domain.settings import load_settings

# --------------------------------------------------------------------------------------------------
# Approval routing
# --------------------------------------------------------------------------------------------------


def test_a7_chief_matter_needs_chief_level_approval(tmp_path):
    db = make_store(
        tmp_path,
        approvals=[
            # breaks: a payout approved by a team leader and a deputy, never by the chief
            step("BAD", 1, "TEAM_LEAD", "L1", "2024-03-04 09:00", "2024-03-04 10:00", matter_type="PAYOUT"),
            step("BAD", 2, "DEPUTY", "D1", "2024-03-04 10:00", "2024-03-04 11:00", matter_type="PAYOUT"),
            # near miss: deputy D2 acts for the absent chief under an authorised substitution
            step("OK-ACTING", 1, "DEPUTY", "D1", "2024-03-04 09:00", "2024-03-04 10:00", matter_type="PAYOUT"),
            step("OK-ACTING", 2, "CHIEF", "D2", "2024-03-04 10:00", "2024-03-05 11:00", matter_type="PAYOUT", acting_for="C1"),
            # the same without authorisation is not chief-level
            step("BAD-UNAUTH", 1, "DEPUTY", "D1", "2024-03-11 09:00", "2024-03-11 10:00", matter_type="PAYOUT"),
            step("BAD-UNAUTH", 2, "CHIEF", "D1", "2024-03-11 10:00", "2024-03-11 11:00", matter_type="PAYOUT", acting_for="C1"),
            # near miss: the chief approves
            step("OK-CHIEF", 1, "DEPUTY", "D1", "2024-03-04 09:00", "2024-03-04 10:00", matter_type="FORCE"),
            step("OK-CHIEF", 2, "CHIEF", "C1", "2024-03-04 10:00", "2024-03-04 12:00", matter_type="FORCE"),
            # not judged: rejected in the end
            step("REJECTED", 1, "DEPUTY", "D1", "2024-03-04 09:00", "2024-03-04 10:00", "REJECT", matter_type="PAYOUT"),
            # not judged: still pending at the chief
            step("OPEN", 1, "DEPUTY", "D1", "2024-03-04 09:00", "2024-03-04 10:00", matter_type="PAYOUT"),
            step("OPEN", 2, "CHIEF", "C1", "2024-03-04 10:00", None, matter_type="PAYOUT"),
        ],
        substitutions=[
            sub("S-AUTH", "C1", "D2", "C1", "2024-03-05 00:00", "2024-03-05 23:59:59", authorized=True),
            sub("S-NOAUTH", "C1", "D1", "C1", "2024-03-11 00:00", "2024-03-11 23:59:59", authorized=False),
        ],
    )
    assert findings(db, "A7-CHIEF") == {"BAD", "BAD-UNAUTH"}
    detail = read(db, "violations").filter(pl.col("record_id") == "BAD", pl.col("rule_id") == "A7-CHIEF")
    assert "Zhang Deputy" in detail["detail"][0] and "D1" in detail["people"][0]
    assert detail["detail_en"][0].startswith("Matter BAD")


def test_a7_acting_outside_the_substitution_period_is_not_chief_level(tmp_path):
    db = make_store(
        tmp_path,
        approvals=[
            step("LATE", 1, "DEPUTY", "D1", "2024-03-04 09:00", "2024-03-04 10:00", matter_type="RELIEF"),
            # decided one second after the substitution's end
            step("LATE", 2, "CHIEF", "D2", "2024-03-05 10:00", "2024-03-06 00:00:00", matter_type="RELIEF", acting_for="C1"),
            step("EDGE", 1, "DEPUTY", "D1", "2024-03-04 09:00", "2024-03-04 10:00", matter_type="RELIEF"),
            # decided exactly at the end: covered (inclusive)
            step("EDGE", 2, "CHIEF", "D2", "2024-03-05 10:00", "2024-03-05 23:59:59", matter_type="RELIEF", acting_for="C1"),
        ],
        substitutions=[sub("S1", "C1", "D2", "C1", "2024-03-05 00:00", "2024-03-05 23:59:59", authorized=True)],
    )
    assert findings(db, "A7-CHIEF") == {"LATE"}


def test_a9_process_needs_a_deputy_at_or_before_the_chief(tmp_path):
    db = make_store(
        tmp_path,
        approvals=[
            # breaks: straight to the chief
            step("NO-DEPUTY", 1, "CHIEF", "C1", "2024-03-04 09:00", "2024-03-04 10:00", matter_type="DISPOSAL"),
            # breaks: the deputy approves only after the chief
            step("AFTER", 1, "CHIEF", "C1", "2024-03-04 09:00", "2024-03-04 10:00", matter_type="DISPOSAL"),
            step("AFTER", 2, "DEPUTY", "D1", "2024-03-04 10:00", "2024-03-04 11:00", matter_type="DISPOSAL"),
            # near miss: deputy first, then chief
            step("OK", 1, "DEPUTY", "D1", "2024-03-04 09:00", "2024-03-04 10:00", matter_type="DISPOSAL"),
            step("OK", 2, "CHIEF", "C1", "2024-03-04 10:00", "2024-03-04 11:00", matter_type="DISPOSAL"),
            # near miss: the deputy acting for the chief is the process approval itself
            step("SELF", 1, "CHIEF", "D2", "2024-03-05 09:00", "2024-03-05 10:00", matter_type="PLAN", acting_for="C1"),
            # near miss: no chief-level approval at all -> A7's finding, not A9's
            step("NO-CHIEF", 1, "DEPUTY", "D1", "2024-03-04 09:00", "2024-03-04 10:00", matter_type="PLAN"),
            # FORCE needs no process approval
            step("FORCE", 1, "CHIEF", "C1", "2024-03-04 09:00", "2024-03-04 10:00", matter_type="FORCE"),
        ],
        substitutions=[sub("S1", "C1", "D2", "C1", "2024-03-05 00:00", "2024-03-05 23:59:59", authorized=True)],
    )
    assert findings(db, "A9-PROCESS") == {"NO-DEPUTY", "AFTER"}
    assert findings(db, "A7-CHIEF") == {"NO-CHIEF"}


def test_a9_process_orders_steps_by_decision_time_not_step_number(tmp_path):
    db = make_store(
        tmp_path,
        approvals=[
            # step 2 (deputy) was decided before step 1 (chief): fine
            step("SWAPPED", 1, "CHIEF", "C1", "2024-03-04 09:00", "2024-03-04 15:00", matter_type="PLAN"),
            step("SWAPPED", 2, "DEPUTY", "D1", "2024-03-04 09:00", "2024-03-04 11:00", matter_type="PLAN"),
            # step 1 deputy decided after step 2 chief: a finding
            step("LATE-DEP", 1, "DEPUTY", "D1", "2024-03-04 09:00", "2024-03-04 16:00", matter_type="PLAN"),
            step("LATE-DEP", 2, "CHIEF", "C1", "2024-03-04 09:00", "2024-03-04 11:00", matter_type="PLAN"),
        ],
    )
    assert findings(db, "A9-PROCESS") == {"LATE-DEP"}


def test_a9_deputy_documents_need_a_deputy_or_higher(tmp_path):
    db = make_store(
        tmp_path,
        approvals=[
            step("BAD", 1, "TEAM_LEAD", "L1", "2024-03-04 09:00", "2024-03-04 10:00", matter_type="DOCUMENT"),
            step("OK", 1, "TEAM_LEAD", "L1", "2024-03-04 09:00", "2024-03-04 10:00", matter_type="DOCUMENT"),
            step("OK", 2, "DEPUTY", "D1", "2024-03-04 10:00", "2024-03-04 11:00", matter_type="DOCUMENT"),
            step("OK-CHIEF", 1, "CHIEF", "C1", "2024-03-04 10:00", "2024-03-04 11:00", matter_type="COMMAND"),
            # a member recorded at deputy level is still a member: "by a person whose rank ..."
            step("BAD-LEVEL", 1, "DEPUTY", "M1", "2024-03-04 10:00", "2024-03-04 11:00", matter_type="COMMAND"),
        ],
    )
    assert findings(db, "A9-DEPUTY") == {"BAD", "BAD-LEVEL"}


def test_a9_division_documents_are_approved_by_their_own_divisions_deputy(tmp_path):
    doc = {"matter_type": "DOCUMENT"}
    db = make_store(
        tmp_path,
        approvals=[
            # breaks: T1 belongs to D-ONE, approved by D2 (D-TWO)
            step("OTHER-DEP", 1, "TEAM_LEAD", "L1", "2024-03-04 09:00", "2024-03-04 10:00", **doc),
            step("OTHER-DEP", 2, "DEPUTY", "D2", "2024-03-04 10:00", "2024-03-04 11:00", **doc),
            # near miss: its own deputy
            step("OWN-DEP", 1, "DEPUTY", "D1", "2024-03-04 10:00", "2024-03-04 11:00", **doc),
            # near miss: the other deputy, then the chief
            step("CHIEF", 1, "DEPUTY", "D2", "2024-03-04 10:00", "2024-03-04 11:00", **doc),
            step("CHIEF", 2, "CHIEF", "C1", "2024-03-04 11:00", "2024-03-04 12:00", **doc),
            # near miss: D2 acting for D1 under a covering substitution (authorisation not needed)
            step("ACTING", 1, "DEPUTY", "D2", "2024-03-06 10:00", "2024-03-06 11:00", acting_for="D1", **doc),
            # breaks: the same after the substitution ended
            step("ACTING-LATE", 1, "DEPUTY", "D2", "2024-03-08 10:00", "2024-03-08 11:00", acting_for="D1", **doc),
            # near miss: T3 belongs to D-TWO, so D2 is its own deputy
            step("T3", 1, "DEPUTY", "D2", "2024-03-04 10:00", "2024-03-04 11:00", team="T3", **doc),
            # no deputy-rank approval at all: A9-DEPUTY's finding, not A9-DIVISION's
            step("NO-DEP", 1, "TEAM_LEAD", "L1", "2024-03-04 09:00", "2024-03-04 10:00", **doc),
            # a team the roster gives no division: no finding
            step("NO-DIV", 1, "DEPUTY", "D2", "2024-03-04 10:00", "2024-03-04 11:00", team="T9", **doc),
            # command-centre matters are not a division's documents
            step("COMMAND", 1, "DEPUTY", "D2", "2024-03-04 10:00", "2024-03-04 11:00", matter_type="COMMAND"),
            # rejected in the end: not judged
            step("REJECTED", 1, "DEPUTY", "D2", "2024-03-04 10:00", "2024-03-04 11:00", "REJECT", **doc),
        ],
        substitutions=[sub("S1", "D1", "D2", "C1", "2024-03-05 00:00", "2024-03-07 23:59:59")],
    )
    assert findings(db, "A9-DIVISION") == {"OTHER-DEP", "ACTING-LATE"}
    assert findings(db, "A9-DEPUTY") == {"NO-DEP"}
    v = read(db, "violations").filter(pl.col("rule_id") == "A9-DIVISION", pl.col("record_id") == "OTHER-DEP")
    assert "D-TWO" in v["detail_en"][0] and "D-ONE" in v["detail_en"][0] and "D2" in v["people"][0].split(";")
    assert (v["team"][0], v["division"][0], v["article"][0]) == ("T1", "D-ONE", "9.2")


def test_a10_team_matter_is_decided_by_the_teams_leader(tmp_path):
    team = {"matter_type": "TEAM", "team": "T1"}
    db = make_store(
        tmp_path,
        approvals=[
            step("OTHER-LEAD", 1, "TEAM_LEAD", "L2", "2024-03-04 09:00", "2024-03-04 10:00", **team),
            step("OWN-LEAD", 1, "TEAM_LEAD", "L1", "2024-03-04 09:00", "2024-03-04 10:00", **team),
            step("DEPUTY", 1, "DEPUTY", "D2", "2024-03-04 09:00", "2024-03-04 10:00", **team),
            # member acting for L1 under a covering substitution (not authorised: not needed here)
            step("SUBST", 1, "TEAM_LEAD", "M1", "2024-03-06 09:00", "2024-03-06 10:00", acting_for="L1", **team),
            # the same member after the substitution ended
            step("SUBST-LATE", 1, "TEAM_LEAD", "M1", "2024-03-08 09:00", "2024-03-08 10:00", acting_for="L1", **team),
            # team from the case when the approvals cell is empty: case of T2, decided by L2
            step("CASE-TEAM", 1, "TEAM_LEAD", "L2", "2024-03-04 09:00", "2024-03-04 10:00",
                 matter_type="TEAM", team=None, case_id="C-T2"),
        ],
        cases=[{"case_id": "C-T2", "team": "T2", "filed_on": __import__("datetime").date(2024, 1, 2)}],
        substitutions=[sub("S1", "L1", "M1", "L1", "2024-03-05 00:00", "2024-03-07 23:59:59")],
    )
    assert findings(db, "A10-TEAM") == {"OTHER-LEAD", "SUBST-LATE"}


def test_a11_major_needs_the_vp_after_the_chief(tmp_path):
    major = {"matter_type": "MAJOR"}
    db = make_store(
        tmp_path,
        approvals=[
            step("CHIEF-ONLY", 1, "CHIEF", "C1", "2024-03-04 09:00", "2024-03-04 10:00", **major),
            step("VP-FIRST", 1, "VP", "VP1", "2024-03-04 09:00", "2024-03-04 10:00", **major),
            step("VP-FIRST", 2, "CHIEF", "C1", "2024-03-04 10:00", "2024-03-04 11:00", **major),
            step("OK", 1, "CHIEF", "C1", "2024-03-04 09:00", "2024-03-04 10:00", "RETURN", **major),
            step("OK", 2, "VP", "VP1", "2024-03-04 10:00", "2024-03-05 10:00", **major),
        ],
    )
    assert findings(db, "A11-MAJOR") == {"CHIEF-ONLY", "VP-FIRST"}
    v = read(db, "violations").filter(pl.col("rule_id") == "A11-MAJOR").sort("record_id")
    assert "VP level" in v["detail_en"][0] and "chief-level step before" in v["detail_en"][1]


def test_a13_external_needs_the_vp_after_the_chief(tmp_path):
    ext = {"matter_type": "EXTERNAL"}
    db = make_store(
        tmp_path,
        approvals=[
            step("DEPUTY-ONLY", 1, "DEPUTY", "D1", "2024-03-04 09:00", "2024-03-04 10:00", **ext),
            step("OK", 1, "CHIEF", "C1", "2024-03-04 09:00", "2024-03-04 10:00", **ext),
            step("OK", 2, "PRESIDENT", "VP1", "2024-03-04 10:00", "2024-03-05 10:00", **ext),
        ],
    )
    assert findings(db, "A13-EXTERNAL") == {"DEPUTY-ONLY"}


def test_a11_lastword_a_lower_level_must_not_decide_last(tmp_path):
    doc = {"matter_type": "DOCUMENT"}
    db = make_store(
        tmp_path,
        approvals=[
            # the chief returned it, the deputy then approved: the deputy had the last word
            step("BAD", 1, "DEPUTY", "D1", "2024-03-04 09:00", "2024-03-04 10:00", **doc),
            step("BAD", 2, "CHIEF", "C1", "2024-03-04 10:00", "2024-03-04 11:00", "RETURN", **doc),
            step("BAD", 3, "DEPUTY", "D1", "2024-03-04 11:00", "2024-03-04 12:00", **doc),
            # applies to rejected matters too
            step("BAD-REJ", 1, "CHIEF", "C1", "2024-03-04 09:00", "2024-03-04 10:00", "RETURN", **doc),
            step("BAD-REJ", 2, "DEPUTY", "D1", "2024-03-04 10:00", "2024-03-04 11:00", "REJECT", **doc),
            # step numbers say chief last, decision times say deputy last -> finding
            step("BY-TIME", 1, "DEPUTY", "D1", "2024-03-04 09:00", "2024-03-04 16:00", **doc),
            step("BY-TIME", 2, "CHIEF", "C1", "2024-03-04 09:00", "2024-03-04 11:00", **doc),
            # near miss: deputy then chief
            step("OK", 1, "DEPUTY", "D1", "2024-03-04 09:00", "2024-03-04 10:00", **doc),
            step("OK", 2, "CHIEF", "C1", "2024-03-04 10:00", "2024-03-04 11:00", **doc),
            # near miss: not closed (a pending step follows the last decided one)
            step("OPEN", 1, "CHIEF", "C1", "2024-03-04 09:00", "2024-03-04 10:00", "RETURN", **doc),
            step("OPEN", 2, "DEPUTY", "D1", "2024-03-04 10:00", "2024-03-04 11:00", **doc),
            step("OPEN", 3, "CHIEF", "C1", "2024-03-04 11:00", None, **doc),
        ],
    )
    assert findings(db, "A11-LASTWORD") == {"BAD", "BAD-REJ", "BY-TIME"}
    m = read(db, "matters").filter(pl.col("matter_id") == "OPEN")
    assert m["closed"][0] is False


# --------------------------------------------------------------------------------------------------
# Duty substitution
# --------------------------------------------------------------------------------------------------

DAY = ("2024-03-04 00:00", "2024-03-04 23:59:59")


def test_s12_reverse_a_higher_post_must_not_cover_a_lower_one(tmp_path):
    subs = [
        sub("REVERSE", "M1", "L1", "L1", *DAY),
        sub("FORWARD", "L1", "M1", "L1", *DAY),
        sub("PEER", "M1", "M2", "L1", *DAY),
    ]
    db = make_store(tmp_path, substitutions=subs)
    assert findings(db, "S12-REVERSE") == {"REVERSE"}
    # the bureau reads peer substitution as not forward: the setting makes it a finding on rebuild
    rebuild(db, load_settings().with_changes(equal_rank_substitution_allowed=False))
    assert findings(db, "S12-REVERSE") == {"REVERSE", "PEER"}


def test_s12_leadership_posts_are_not_substituted_except_authorised_deputy_for_chief(tmp_path):
    subs = [
        sub("DEPUTY-OUT", "D1", "L1", "D1", *DAY),
        sub("CHIEF-AUTH", "C1", "D1", "C1", *DAY, authorized=True),
        sub("CHIEF-NOAUTH", "C1", "D1", "C1", *DAY, authorized=False),
        sub("LEAD-OUT", "L1", "M1", "L1", *DAY),
    ]
    db = make_store(tmp_path, substitutions=subs)
    assert findings(db, "S12-LEADERSHIP") == {"DEPUTY-OUT", "CHIEF-NOAUTH"}
    # leadership posts are a setting: without DEPUTY, a deputy's absence may be covered
    rebuild(db, load_settings().with_changes(leadership_posts=("CHIEF", "VP", "PRESIDENT", "COMMITTEE")))
    assert findings(db, "S12-LEADERSHIP") == {"CHIEF-NOAUTH"}


def test_s12_authority_by_scope(tmp_path):
    subs = [
        # TEAM scope (M1, M2 in T1): the team's leader, the division's deputy or the chief may decide
        sub("TEAM-LEAD", "M1", "M2", "L1", *DAY),
        sub("TEAM-DEPUTY", "M1", "M2", "D1", *DAY),
        sub("TEAM-OTHER-LEAD", "M1", "M2", "L3", *DAY),
        sub("TEAM-OTHER-DEPUTY", "M1", "M2", "D2", *DAY),
        # DIVISION scope (L1 of T1, L2 of T2, both D-ONE): the division's deputy or the chief
        sub("DIV-DEPUTY", "L1", "L2", "D1", *DAY),
        sub("DIV-LEAD", "L1", "L2", "L1", *DAY),
        sub("DIV-CHIEF", "L1", "L2", "C1", *DAY),
        # BUREAU scope (D-ONE vs D-TWO): only the chief or above
        sub("BUREAU-DEPUTY", "L1", "L3", "D1", *DAY),
        sub("BUREAU-CHIEF", "L1", "L3", "C1", *DAY),
        sub("BUREAU-VP", "L1", "L3", "VP1", *DAY),
        # the substitute deciding their own substitution
        sub("SELF", "M1", "L1", "L1", *DAY),
    ]
    db = make_store(tmp_path, substitutions=subs)
    assert findings(db, "S12-AUTHORITY") == {"TEAM-OTHER-LEAD", "TEAM-OTHER-DEPUTY", "DIV-LEAD", "BUREAU-DEPUTY", "SELF"}
    facts = read(db, "substitution_facts").select("substitution_id", "scope")
    scope = dict(zip(facts["substitution_id"], facts["scope"], strict=True))
    assert (scope["TEAM-LEAD"], scope["DIV-LEAD"], scope["BUREAU-CHIEF"]) == ("TEAM", "DIVISION", "BUREAU")


def test_s12_temporary_limit_and_open_end(tmp_path):
    subs = [
        sub("EXACT-30", "M1", "M2", "L1", "2024-03-01 00:00", "2024-03-31 00:00"),
        sub("OVER-30", "M1", "M2", "L1", "2024-03-01 00:00", "2024-03-31 00:00:01"),
        sub("OPEN", "M1", "M2", "L1", "2024-03-01 00:00", None),
        sub("SHORT", "M1", "M2", "L1", "2024-03-01 00:00", "2024-03-11 23:59:59"),
    ]
    db = make_store(tmp_path, substitutions=subs)
    assert findings(db, "S12-TEMPORARY") == {"OVER-30", "OPEN"}
    rebuild(db, load_settings().with_changes(temporary_substitution_limit_days=10))
    assert findings(db, "S12-TEMPORARY") == {"OVER-30", "OPEN", "EXACT-30", "SHORT"}


def test_s12_unrecorded_acting_steps_need_a_covering_substitution(tmp_path):
    doc = {"matter_type": "DOCUMENT"}
    db = make_store(
        tmp_path,
        approvals=[
            # breaks: M1 acts for L1 with no substitution at all
            step("NONE", 1, "TEAM_LEAD", "M1", "2024-03-04 09:00", "2024-03-04 10:00", acting_for="L1", **doc),
            step("NONE", 2, "DEPUTY", "D1", "2024-03-04 10:00", "2024-03-04 11:00", **doc),
            # near miss: covered (unauthorised is enough: a record, not an authorisation, is asked for)
            step("COVERED", 1, "TEAM_LEAD", "M1", "2024-03-06 09:00", "2024-03-06 10:00", acting_for="L1", **doc),
            step("COVERED", 2, "DEPUTY", "D1", "2024-03-06 10:00", "2024-03-06 11:00", **doc),
            # breaks: a substitution exists, but names another substitute
            step("WRONG-SUB", 1, "TEAM_LEAD", "M2", "2024-03-06 09:00", "2024-03-06 10:00", acting_for="L1", **doc),
            # two bare steps in one matter: one finding; applies to rejected matters too
            step("TWICE", 1, "TEAM_LEAD", "M1", "2024-03-04 09:00", "2024-03-04 10:00", acting_for="L1", **doc),
            step("TWICE", 2, "DEPUTY", "M3", "2024-03-04 10:00", "2024-03-04 11:00", "REJECT", acting_for="D2", **doc),
            # not judged: an open matter (its acting step is decided, a later one pending)
            step("OPEN", 1, "TEAM_LEAD", "M1", "2024-03-04 09:00", "2024-03-04 10:00", acting_for="L1", **doc),
            step("OPEN", 2, "DEPUTY", "D1", "2024-03-04 10:00", None, **doc),
        ],
        substitutions=[sub("S1", "L1", "M1", "L1", "2024-03-05 00:00", "2024-03-07 23:59:59")],
    )
    assert findings(db, "S12-UNRECORDED") == {"NONE", "WRONG-SUB", "TWICE"}
    v = read(db, "violations").filter(pl.col("rule_id") == "S12-UNRECORDED").sort("record_id")
    assert v["record_kind"].unique().to_list() == ["matter"] and v["article"][0] == "8.5, 12"
    twice = v.filter(pl.col("record_id") == "TWICE")
    assert twice.height == 1 and "2 steps" in twice["detail_en"][0]
    assert set(twice["people"][0].split(";")) == {"M1", "L1", "M3", "D2"}
    assert "acting for Lead One (L1)" in v.filter(pl.col("record_id") == "NONE")["detail_en"][0]


# --------------------------------------------------------------------------------------------------
# Meetings
# --------------------------------------------------------------------------------------------------

BUREAU_ALL = ["VP1", "C1", "D1", "D2"]


def test_m4_chair(tmp_path):
    db = make_store(
        tmp_path,
        meetings=[
            meeting("CHIEF", "BUREAU", "2024-03-04", "C1", BUREAU_ALL),
            meeting("DEP-AUTH", "BUREAU", "2024-03-05", "D1", BUREAU_ALL, chair_authorized=True),
            meeting("DEP-NOAUTH", "BUREAU", "2024-03-06", "D1", BUREAU_ALL),
            meeting("LEAD-AUTH", "TEAM_LEADS", "2024-03-07", "L1", ["C1", "L1", "L2", "L3"], chair_authorized=True),
        ],
    )
    assert findings(db, "M4-CHAIR") == {"DEP-NOAUTH", "LEAD-AUTH"}


def test_m4_attend(tmp_path):
    db = make_store(
        tmp_path,
        meetings=[
            meeting("FULL", "BUREAU", "2024-03-04", "C1", BUREAU_ALL),
            meeting("NO-VP", "BUREAU", "2024-03-05", "C1", ["C1", "D1", "D2"]),
            meeting("NO-CHAIR", "BUREAU", "2024-03-06", "C1", ["VP1", "D1", "D2"]),
            # 2 of the roster's 3 team leaders: enough (2 x 2 >= 3)
            meeting("LEADS-OK", "TEAM_LEADS", "2024-03-07", "C1", ["C1", "L1", "L2"]),
            # 1 of 3: short
            meeting("LEADS-SHORT", "TEAM_LEADS", "2024-03-08", "C1", ["C1", "D1", "L1"]),
        ],
    )
    assert findings(db, "M4-ATTEND") == {"NO-VP", "NO-CHAIR", "LEADS-SHORT"}


def test_m4_secretary_attends_the_bureau_meeting_when_the_roster_names_one(tmp_path):
    roster = [dict(r, party_secretary=r["staff_id"] == "D2") for r in staff_rows()]
    meetings = [
        meeting("WITH", "BUREAU", "2024-03-04", "C1", BUREAU_ALL),
        meeting("WITHOUT", "BUREAU", "2024-03-05", "C1", ["VP1", "C1", "D1"]),
        # the team leaders' meeting has no secretary among its members (Art. 4)
        meeting("LEADS", "TEAM_LEADS", "2024-03-06", "C1", ["C1", "D1", "L1", "L2", "L3"]),
    ]
    db = make_store(tmp_path, staff=roster, meetings=meetings)
    assert findings(db, "M4-SECRETARY") == {"WITHOUT"}
    v = read(db, "violations").filter(pl.col("rule_id") == "M4-SECRETARY")
    assert "Zhao Deputy (D2)" in v["detail_en"][0] and "D2" in v["people"][0].split(";")
    # near miss: a roster that names no secretary gives no finding
    assert findings(make_store(tmp_path / "none.duckdb", meetings=meetings), "M4-SECRETARY") == set()


def _meetings():
    return [
        meeting("B1", "BUREAU", "2024-03-04", "C1", BUREAU_ALL),
        meeting("T1", "TEAM_LEADS", "2024-03-05", "C1", ["C1", "L1", "L2", "L3"]),
    ]


def test_m5_tiebreak(tmp_path):
    db = make_store(
        tmp_path,
        meetings=_meetings(),
        meeting_items=[
            item("TIE-MAJORITY", "B1", (2, 2, 1), "MAJORITY"),  # no majority, not the VP's call
            item("TIE-VP", "B1", (2, 2, 1), "VP_DECIDED"),  # near miss
            item("MAJ-VP", "B1", (4, 1, 0), "VP_DECIDED"),  # a majority overruled by the VP
            item("MAJ", "B1", (4, 1, 0), "MAJORITY"),  # near miss
            item("HALF", "B1", (2, 1, 1), "MAJORITY"),  # 2 of 4 is not more than half: no majority
            item("LEADS-TIE", "T1", (2, 2, 0), "ADVISORY"),  # team leaders' meetings are not judged here
        ],
    )
    assert findings(db, "M5-TIEBREAK") == {"TIE-MAJORITY", "MAJ-VP", "HALF"}


def test_m5_escalate(tmp_path):
    esc = "ESCALATED_LEADER"
    db = make_store(
        tmp_path,
        meetings=_meetings(),
        meeting_items=[
            item("OK", "B1", (4, 1, 0), esc, is_major=True, vp="AGAINST"),  # near miss: all conditions
            item("OK-COMMITTEE", "B1", (1, 4, 0), "ESCALATED_COMMITTEE", is_major=True, chief="FOR"),
            item("NOT-MAJOR", "B1", (4, 1, 0), esc, is_major=False, vp="AGAINST"),
            item("NO-DISSENT", "B1", (4, 1, 0), esc, is_major=True),
            item("ABSTAIN", "B1", (4, 1, 0), esc, is_major=True, vp="ABSTAIN", chief="ABSENT"),
            item("NO-VOTES", "B1", (0, 0, 0), esc, is_major=True, vp="AGAINST"),
            item("LEADS", "T1", (1, 3, 0), esc, is_major=True, vp="FOR"),  # applies to both meeting types
        ],
    )
    assert findings(db, "M5-ESCALATE") == {"NOT-MAJOR", "NO-DISSENT", "ABSTAIN", "NO-VOTES"}
    # an escalated bureau item without a majority is also a tie-break finding (applied literally)
    assert "NO-VOTES" in findings(db, "M5-TIEBREAK")


def test_m5_vpabsent_no_vp_opinion_to_adopt(tmp_path):
    db = make_store(
        tmp_path,
        meetings=_meetings() + [meeting("B2", "BUREAU", "2024-03-06", "C1", ["C1", "D1", "D2"])],
        meeting_items=[
            item("ABSENT", "B2", (1, 1, 0), "VP_DECIDED", vp="ABSENT"),  # breaks
            item("PRESENT", "B1", (2, 2, 0), "VP_DECIDED", vp="AGAINST"),  # near miss: the VP's call
            item("ABSENT-MAJ", "B2", (2, 0, 0), "MAJORITY", vp="ABSENT"),  # near miss: not the VP's call
            item("ABSTAINED", "B1", (2, 2, 0), "VP_DECIDED", vp="ABSTAIN"),  # near miss: present, abstained
        ],
    )
    assert findings(db, "M5-VPABSENT") == {"ABSENT"}
    # a tie decided "by the VP" without the VP breaks only this rule, not the tie-break rule
    assert "ABSENT" not in findings(db, "M5-TIEBREAK")


def test_m5_undecided_escalations_need_a_decision_within_the_limit(tmp_path):
    esc = {"is_major": True, "vp": "AGAINST"}
    meetings = [
        meeting("B-OLD", "BUREAU", "2024-03-04", "C1", BUREAU_ALL),  # 31 days before the snapshot
        meeting("B-EDGE", "BUREAU", "2024-03-05", "C1", BUREAU_ALL),  # exactly 30 days before
    ]
    items = [
        item("OLD", "B-OLD", (4, 1, 0), "ESCALATED_LEADER", **esc),  # breaks
        item("OLD-COMMITTEE", "B-OLD", (4, 1, 0), "ESCALATED_COMMITTEE", **esc),  # breaks
        item("EDGE", "B-EDGE", (4, 1, 0), "ESCALATED_LEADER", **esc),  # near miss: not more than 30 days
        item("DECIDED", "B-OLD", (4, 1, 0), "ESCALATED_LEADER", decided_on="2024-04-03", **esc),  # near miss
        item("NOT-ESCALATED", "B-OLD", (4, 1, 0), "MAJORITY"),  # near miss
    ]
    # the snapshot (the data's "now") is the latest approval time: 2024-04-04 15:00
    snapshot = [step("SNAP", 1, "DEPUTY", "D1", "2024-04-04 09:00", "2024-04-04 15:00", matter_type="COMMAND")]
    db = make_store(tmp_path, approvals=snapshot, meetings=meetings, meeting_items=items)
    assert findings(db, "M5-UNDECIDED") == {"OLD", "OLD-COMMITTEE"}
    v = read(db, "violations").filter(pl.col("record_id") == "OLD", pl.col("rule_id") == "M5-UNDECIDED")
    assert "31 days later" in v["detail_en"][0] and "2024-04-04" in v["detail_en"][0]
    # the limit is a setting
    rebuild(db, load_settings().with_changes(undecided_escalation_days=29))
    assert findings(db, "M5-UNDECIDED") == {"OLD", "OLD-COMMITTEE", "EDGE"}
    # without approvals there is no snapshot, so nothing can be judged late
    assert findings(make_store(tmp_path / "nosnap.duckdb", meetings=meetings, meeting_items=items), "M5-UNDECIDED") == set()


def test_m5_advisory_and_record(tmp_path):
    db = make_store(
        tmp_path,
        meetings=_meetings(),
        meeting_items=[
            item("ADVICE", "T1", (3, 0, 0), "ADVISORY"),
            item("BINDING", "T1", (3, 0, 0), "MAJORITY"),
            item("BUREAU", "B1", (3, 0, 0), "MAJORITY"),
            item("UNMINUTED", "B1", (3, 0, 0), "MAJORITY", minuted=False),
        ],
    )
    assert findings(db, "M5-ADVISORY") == {"BINDING"}
    assert findings(db, "M5-RECORD") == {"UNMINUTED"}


# --------------------------------------------------------------------------------------------------
# Across rules
# --------------------------------------------------------------------------------------------------


def test_effective_date_excludes_earlier_records(tmp_path):
    db = make_store(
        tmp_path,
        approvals=[
            step("OLD", 1, "DEPUTY", "D1", "2022-12-01 09:00", "2022-12-30 10:00", matter_type="PAYOUT", submitted="2022-12-01 09:00"),
            # submitted before, decided after the effective date: judged (dated by the final decision)
            step("SPANS", 1, "DEPUTY", "D1", "2022-12-20 09:00", "2023-01-03 10:00", matter_type="PAYOUT", submitted="2022-12-20 09:00"),
            step("NEW", 1, "DEPUTY", "D1", "2023-02-01 09:00", "2023-02-01 10:00", matter_type="PAYOUT", submitted="2023-02-01 09:00"),
        ],
        substitutions=[sub("OLD-S", "M1", "L1", "L1", "2022-12-01 00:00", "2022-12-01 23:59:59"),
                       sub("NEW-S", "M1", "L1", "L1", "2023-01-01 00:00", "2023-01-01 23:59:59")],
        meetings=[meeting("OLD-M", "BUREAU", "2022-12-31", "D1", ["D1"]), meeting("NEW-M", "BUREAU", "2023-01-01", "D1", ["D1"])],
        meeting_items=[item("OLD-I", "OLD-M", (1, 0, 0), "MAJORITY", minuted=False),
                       item("NEW-I", "NEW-M", (1, 0, 0), "MAJORITY", minuted=False)],
    )
    assert findings(db, "A7-CHIEF") == {"SPANS", "NEW"}
    assert findings(db, "S12-REVERSE") == {"NEW-S"}
    assert findings(db, "M4-CHAIR") == {"NEW-M"}
    assert findings(db, "M5-RECORD") == {"NEW-I"}
    # the old records are still shown in the facts
    assert read(db, "matters").height == 3 and read(db, "substitution_facts").height == 2
    import datetime as dt

    rebuild(db, load_settings().with_changes(effective_date=dt.date(2023, 2, 1)))
    assert findings(db, "A7-CHIEF") == {"NEW"}
    assert findings(db, "S12-REVERSE") == set()


def test_registry_declares_every_rule_once_with_its_text(tmp_path):
    ids = [r.id for r in RULES]
    assert ids == [
        "A7-CHIEF", "A7-PLAN", "A9-PROCESS", "A9-DEPUTY", "A9-DIVISION", "A10-TEAM", "A11-MAJOR", "A13-EXTERNAL",
        "A11-LASTWORD", "S12-REVERSE", "S12-LEADERSHIP", "S12-AUTHORITY", "S12-TEMPORARY", "S12-UNRECORDED",
        "M4-CHAIR", "M4-ATTEND", "M4-SECRETARY", "M4-DEPUTIES", "M4-REGULAR", "M5-TIEBREAK", "M5-VPABSENT",
        "M5-ESCALATE", "M5-UNDECIDED", "M5-ADVISORY", "M5-RECORD",
    ]
    regulation = (__import__("pathlib").Path(__file__).parents[1] / "pipelines/domain/data/regulation_zh.md")
    text = regulation.read_text(encoding="utf-8") if regulation.exists() else None
    for r in RULES:
        assert r.title_zh and r.title_en and r.cites_zh
        assert r.family == r.id[0] and r.record_kind in {"matter", "substitution", "meeting", "meeting_item", "case", "month"}
        if text:  # every quoted clause is in the regulation as written
            for clause in re.split(r"[。；：]|（[一二三四五六]）", r.cites_zh):
                clause = re.sub(r"^第[一二三四五六七八九十]+条\s*", "", clause)
                if len(clause) >= 4:
                    assert clause in text, (r.id, clause)
    cat = read(make_store(tmp_path), "rule_catalogue")
    assert cat["rule_id"].to_list() == ids
    assert RULES_BY_ID["M5-RECORD"].article == "5"


# --------------------------------------------------------------------------------------------------
# compliance_monthly: rule × month × team × division
# --------------------------------------------------------------------------------------------------


def test_compliance_monthly_splits_records_by_team_and_sums_to_the_bureau(tmp_path):
    db = make_store(
        tmp_path,
        approvals=[
            # a payout never approved by the chief (A7 finding) in T1, two clean matters in T1 and T3
            step("BAD", 1, "DEPUTY", "D1", "2024-03-04 09:00", "2024-03-04 10:00", matter_type="PAYOUT", team="T1"),
            step("OK1", 1, "CHIEF", "C1", "2024-03-04 09:00", "2024-03-04 10:00", matter_type="PAYOUT", team="T1"),
            step("OK3", 1, "CHIEF", "C1", "2024-03-05 09:00", "2024-03-05 10:00", matter_type="PAYOUT", team="T3"),
            step("APR", 1, "CHIEF", "C1", "2024-04-05 09:00", "2024-04-05 10:00", matter_type="PAYOUT", team="T3"),
        ],
        substitutions=[
            sub("REV", "M3", "L3", "L3", "2024-03-04 00:00", "2024-03-04 23:59:59"),  # reverse, absent in T3
            sub("FWD", "L1", "M1", "L1", "2024-03-05 00:00", "2024-03-05 23:59:59"),  # absent in T1
        ],
        meetings=_meetings(),
        meeting_items=[item("MAJ", "B1", (4, 1, 0), "MAJORITY")],
    )
    comp = read(db, "compliance_monthly")
    assert {"team", "division"} <= set(comp.columns)
    key = lambda rule, month: comp.filter(pl.col("rule_id") == rule, pl.col("month").dt.month() == month)
    a7 = key("A7-CHIEF", 3).select("team", "division", "findings", "records").sort("team").rows()
    assert a7 == [("T1", "D-ONE", 1, 2), ("T3", "D-TWO", 0, 1)]
    rev = key("S12-REVERSE", 3).select("team", "division", "findings", "records").sort("team").rows()
    assert rev == [("T1", "D-ONE", 0, 1), ("T3", "D-TWO", 1, 1)]
    # meetings and meeting items are bureau-wide: null team and division
    meetings = comp.filter(pl.col("record_kind").is_in(["meeting", "meeting_item"]))
    assert meetings.height > 0 and meetings["team"].null_count() == meetings.height
    assert meetings["division"].null_count() == meetings.height
    # findings on a row are those of records of that team (per_100 never above 100)
    assert (comp["findings"] <= comp["records"]).all()

    # summed over team and division: the bureau's figures per rule and month (the old grain)
    summed = comp.group_by("rule_id", "record_kind", "month").agg(pl.col("findings").sum(), pl.col("records").sum())
    v = read(db, "violations")
    by_rule_month = v.group_by("rule_id", "month").agg(pl.len().alias("n"))
    joined = summed.join(by_rule_month, on=["rule_id", "month"], how="left").with_columns(pl.col("n").fill_null(0))
    assert (joined["findings"] == joined["n"]).all() and summed["findings"].sum() == v.height
    judged = {"matter": {3: 3, 4: 1}, "substitution": {3: 2}, "meeting": {3: 2}, "meeting_item": {3: 1}}
    for kind, per_month in judged.items():
        got = summed.filter(pl.col("record_kind") == kind).group_by("month").agg(pl.col("records").first())
        assert {d.month: n for d, n in got.rows()} == per_month, kind
        # every rule of the kind has the same records per month
        spread = summed.filter(pl.col("record_kind") == kind).group_by("month").agg(pl.col("records").n_unique())
        assert (spread["records"] == 1).all(), kind
