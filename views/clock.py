"""执行期限 Statutory clock: the law's deadline beside the regulation's latency (DOMAIN §6). Open cases now by
tier, nearest deadlines first, by team and judge; cases closed within the statutory term per month; the SPC
rule's article cited with the reading the dashboard applies."""

import json

import polars as pl
import streamlit as st

from pipelines import queries
from pipelines.core.i18n import t
from pipelines.present import charts
from views import _widgets as ui
from views._state import q, trend_window

c = ui.header("clock.title", "clock.intro")
c = ui.require_data()
f, lang, tr = c.filters, c.lang, c.tr
prev = f.previous()

now_open = q(queries.open_cases_now, f)
closed, closed_before = q(queries.clock_summary, f), (q(queries.clock_summary, prev) if prev else {})

cols = [*st.columns(3), *st.columns(3)]  # five tiles in one row cut "上期 77.1%" at 1366 px
ui.metric(cols[0], tr("clock.metric.open"), now_open["open"], help_=ui.caption_text("open_cases_now"))
ui.metric(cols[1], tr("clock.metric.red"), now_open["red"], help_=tr("clock.metric.red.help"))
ui.metric(cols[2], tr("clock.metric.yellow"), now_open["yellow"], help_=tr("clock.metric.yellow.help"))
ui.metric(cols[3], tr("clock.metric.on_time_share"), closed["on_time_share"], closed_before.get("on_time_share"),
          fmt="{:.1%}", good="up", help_=tr("clock.metric.on_time_share.help", closed=closed["closed"], on_time=closed["on_time"]))
ui.metric(cols[4], tr("clock.metric.median_days"), closed["median_days_to_close"],
          closed_before.get("median_days_to_close"), fmt="{:,.0f}", good="down",
          help_=tr("clock.metric.median_days.help", mean=closed["mean_days_to_close"] or 0))
st.caption(ui.caption_text("clock_summary"))

def open_cases_drill(by: str) -> ui.Drill:
    """A bar of open cases per team or judge and tier: those cases, now (no period narrows open cases)."""
    tiers = {label_: code for code, label_ in charts.clock_tier_labels(lang).items()}
    return ui.Drill("cases", encodings=("y", "color"), rename={"key_label": by},
                    labels={"clock_tier_label": ("tier", tiers)}, fixed=(("open", True),), now=True)


st.caption(tr("drill.hint"))
ui.section(tr("clock.open_by"))
left, right = st.columns(2)
with left:
    by_team = q(queries.open_cases_by, f, "team")
    ui.chart(charts.open_cases_by_tier(by_team, tr("axis.team"), lang), "clock_open_by_team", tr("clock.open_by_team"),
             "open_cases_by", drill=open_cases_drill("team"))
with right:
    by_judge = q(queries.open_cases_by, f, "judge")
    at_risk = by_judge.filter(pl.col("tier").is_not_null()).group_by("key").agg(
        red=(pl.col("tier") == "RED").cast(pl.Int64).dot(pl.col("cases")), cases=pl.col("cases").sum()
    ).sort(["red", "cases", "key"], descending=[True, True, False]).head(charts.TOP_N)
    judges = by_judge.join(at_risk.select("key"), on="key", how="semi")
    st.caption(tr("clock.open_by_judge.help", n=at_risk.height, top=charts.TOP_N))
    if judges.is_empty():
        st.caption(tr("table.no_rows"))
    else:
        ui.chart(charts.open_cases_by_tier(judges, tr("axis.judge"), lang), "clock_open_by_judge",
                 tr("clock.open_by_judge"), "open_cases_by", drill=open_cases_drill("judge"))

ui.section(tr("clock.nearest"))
tier_choice = st.segmented_control(
    tr("clock.tier_filter"), ["RED", "YELLOW", "ALL"], default="ALL", key="clock_tier",
    format_func=lambda k: tr("clock.tier_filter.all") if k == "ALL" else tr(f"clock.tier.{k}"),
)
tiers = () if tier_choice in (None, "ALL") else (tier_choice,)
ui.paged(
    f"clock_open_{'_'.join(tiers) or 'all'}", queries.open_cases_page, (f, tiers), q(queries.open_cases_count, f, tiers),
    headers={"tier": tr("axis.clock_tier")}, prepare=lambda df: queries.clock_view(df, lang), title=tr("clock.nearest"),
)
st.caption(ui.caption_text("open_cases_page"))

ui.section(tr("clock.monthly"))
window = trend_window(c)
monthly = q(queries.on_time_monthly, window)
left, right = st.columns([3, 2])
with left:
    ui.chart(charts.on_time_trend(monthly, lang), "clock_on_time", tr("clock.monthly"), "on_time_monthly", window,
             "on_time_share", drill=ui.Drill("cases", fields=("month",), fixed=(("open", False),)))
with right:
    ui.table(monthly.sort("month", descending=True), "clock_monthly", height=320, title=tr("clock.monthly"),
             figure="on_time_monthly", part="closed", filters=window)

ui.section(tr("clock.basis.heading"))
with st.expander(tr("clock.basis.title"), expanded=True):
    st.markdown(tr("clock.basis.text"))
    if lang != "zh":
        st.caption(tr("reg.original"))
        st.caption(t("clock.basis.text", "zh"))
    settings = json.loads(c.info.meta_value("settings") or "{}")
    kinds = "、".join(settings.get("non_litigation_kinds") or ["非诉执行"])
    st.caption(tr("clock.basis.reading", kinds=kinds, days=settings.get("clock_yellow_days", 30)))
