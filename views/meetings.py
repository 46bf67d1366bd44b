"""会议决策 Meetings: items per meeting, outcomes, escalation-rate trend, days to final decision for escalated
items, every M4/M5 finding."""

import polars as pl
import streamlit as st

from pipelines import charts
from views import _ui

c = _ui.header("meetings.title", "meetings.intro")
c = _ui.require_data()
f, lang, tr = c.filters, c.lang, _ui.tr
prev = f.previous()

now, before = _ui.q("headline", f), (_ui.q("headline", prev) if prev else {})
monthly = _ui.q("meeting_monthly", f)
bureau = monthly.filter(pl.col("meeting_type") == "BUREAU")
cols = st.columns(4)
_ui.metric(cols[0], tr("meetings.meetings"), int(monthly["meetings"].sum()) if monthly.height else 0)
_ui.metric(cols[1], tr("meetings.bureau_items"), now["bureau_items"], before.get("bureau_items"))
tie = (bureau["tie_breaks"].sum() / bureau["items"].sum()) if bureau.height and bureau["items"].sum() else None
_ui.metric(cols[2], tr("axis.tie_break_rate"), tie, fmt="{:.1%}")
_ui.metric(cols[3], tr("metric.escalation_rate"), now["escalation_rate"], before.get("escalation_rate"), fmt="{:.1%}", inverse=True)

left, right = st.columns(2)
with left:
    _ui.section(tr("meetings.items_per_meeting"))
    _ui.chart(charts.items_per_meeting(_ui.q("items_per_meeting", f), lang), "items_per_meeting",
              tr("meetings.items_per_meeting"), "meetings")
with right:
    _ui.section(tr("meetings.outcomes"))
    _ui.chart(charts.outcome_bars(_ui.q("outcomes", f), lang), "outcomes", tr("meetings.outcomes"), "meetings")

left, right = st.columns(2)
window = f.trend_window(12)
with left:
    _ui.section(tr("meetings.rates"))
    trend = _ui.q("meeting_monthly", window).filter(pl.col("meeting_type") == "BUREAU")
    long = trend.unpivot(index="month", on=["tie_break_rate", "escalation_rate"], variable_name="measure", value_name="rate")
    long = long.with_columns(pl.col("measure").replace_strict(
        {"tie_break_rate": tr("axis.tie_break_rate"), "escalation_rate": tr("axis.escalation_rate")}).alias("measure_label"))
    _ui.chart(charts.rate_trend(long, "rate", tr("meetings.rate"), lang, "measure_label",
                                charts.alt.Color("measure_label:N", title=tr("meetings.measure"))),
              "meeting_rates", tr("meetings.rates"), "meetings", window)
with right:
    _ui.section(tr("meetings.days_to_decision"))
    esc = _ui.q("escalated_items", f)
    if esc.is_empty():
        st.caption(tr("table.no_rows"))
    else:
        _ui.chart(charts.days_to_decision(esc.filter(pl.col("days_to_decision").is_not_null()), lang), "days_to_decision",
                  tr("meetings.days_to_decision"), "meetings")
with st.expander(tr("meetings.escalated_items")):
    _ui.table(_ui.labelled(esc, lang), "escalated_items", _ui.level_headers(lang))

_ui.section(tr("meetings.findings"))
_ui.findings_beside_articles("m_findings", f, lang, "M", articles=(4, 5), open_article=5)
