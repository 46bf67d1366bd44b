"""Altair chart builders shared by the pages and the monthly report. No streamlit here.

Colours are defined once: per approval level, per rule family, per warning tier and per substitution
direction, so the same level has the same colour on every page. Every chart has tooltips and axis titles
with units; text comes from the catalogue (`pipelines/core/messages/pages.py`) in the language asked for.
"""

from __future__ import annotations

import copy
import math

import altair as alt
import polars as pl

from pipelines.core import contract
from pipelines.core.i18n import label, t
from pipelines.domain.rules import FAMILIES, OTHER_FAMILY, family_expr, family_of  # noqa: F401 (the pages' names)

# Sizes are the *plot's* height in px: every chart is autosized "fit-x" (see `_screen`), so its width follows
# the page's column while axes, labels and legends are added around the plot instead of squeezed into it.
# (Streamlit's own default, "fit", crammed a 260 px chart's legend and rotated month labels into 260 px and
# left a 40 px plot of flat lines.) The same height holds in PNG/SVG exports.
HEIGHT = 240  # line and bar charts over months
MIN_HEIGHT = 120  # no plot smaller than this
ROW = 28  # px per row of a horizontal bar chart: 12 px labels never overlap
TOP_N = 20  # bars on a Pareto of people: more would not leave a readable label each in half a page
AUTOSIZE = {"type": "fit-x", "contains": "padding"}

# One colour per level, low -> high (colour-blind-friendly Tableau-like palette).
LEVEL_COLORS = {
    "TEAM_LEAD": "#4e79a7",
    "DEPUTY": "#59a14f",
    "CHIEF": "#f28e2b",
    "VP": "#e15759",
    "PRESIDENT": "#b07aa1",
    "COMMITTEE": "#76b7b2",
}
# per rule family (pipelines.domain.rules.family_of), in the legend's order
FAMILY_COLORS = {FAMILIES["A"]: "#4e79a7", FAMILIES["S"]: "#f28e2b", FAMILIES["M"]: "#59a14f", OTHER_FAMILY: "#bab0ac"}
TIER_COLORS = {"OK": "#9db4c0", "YELLOW": "#edc948", "RED": "#e15759"}
CLOCK_TIERS = ("RED", "YELLOW", "OK")  # open cases: past the statutory deadline, near it, within term
DIRECTION_COLORS = {"FORWARD": "#59a14f", "EQUAL": "#4e79a7", "REVERSE": "#e15759"}
MEETING_TYPE_COLORS = {"BUREAU": "#4e79a7", "TEAM_LEADS": "#9c755f"}


# ------------------------------------------------------------------------------------------ labels
def _mapping(kind: str, lang: str) -> dict[str, str]:
    return {code: label(kind, code, lang) for code in contract.ENUMS[kind].codes}


