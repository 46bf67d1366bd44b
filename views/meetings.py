"""会议决策 Meetings: items per meeting, outcomes, escalation-rate trend, days to final decision for escalated
items and why each went up, every M4/M5 finding."""

import polars as pl
import streamlit as st

from pipelines import queries
from pipelines.present import charts
from views import _blocks as blocks
from views import _state as state
from views import _widgets as ui
from views._state import q, trend_window

c = ui.header("meetings.title", "meetings.intro")
c = ui.require_data()
f, lang, tr = c.filters, c.lang, c.tr
prev = f.previous()

now, before = q(queries.bureau_meetings, f), (q(queries.bureau_meetings, prev) if prev else {})
st.caption(ui.caption_text("bureau_meetings"))
goal = state.targets(c)
cols = st.columns(4)
ui.metric(cols[0], tr("meetings.meetings"), q(queries.meetings_held, f), q(queries.meetings_held, prev) if prev else None, good=None)
ui.metric(cols[1], tr("meetings.bureau_items"), now["items"], before.get("items"), good=None)
ui.metric(cols[2], tr("meetings.tie_break_tile"), now["tie_break_rate"], before.get("tie_break_rate"), fmt="{:.1%}", good=None)
ui.metric(cols[3], tr("metric.escalation_rate"), now["escalation_rate"], before.get("escalation_rate"), fmt="{:.1%}",
          good="down", target=goal["escalation_rate"])
st.caption(tr("drill.hint"))

left, right = st.columns(2)
with left:
    ui.section(tr("meetings.items_per_meeting"))
    ui.chart(charts.items_per_meeting(q(queries.items_per_meeting, f), lang), "items_per_meeting",
             tr("meetings.items_per_meeting"), "items_per_meeting", drill=ui.Drill("meeting_items", fields=("meeting_id",)))
with right:
    ui.section(tr("meetings.outcomes"))
    ui.chart(charts.outcome_bars(q(queries.outcomes, f), lang), "outcomes", tr("meetings.outcomes"), "outcomes",
             drill=ui.Drill("meeting_items", fields=("meeting_type", "outcome")))

left, right = st.columns(2)
window = trend_window(c)
with left:
    ui.section(tr("meetings.rates"))
    long = q(queries.meeting_rates, window, lang)
    ui.chart(charts.rate_trend(long, "rate", tr("meetings.rate"), lang, "measure_label",
                               charts.alt.Color("measure_label:N", title=tr("meetings.measure"),
                                                legend=charts.bottom_legend(2, long["measure_label"].unique()))),
             "meeting_rates", tr("meetings.rates"), "meeting_rates", window,
             drill=ui.Drill("meeting_items", fields=("month",), fixed=(("meeting_type", "BUREAU"),)))
with right:
    ui.section(tr("meetings.days_to_decision"))
    esc = q(queries.escalated_items, f)
    if esc.is_empty():
        st.caption(tr("table.no_rows"))
    else:
        ui.chart(charts.days_to_decision(esc.filter(pl.col("days_to_decision").is_not_null()), lang), "days_to_decision",
                 tr("meetings.days_to_decision"), "escalated_items", drill=ui.Drill("meeting_items", fields=("item_id",)))

ui.section(tr("meetings.escalated_items"))
escalated = (("escalated", True),)
ui.paged("escalated_items", queries.records_page, (f, "meeting_items", escalated, ""),
         q(queries.records_count, f, "meeting_items", escalated, ""), prepare=lambda df: ui.items_view(df, lang),
         title=tr("meetings.escalated_items"), part="meeting_items")

ui.section(tr("meetings.findings"))
blocks.findings_beside_articles("m_findings", f, lang, "M", articles=(4, 5), open_article=5)
