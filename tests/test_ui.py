"""The dashboard as its users meet it (issue 12), in AppTest and against the query layer on the demo store:
period presets and the unit in the URL, previous values and neutral changes, targets from the settings, the
records behind a figure (they add up to the figure), the all-findings search, why an item escalated."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pipelines import queries
from pipelines.core.filters import Filters, preset_period

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()


def _app(db: Path, monkeypatch, page: str = "overview", **params) -> AppTest:
    monkeypatch.setenv("TIERWATCH_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != "overview":
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _param(at: AppTest, key: str) -> str | None:
    value = at.query_params.get(key)
    return value[0] if isinstance(value, list) else value


def _period(at: AppTest) -> tuple[str, str]:
    return tuple(at.select_slider(key="f_period").value)


# ------------------------------------------------------------------------------------------ presets
def test_presets_are_relative_to_the_snapshot_month():
    june = date(2024, 6, 1)
    assert preset_period("last_month", june) == (date(2024, 5, 1), date(2024, 5, 1))
    assert preset_period("last_quarter", june) == (date(2024, 1, 1), date(2024, 3, 1))
    assert preset_period("last_quarter", date(2024, 1, 1)) == (date(2023, 10, 1), date(2023, 12, 1))
    assert preset_period("this_year", june) == (date(2024, 1, 1), june)
    current = Filters(date(2024, 2, 1), date(2024, 4, 1))
    assert preset_period("last_year", june, current) == (date(2023, 2, 1), date(2023, 4, 1))


def test_preset_buttons_set_the_period_which_then_holds_and_reaches_the_url(demo_db, monkeypatch):
    at = _app(demo_db, monkeypatch)  # demo snapshot: 2024-06-30
    at.button(key="preset_last_month").click().run()
    assert _period(at) == ("2024-05", "2024-05")
    assert _param(at, "from") == "2024-05" and _param(at, "to") == "2024-05"
    one_month = int(at.metric[0].value.replace(",", ""))

    at.button(key="preset_this_year").click().run()
    assert _period(at) == ("2024-01", "2024-06")
    assert int(at.metric[0].value.replace(",", "")) > one_month

    at.button(key="preset_last_quarter").click().run()
    assert _period(at) == ("2024-01", "2024-03")
    widget = at.multiselect(key="f_div")
    widget.select(widget.options[0]).run()  # another filter changes: the period stays
    assert _period(at) == ("2024-01", "2024-03")

    at.button(key="preset_last_year").click().run()  # the current period, a year earlier
    assert _period(at) == ("2023-01", "2023-03")
    assert _param(at, "from") == "2023-01" and _param(at, "to") == "2023-03"
    assert not at.exception


def test_a_preset_outside_the_data_is_disabled(demo_db, monkeypatch):
    at = _app(demo_db, monkeypatch, **{"from": "2022-07", "to": "2022-09"})  # the demo's first months
    assert _period(at) == ("2022-07", "2022-09")
    assert at.button(key="preset_last_year").disabled  # 2021-07..09: before the data
    assert not at.button(key="preset_last_month").disabled


# ------------------------------------------------------------------------------------------ unit in the URL
def test_the_unit_is_read_from_and_written_to_the_url(demo_db, monkeypatch):
    at = _app(demo_db, monkeypatch, "latency", unit="workdays")
    assert at.button_group(key="unit").value == "workdays"
    assert any("latency_distribution_workdays" in str(e.proto) for e in at.get("arrow_vega_lite_chart")) or \
        "workdays" in str(at.session_state["unit"])
    at.button_group(key="unit").set_value("hours").run()
    assert "unit" not in at.query_params  # the default leaves the URL clean
    at.button_group(key="unit").set_value("workdays").run()
    assert _param(at, "unit") == "workdays"
    widget = at.multiselect(key="f_div")
    widget.select(widget.options[0]).run()  # another filter changes: the unit stays, in the widget and the URL
    assert at.button_group(key="unit").value == "workdays" and _param(at, "unit") == "workdays"


# ------------------------------------------------------------------------------------------ headline figures
def test_changes_show_the_previous_value_and_neutral_figures_stay_grey(demo_db, monkeypatch):
    at = _app(demo_db, monkeypatch)
    by_label = {m.label: m for m in at.metric}
    subs = by_label["岗位替补（次）"]
    assert subs.proto.delta_description.startswith("上期 ")
    assert subs.proto.color == subs.proto.GRAY  # fewer or more substitutions is neither good nor bad
    approved = by_label["审批通过事项"]
    assert approved.proto.color == approved.proto.GRAY  # a volume: more approvals are neither good nor bad
    speed = by_label["按时办结率（审批环节）"]  # the headline of speed (issue 22), not the all-steps median
    assert "审批环节用时中位数（小时）" not in by_label
    assert speed.proto.delta_description.startswith("上期 ")
    assert speed.proto.color != speed.proto.GRAY  # a change in speed is good or bad: coloured

    meetings = _app(demo_db, monkeypatch, "meetings")
    held = {m.label: m for m in meetings.metric}["会议（次）"]
    assert held.delta == "±0" and held.proto.color == held.proto.GRAY  # no change: no green "+0"


def _badges(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if "-badge[" in m.value]


def test_targets_come_from_the_settings_beside_the_store(demo_db, monkeypatch, tmp_path):
    at = _app(demo_db, monkeypatch)
    badges = _badges(at)
    assert len(badges) == 2 and any("达标（目标 ≤ 10.0%）" in b and b.startswith(":green") for b in badges), badges

    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_db, db)
    (tmp_path / "settings.toml").write_text("[targets]\nescalation_rate = 0.01\n", encoding="utf-8")
    st.cache_data.clear()
    at = _app(db, monkeypatch)
    assert any("未达标（目标 ≤ 1.0%）" in b and b.startswith(":red") for b in _badges(at)), _badges(at)

    (tmp_path / "settings.toml").write_text("[targets]\nmedian_step_hours = -1\n", encoding="utf-8")
    at = _app(db, monkeypatch)
    assert at.warning and "targets.median_step_hours" in at.warning[0].value  # said, not hidden
    assert any("目标 ≤ 10.0%" in b for b in _badges(at))  # the defaults meanwhile


# ------------------------------------------------------------------------------------------ records behind figures
def test_the_records_behind_each_bar_and_cell_add_up_to_it(con):
    f = Filters(date(2024, 4, 1), date(2024, 6, 1))
    for r in queries.pending_summary(con, f).iter_rows(named=True):
        n = queries.records_count(con, f, "pending", (("level", r["level"]), ("tier", r["tier"])))
        assert n == r["pending"], r
    for r in queries.flow_edges(con, f).iter_rows(named=True):
        n = queries.records_count(con, f, "steps", (("source", r["source"]), ("level", r["target"])))
        assert n == r["steps"], r
    for r in queries.latency_by_level(con, f).iter_rows(named=True):
        assert queries.records_count(con, f, "steps", (("level", r["level"]),)) == r["steps"]
        over = queries.records_count(con, f, "steps", (("level", r["level"]), ("over_limit", True)))
        assert over == r["over_limit_steps"]
    window = f.trend_window(12)
    for r in queries.monthly_overview(con, window).iter_rows(named=True):
        month = Filters(r["month"], r["month"])
        assert queries.records_count(con, month, "matters") == r["approved_matters"], r["month"]
    for r in queries.substitutions_by(con, f, "post_pair").iter_rows(named=True):
        assert queries.records_count(con, f, "substitutions", (("post_pair", r["key"]),)) == r["substitutions"]
    for r in queries.outcomes(con, f).iter_rows(named=True):
        conds = (("meeting_type", r["meeting_type"]), ("outcome", r["outcome"]))
        assert queries.records_count(con, f, "meeting_items", conds) == r["items"]
    for r in queries.open_cases_by(con, f, "team").iter_rows(named=True):
        conds = (("open", True), ("team", r["key"]), ("tier", r["tier"] or "OK"))
        assert queries.records_count(con, Filters(), "cases", conds) == r["cases"], r  # open cases: now, no period
    for r in queries.on_time_monthly(con, window).iter_rows(named=True):
        month = Filters(r["month"], r["month"])
        assert queries.records_count(con, month, "cases", (("open", False),)) == r["closed"], r["month"]
    page = queries.records_page(con, f, "steps", (("level", "CHIEF"),), "", 10, 0)
    assert page.height == 10 and set(page["level"]) == {"CHIEF"}


def test_one_search_finds_findings_by_rule_record_or_detail(con):
    f = Filters(date(2024, 1, 1), date(2024, 6, 1))
    counts = queries.rule_counts(con, f).filter(pl.col("findings") > 0)
    rule = counts["rule_id"][0]
    assert queries.records_count(con, f, "findings", (), rule) >= counts["findings"][0]
    assert queries.records_count(con, f, "findings", (("rule_id", rule),)) == counts["findings"][0]
    one = queries.records_page(con, f, "findings", (), "", 1, 0)
    record = one["record_id"][0]
    found = queries.records_page(con, f, "findings", (), record.lower(), 50, 0)
    assert record in found["record_id"].to_list()  # case-insensitive
    assert queries.records_count(con, f, "findings", (), "100%") == 0  # % is a character, not a wildcard
    everything = queries.records_count(con, f, "findings")
    assert everything == queries.violations_count(con, f)


def test_the_findings_page_searches_and_pages(demo_db, monkeypatch):
    at = _app(demo_db, monkeypatch, "findings", **{"from": "2022-07", "to": "2024-06"})
    everything = len(at.dataframe[0].value)
    assert everything == 50 and at.number_input  # a page of 50 of many, and a page number to go on
    at.text_input(key="fs_search").input("S12").run()
    shown = at.dataframe[0].value
    assert 0 < len(shown) and all(v.startswith("S12") for v in shown.iloc[:, 0]), shown.head()


# ------------------------------------------------------------------------------------------ why an item escalated
def test_an_escalation_reason_says_what_rule_M5_ESCALATE_judges(con):
    """An escalated item's reason says whether Art. 5's conditions hold; where it says they do not, the item is an
    M5-ESCALATE finding, and where they hold, it is not."""
    from views._widgets import escalation_reason

    items = queries.records_page(con, Filters(), "meeting_items", (("escalated", True),), "", 10_000, 0)
    assert items.height > 0
    flagged = set(queries.records_page(con, Filters(), "findings", (("rule_id", "M5-ESCALATE"),), "", 10_000, 0)["record_id"])
    for row in items.iter_rows(named=True):
        reason = escalation_reason(row, "zh")
        assert "表决：赞成" in reason and "分管副院长：" in reason and "局长：" in reason
        if row["held_on"] < date(2023, 1, 1):
            continue  # before the regulation's effective date: not judged
        assert ("不符合第五条上报条件" in reason) == (row["item_id"] in flagged), (row["item_id"], reason)


def test_of_two_long_text_columns_only_the_longer_is_wide():
    """上报依据 beside 议题, both wide, left the reasons cut at the right edge at 1366 px: the longer text is
    wide, the other medium."""
    import polars as pl

    from views._widgets import column_config

    df = pl.DataFrame({"item_id": ["JW1"], "topic": ["执行团队人员调整"], "escalation_reason": ["非重大事项；表决：赞成 5 · 反对 0 · 弃权 0；多数意见：赞成"]})
    config = column_config(df, df, {})
    assert config["escalation_reason"]["width"] == "large" and config["topic"]["width"] == "medium"
    alone = column_config(df.drop("escalation_reason"), df.drop("escalation_reason"), {})
    assert alone["topic"]["width"] == "large"