def with_labels(df: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Add `<col>_label` columns for the enum-coded columns a frame has (level, matter_type, ...)."""
    extra = {"SUBMITTED": t("chart.submitted", lang), "OK": t("tier.OK", lang)}
    specs = {
        "level": "level",
        "source": "level",
        "target": "level",
        "matter_type": "matter_type",
        "meeting_type": "meeting_type",
        "outcome": "outcome",
        "decision": "decision",
        "absent_post": "post",
        "substitute_post": "post",
    }
    exprs = []
    for col, kind in specs.items():
        if col in df.columns:
            mapping = {**_mapping(kind, lang), **extra}
            exprs.append(pl.col(col).replace_strict(mapping, default=pl.col(col), return_dtype=pl.String).alias(f"{col}_label"))
    if "tier" in df.columns:
        exprs.append(pl.col("tier").replace_strict(tier_labels(lang), default=pl.col("tier")).alias("tier_label"))
    if "warning_tier" in df.columns:
        exprs.append(
            pl.col("warning_tier").fill_null("OK").replace_strict(tier_labels(lang), default=pl.col("warning_tier")).alias("tier_label")
        )
    if "family" in df.columns:
        exprs.append(pl.col("family").replace_strict(family_labels(lang), default=pl.col("family")).alias("family_label"))
    if "direction" in df.columns:
        exprs.append(
            pl.col("direction").replace_strict(direction_labels(lang), default=pl.col("direction")).alias("direction_label")
        )
    return df.with_columns(exprs) if exprs else df


def tier_labels(lang: str) -> dict[str, str]:
    return {k: t(f"tier.{k}", lang) for k in TIER_COLORS}


def family_labels(lang: str) -> dict[str, str]:
    return {k: t(f"family.{k}", lang) for k in FAMILY_COLORS}


def direction_labels(lang: str) -> dict[str, str]:
    return {k: t(f"direction.{k}", lang) for k in DIRECTION_COLORS}


# ------------------------------------------------------------------------------------------ scales
LEGEND_PX = 360  # the width a legend under the plot may take: half a page at 1366 px, less its margins


def bottom_legend(columns: int = 3, labels=()) -> alt.Legend:
    """A legend under the plot, at most `columns` entries a row, labels never cut: in half a page a legend on
    the right takes a third of the width and cut long labels ("分管副院长决定比例（…"). With `labels`, fewer
    columns when their longest entry would not fit `columns` times in LEGEND_PX (English "Red (over limit)"
    three a row overran a third of a page)."""
    labels = [str(x) for x in labels if x is not None]
    widest = max((_title_px(x) for x in labels), default=0) + 24  # the symbol and the gap after it
    if labels:
        columns = max(1, min(columns, LEGEND_PX // widest))
    return alt.Legend(orient="bottom", columns=columns, labelLimit=0, symbolLimit=0)


def level_color(lang: str, field: str = "level_label", title: str | None = None, levels=None, legend: bool = True) -> alt.Color:
    codes = [c for c in contract.LEVEL_CODES if levels is None or c in levels]
    names = [label("level", c, lang) for c in codes]
    return alt.Color(
        f"{field}:N",
        title=title or t("axis.level", lang),
        # two a row in English: three of its longer names overran half a page ("Bureau chie", "Judicial cor")
        legend=bottom_legend(3, names) if legend else None,
        scale=alt.Scale(domain=names, range=[LEVEL_COLORS[c] for c in codes]),
        sort=names,
    )


def family_color(lang: str) -> alt.Color:
    return alt.Color(
        "family_label:N",
        title=t("axis.family", lang),
        legend=bottom_legend(4, family_labels(lang).values()),
        scale=alt.Scale(domain=list(family_labels(lang).values()), range=list(FAMILY_COLORS.values())),
    )


def tier_color(lang: str) -> alt.Color:
    return alt.Color(
        "tier_label:N",
        title=t("axis.tier", lang),
        legend=bottom_legend(3, tier_labels(lang).values()),
        scale=alt.Scale(domain=list(tier_labels(lang).values()), range=list(TIER_COLORS.values())),
        sort=list(tier_labels(lang).values()),
    )


def meeting_type_color(lang: str) -> alt.Color:
    return alt.Color(
        "meeting_type_label:N",
        title=t("axis.meeting_type", lang),
        legend=bottom_legend(2, [label("meeting_type", c, lang) for c in MEETING_TYPE_COLORS]),
        scale=alt.Scale(
            domain=[label("meeting_type", c, lang) for c in MEETING_TYPE_COLORS],
            range=list(MEETING_TYPE_COLORS.values()),
        ),
    )


def direction_color(lang: str) -> alt.Color:
    return alt.Color(
        "direction_label:N",
        title=t("axis.direction", lang),
        legend=bottom_legend(3, direction_labels(lang).values()),
        scale=alt.Scale(domain=list(direction_labels(lang).values()), range=list(DIRECTION_COLORS.values())),
    )


# A level's name in full on a chart's axis ("Vice-president in charge" was cut to "Vice-president in …").
LEVEL_AXIS = alt.Axis(labelLimit=170)


def level_sort(lang: str) -> list[str]:
    return [label("level", c, lang) for c in contract.LEVEL_CODES]


def month_text(df: pl.DataFrame, col: str = "month") -> pl.DataFrame:
    """The month column as the court's month in words ("2024-06"). A month is a category on every chart, never
    a time: Vega reads a time in the browser's zone, so in China time a click on a month's bar gave the epoch
    of the previous day (30 Nov 16:00 UTC for December) and opened the month before. A text month is the same
    month in every zone, in the chart, its tooltip and the value a click selects."""
    if col not in df.columns or df.schema[col] == pl.String:
        return df
    return df.with_columns(pl.col(col).dt.strftime("%Y-%m").alias(col))


def _month_x(lang: str, df: pl.DataFrame | None = None) -> alt.X:
    """Months along x, in order, every month of the data (the query layer gives every month of the period)."""
    months = sorted(set(df["month"].drop_nulls().to_list())) if df is not None and "month" in df.columns else None
    return alt.X("month:O", title=t("axis.month", lang), sort="ascending",
                 scale=alt.Scale(domain=months) if months else alt.Undefined,
                 axis=alt.Axis(labelAngle=-45, labelOverlap=True))


def _month_tip(lang: str) -> alt.Tooltip:
    return alt.Tooltip("month:N", title=t("axis.month", lang))


def _unit_title(unit: str, lang: str) -> str:
    return t("axis.median_workdays" if unit == "workdays" else "axis.median_hours", lang)


def _title_px(title: str) -> int:
    """Roughly how long an axis title draws at 11 px (CJK characters are square, Latin ones half)."""
    wide = sum(1 for ch in title if ord(ch) > 0x2E80)
    return int(11 * wide + 6.5 * (len(title) - wide))


def _longest_px(df: pl.DataFrame, col: str) -> int:
    """How wide the longest label of `col` draws (to choose between level and slanted axis labels)."""
    return max((_title_px(v) for v in df[col].drop_nulls().to_list()), default=0) if df.height else 0


def band_height(rows: int, title: str = "", row: int = ROW) -> int:
    """A horizontal bar chart's plot height: `row` px a row, and never shorter than its (vertical) axis title,
    which otherwise ran into the labels of a two-row chart."""
    return max(row * max(rows, 1), _title_px(title) + 12, MIN_HEIGHT)


def count_axis(**kw) -> alt.Axis:
    """An axis of counts: whole-number ticks only (no "0.5 substitutions")."""
    return alt.Axis(tickMinStep=1, format=",d", **kw)


def share_axis(**kw) -> alt.Axis:
    """An axis of shares (0..1) as percentages, one decimal where needed (0.5 %, 1 %, never "1%, 1%")."""
    return alt.Axis(format=".1~%", **kw)


def _base(df: pl.DataFrame, height: int = HEIGHT) -> alt.Chart:
    return alt.Chart(df).properties(height=max(height, MIN_HEIGHT), width="container")


# Room around the drawing inside its box: at 1366 px the last tick label and the bar ends ran past the right
# edge of a third of a page, and the first glyph of the longest CJK label past the left edge (Vega measures
# text narrower than the browser then draws it).
PADDING = {"left": 8, "top": 5, "right": 18, "bottom": 5}


def _screen(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Size the chart for a page: width from the column, the height given to the plot (see AUTOSIZE)."""
    return chart.properties(autosize=AUTOSIZE, padding=PADDING)


def nice_ticks(values, *, floor: float = 0.0) -> list[float]:
    """1-2-5 ticks spanning `values` (0 first when the smallest is under 1): on a symlog axis a tick at every
    scale, so a team leader's 2 hours and a committee's 200 can both be read."""
    vals = [float(v) for v in values if v is not None and not math.isnan(v)]
    top = max(vals, default=1.0)
    low = min(vals, default=0.0)
    steps = [m * 10**e for e in range(-2, 7) for m in (1, 2, 5)]
    ticks = [floor] if low < 1 else []
    start = max([x for x in steps if x <= max(low, steps[0])], default=steps[0])
    for x in steps:
        if x < start or (ticks and x <= ticks[-1]):
            continue
        ticks.append(x)
        if x >= top:
            break
    return ticks


# ------------------------------------------------------------------------------------------ builders
def trend_line(df: pl.DataFrame, y: str, y_title: str, lang: str, *, fmt: str = ",.0f") -> alt.Chart:
    """One measure per month as a line with points."""
    df = month_text(df)
    return _screen(
        _base(df, 200)
        .mark_line(point=True)
        .encode(
            x=_month_x(lang, df),
            y=alt.Y(f"{y}:Q", title=y_title),
            tooltip=[_month_tip(lang), alt.Tooltip(f"{y}:Q", title=y_title, format=fmt)],
        )
    )


def level_trend(df: pl.DataFrame, y: str, y_title: str, lang: str, *, fmt: str = ",.1f") -> alt.Chart:
    """A measure per month and level, one coloured line per level (symlog y: a committee's weeks do not
    flatten a team leader's hours; 1-2-5 ticks so every scale has its labels). df: month, level, <y>."""
    df = month_text(with_labels(df, lang))
    ticks = nice_ticks(df[y].to_list() if df.height else [])
    drawn = set(df.filter(pl.col(y).is_not_null())["level"].to_list()) if df.height else set()
    return _screen(
        _base(df, HEIGHT)
        .mark_line(point=True)
        .encode(
            x=_month_x(lang, df),
            y=alt.Y(
                f"{y}:Q",
                title=y_title,
                scale=alt.Scale(type="symlog", domain=[ticks[0], ticks[-1]], nice=False),
                axis=alt.Axis(values=ticks, format=",~r", grid=True),
            ),
            color=level_color(lang, levels=drawn),  # a legend of the levels drawn, none absent
            tooltip=[
                _month_tip(lang),
                alt.Tooltip("level_label:N", title=t("axis.level", lang)),
                alt.Tooltip(f"{y}:Q", title=y_title, format=fmt),
            ],
        )
    )


def latency_distribution(df: pl.DataFrame, unit: str, lang: str) -> alt.LayerChart:
    """Per level: whisker p10–p90, box p25–p75, white tick at the median. df from queries.latency_quantiles."""
    df = with_labels(df, lang)
    unit_word = t("unit.workdays" if unit == "workdays" else "unit.hours", lang)
    x_title = t("axis.latency_unit", lang, unit=unit_word)
    y = alt.Y("level_label:N", title=t("axis.level", lang), sort=level_sort(lang), axis=LEVEL_AXIS)
    tips = [alt.Tooltip("level_label:N", title=t("axis.level", lang)), alt.Tooltip("steps:Q", title=t("axis.steps", lang))]
    tips += [alt.Tooltip(f"{q}:Q", title=t(f"axis.{q}", lang), format=",.1f") for q in ("p10", "p25", "p50", "p75", "p90")]
    base = alt.Chart(df).encode(y=y, tooltip=tips)
    whisker = base.mark_rule().encode(x=alt.X("p10:Q", title=x_title), x2="p90:Q", color=level_color(lang, legend=False))
    box = base.mark_bar(size=16).encode(x=alt.X("p25:Q", title=x_title), x2="p75:Q", color=level_color(lang, legend=False))
    median = base.mark_tick(color="white", thickness=3, size=16).encode(x=alt.X("p50:Q", title=x_title))
    return _screen(alt.layer(whisker, box, median).properties(
        height=band_height(df.height, t("axis.level", lang), row=34), width="container"))


def level_bars(df: pl.DataFrame, x: str, x_title: str, lang: str, *, fmt: str = ",.1f", extra_tips=(),
               axis: alt.Axis | None = None) -> alt.Chart:
    """A horizontal bar per level. df: level, <x>. `axis`: of <x> (e.g. share_axis() for a share)."""
    df = with_labels(df, lang)
    return _screen(
        _base(df, band_height(df.height, t("axis.level", lang)))
        .mark_bar(size=18)
        .encode(
            y=alt.Y("level_label:N", title=t("axis.level", lang), sort=level_sort(lang), axis=LEVEL_AXIS),
            x=alt.X(f"{x}:Q", title=x_title, axis=axis if axis is not None else alt.Undefined),
            color=level_color(lang, legend=False),
            tooltip=[alt.Tooltip("level_label:N", title=t("axis.level", lang)), alt.Tooltip(f"{x}:Q", title=x_title, format=fmt)]
            + list(extra_tips),
        )
    )


def grouped_by_key(df: pl.DataFrame, x: str, x_title: str, key_title: str, lang: str, *, fmt: str = ",.1f") -> alt.Chart:
    """Horizontal bars per key (matter type, team, ...) coloured and offset by level. df: key_label, level, <x>, steps."""
    df = with_labels(df, lang)
    keys = df["key_label"].n_unique() if df.height else 0
    levels = df["level"].n_unique() if df.height else 1
    # One band per key, split between the levels it has: 9 px a bar, 10 px between keys.
    return _screen(
        _base(df, band_height(keys, key_title, row=max(ROW, 9 * levels + 10)))
        .mark_bar()
        .encode(
            y=alt.Y("key_label:N", title=key_title, sort="-x", axis=alt.Axis(labelLimit=260)),
            yOffset=alt.YOffset("level_label:N", sort=level_sort(lang)),
            x=alt.X(f"{x}:Q", title=x_title),
            color=level_color(lang, levels=set(df["level"].to_list()) if df.height else None),
            tooltip=[
                alt.Tooltip("key_label:N", title=key_title),
                alt.Tooltip("level_label:N", title=t("axis.level", lang)),
                alt.Tooltip(f"{x}:Q", title=x_title, format=fmt),
                alt.Tooltip("steps:Q", title=t("axis.steps", lang)),
            ],
        )
    )


def pending_by_level(df: pl.DataFrame, lang: str) -> alt.Chart:
    """Pending steps now, stacked by warning tier per level. df: level, tier, pending, median_age_hours."""
    df = with_labels(df, lang)
    return _screen(
        _base(df, band_height(df["level"].n_unique() if df.height else 0, t("axis.level", lang), row=34))
        .mark_bar(size=20)
        .encode(
            y=alt.Y("level_label:N", title=t("axis.level", lang), sort=level_sort(lang), axis=alt.Axis(labelOverlap=False, labelLimit=LEVEL_AXIS.labelLimit)),
            x=alt.X("pending:Q", title=t("axis.pending_steps", lang), axis=count_axis()),
            color=tier_color(lang),
            order=alt.Order("tier:N"),
            tooltip=[
                alt.Tooltip("level_label:N", title=t("axis.level", lang)),
                alt.Tooltip("tier_label:N", title=t("axis.tier", lang)),
                alt.Tooltip("pending:Q", title=t("axis.pending_steps", lang)),
                alt.Tooltip("median_age_hours:Q", title=t("axis.median_age_hours", lang), format=",.1f"),
                alt.Tooltip("max_age_hours:Q", title=t("axis.max_age_hours", lang), format=",.1f"),
            ],
        )
    )


def workload_scatter(df: pl.DataFrame, lang: str) -> alt.Chart:
    """Approvers: decided steps (x) vs median hours (y), size = pending now, colour = level. Nothing pending
    is the smallest circle that still reads (the slowest approver, the VP with nothing pending, was a 1-px
    dot at size 0)."""
    df = with_labels(df, lang)
    top = max(int(df["pending"].max() or 0), 1) if df.height else 1
    return _screen(
        _base(df, 280)
        .mark_circle(opacity=0.75, stroke="#333333", strokeWidth=0.5)
        .encode(
            x=alt.X("decided:Q", title=t("axis.decided_steps", lang)),
            y=alt.Y("median_hours:Q", title=t("axis.median_hours", lang)),
            size=alt.Size("pending:Q", title=t("axis.pending_steps", lang),
                          scale=alt.Scale(domain=[0, top], range=[60, 900], zero=False),
                          legend=alt.Legend(orient="bottom", format=",d", tickMinStep=1)),
            color=level_color(lang, levels=set(df["level"].drop_nulls().to_list()) if df.height else None),
            tooltip=[
                alt.Tooltip("name:N", title=t("axis.person", lang)),
                alt.Tooltip("level_label:N", title=t("axis.level", lang)),
                alt.Tooltip("decided:Q", title=t("axis.decided_steps", lang)),
                alt.Tooltip("median_hours:Q", title=t("axis.median_hours", lang), format=",.1f"),
                alt.Tooltip("pending:Q", title=t("axis.pending_steps", lang)),
            ],
        )
    )


def flow_matrix(df: pl.DataFrame, lang: str) -> alt.LayerChart:
    """Process map as a matrix: from level (rows) -> to level (columns); colour = steps, text = median wait.
    34 px a row so the numbers (11 px) never overlap; white numbers on the darkest cells."""
    df = with_labels(df, lang)
    order = [t("chart.submitted", lang), *level_sort(lang)]
    rows = df["source"].n_unique() if df.height else 0
    cols = df["target"].n_unique() if df.height else 0
    top = float(df["steps"].max() or 0) if df.height else 0.0
    base = alt.Chart(df).encode(
        y=alt.Y("source_label:N", title=t("axis.from_level", lang), sort=order, axis=alt.Axis(labelLimit=170)),
        x=alt.X(
            "target_label:N",
            title=t("axis.to_level", lang),
            sort=order,
            axis=alt.Axis(labelAngle=0 if cols <= 4 and _longest_px(df, "target_label") <= 90 else -30,
                          labelLimit=170, orient="top"),
        ),
        tooltip=[
            alt.Tooltip("source_label:N", title=t("axis.from_level", lang)),
            alt.Tooltip("target_label:N", title=t("axis.to_level", lang)),
            alt.Tooltip("steps:Q", title=t("axis.steps", lang)),
            alt.Tooltip("median_hours:Q", title=t("axis.median_wait_hours", lang), format=",.1f"),
        ],
    )
    rect = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color("steps:Q", title=t("axis.steps", lang), scale=alt.Scale(scheme="blues"),
                        legend=alt.Legend(orient="bottom", direction="horizontal", gradientLength=160))
    )
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("median_hours:Q", format=",.1f"),
        color=alt.condition(alt.datum.steps > 0.6 * top, alt.value("white"), alt.value("black")),
    )
    return _screen(alt.layer(rect, text).properties(
        height=band_height(rows, t("axis.from_level", lang), row=34), width="container"))


