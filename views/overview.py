"""总览 Overview: the vice-president's page — headline figures vs. the previous period, trends, worst rules,
slowest levels and people, each a click away from its detail."""

import polars as pl
import streamlit as st

from pipelines.core.i18n import label
from pipelines.present import charts
from pipelines.queries.plans import overview_plan
from views import _blocks as blocks
from views import _state as state
from views import _widgets as ui
from views._state import q
from views._text import md

c = ui.header("overview.title", "overview.intro")
c = ui.require_data()
f, lang, tr = c.filters, c.lang, c.tr

# Every query of the page, as its plan lists them (the benchmark times it, the server warms it): the period and
# the one before it each in one query, then the trends over the last 12 months, then what needs attention.
window = f.trend_window(12)
((now, before), pending, open_cases, (levels, levels_prev), trend, findings_by_family, latency_trend, rule_counts,
 slowest) = [q(*query) for query in overview_plan(f, lang)]

st.caption(tr("overview.period_note", now=ui.caption_text("headline", "approved_matters")))
goal = state.targets(c)
cols = [*st.columns(4), *st.columns(4)]
ui.metric(cols[0], tr("metric.approved_matters"), now["approved_matters"], before.get("approved_matters"))
ui.metric(cols[1], tr("metric.median_hours"), now["median_hours"], before.get("median_hours"), fmt="{:,.1f}", good="down",
          target=goal["median_step_hours"])
ui.metric(cols[2], tr("metric.overdue_pending"), pending["red"], None, help_=tr("metric.overdue_pending.help", pending=pending["pending"], yellow=pending["yellow"]))
ui.metric(cols[3], tr("metric.findings_per_100"), now["findings_per_100"], before.get("findings_per_100"), fmt="{:,.2f}",
          good="down", help_=tr("metric.findings_per_100.help", findings=now["findings"], records=now["records"]),
          target=goal["findings_per_100"])
# more or fewer substitutions is neither good nor bad in itself: grey, never green or red
ui.metric(cols[4], tr("metric.substitutions"), now["substitutions"], before.get("substitutions"), good=None)
ui.metric(cols[5], tr("metric.escalation_rate"), now["escalation_rate"], before.get("escalation_rate"), fmt="{:.1%}",
          good="down", help_=tr("metric.escalation_rate.help", items=now["bureau_items"]) + ui.scope_note("headline", "escalation_rate"),
          target=goal["escalation_rate"])
ui.metric(cols[6], tr("metric.on_time_share"), now["on_time_share"], before.get("on_time_share"), fmt="{:.1%}",
          good="up", help_=tr("metric.on_time_share.help", closed=now["cases_closed"], red=open_cases["red"]))
with cols[7]:
    ui.metric(st, tr("clock.metric.red"), open_cases["red"], help_=tr("clock.metric.red.help"))
    state.page_link("clock", tr("clock.overview.open_page"))

ui.section(tr("overview.level_median"))
if levels.is_empty():
    st.caption(tr("table.no_rows"))
else:
    cols = st.columns(max(levels.height, 1))
    for col, row in zip(cols, levels.iter_rows(named=True)):
        old = None
        if levels_prev is not None:
            match = levels_prev.filter(pl.col("level") == row["level"])
            old = match["median_hours"][0] if match.height else None
        ui.metric(col, label("level", row["level"], lang), row["median_hours"], old, fmt="{:,.1f}", good="down",
                   help_=tr("metric.level_median.help", steps=row["steps"], p90=row["p90_hours"] or 0))

ui.section(tr("overview.trends"))
st.caption(tr("drill.hint"))
left, right = st.columns(2)
with left:
    ui.chart(charts.trend_line(trend, "approved_matters", tr("axis.approved_matters"), lang), "trend_approved",
             tr("overview.chart.approved"), "monthly_overview", window, "approved_matters",
             drill=ui.Drill("matters", fields=("month",)))
    ui.chart(charts.findings_by_family(findings_by_family, lang), "trend_findings",
             tr("overview.chart.findings"), "findings_by_family_month", window,
             drill=ui.Drill("findings", encodings=("x", "color"),
                            labels={"family_label": ("family", blocks.reverse(charts.family_labels(lang)))}))
with right:
    ui.chart(charts.level_trend(latency_trend.rename({"key": "month"}), "median_hours",
                                tr("axis.median_hours"), lang), "trend_latency", tr("overview.chart.latency"), "latency_by",
             window, drill=ui.Drill("steps", fields=("month", "level")))
    ui.chart(charts.rate_trend(trend.filter(pl.col("escalation_rate").is_not_null()), "escalation_rate",
                               tr("axis.escalation_rate"), lang), "trend_escalation", tr("overview.chart.escalation"),
             "monthly_overview", window, "escalation_rate",
             drill=ui.Drill("meeting_items", fields=("month",), fixed=(("meeting_type", "BUREAU"),)))

ui.section(tr("overview.attention"))
left, mid, right = st.columns(3)
with left:
    st.markdown("**" + tr("overview.worst_rules") + "**")
    rules = rule_counts.filter(pl.col("findings") > 0).head(3)
    if rules.is_empty():
        st.caption(tr("overview.no_findings"))
    for r in rules.iter_rows(named=True):
        title = r["title_zh"] if lang == "zh" else r["title_en"]
        st.markdown(tr("overview.rule_line", rule=r["rule_id"], title=title, findings=r["findings"], article=r["article"]))
        state.page_link("regulation", tr("overview.open_rule"), rule=r["rule_id"])
with mid:
    st.markdown("**" + tr("overview.slowest_levels") + "**")
    for r in levels.sort("median_hours", descending=True, nulls_last=True).head(3).iter_rows(named=True):
        st.markdown(tr("overview.level_line", level=label("level", r["level"], lang), median=r["median_hours"] or 0,
                       share=r["over_limit_share"] or 0))
    state.page_link("latency", tr("overview.open_latency"))
with right:
    st.markdown("**" + tr("overview.slowest_people") + "**")
    for r in slowest.iter_rows(named=True):
        st.markdown(tr("overview.person_line", name=md(r["name"] or r["approver_id"]), level=label("level", r["level"], lang),
                       median=r["median_hours"] or 0, steps=r["steps"]))
    state.page_link("bottlenecks", tr("overview.open_bottlenecks"))

ui.section(tr("overview.monthly"))
blocks.monthly_report(c)
