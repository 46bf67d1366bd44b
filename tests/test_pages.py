"""Every page renders on the demo store and on an empty store, in both languages (Streamlit AppTest), and
changing a filter changes the figures it should."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = ("overview", "attention", "latency", "bottlenecks", "paths", "clock", "substitutions", "meetings", "regulation",
         "findings", "data")


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()


def _app(db: Path, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("TIERWATCH_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at


def _open(at: AppTest, page: str) -> AppTest:
    at.run()
    if page != "overview":
        at.switch_page(f"views/{page}.py").run()
    return at


def _problems(at: AppTest) -> list[str]:
    return [e.value for e in at.exception] + [e.value for e in at.error]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_the_demo_store(demo_db, monkeypatch, page, lang):
    at = _open(_app(demo_db, monkeypatch, lang=lang), page)
    assert not _problems(at), _problems(at)
    assert at.header, "no page title"
    if page not in ("data",):
        assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart") or at.dataframe, "nothing drawn"
        assert any(("数据截至" if lang == "zh" else "Data as of") in c.value for c in at.caption), "no caption with the snapshot"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_page_guides_on_an_empty_store(empty_db, monkeypatch, page, lang):
    at = _open(_app(empty_db, monkeypatch, lang=lang), page)
    assert not _problems(at), _problems(at)
    assert at.info, "no guide to loading data"
    assert str(empty_db) in at.info[0].value


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_store_whose_marts_an_older_version_built_says_rebuild_not_import(demo_db, tmp_path, monkeypatch, lang):
    """Data loaded, a mart this version reads missing (an older version built the marts): the pages say to
    rebuild, with the command, instead of claiming there is no data."""
    import shutil

    from pipelines.store import db as store

    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_db, db)
    shutil.copytree(demo_db.with_suffix(".parts"), tmp_path / "warehouse.parts")
    with store.building(db) as con:
        con.execute("DROP TABLE acting_monthly")
    at = _open(_app(db, monkeypatch, lang=lang), "overview")
    assert not _problems(at), _problems(at)
    assert ("旧版本" if lang == "zh" else "older version") in at.info[0].value
    assert at.code[0].value == f"uv run python -m pipelines rebuild --db {db}"
    assert not at.metric
    store.rebuild(db)
    st.cache_data.clear()
    assert _open(_app(db, monkeypatch, lang=lang), "overview").metric, "the rebuild brings the figures back"


def _approved(at: AppTest) -> int:
    return int(at.metric[0].value.replace(",", ""))


def test_division_filter_from_the_url_lowers_approved_matters(demo_db, monkeypatch):
    everything = _approved(_open(_app(demo_db, monkeypatch), "overview"))
    st.cache_data.clear()
    at = _open(_app(demo_db, monkeypatch, division="执行一处"), "overview")
    assert 0 < _approved(at) < everything
    assert at.multiselect(key="f_div").value == ["执行一处"]


def test_changing_the_division_widget_changes_figures_and_url(demo_db, monkeypatch):
    at = _open(_app(demo_db, monkeypatch), "overview")
    everything = _approved(at)
    widget = at.multiselect(key="f_div")
    widget.select(widget.options[0]).run()
    assert not _problems(at)
    assert _approved(at) < everything
    assert at.query_params["division"] == [widget.options[0]] or at.query_params["division"] == widget.options[0]


def test_level_filter_narrows_the_latency_page(demo_db, monkeypatch):
    at = _open(_app(demo_db, monkeypatch, level="CHIEF", lang="en"), "latency")
    assert not _problems(at)
    table = at.dataframe[0].value
    assert list(table["Level"]) == ["Bureau chief"]


def test_a_bad_bookmark_falls_back_to_defaults(demo_db, monkeypatch):
    at = _open(_app(demo_db, monkeypatch, **{"from": "2099-01", "to": "nonsense", "level": "KING"}), "overview")
    assert not _problems(at)
    assert at.metric


def test_regulation_opens_the_rule_named_in_the_url(demo_db, monkeypatch):
    at = _open(_app(demo_db, monkeypatch, rule="A7-CHIEF", lang="en"), "regulation")
    assert not _problems(at)
    assert at.selectbox(key="reg_rule").value == "A7-CHIEF"
    assert any("A7-CHIEF" in m.value for m in at.markdown)


def _qp(at: AppTest, key: str) -> str:
    value = at.query_params[key]
    return value[0] if isinstance(value, list) else value


@pytest.mark.parametrize("page", ["overview", "latency"])
def test_a_period_set_on_the_slider_holds_through_other_filters_and_reruns(demo_db, monkeypatch, page):
    at = _open(_app(demo_db, monkeypatch), page)
    before = _approved(at) if page == "overview" else None
    at.select_slider(key="f_period").set_value(("2024-01", "2024-06")).run()
    assert at.select_slider(key="f_period").value == ("2024-01", "2024-06")
    assert (_qp(at, "from"), _qp(at, "to")) == ("2024-01", "2024-06")
    if page == "overview":
        assert _approved(at) > before, "a six-month period counts more matters than the default three"
    widget = at.multiselect(key="f_div")
    widget.select(widget.options[0]).run()
    at.run()
    assert not _problems(at)
    assert at.select_slider(key="f_period").value == ("2024-01", "2024-06")
    assert (_qp(at, "from"), _qp(at, "to")) == ("2024-01", "2024-06")


def test_a_period_from_the_url_holds_when_another_filter_changes(demo_db, monkeypatch):
    at = _open(_app(demo_db, monkeypatch, **{"from": "2024-01", "to": "2024-06"}), "overview")
    assert at.select_slider(key="f_period").value == ("2024-01", "2024-06")
    at.selectbox(key="mask").set_value("id").run()
    widget = at.multiselect(key="f_div")
    widget.select(widget.options[0]).run()
    at.run()
    assert not _problems(at)
    assert at.select_slider(key="f_period").value == ("2024-01", "2024-06")
    assert (_qp(at, "from"), _qp(at, "to")) == ("2024-01", "2024-06")
    at.select_slider(key="f_period").set_value(("2024-02", "2024-03")).run()
    assert at.select_slider(key="f_period").value == ("2024-02", "2024-03")
    assert (_qp(at, "from"), _qp(at, "to")) == ("2024-02", "2024-03")


@pytest.mark.parametrize("page", ["overview", "latency"])
def test_a_page_run_opens_one_cursor_and_a_cached_rerun_none(demo_db, monkeypatch, page):
    from views import _store

    before = _store.READER.cursors_opened
    at = _app(demo_db, monkeypatch)
    at.run()  # the Overview: setup's store info and options, then every query, through one cursor
    assert _store.READER.cursors_opened - before == 1
    if page != "overview":
        at.switch_page(f"views/{page}.py").run()
        assert _store.READER.cursors_opened - before == 2
    assert not _problems(at), _problems(at)
    opened = _store.READER.cursors_opened
    at.run()  # nothing changed: every figure comes from the cache, the store is not opened
    assert _store.READER.cursors_opened == opened
    at.sidebar.multiselect[0].select(at.sidebar.multiselect[0].options[0]).run()  # a filter change: one more
    assert _store.READER.cursors_opened == opened + 1
    assert not _problems(at), _problems(at)


def test_a_filter_change_on_the_overview_runs_the_bench_plan(demo_db, monkeypatch):
    """The Overview runs, for a new filter, exactly what `pipelines.bench` times as its filter change: the
    period and the one before it in one query each (9 queries, one SQL statement each: 14 were the
    headline's alone before)."""
    from pipelines.queries.plans import overview_plan
    from views import _store

    at = _app(demo_db, monkeypatch)
    at.run()
    assert not _problems(at), _problems(at)
    log: list = []
    monkeypatch.setattr(_store, "QUERY_LOG", log)
    at.sidebar.multiselect[0].select(at.sidebar.multiselect[0].options[0]).run()
    assert not _problems(at), _problems(at)
    f = log[0][1][0]
    assert f.divisions and f.previous() is not None
    assert log == [(query.__name__, tuple(args)) for query, *args in overview_plan(f)]
    assert len(log) == 9


def test_the_servers_warm_up_answers_the_first_visitors_overview(demo_db, monkeypatch):
    """serve.py runs the Overview's queries for the default filters before the server listens: the first
    visitor's Overview then runs none of its own (without the warm-up it runs all nine, and more)."""
    from views import _store

    log: list = []
    monkeypatch.setattr(_store, "QUERY_LOG", log)
    at = _app(demo_db, monkeypatch)  # sets TIERWATCH_DB, which the warm-up reads as the server would
    at.run()
    assert not _problems(at), _problems(at)
    cold = [name for name, _ in log]
    assert {"filter_options", "headline_periods", "latency_by"} <= set(cold)

    st.cache_data.clear()
    _store.warm()
    log.clear()
    at = _app(demo_db, monkeypatch)
    at.run()
    assert not _problems(at), _problems(at)
    assert log == [] and at.metric


def test_the_servers_warm_up_leaves_a_store_it_cannot_read_to_the_page(tmp_path, empty_db, monkeypatch):
    """No store yet, or an empty one: the warm-up asks nothing and fails nothing (the page says what to do)."""
    from views import _store

    log: list = []
    monkeypatch.setattr(_store, "QUERY_LOG", log)
    _store.warm(tmp_path / "missing.duckdb")
    _store.warm(empty_db)
    assert log == []


def test_the_clock_page_lists_overdue_cases_first_and_its_tier_choice_narrows_them(demo_db, monkeypatch):
    at = _open(_app(demo_db, monkeypatch, lang="en", team="执行一团队"), "clock")
    assert not _problems(at), _problems(at)
    open_now, red, yellow = (int(m.value.replace(",", "")) for m in at.metric[:3])
    table = at.dataframe[0].value
    assert table["Statutory term"].iloc[0] == "Past deadline" and table["Days left"].is_monotonic_increasing
    assert set(table["Team"]) == {"执行一团队"}
    assert any(f"of {open_now}" in c.value for c in at.caption)
    at.button_group(key="clock_tier").set_value("YELLOW").run()
    assert not _problems(at)
    assert set(at.dataframe[0].value["Statutory term"]) == {"Near deadline"}
    assert any(f"of {yellow}" in c.value for c in at.caption) and red > 0
    assert any("Fa Shi [2000] No. 29" in e.label for e in at.expander), "the SPC rule's article is cited"


def test_the_overview_shows_the_on_time_share_and_leads_to_the_clock(demo_db, monkeypatch):
    at = _open(_app(demo_db, monkeypatch, **{"from": "2024-06", "to": "2024-06"}), "overview")
    share = next(m for m in at.metric if m.label == "法定期限内结案率")
    assert share.value.endswith("%") and share.delta.endswith(" pp") and share.proto.delta_description.startswith("上期 ")
    assert any(link.label == "查看执行期限" for link in at.get("page_link"))


def test_the_overview_leads_with_the_within_limit_share_and_each_tile_opens_its_page(demo_db, monkeypatch, con):
    """Issue 22: the headline of speed is the share of steps decided within their level's limit (the median of
    all steps moved when only the mix of levels did), with 同比 beside the change; every headline tile leads
    to its page under the same filters, and every help tip to the glossary."""
    from datetime import date

    from pipelines import queries
    from pipelines.core.filters import Filters

    at = _app(demo_db, monkeypatch, **{"from": "2024-05", "to": "2024-05"})
    at.run()
    assert not _problems(at), _problems(at)
    tiles = {m.label: m for m in at.metric}
    assert "审批环节用时中位数（小时）" not in tiles
    share = queries.within_limit_share(con, Filters(date(2024, 5, 1), date(2024, 5, 1)))
    assert tiles["按时办结率（审批环节）"].value == f"{share:.1%}"
    assert any(c.value.startswith("同比 ") for c in at.caption), "no year-on-year change"
    links = {link.proto.page: link.proto.query_string for link in at.get("page_link")}
    for page in ("latency", "bottlenecks", "findings", "substitutions", "meetings", "clock"):
        assert links.get(page) == "from=2024-05&to=2024-05", (page, links)
    assert all("](./glossary)" in m.proto.help for m in at.metric), [m.label for m in at.metric if "glossary" not in m.proto.help]
    glossary = at.switch_page("views/glossary.py").run()
    assert not _problems(glossary)
    text = " ".join(m.value for m in glossary.markdown)
    for term in ("按时办结率", "中位数", "P90", "百分点", "工作日", "同比"):
        assert term in text, term


def test_a_period_ending_in_an_unfinished_snapshot_month_says_so(demo_db, monkeypatch, tmp_path):
    """Data to 12 June: June's figures cover 12 days, and the page says so while the period ends in June."""
    import shutil

    import duckdb

    folder = tmp_path / "store"
    shutil.copytree(demo_db.parent, folder)
    db = folder / demo_db.name
    con = duckdb.connect(str(db))
    con.execute("UPDATE meta SET value = '2024-06-12 10:00:00' WHERE key = 'snapshot_at'")
    con.close()
    at = _app(db, monkeypatch, **{"from": "2024-06", "to": "2024-06"})
    at.run()
    assert not _problems(at), _problems(at)
    assert any("2024-06 尚未结束" in i.value for i in at.info), [i.value for i in at.info]
    at = _app(db, monkeypatch, **{"from": "2024-04", "to": "2024-05"})
    at.run()
    assert not any("尚未结束" in i.value for i in at.info)


def _metric(at: AppTest, title: str) -> str:
    return next(m.value for m in at.metric if m.label == title)


def test_the_returns_page_shows_loops_routes_and_the_two_level_notice_and_filters_narrow_them(demo_db, monkeypatch):
    at = _open(_app(demo_db, monkeypatch, lang="en"), "paths")
    assert not _problems(at)
    everything = int(_metric(at, "Returns").replace(",", ""))
    assert everything > 0
    # every headline but the two-level notice is set against the previous period
    changes = {m.label: m.delta for m in at.metric}
    assert all(changes[t] for t in ("Returns", "Loops closed", "Median rework (h)", "Conformance")), changes
    assert any("one approver decided steps at two different levels" in i.value for i in at.info)
    assert any("no article" in c.value for c in at.caption)
    assert any("Required route" in c.value for c in at.caption)
    by_level = at.dataframe[0].value
    assert list(by_level["Level"]) == ["Team leader", "Deputy chief", "Bureau chief", "Vice-president in charge",
                                       "Judicial committee"][: len(by_level)]
    # the routes of another matter type
    at.selectbox(key="route_type").select("DOCUMENT").run()
    assert not _problems(at)
    st.cache_data.clear()
    deputy = _open(_app(demo_db, monkeypatch, lang="en", level="DEPUTY"), "paths")
    assert 0 < int(_metric(deputy, "Returns").replace(",", "")) < everything
    assert list(deputy.dataframe[0].value["Level"]) == ["Deputy chief"]


def test_the_regulation_page_quotes_the_new_rules_under_their_articles(demo_db, monkeypatch):
    at = _open(_app(demo_db, monkeypatch, rule="M4-REGULAR"), "regulation")
    assert not _problems(at)
    assert any("M4-REGULAR" in m.value for m in at.markdown)
    assert any("执行局定期召开局务会议和团队长联席会议" in m.value for m in at.markdown)
    tables = [d.value for d in at.dataframe]
    listed = {rid for df in tables if "规则" in df.columns or "rule_id" in df.columns
              for rid in (df["规则"] if "规则" in df.columns else df["rule_id"]).to_list()}
    assert {"M4-REGULAR", "M4-DEPUTIES", "A7-PLAN"} <= listed, listed


def test_the_bench_times_the_page_queries_on_a_real_store(demo_db):
    """`make bench` runs the Overview's and Latency's queries as the pages do (plans of query functions): its
    read-only phases complete on the demo store (a plan still naming a query by string broke them unseen)."""
    from pipelines import bench

    for phase in ("filter", "sessions"):
        result = bench.PHASES[phase](demo_db)
        assert result and all(v is None or v >= 0 for v in result.values() if isinstance(v, int | float)), (phase, result)