def pareto(df: pl.DataFrame, key_title: str, lang: str, *, color_by_level: bool = False) -> alt.LayerChart:
    """Waiting hours per key, largest first (the first TOP_N), with the cumulative share on a second axis.
    df: key_label, wait_hours, cumulative_share, rank (and level for colouring: the x labels already name
    the level, so no legend)."""
    df = with_labels(df, lang)
    if df.height and "rank" in df.columns:
        df = df.filter(pl.col("rank") <= TOP_N)
    keys = df.height
    x = alt.X(
        "key_label:N",
        title=key_title,
        # The keys in rank order as a list: a sort by the rank field was dropped when the layers differ
        # (bars coloured by level), and Vega sorted the levels by code point.
        sort=(df.sort("rank") if "rank" in df.columns else df)["key_label"].to_list(),
        # level when few and short; slanted when up to 10; upright beyond (20 names slanted at -45° in a third of
        # a page ran into one another: upright, each takes only a line's height of its bar's width)
        axis=alt.Axis(labelAngle=0 if keys <= 4 and _longest_px(df, "key_label") <= 80 else -45 if keys <= 10 else -90,
                      labelLimit=170, labelOverlap=False),
    )
    tips = [
        alt.Tooltip("key_label:N", title=key_title),
        alt.Tooltip("wait_hours:Q", title=t("axis.wait_hours", lang), format=",.0f"),
        alt.Tooltip("cumulative_share:Q", title=t("axis.cumulative_share", lang), format=".0%"),
    ]
    base = alt.Chart(df).encode(x=x, tooltip=tips)
    bars = base.mark_bar().encode(
        y=alt.Y("wait_hours:Q", title=t("axis.wait_hours", lang), axis=alt.Axis(format=",.0f")),
        color=level_color(lang, legend=False) if color_by_level else alt.value(LEVEL_COLORS["TEAM_LEAD"]),
    )
    line = base.mark_line(point=True, color="#333333").encode(
        y=alt.Y(
            "cumulative_share:Q",
            title=t("axis.cumulative_share", lang),
            axis=alt.Axis(format=".0%", values=[0, 0.2, 0.4, 0.6, 0.8, 1.0]),
            scale=alt.Scale(domain=[0, 1]),
        )
    )
    return _screen(
        alt.layer(bars, line).resolve_scale(y="independent").properties(height=HEIGHT - 20, width="container")
    )


