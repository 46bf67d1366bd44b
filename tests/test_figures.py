"""One definition per figure (issue 8), on the real demo store.

- the marts as declared (pipelines.tables.marts): grain unique, required columns not null, codes among the
  contract's enums, every mart read by some query;
- every caption's scope is the filters the figure's query applied (and a filter it says cannot narrow the
  figure indeed changes nothing);
- the headline figures, the level latency table and the acting share are the same on the page's query,
  in `report --json` and in the monthly .docx, and equal to a plain recomputation from the input tables.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from dataclasses import replace
from datetime import date, datetime

import docx
import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines import cli, queries
from pipelines.core.filters import Filters, format_month
from pipelines.core.i18n import label, t
from pipelines.store.db import connect_readonly
from pipelines.tables.marts import DIMENSIONS, MART_NAMES, MARTS, codes_of, format_value

FIXED_MONTH = date(2024, 2, 1)
FIXED_TEAM = "执行二团队"


@pytest.fixture(scope="module")
def options(con):
    return queries.filter_options(con)


@pytest.fixture(scope="module")
def months(con):
    info = queries.store_info(con)
    out, m = [], info.first_month
    while m <= info.last_month:
        out.append(m)
        m = date(m.year + m.month // 12, m.month % 12 + 1, 1)
    return out


# ------------------------------------------------------------------------------------------ the marts
@pytest.mark.parametrize("name", MART_NAMES)
def test_mart_matches_its_declaration(con, name):
    mart = MARTS[name]
    described = [(r[0], r[1]) for r in con.sql(f'DESCRIBE "{name}"').fetchall()]
    assert described == list(mart.types.items())
    grain = ", ".join(f'"{c}"' for c in mart.grain)
    dupes = con.sql(f'SELECT {grain}, count(*) FROM "{name}" GROUP BY ALL HAVING count(*) > 1 LIMIT 3').fetchall()
    assert not dupes, f"{name}: grain {mart.grain} not unique: {dupes}"
    for col in mart.columns:
        if col.required:
            nulls = con.sql(f'SELECT count(*) FROM "{name}" WHERE "{col.name}" IS NULL').fetchall()[0][0]
            assert nulls == 0, f"{name}.{col.name}: {nulls} nulls"
        if col.codes is not None:
            found = {r[0] for r in con.sql(f'SELECT DISTINCT "{col.name}" FROM "{name}"').fetchall()} - {None}
            assert found <= set(codes_of(col.codes)), f"{name}.{col.name}: {found - set(codes_of(col.codes))}"


def test_the_demo_store_fills_every_declared_mart(con):
    empty = [n for n in MART_NAMES if not con.sql(f'SELECT count(*) FROM "{n}"').fetchall()[0][0]]
    assert not empty  # a mart the demo leaves empty would pass the declaration tests above without a check


class Recorder:
    """A connection that remembers the SQL it ran."""

    def __init__(self, con):
        self.con, self.sql_seen = con, []

    def sql(self, text, params=None):
        self.sql_seen.append(text)
        return self.con.sql(text, params=params)


EXTRA_ARGS = {
    "latency_by": [("month",), ("approver",), ("matter_type",)],
    "latency_quantiles": [("hours",), ("workdays",)],
    "pareto_wait": [("approver",), ("level",)],
    "substitutions_by": [("team",), ("post_pair",)],
    "open_cases_by": [("team",), ("judge",)],
    "open_cases_count": [(), (("RED",),)],
    "open_cases_page": [(), (("RED", "YELLOW"), 10, 5)],
    "records_count": [(kind,) for kind in queries.RECORD_KINDS],
    "records_page": [(kind,) for kind in queries.RECORD_KINDS],
    "rework_by": [(d,) for d in queries.REWORK_DIMENSIONS],
}
NO_FILTERS = ("store_info", "filter_options", "meta", "tables", "rule_catalogue", "calendar_coverage",
              "input_row_counts", "loads", "load_warning_kinds", "roster_names")


def _call(con, f: Filters, name: str) -> list:
    """Call query `name` the way the pages, the report and the Word report do (each way it is called)."""
    fn = getattr(queries, name)
    if name in NO_FILTERS:
        return [fn(con)]
    if name == "substitution_timeline":
        return [fn(con, f, datetime.fromisoformat(queries.meta(con)["snapshot_at"]))]
    return [fn(con, f, *args) for args in EXTRA_ARGS.get(name, [()])]


def _every_query(con, f: Filters):
    for name in queries.__all__:
        if name in NO_FILTERS or name in queries.FIGURES or name == "report_figures":
            yield name, _call(con, f, name)


def test_every_mart_is_read_by_a_query(con, months):
    rec = Recorder(con)
    for f in (Filters(), Filters(months[-3], months[-1])):
        for _ in _every_query(rec, f):
            pass
    read = {m for sql in rec.sql_seen for m in re.findall(r'\b(?:FROM|JOIN)\s+"?(\w+)', sql)}
    assert set(MART_NAMES) - read == set()


# ------------------------------------------------------------------------------------------ scopes
def _filter_sets(options, months):
    team, division = options["teams"][0]
    return [
        Filters(),
        Filters(months[-2], months[-1]),
        Filters(months[1], months[1], teams=(team,)),
        Filters(months[-3], months[-1], divisions=(division,), matter_types=(options["matter_types"][0],)),
        Filters(months[-1], months[-1], levels=("CHIEF",), teams=(team,)),
    ]


def test_every_caption_describes_the_filters_its_query_applied(con, options, months):
    for f in _filter_sets(options, months):
        for name, fig in queries.FIGURES.items():
            with queries.tracing() as calls:
                _call(con, f, name)
            any_set = any(queries._sql.is_set(f, d) for d in DIMENSIONS)
            assert calls or not any_set, f"{name} ran no where()"
            for figure, mart, applied in calls:  # every WHERE built, against its own figure's declaration
                declared = queries.Scope.of(mart, f, queries.FIGURES[figure].drop)
                assert declared.applied == applied, (name, figure, mart, f)
            for key in fig.keys:  # each part of a composite figure was narrowed as its caption says
                mart = fig.keys[key]
                assert (mart, queries.scope(name, f, key).applied) in {(m, a) for _, m, a in calls}, (name, key)
            # the caption of each part names exactly the applied filters and the ignored ones
            for key in fig.keys or [None]:
                s = queries.scope(name, f, key)
                text = queries.caption(name, f, "en", key)
                for dim in DIMENSIONS:
                    named = t(f"scope.filter.{dim}", "en")
                    if dim in s.ignored_filters:
                        assert "not narrowed by" in text and named in text, (name, key, text)
                assert set(s.applied) | set(s.ignored_filters) == {d for d in DIMENSIONS if queries._sql.is_set(f, d)}


def _same(a, b) -> bool:
    if isinstance(a, pl.DataFrame):
        return a.equals(b)
    return a == b


def test_a_filter_a_figure_cannot_narrow_changes_nothing(con, options, months):
    team, division = options["teams"][0]
    base = Filters(months[-3], months[-1])
    narrowed = {
        "team": replace(base, teams=(team,)),
        "division": replace(base, divisions=(division,)),
        "level": replace(base, levels=("CHIEF",)),
        "matter_type": replace(base, matter_types=(options["matter_types"][0],)),
        "period": Filters(months[-1], months[-1]),
    }
    checked = 0
    for name, fig in queries.FIGURES.items():
        if fig.keys:
            continue  # multi-mart figures: their parts are figures of their own
        for dim, f in narrowed.items():
            if dim in queries.scope(name, f).ignored_filters:
                unfiltered = base if dim != "period" else Filters()
                assert all(_same(a, b) for a, b in zip(_call(con, f, name), _call(con, unfiltered, name), strict=True)), (
                    name, dim)
                checked += 1
    assert checked >= 10  # meetings under team/division, pending under a period, flow under a level, ...


def test_meetings_say_they_are_bureau_wide(con):
    f = Filters(FIXED_MONTH, FIXED_MONTH, teams=(FIXED_TEAM,))
    assert queries.caption("bureau_meetings", f, "zh") == "2024-02；未按团队筛选（会议为全局数据）"
    assert queries.caption("acting_monthly", f, "zh") == "2024-02；团队：执行二团队"


# ------------------------------------------------------------------------------------------ one number everywhere
def report_json(db, f: Filters) -> dict:
    args = ["report", "--db", str(db), "--json"]
    if f.start:
        args += ["--from", format_month(f.start), "--to", format_month(f.end)]
    for flag, values in (("--division", f.divisions), ("--team", f.teams), ("--type", f.matter_types),
                         ("--level", f.levels)):
        for v in values:
            args += [flag, v]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(args) == 0
    return json.loads(out.getvalue())


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return abs(float(a) - float(b)) < 1e-9


def assert_page_equals_json(con, f: Filters, r: dict) -> None:
    head = queries.headline(con, f)
    assert set(r["headline"]) == set(head)
    for key, value in head.items():
        assert _close(r["headline"][key], value), key
    assert r["approved_matters"] == head["approved_matters"] and r["substitutions_total"] == head["substitutions"]
    assert r["violations_total"] == head["findings"] and _close(r["findings_per_100"], head["findings_per_100"])
    assert _close(r["escalation_rate"], head["escalation_rate"]) and r["bureau_items"] == head["bureau_items"]
    assert r["overdue_pending_steps"] == queries.overdue_pending(con, f)["red"]
    assert _close(r["acting_share"], queries.acting_share(con, f))
    page = queries.latency_by_level(con, f)
    assert [row["level"] for row in r["level_latency"]] == page["level"].to_list()
    for row, mine in zip(r["level_latency"], page.iter_rows(named=True), strict=True):
        assert all(_close(row[k], mine[k]) for k in mine if k != "level"), row["level"]
    assert r["filters"] == queries.summary.filters_applied(f)


@st.composite
def filter_sets(draw, options, months):
    start = draw(st.sampled_from(months))
    end = draw(st.sampled_from([m for m in months if m >= start]))
    period = draw(st.sampled_from(["month", "range", "none"]))
    teams = [tm for tm, _ in options["teams"]]
    return Filters(
        start=None if period == "none" else start,
        end=None if period == "none" else (start if period == "month" else end),
        divisions=tuple(draw(st.lists(st.sampled_from(options["divisions"]), max_size=1))),
        teams=tuple(draw(st.lists(st.sampled_from(teams), max_size=2, unique=True))),
        matter_types=tuple(draw(st.lists(st.sampled_from(options["matter_types"]), max_size=2, unique=True))),
        levels=tuple(draw(st.lists(st.sampled_from(options["levels"]), max_size=2, unique=True))),
    )


def test_page_queries_and_report_json_agree_over_many_filters(demo_db, con, options, months):
    # 40 filter sets: each runs every page query and the report's JSON on the demo store (~0.2-0.5 s); the
    # space is small (a period of 3 kinds, 0-1 division, 0-2 teams, types and levels), and 40 cover each
    # dimension set and unset with others many times over.
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(filter_sets(options, months))
    def check(f):
        assert_page_equals_json(con, f, report_json(demo_db, f))

    check()


def test_the_acting_share_of_team_2_in_february_is_one_number(demo_db, con):
    f = Filters(FIXED_MONTH, FIXED_MONTH, teams=(FIXED_TEAM,))
    r = report_json(demo_db, f)
    page = queries.acting_share(con, f)
    assert r["acting_share"] == page
    assert r["not_narrowed"]["bureau_items"] == {"team": "bureau_wide"}
    assert "acting_share" not in r["not_narrowed"]
    # bureau-wide would be another number: the team filter narrows it
    assert page != queries.acting_share(con, Filters(FIXED_MONTH, FIXED_MONTH))


def _plain(db, f: Filters) -> dict[str, object]:
    """Acting share and decided steps / median hours per level straight from the input tables (approvals,
    cases for a step's team), dated by the decision, filtered by month, team, matter type and level."""
    c = connect_readonly(db)
    try:
        steps = c.sql("SELECT * FROM approvals").pl().join(
            c.sql("SELECT case_id, team AS case_team FROM cases").pl(), on="case_id", how="left")
    finally:
        c.close()
    s = steps.filter(pl.col("decided_at").is_not_null()).with_columns(
        team=pl.coalesce("team", "case_team"), month=pl.col("decided_at").dt.truncate("1mo").cast(pl.Date),
        hours=((pl.col("decided_at") - pl.col("received_at")).dt.total_seconds() / 3600).clip(lower_bound=0),
    )
    if f.start:
        s = s.filter(pl.col("month").is_between(f.start, f.end))
    for col, values in (("team", f.teams), ("matter_type", f.matter_types), ("level", f.levels)):
        if values:
            s = s.filter(pl.col(col).is_in(values))
    levels = {
        lv: (g.height, float(np.quantile(g["hours"].to_numpy(), 0.5)))
        for (lv,), g in s.group_by("level")
    }
    return {"acting_share": s["acting_for"].is_not_null().mean() if s.height else None, "levels": levels}


@pytest.mark.parametrize(
    "f",
    [
        Filters(FIXED_MONTH, FIXED_MONTH, teams=(FIXED_TEAM,)),
        Filters(date(2024, 3, 1), date(2024, 5, 1), levels=("CHIEF", "DEPUTY")),
        Filters(date(2024, 1, 1), date(2024, 6, 1), matter_types=("PAYOUT", "DOCUMENT"), teams=("执行一团队",)),
    ],
)
def test_the_figures_equal_a_plain_recomputation_from_the_inputs(demo_db, con, f):
    plain = _plain(demo_db, f)
    assert _close(queries.acting_share(con, f), plain["acting_share"])
    page = {r["level"]: (r["steps"], r["median_hours"]) for r in queries.latency_by_level(con, f).iter_rows(named=True)}
    assert page.keys() == plain["levels"].keys()
    for lv, (n, median) in plain["levels"].items():
        assert page[lv][0] == n and abs(page[lv][1] - median) < 1e-6, lv


DOCX_CASES = [
    Filters(FIXED_MONTH, FIXED_MONTH, teams=(FIXED_TEAM,)),
    Filters(date(2024, 6, 1), date(2024, 6, 1)),
    Filters(date(2024, 4, 1), date(2024, 4, 1), divisions=("执行一处",), levels=("CHIEF", "DEPUTY")),
]


@pytest.mark.parametrize("f", DOCX_CASES)
def test_the_docx_tables_show_the_page_and_json_figures(demo_db, con, options, tmp_path, f):
    assert set(f.divisions) <= set(options["divisions"])
    out = tmp_path / "r.docx"
    args = ["report", "--db", str(demo_db), "--month", format_month(f.start), "--docx", str(out)]
    for flag, values in (("--division", f.divisions), ("--team", f.teams), ("--level", f.levels)):
        for v in values:
            args += [flag, v]
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli.main(args) == 0
    document = docx.Document(str(out))
    r = report_json(demo_db, f)
    assert_page_equals_json(con, f, r)
    head = r["headline"]
    rows = {row.cells[0].text.strip(): row.cells[1].text for row in document.tables[0].rows[1:]}
    expect = {
        "monthly.h.approved": format_value(head["approved_matters"], "count"),
        "monthly.h.within_limit_share": format_value(head["within_limit_share"], "share"),
        "monthly.h.overdue_pending": format_value(r["overdue_pending_steps"], "count"),
        "monthly.h.findings": format_value(head["findings"], "count"),
        "monthly.h.findings_per_100": format_value(head["findings_per_100"], "rate100"),
        "monthly.h.substitutions": format_value(head["substitutions"], "count"),
        "monthly.h.escalation_rate": format_value(head["escalation_rate"], "share"),
        "monthly.h.acting_share": format_value(r["acting_share"], "share"),
    }
    assert {t(k, "zh"): v for k, v in expect.items()} == {t(k, "zh"): rows[t(k, "zh")] for k in expect}
    # the level latency table
    header = [t(k, "zh") for k in ("axis.level", "axis.steps", "axis.median_hours", "axis.p90_hours")]
    table = next(tb for tb in document.tables if [c.text for c in tb.rows[0].cells][:4] == header)
    shown = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert shown == [
        [label("level", x["level"], "zh"), format_value(x["steps"], "count"), format_value(x["median_hours"], "hours"),
         format_value(x["p90_hours"], "hours"), format_value(x["median_workdays"], "hours"),
         format_value(x["over_limit_share"], "share")]
        for x in r["level_latency"]
    ]
    # a filter the meeting figures cannot take is said, not hidden
    text = "\n".join(p.text for p in document.paragraphs)
    assert ("会议为全局数据" in text) == bool(f.teams or f.divisions)
