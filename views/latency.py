"""审批时效 Approval latency by level: distribution per level (median, p90), trend by month, by matter type,
division, team; share over the level's limit; hours or working days (kept in the URL as ?unit=)."""

import polars as pl
import streamlit as st

from pipelines import queries
from pipelines.present import charts, labels
from views import _state as state
from views import _widgets as ui
from views._state import q, trend_window

c = ui.header("latency.title", "latency.intro")
c = ui.require_data()
f, lang, tr = c.filters, c.lang, c.tr

UNITS = ("hours", "workdays")
state.url_choice("unit", UNITS, "hours")
unit = st.segmented_control(tr("latency.unit"), UNITS, format_func=lambda u: tr(f"unit.{u}"), key="unit",
                            default=state.widget_default("unit", "hours"), required=True) or "hours"
state.keep_in_url("unit", unit, "hours")
median_col = "median_workdays" if unit == "workdays" else "median_hours"
median_title = tr("axis.median_workdays" if unit == "workdays" else "axis.median_hours")
st.caption(tr("drill.hint"))

by_level = q(queries.latency_by_level, f)
left, right = st.columns([3, 2])
with left:
    ui.section(tr("latency.distribution"))
    ui.chart(charts.latency_distribution(q(queries.latency_quantiles, f, unit), unit, lang), f"latency_distribution_{unit}",
             tr("latency.distribution"), "latency_quantiles", drill=ui.Drill("steps", fields=("level",)))
with right:
    ui.section(tr("latency.over_limit"))
    ui.chart(charts.level_bars(by_level.with_columns(pl.col("over_limit_share") * 100), "over_limit_share",
                               tr("axis.over_limit_share"), lang, fmt=".1f",
                               extra_tips=[charts.alt.Tooltip("limit_workdays:Q", title=tr("col.limit_workdays"))]),
             "over_limit", tr("latency.over_limit"), "latency_by_level",
             drill=ui.Drill("steps", fields=("level",), fixed=(("over_limit", True),)))

ui.section(tr("latency.by_level_table"))
ui.table(labels.labelled(by_level.drop("level_rank"), lang), "latency_by_level", title=tr("latency.by_level_table"),
         figure="latency_by_level", pick=lambda i: ui.Picked("steps", f, (("level", by_level["level"][i]),)))

ui.section(tr("latency.trend"))
window = trend_window(c)
monthly = q(queries.latency_by, window, "month", lang).rename({"key": "month"})
ui.chart(charts.level_trend(monthly, median_col, median_title, lang), f"latency_trend_{unit}", tr("latency.trend"),
         "latency_by", window, drill=ui.Drill("steps", fields=("month", "level")))

ui.section(tr("latency.by_dimension"))
tabs = st.tabs([tr("filter.matter_type"), tr("filter.division"), tr("filter.team")])
for tab, dim in zip(tabs, ("matter_type", "division", "team")):
    with tab:
        df = q(queries.latency_by, f, dim, lang)
        if df.is_empty():
            st.caption(tr("table.no_rows"))
            continue
        ui.chart(charts.grouped_by_key(df, median_col, median_title, tr(f"axis.{dim}"), lang), f"latency_by_{dim}_{unit}",
                 tr("latency.by_dimension") + " · " + tr(f"axis.{dim}"), "latency_by",
                 drill=ui.Drill("steps", fields=("key", "level"), rename={"key": dim}))