def count_bars(df: pl.DataFrame, key_title: str, x: str, x_title: str, lang: str, *, color: str = "#4e79a7", extra_tips=(),
               key_axis_title: bool = True) -> alt.Chart:
    """Horizontal bars per key (largest first). df: key_label, <x>. `key_axis_title` False: long labels (matter
    types) take the axis's room, the section's heading names the key."""
    return _screen(
        _base(df, band_height(df.height, key_title))
        .mark_bar(color=color, size=18)
        .encode(
            y=alt.Y("key_label:N", title=key_title if key_axis_title else None, sort="-x", axis=alt.Axis(labelLimit=260)),
            x=alt.X(f"{x}:Q", title=x_title, axis=count_axis()),
            tooltip=[alt.Tooltip("key_label:N", title=key_title), alt.Tooltip(f"{x}:Q", title=x_title, format=",.0f"), *extra_tips],
        )
    )


def monthly_stacked(df: pl.DataFrame, y: str, y_title: str, color: alt.Color, color_field: str, color_title: str, lang: str) -> alt.Chart:
    """Monthly stacked bars coloured by a category (family, direction, outcome...), every month of the data
    on the axis (a month of zero has no bar, but its place)."""
    df = month_text(df)
    return _screen(
        _base(df, 220)
        .mark_bar()
        .encode(
            x=_month_x(lang, df),
            y=alt.Y(f"sum({y}):Q", title=y_title, axis=count_axis()),
            color=color,
            tooltip=[
                _month_tip(lang),
                alt.Tooltip(f"{color_field}:N", title=color_title),
                alt.Tooltip(f"sum({y}):Q", title=y_title, format=",.0f"),
            ],
        )
    )


