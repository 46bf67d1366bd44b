"""Chart builders: one colour per level everywhere, tooltips and axis titles on every chart."""

from datetime import date, datetime

import polars as pl
import pytest

from pipelines import charts, contract
from pipelines.i18n import label


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
                assert dict(zip(scale["domain"], scale["range"])) == expected


def test_rule_families_have_their_own_colours():
    spec = BUILDERS["rule_trend"]("en").to_dict()
    scale = next(e["color"]["scale"] for e in _walk(spec) if "color" in e)
    assert dict(zip(scale["domain"], scale["range"]))["Substitutions"] == charts.FAMILY_COLORS["substitution"]
    assert charts.family_of("M5-RECORD") == "meeting"


def test_labels_follow_the_language():
    df = charts.with_labels(pl.DataFrame({"level": ["CHIEF"], "direction": ["REVERSE"]}), "zh")
    assert df["level_label"][0] == "局长" and df["direction_label"][0] == "逆向"
