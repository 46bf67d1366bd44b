"""Chart builders: one colour per level everywhere, tooltips and axis titles on every chart."""

from datetime import date, datetime

import polars as pl
import pytest

from pipelines.core import contract
from pipelines.core.i18n import label
from pipelines.present import charts


def _walk(spec):
    """Every encoding block of a (possibly layered) Vega-Lite spec."""
    if isinstance(spec, dict):
        if "encoding" in spec:
            yield spec["encoding"]
        for value in spec.values():
            yield from _walk(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from _walk(value)


def _months(n=3):
    return [date(2024, m, 1) for m in range(1, n + 1)]


LEVELS = pl.DataFrame({"level": ["TEAM_LEAD", "CHIEF"], "steps": [10, 4], "p10": [1.0, 2.0], "p25": [2.0, 3.0],
                       "p50": [3.0, 5.0], "p75": [4.0, 8.0], "p90": [5.0, 9.0], "over_limit_share": [0.1, 0.2]})

BUILDERS = {
    "trend": lambda lang: charts.trend_line(pl.DataFrame({"month": _months(), "n": [1, 2, 3]}), "n", "N (count)", lang),
    "level_trend": lambda lang: charts.level_trend(
        pl.DataFrame({"month": _months(2) * 2, "level": ["CHIEF"] * 2 + ["DEPUTY"] * 2, "median_hours": [1.0, 2, 3, 4]}),
        "median_hours", "h", lang),
    "distribution": lambda lang: charts.latency_distribution(LEVELS, "hours", lang),
    "level_bars": lambda lang: charts.level_bars(LEVELS, "over_limit_share", "%", lang),
    "pending": lambda lang: charts.pending_by_level(pl.DataFrame({"level": ["CHIEF", "CHIEF"], "tier": ["RED", "OK"],
        "pending": [1, 2], "median_age_hours": [3.0, 1.0], "max_age_hours": [4.0, 2.0]}), lang),
    "flow": lambda lang: charts.flow_matrix(pl.DataFrame({"source": ["SUBMITTED", "DEPUTY"], "target": ["DEPUTY", "CHIEF"],
        "steps": [5, 4], "median_hours": [2.0, 3.0]}), lang),
    "timeline": lambda lang: charts.timeline(pl.DataFrame({"absent_id": ["a"], "absent_name": ["张三"], "absent_post": ["CHIEF"],
        "substitute_id": ["b"], "substitute_name": ["李四"], "substitute_post": ["DEPUTY"],
        "start_at": [datetime(2024, 1, 1)], "end_shown": [datetime(2024, 1, 3)], "days": [2.0], "authorized": [True],
        "direction": ["FORWARD"]}), lang),
    "rule_trend": lambda lang: charts.rule_trend(pl.DataFrame({"rule_id": ["A7-CHIEF", "S12-REVERSE"], "month": _months(2),
        "findings": [1, 2]}), lang),
    "open_cases_by_tier": lambda lang: charts.open_cases_by_tier(pl.DataFrame({
        "key_label": ["执行一团队", "执行一团队", "执行二团队", "执行二团队"], "tier": ["RED", None, "YELLOW", None],
        "cases": [1, 5, 2, 9]}), "团队", lang),
    "on_time_trend": lambda lang: charts.on_time_trend(pl.DataFrame({"month": _months(3), "closed": [10, 12, 8],
        "on_time_share": [0.9, 0.75, 1.0]}), lang),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_every_chart_has_tooltips_and_axis_titles(name, lang):
    spec = BUILDERS[name](lang).to_dict()
    encodings = list(_walk(spec))
    assert any("tooltip" in e for e in encodings), "no tooltip"
    for enc in encodings:
        for axis in ("x", "y"):
            if axis in enc and "field" in enc[axis]:
                assert enc[axis].get("title"), f"{axis} axis of {name} has no title"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_level_colours_are_the_same_on_every_chart(lang):
    expected = {label("level", c, lang): charts.LEVEL_COLORS[c] for c in contract.LEVEL_CODES}
    for name in ("level_trend", "distribution", "level_bars"):
        for enc in _walk(BUILDERS[name](lang).to_dict()):
            scale = enc.get("color", {}).get("scale")
            if scale and "domain" in scale:
                drawn = dict(zip(scale["domain"], scale["range"], strict=True))
                assert drawn and drawn.items() <= expected.items()


def test_a_level_legend_lists_only_the_levels_drawn():
    """The latency trend of a chief and a deputy has a legend of those two, not of six levels of which four
    are absent (the Overview's legend listed 院长 though no step was at that level)."""
    spec = BUILDERS["level_trend"]("zh").to_dict()
    scale = next(e["color"]["scale"] for e in _walk(spec) if "scale" in e.get("color", {}))
    assert scale["domain"] == [label("level", "DEPUTY", "zh"), label("level", "CHIEF", "zh")]


def test_months_are_text_on_every_monthly_chart_whatever_the_browsers_zone():
    """A month is drawn and selected as its text ("2024-01"), never as a time Vega would read in the browser's
    zone (in China time the epoch of December's bar was 30 Nov 16:00 UTC, and a click opened November); every
    month the data gives keeps its place on the axis, in order."""
    stacked = charts.substitutions_by_month(pl.DataFrame(
        {"month": _months(3), "direction": ["FORWARD", "FORWARD", "REVERSE"], "substitutions": [1, 0, 2]}), "zh")
    rate = charts.rate_trend(pl.DataFrame({"month": _months(3), "r": [0.1, None, 0.2]}), "r", "%", "zh")
    specs = {name: BUILDERS[name]("zh").to_dict() for name in ("trend", "level_trend", "rule_trend", "on_time_trend")}
    specs |= {"stacked": stacked.to_dict(), "rate": rate.to_dict()}
    for name, spec in specs.items():
        xs = [e["x"] for e in _walk(spec) if "x" in e and e["x"].get("field") == "month"]
        assert xs, name
        for x in xs:
            assert x["type"] == "ordinal" and "timeUnit" not in x, (name, x)
        rows = [r for values in spec["datasets"].values() for r in values]
        assert all(isinstance(r["month"], str) and len(r["month"]) == 7 for r in rows), name
        domain = next((x["scale"]["domain"] for x in xs if "scale" in x), None)
        assert domain == sorted({r["month"] for r in rows}), name


def test_rule_families_have_their_own_colours():
    spec = BUILDERS["rule_trend"]("en").to_dict()
    scale = next(e["color"]["scale"] for e in _walk(spec) if "color" in e)
    assert dict(zip(scale["domain"], scale["range"]))["Substitutions"] == charts.FAMILY_COLORS["substitution"]
    assert charts.family_of("M5-RECORD") == "meeting"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_statutory_tiers_keep_their_colours_and_the_most_overdue_come_first(lang):
    spec = BUILDERS["open_cases_by_tier"](lang).to_dict()
    scale = spec["encoding"]["color"]["scale"]
    labels = charts.clock_tier_labels(lang)
    assert dict(zip(scale["domain"], scale["range"])) == {labels[k]: charts.TIER_COLORS[k] for k in charts.CLOCK_TIERS}
    # the team with a case past its deadline first, though the other has more open cases
    assert spec["encoding"]["y"]["sort"] == ["执行一团队", "执行二团队"]
    within = [r for r in next(iter(spec["datasets"].values())) if r["tier"] is None]
    assert {r["clock_tier_label"] for r in within} == {labels["OK"]}
    on_time = BUILDERS["on_time_trend"](lang).to_dict()
    assert on_time["layer"][1]["encoding"]["y"]["scale"]["domain"] == [0, 1]


def test_labels_follow_the_language():
    df = charts.with_labels(pl.DataFrame({"level": ["CHIEF"], "direction": ["REVERSE"]}), "zh")
    assert df["level_label"][0] == "局长" and df["direction_label"][0] == "逆向"


# ------------------------------------------------------------------------------------------ on screen
MORE = {
    "pareto": lambda lang: charts.pareto(pl.DataFrame({"key_label": [f"p{i}" for i in range(30)],
        "wait_hours": [float(300 - i) for i in range(30)], "cumulative_share": [i / 30 for i in range(1, 31)],
        "rank": list(range(1, 31))}), "who", lang),
    "count_bars": lambda lang: charts.count_bars(pl.DataFrame({"key_label": ["团队长 → 团队成员", "副局长 → 副局长"],
        "substitutions": [1, 1]}), "岗位对（被替补→替补）", "substitutions", "替补（次）", lang),
    "rate_trend": lambda lang: charts.rate_trend(pl.DataFrame({"month": _months(2) * 2, "rate": [0.01, 0.002, 0.2, 0.3],
        "m": ["分管副院长决定比例（%）"] * 2 + ["局务会议议题上报率（%）"] * 2}), "rate", "比例", lang, "m",
        charts.alt.Color("m:N", title="指标")),
    "outcomes": lambda lang: charts.outcome_bars(pl.DataFrame({"meeting_type": ["BUREAU"], "outcome": ["MAJORITY"],
        "items": [3]}), lang),
}
ALL = {**BUILDERS, **MORE}


def _plot_height(spec: dict) -> int:
    """The plot height a spec asks for (top level, or its layers')."""
    if isinstance(spec.get("height"), int):
        return spec["height"]
    return min(_plot_height(layer) for layer in spec["layer"])


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_chart_keeps_its_plot_height_on_a_page(name):
    """fit-x: the page's column sets the width, the height is the plot's (axes and legend come on top).
    With Streamlit's default "fit" a 260 px chart had a 40 px plot under its legend and month labels."""
    spec = ALL[name]("zh").to_dict()
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}
    assert _plot_height(spec) >= charts.MIN_HEIGHT


def test_level_trend_ticks_every_scale_of_its_symlog_axis():
    df = pl.DataFrame({"month": _months(3) * 2, "level": ["TEAM_LEAD"] * 3 + ["COMMITTEE"] * 3,
                       "median_hours": [2.1, 3.5, 1.8, 120.0, 900.0, 240.0]})
    spec = charts.level_trend(df, "median_hours", "h", "zh").to_dict()
    y = spec["encoding"]["y"]
    assert y["scale"]["type"] == "symlog"
    ticks = y["axis"]["values"]
    assert [v for v in ticks if v < 100] == [1, 2, 5, 10, 20, 50], "labels below 100 on the log-like axis"
    assert ticks[-1] >= 900 and y["scale"]["domain"] == [ticks[0], ticks[-1]]
    assert spec["height"] >= 240


def test_bar_rows_are_tall_enough_for_their_labels_and_title():
    spec = MORE["count_bars"]("zh").to_dict()
    # two rows, but a vertical title of 11 CJK characters: the plot is at least as tall as the title
    assert spec["height"] >= 11 * 11
    flow = BUILDERS["flow"]("zh").to_dict()
    assert flow["height"] >= 34 * 2 and flow["layer"][1]["mark"]["fontSize"] <= 12
    assert spec["encoding"]["x"]["axis"]["tickMinStep"] == 1  # counts tick on whole numbers


def test_legends_sit_under_the_plot_and_are_never_cut():
    spec = MORE["rate_trend"]("zh").to_dict()
    legend = spec["encoding"]["color"]["legend"]
    assert legend["orient"] == "bottom" and legend["labelLimit"] == 0 and legend["columns"] == 1


def test_pareto_shows_the_first_bars_only_with_unrotated_few_labels():
    spec = MORE["pareto"]("zh").to_dict()
    data = spec["datasets"][spec["data"]["name"]] if "datasets" in spec else spec["data"]["values"]
    assert len(data) == charts.TOP_N
    by_level = charts.pareto(pl.DataFrame({"key_label": ["局长", "副局长"], "level": ["CHIEF", "DEPUTY"],
                                           "wait_hours": [5.0, 3.0], "cumulative_share": [0.6, 1.0], "rank": [1, 2]}),
                             "层级", "zh", color_by_level=True).to_dict()
    bars = by_level["layer"][0]["encoding"]
    assert bars["x"]["axis"]["labelAngle"] == 0 and bars["color"]["legend"] is None
    # twenty names stand upright: slanted, they ran into one another in a third of a page at 1366 px
    assert spec["layer"][0]["encoding"]["x"]["axis"]["labelAngle"] == -90


def test_nice_ticks():
    assert charts.nice_ticks([2.3, 15, 180]) == [2, 5, 10, 20, 50, 100, 200]
    assert charts.nice_ticks([0.3, 4.5])[:3] == [0.0, 0.2, 0.5]


def test_pareto_orders_its_bars_by_rank_even_when_coloured_by_level():
    df = pl.DataFrame({"key_label": ["副局长", "局长", "团队长", "分管副院长"], "level": ["DEPUTY", "CHIEF", "TEAM_LEAD", "VP"],
                       "wait_hours": [21.0, 17.0, 12.0, 2.0], "cumulative_share": [0.4, 0.7, 0.96, 1.0], "rank": [1, 2, 3, 4]})
    spec = charts.pareto(df.reverse(), "层级", "zh", color_by_level=True).to_dict()
    for layer in spec["layer"]:
        assert layer["encoding"]["x"]["sort"] == ["副局长", "局长", "团队长", "分管副院长"]


def test_long_english_level_labels_slant_instead_of_being_cut():
    df = pl.DataFrame({"key_label": ["Deputy chief", "Vice-president in charge"], "level": ["DEPUTY", "VP"],
                       "wait_hours": [5.0, 3.0], "cumulative_share": [0.6, 1.0], "rank": [1, 2]})
    x = charts.pareto(df, "Level", "en", color_by_level=True).to_dict()["layer"][0]["encoding"]["x"]["axis"]
    assert x["labelAngle"] != 0 and x["labelLimit"] >= 160


@pytest.mark.parametrize("name", ["distribution", "level_bars"])
def test_level_names_on_an_axis_are_drawn_whole_in_english(name):
    y = BUILDERS[name]("en").to_dict()
    axes = [enc["y"].get("axis", {}) for enc in _walk(y) if "y" in enc and "level" in enc["y"].get("field", "")]
    longest = charts._title_px(label("level", "VP", "en"))  # "Vice-president in charge"
    assert axes and all(axis.get("labelLimit", 0) >= longest for axis in axes)


def test_the_level_legend_has_rows_of_two_in_english_whose_longer_names_fit_half_a_page():
    def columns(lang, levels=None):
        return charts.level_color(lang, levels=levels).to_dict()["legend"]["columns"]

    assert columns("en") == 2 and columns("zh") == 3  # every level: "Vice-president in charge" two a row
    assert columns("en", ["DEPUTY", "CHIEF"]) == 3  # only the shorter names drawn: three a row fit


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_legend_row_fits_half_a_page(lang):
    """A legend under the plot never has more entries a row than fit LEGEND_PX ("Red (over limit)" three a
    row overran a third of a page, "Share decided by the VP" two a row half a page)."""
    for color in (charts.level_color(lang), charts.tier_color(lang), charts.family_color(lang),
                  charts.direction_color(lang), charts.clock_tier_color(lang), charts.meeting_type_color(lang)):
        spec = color.to_dict()
        widest = max(charts._title_px(x) for x in spec["scale"]["domain"]) + 24
        assert spec["legend"]["columns"] * widest <= charts.LEGEND_PX or spec["legend"]["columns"] == 1, spec