def findings_by_family(df: pl.DataFrame, lang: str) -> alt.Chart:
    df = with_labels(df, lang)
    return monthly_stacked(df, "findings", t("axis.findings", lang), family_color(lang), "family_label", t("axis.family", lang), lang)


def substitutions_by_month(df: pl.DataFrame, lang: str) -> alt.Chart:
    df = with_labels(df, lang)
    return monthly_stacked(
        df, "substitutions", t("axis.substitutions", lang), direction_color(lang), "direction_label", t("axis.direction", lang), lang
    )


def timeline(df: pl.DataFrame, lang: str) -> alt.Chart:
    """Who covered whom: one bar per substitution from start to end, a row per absent person."""
    df = with_labels(df, lang).with_columns(
        (pl.col("absent_name").fill_null(pl.col("absent_id"))).alias("absent"),
        (pl.col("substitute_name").fill_null(pl.col("substitute_id"))).alias("substitute"),
    )
    rows = df["absent"].n_unique() if df.height else 0
    return _screen(
        _base(df, band_height(rows, t("axis.absent_person", lang), row=22))
        .mark_bar(height=12)
        .encode(
            x=alt.X("start_at:T", title=t("axis.date", lang), axis=alt.Axis(format="%Y-%m-%d")),
            x2="end_shown:T",
            y=alt.Y("absent:N", title=t("axis.absent_person", lang), sort=alt.EncodingSortField("start_at", op="min")),
            color=direction_color(lang),
            tooltip=[
                alt.Tooltip("absent:N", title=t("axis.absent_person", lang)),
                alt.Tooltip("absent_post_label:N", title=t("axis.absent_post", lang)),
                alt.Tooltip("substitute:N", title=t("axis.substitute", lang)),
                alt.Tooltip("substitute_post_label:N", title=t("axis.substitute_post", lang)),
                alt.Tooltip("start_at:T", title=t("axis.start", lang), format="%Y-%m-%d %H:%M"),
                alt.Tooltip("end_shown:T", title=t("axis.end", lang), format="%Y-%m-%d %H:%M"),
                alt.Tooltip("days:Q", title=t("axis.days", lang), format=",.1f"),
                alt.Tooltip("authorized:N", title=t("axis.authorized", lang)),
            ],
        )
    )


