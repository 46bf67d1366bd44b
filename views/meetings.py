"""会议决策 Meetings: items per meeting, outcomes, escalation-rate trend, days to final decision for escalated
items, every M4/M5 finding."""

import polars as pl
import streamlit as st

from pipelines import charts, queries
from views import _blocks as blocks
from views import _widgets as ui
from views._state import q

c = ui.header("meetings.title", "meetings.intro")
c = ui.require_data()
f, lang, tr = c.filters, c.lang, c.tr
prev = f.previous()

now, before = q("bureau_meetings", f), (q("bureau_meetings", prev) if prev else {})
st.caption(ui.caption_text("bureau_meetings"))
cols = st.columns(4)
ui.metric(cols[0], tr("meetings.meetings"), q("meetings_held", f))
ui.metric(cols[1], tr("meetings.bureau_items"), now["items"], before.get("items"))
ui.metric(cols[2], tr("axis.tie_break_rate"), now["tie_break_rate"], before.get("tie_break_rate"), fmt="{:.1%}")
ui.metric(cols[3], tr("metric.escalation_rate"), now["escalation_rate"], before.get("escalation_rate"), fmt="{:.1%}", inverse=True)

left, right = st.columns(2)
with left:
    ui.section(tr("meetings.items_per_meeting"))
    ui.chart(charts.items_per_meeting(q("items_per_meeting", f), lang), "items_per_meeting",
              tr("meetings.items_per_meeting"), "items_per_meeting")
with right:
    ui.section(tr("meetings.outcomes"))
    ui.chart(charts.outcome_bars(q("outcomes", f), lang), "outcomes", tr("meetings.outcomes"), "outcomes")

left, right = st.columns(2)
window = f.trend_window(12)
with left:
    ui.section(tr("meetings.rates"))
    long = q("meeting_rates", window, lang)
    ui.chart(charts.rate_trend(long, "rate", tr("meetings.rate"), lang, "measure_label",
                                charts.alt.Color("measure_label:N", title=tr("meetings.measure"))),
              "meeting_rates", tr("meetings.rates"), "meeting_rates", window)
with right:
    ui.section(tr("meetings.days_to_decision"))
    esc = q("escalated_items", f)
    if esc.is_empty():
        st.caption(tr("table.no_rows"))
    else:
        ui.chart(charts.days_to_decision(esc.filter(pl.col("days_to_decision").is_not_null()), lang), "days_to_decision",
                  tr("meetings.days_to_decision"), "escalated_items")
with st.expander(tr("meetings.escalated_items")):
    ui.table(queries.labelled(esc, lang), "escalated_items")

ui.section(tr("meetings.findings"))
blocks.findings_beside_articles("m_findings", f, lang, "M", articles=(4, 5), open_article=5)
