"""会议决策 Meetings: items per meeting, outcomes, escalation-rate trend, days to final decision for escalated
items, every M4/M5 finding."""

import polars as pl
import streamlit as st

from pipelines import charts
from views import _blocks as blocks
from views import _widgets as ui
from views._state import q

c = ui.header("meetings.title", "meetings.intro")
c = ui.require_data()
f, lang, tr = c.filters, c.lang, c.tr
prev = f.previous()

now, before = q("headline", f), (q("headline", prev) if prev else {})
monthly = q("meeting_monthly", f)
bureau = monthly.filter(pl.col("meeting_type") == "BUREAU")
cols = st.columns(4)
ui.metric(cols[0], tr("meetings.meetings"), int(monthly["meetings"].sum()) if monthly.height else 0)
ui.metric(cols[1], tr("meetings.bureau_items"), now["bureau_items"], before.get("bureau_items"))
tie = (bureau["tie_breaks"].sum() / bureau["items"].sum()) if bureau.height and bureau["items"].sum() else None
ui.metric(cols[2], tr("axis.tie_break_rate"), tie, fmt="{:.1%}")
ui.metric(cols[3], tr("metric.escalation_rate"), now["escalation_rate"], before.get("escalation_rate"), fmt="{:.1%}", inverse=True)

left, right = st.columns(2)
with left:
    ui.section(tr("meetings.items_per_meeting"))
    ui.chart(charts.items_per_meeting(q("items_per_meeting", f), lang), "items_per_meeting",
              tr("meetings.items_per_meeting"), "meetings")
with right:
    ui.section(tr("meetings.outcomes"))
    ui.chart(charts.outcome_bars(q("outcomes", f), lang), "outcomes", tr("meetings.outcomes"), "meetings")

left, right = st.columns(2)
window = f.trend_window(12)
with left:
    ui.section(tr("meetings.rates"))
    trend = q("meeting_monthly", window).filter(pl.col("meeting_type") == "BUREAU")
    long = trend.unpivot(index="month", on=["tie_break_rate", "escalation_rate"], variable_name="measure", value_name="rate")
    long = long.with_columns(pl.col("measure").replace_strict(
        {"tie_break_rate": tr("axis.tie_break_rate"), "escalation_rate": tr("axis.escalation_rate")}).alias("measure_label"))
    ui.chart(charts.rate_trend(long, "rate", tr("meetings.rate"), lang, "measure_label",
                                charts.alt.Color("measure_label:N", title=tr("meetings.measure"))),
              "meeting_rates", tr("meetings.rates"), "meetings", window)
with right:
    ui.section(tr("meetings.days_to_decision"))
    esc = q("escalated_items", f)
    if esc.is_empty():
        st.caption(tr("table.no_rows"))
    else:
        ui.chart(charts.days_to_decision(esc.filter(pl.col("days_to_decision").is_not_null()), lang), "days_to_decision",
                  tr("meetings.days_to_decision"), "meetings")
with st.expander(tr("meetings.escalated_items")):
    ui.table(blocks.labelled(esc, lang), "escalated_items", blocks.level_headers(lang))

ui.section(tr("meetings.findings"))
blocks.findings_beside_articles("m_findings", f, lang, "M", articles=(4, 5), open_article=5)