def rate_trend(df: pl.DataFrame, y: str, y_title: str, lang: str, color_field: str | None = None, color: alt.Color | None = None) -> alt.Chart:
    """A share (0..1) per month, optionally one line per category (legend under the plot, one entry a row,
    so long measure names are never cut)."""
    df = month_text(df)
    tips = [_month_tip(lang), alt.Tooltip(f"{y}:Q", title=y_title, format=".1%")]
    enc = {"x": _month_x(lang, df), "y": alt.Y(f"{y}:Q", title=y_title, axis=share_axis())}
    if color is not None:
        color = copy.deepcopy(color)
        if color.to_dict().get("legend") is None:  # only a legend the caller left unset
            color.legend = bottom_legend(1)
        enc["color"] = color
        tips.insert(1, alt.Tooltip(f"{color_field}:N", title=color.to_dict().get("title", "")))
    return _screen(_base(df, 200).mark_line(point=True).encode(**enc, tooltip=tips))


def outcome_bars(df: pl.DataFrame, lang: str) -> alt.Chart:
    """Items per outcome, one bar group per meeting type. df: meeting_type, outcome, items."""
    df = with_labels(df, lang)
    outcomes = df["outcome"].n_unique() if df.height else 0
    return _screen(
        _base(df, band_height(outcomes, t("axis.outcome", lang), row=34))
        .mark_bar(size=20)
        .encode(
            y=alt.Y("outcome_label:N", title=t("axis.outcome", lang), sort=[label("outcome", c, lang) for c in contract.OUTCOME.codes],
                    axis=alt.Axis(labelLimit=260)),
            x=alt.X("items:Q", title=t("axis.items", lang), axis=count_axis()),
            color=meeting_type_color(lang),
            tooltip=[
                alt.Tooltip("meeting_type_label:N", title=t("axis.meeting_type", lang)),
                alt.Tooltip("outcome_label:N", title=t("axis.outcome", lang)),
                alt.Tooltip("items:Q", title=t("axis.items", lang)),
            ],
        )
    )


def items_per_meeting(df: pl.DataFrame, lang: str) -> alt.Chart:
    """Items per meeting, one bar per meeting by the day it was held: two meetings of one day stand side by
    side (on a time axis they stacked into one bar). Days are text, the court's day in any browser zone."""
    df = with_labels(df, lang)
    if df.height:
        day = pl.col("held_on").dt.strftime("%Y-%m-%d")
        nth = pl.col("meeting_id").rank("ordinal").over("held_on").cast(pl.String)
        df = df.with_columns(held_day=pl.when(pl.len().over("held_on") > 1).then(day + " (" + nth + ")").otherwise(day))
    else:
        df = df.with_columns(pl.lit("").alias("held_day"))
    return _screen(
        _base(df, 200)
        .mark_bar()
        .encode(
            x=alt.X("held_day:O", title=t("axis.held_on", lang), sort="ascending",
                    axis=alt.Axis(labelAngle=-45, labelOverlap=True)),
            y=alt.Y("items:Q", title=t("axis.items", lang), axis=count_axis()),
            color=meeting_type_color(lang),
            tooltip=[
                alt.Tooltip("meeting_id:N", title=t("axis.meeting", lang)),
                alt.Tooltip("held_on:T", title=t("axis.held_on", lang), format="%Y-%m-%d"),
                alt.Tooltip("meeting_type_label:N", title=t("axis.meeting_type", lang)),
                alt.Tooltip("items:Q", title=t("axis.items", lang)),
                alt.Tooltip("escalated:Q", title=t("axis.escalations", lang)),
                alt.Tooltip("tie_breaks:Q", title=t("axis.tie_breaks", lang)),
            ],
        )
    )


def days_to_decision(df: pl.DataFrame, lang: str) -> alt.Chart:
    """Escalated items: days from meeting to final decision, one bar per item by meeting date."""
    return _screen(
        _base(df, 200)
        .mark_circle(size=80, color=LEVEL_COLORS["VP"])
        .encode(
            x=alt.X("held_on:T", title=t("axis.held_on", lang), axis=alt.Axis(format="%Y-%m-%d", labelAngle=-45),
                    scale=alt.Scale(padding=10)),
            y=alt.Y("days_to_decision:Q", title=t("axis.days_to_decision", lang)),
            tooltip=[
                alt.Tooltip("item_id:N", title=t("axis.item", lang)),
                alt.Tooltip("topic:N", title=t("axis.topic", lang)),
                alt.Tooltip("held_on:T", title=t("axis.held_on", lang), format="%Y-%m-%d"),
                alt.Tooltip("decided_on:T", title=t("axis.decided_on", lang), format="%Y-%m-%d"),
                alt.Tooltip("days_to_decision:Q", title=t("axis.days_to_decision", lang)),
            ],
        )
    )


def rule_trend(df: pl.DataFrame, lang: str) -> alt.Chart:
    """Findings per month, one line per rule, coloured by the rule's family. df: rule_id, month, findings."""
    df = month_text(with_labels(df.with_columns(family_expr("rule_id")), lang))
    return _screen(
        _base(df, 200)
        .mark_line(point=True)
        .encode(
            x=_month_x(lang, df),
            y=alt.Y("findings:Q", title=t("axis.findings", lang), axis=count_axis()),
            color=family_color(lang),
            detail="rule_id:N",
            tooltip=[
                _month_tip(lang),
                alt.Tooltip("rule_id:N", title=t("axis.rule", lang)),
                alt.Tooltip("findings:Q", title=t("axis.findings", lang)),
            ],
        )
    )


def clock_tier_labels(lang: str) -> dict[str, str]:
    return {k: t(f"clock.tier.{k}", lang) for k in CLOCK_TIERS}


def clock_tier_color(lang: str) -> alt.Color:
    labels = clock_tier_labels(lang)
    return alt.Color(
        "clock_tier_label:N",
        title=t("axis.clock_tier", lang),
        legend=bottom_legend(3, labels.values()),
        scale=alt.Scale(domain=[labels[k] for k in CLOCK_TIERS], range=[TIER_COLORS[k] for k in CLOCK_TIERS]),
        sort=[labels[k] for k in CLOCK_TIERS],
    )


def open_cases_by_tier(df: pl.DataFrame, key_title: str, lang: str) -> alt.Chart:
    """Open cases per key (team or judge), stacked by statutory tier, the most past-deadline first.
    df: key_label, tier (RED, YELLOW, or null/OK = within term), cases."""
    labels = clock_tier_labels(lang)
    df = df.with_columns(
        clock_tier_label=pl.col("tier").fill_null("OK").replace_strict(labels, default=pl.col("tier")),
        tier_order=pl.col("tier").fill_null("OK").replace_strict({k: i for i, k in enumerate(CLOCK_TIERS)}, default=9),
    )
    order = (
        df.group_by("key_label")
        .agg(red=pl.col("cases").filter(pl.col("tier") == "RED").sum(), total=pl.col("cases").sum())
        .sort(["red", "total", "key_label"], descending=[True, True, False])["key_label"].to_list()
    )
    return _screen(
        _base(df, band_height(len(order), key_title))
        .mark_bar(size=18)
        .encode(
            y=alt.Y("key_label:N", title=key_title, sort=order, axis=alt.Axis(labelLimit=260)),
            x=alt.X("sum(cases):Q", title=t("axis.open_cases", lang), axis=count_axis()),
            color=clock_tier_color(lang),
            order=alt.Order("tier_order:Q"),
            tooltip=[
                alt.Tooltip("key_label:N", title=key_title),
                alt.Tooltip("clock_tier_label:N", title=t("axis.clock_tier", lang)),
                alt.Tooltip("sum(cases):Q", title=t("axis.open_cases", lang), format=",.0f"),
            ],
        )
    )


def on_time_trend(df: pl.DataFrame, lang: str) -> alt.LayerChart:
    """Cases closed per month (bars) and the share of them closed within the statutory term (line, second
    axis, 0-100 %). df: month, closed, on_time_share."""
    df = month_text(df)
    tips = [
        _month_tip(lang),
        alt.Tooltip("closed:Q", title=t("axis.closed_cases", lang), format=",.0f"),
        alt.Tooltip("on_time_share:Q", title=t("axis.on_time_share", lang), format=".1%"),
    ]
    base = alt.Chart(df).encode(x=_month_x(lang, df), tooltip=tips)
    bars = base.mark_bar(color=TIER_COLORS["OK"], opacity=0.7).encode(
        y=alt.Y("closed:Q", title=t("axis.closed_cases", lang), axis=count_axis())
    )
    line = base.mark_line(point=True, color="#333333").encode(
        y=alt.Y("on_time_share:Q", title=t("axis.on_time_share", lang), axis=share_axis(),
                scale=alt.Scale(domain=[0, 1]))
    )
    return _screen(alt.layer(bars, line).resolve_scale(y="independent").properties(height=HEIGHT, width="container"))


# ------------------------------------------------------------------------------------------ return loops, routes
LOOP_COLORS = {"closed": "#4e79a7", "open": "#e15759"}
ROUTE_COLORS = {True: "#59a14f", False: "#bab0ac"}  # on the required route (DOMAIN.md §3) or not


def route_label(route: str | None, lang: str) -> str:
    """`TEAM_LEAD>DEPUTY>CHIEF` as people read it: 团队长 → 副局长 → 局长."""
    if not route:
        return "—"
    return " → ".join(label("level", c, lang) if c in contract.LEVEL_CODES else c for c in route.split(">"))


def route_labels(df: pl.DataFrame, lang: str, col: str = "route") -> pl.DataFrame:
    """Add `<col>_label` (the route in words) to a frame with a route column."""
    words = {r: route_label(r, lang) for r in df[col].unique().to_list()} if df.height else {}
    return df.with_columns(pl.col(col).replace_strict(words, default=pl.col(col), return_dtype=pl.String)
                           .alias(f"{col}_label"))


def return_loops(df: pl.DataFrame, lang: str) -> alt.Chart:
    """Returns per level, low to high, split into closed loops (the matter came back to the level) and open ones.
    df: level, closed_loops, open_loops, median_rework_hours, returned_share."""
    df = with_labels(df.filter(pl.col("returns") > 0), lang)
    states = {"closed": t("paths.loop.closed", lang), "open": t("paths.loop.open", lang)}
    long = df.unpivot(index=[c for c in df.columns if c not in ("closed_loops", "open_loops")],
                      on=["closed_loops", "open_loops"], variable_name="state", value_name="loops").with_columns(
        state_label=pl.col("state").str.replace("_loops", "").replace_strict(states, return_dtype=pl.String),
        closed=pl.col("state") == "closed_loops")
    y_title = t("axis.level", lang)
    return _screen(
        _base(long, band_height(df.height, y_title, row=34))
        .mark_bar(size=20)
        .encode(
            y=alt.Y("level_label:N", title=y_title, sort=level_sort(lang), axis=LEVEL_AXIS),
            x=alt.X("loops:Q", title=t("axis.returns", lang), axis=count_axis(), stack="zero"),
            color=alt.Color("state_label:N", title=t("axis.loop_state", lang), legend=bottom_legend(2),
                            scale=alt.Scale(domain=list(states.values()), range=list(LOOP_COLORS.values()))),
            order=alt.Order("state:N"),
            tooltip=[
                alt.Tooltip("level_label:N", title=y_title),
                alt.Tooltip("state_label:N", title=t("axis.loop_state", lang)),
                alt.Tooltip("loops:Q", title=t("axis.returns", lang), format=",d"),
                alt.Tooltip("median_rework_hours:Q", title=t("col.median_rework_hours", lang), format=",.1f"),
                alt.Tooltip("returned_share:Q", title=t("col.returned_share", lang), format=".1%"),
            ],
        )
    )


def routes(df: pl.DataFrame, lang: str) -> alt.LayerChart:
    """One matter type's routes as ordered bars, most frequent first: matters per route, green where the route
    is the required one (DOMAIN.md §3), its share written beside the bar. df: route, matters, route_share,
    median_lead_time_hours, on_required_route (routes_by_type for one type)."""
    df = route_labels(df, lang).with_columns(
        required_label=pl.when("on_required_route").then(pl.lit(t("paths.required", lang)))
        .otherwise(pl.lit(t("paths.not_required", lang))),
        share_text=pl.format("{}%", (pl.col("route_share") * 100).round(1)),
    )
    y_title = t("axis.route", lang)
    order = df["route_label"].to_list()
    kinds = [t("paths.required", lang), t("paths.not_required", lang)]
    base = _base(df, band_height(df.height, y_title, row=30)).encode(
        # no axis title: the routes' labels are long and the chart's heading names them
        y=alt.Y("route_label:N", title=None, sort=order, axis=alt.Axis(labelLimit=360)),
        x=alt.X("matters:Q", title=t("axis.matters", lang), axis=count_axis()),
        tooltip=[
            alt.Tooltip("route_label:N", title=y_title),
            alt.Tooltip("matters:Q", title=t("axis.matters", lang), format=",d"),
            alt.Tooltip("route_share:Q", title=t("col.route_share", lang), format=".1%"),
            alt.Tooltip("median_lead_time_hours:Q", title=t("col.median_lead_time_hours", lang), format=",.1f"),
            alt.Tooltip("required_label:N", title=t("axis.required_route", lang)),
        ],
    )
    bars = base.mark_bar(size=18).encode(
        color=alt.Color("required_label:N", title=t("axis.required_route", lang), legend=bottom_legend(2),
                        scale=alt.Scale(domain=kinds, range=[ROUTE_COLORS[True], ROUTE_COLORS[False]])))
    text = base.mark_text(align="left", baseline="middle", dx=4, fontSize=11).encode(text="share_text:N")
    return _screen(alt.layer(bars, text))


def conformance_heatmap(df: pl.DataFrame, lang: str) -> alt.Chart:
    """Conformance rate per month (x) and matter type (y), a cell each: no finding of a matter rule among the
    judged closed matters. df: month, matter_type, matters, conforming, conformance."""
    df = month_text(with_labels(df, lang))
    y_title = t("axis.matter_type", lang)
    types = df["matter_type"].n_unique() if df.height else 1
    return _screen(
        _base(df, band_height(types, y_title, row=22))
        .mark_rect()
        .encode(
            x=_month_x(lang, df),
            y=alt.Y("matter_type_label:N", title=None, sort=[label("matter_type", c, lang) for c in contract.MATTER_TYPE.codes],
                    axis=alt.Axis(labelLimit=260)),
            color=alt.Color("conformance:Q", title=t("col.conformance", lang),
                            scale=alt.Scale(scheme="redyellowgreen", domain=[0.8, 1], clamp=True),
                            legend=alt.Legend(format=".0%", orient="bottom")),
            tooltip=[
                _month_tip(lang),
                alt.Tooltip("matter_type_label:N", title=y_title),
                alt.Tooltip("conformance:Q", title=t("col.conformance", lang), format=".1%"),
                alt.Tooltip("conforming:Q", title=t("col.conforming", lang), format=",d"),
                alt.Tooltip("matters:Q", title=t("axis.matters", lang), format=",d"),
            ],
        )
    )


def share_bars(df: pl.DataFrame, key_title: str, x: str, x_title: str, lang: str, *, color: str = "#e15759",
               extra_tips=()) -> alt.Chart:
    """Horizontal bars of a share (0..1) per key, largest first. df: key_label, <x>."""
    return _screen(
        _base(df, band_height(df.height, key_title))
        .mark_bar(color=color, size=18)
        .encode(
            y=alt.Y("key_label:N", title=None, sort="-x", axis=alt.Axis(labelLimit=260)),
            x=alt.X(f"{x}:Q", title=x_title, axis=share_axis()),
            tooltip=[alt.Tooltip("key_label:N", title=key_title), alt.Tooltip(f"{x}:Q", title=x_title, format=".1%"),
                     *extra_tips],
        )
    )


def with_title(chart: alt.TopLevelMixin, title: str, subtitle: list[str]) -> alt.TopLevelMixin:
    """The chart with a title stating what, where and when (for exports)."""
    return chart.properties(title=alt.TitleParams(text=title, subtitle=subtitle, anchor="start"))


def _quantitative_fields(node) -> set[str]:
    """The fields a spec draws as quantities (x, y, size, ...: where a mark's length or place is a number)."""
    out: set[str] = set()
    if isinstance(node, dict):
        enc = node.get("encoding")
        if isinstance(enc, dict):
            for channel, value in enc.items():
                if channel in ("x", "y", "x2", "y2", "theta", "size", "text") and isinstance(value, dict) \
                        and value.get("type") == "quantitative" and isinstance(value.get("field"), str):
                    out.add(value["field"])
        for key in ("layer", "hconcat", "vconcat", "concat"):
            for child in node.get(key, []) or []:
                out |= _quantitative_fields(child)
    return out


def has_records(spec: dict) -> bool:
    """Whether a chart's spec draws anything: some row has a quantity other than 0 or empty. A period without
    records gives every month 0 (or no median): bare axes then, which the page replaces by "no records"."""
    fields = _quantitative_fields(spec)
    rows = [r for values in (spec.get("datasets") or {}).values() for r in values]
    rows += list(((spec.get("data") or {}).get("values")) or [])
    if not fields:
        return bool(rows)
    return any(isinstance(r.get(f), int | float) and r.get(f) not in (0, 0.0) for r in rows for f in fields)
