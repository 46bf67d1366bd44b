"""瓶颈 Bottlenecks: pending steps now by level and person with their age and warning tier; approver workload
vs. speed; the flow of matters between levels with median waits; where the period's waiting time went."""

from dataclasses import replace

import streamlit as st

from pipelines import queries
from pipelines.present import charts, labels
from views import _widgets as ui
from views._state import q

c = ui.header("bottlenecks.title", "bottlenecks.intro")
c = ui.require_data()
f, lang, tr = c.filters, c.lang, c.tr
st.caption(tr("drill.hint"))

ui.section(tr("bottlenecks.pending"))
left, right = st.columns([2, 3])
with left:
    ui.chart(charts.pending_by_level(q(queries.pending_summary, f), lang), "pending_by_level", tr("bottlenecks.pending"),
             "pending_summary", drill=ui.Drill("pending", fields=("level", "tier")))
with right:
    people = q(queries.pending_by_person, f)
    ui.table(labels.labelled(people, lang), "pending_by_person", height=300, title=tr("bottlenecks.pending"),
             figure="pending_by_person", pick=lambda i: ui.Picked("pending", f, (("approver_id", people["approver_id"][i]),)))

st.markdown("**" + tr("bottlenecks.pending_rows") + "**")
ui.paged("pending_steps", queries.pending_page, (f,), q(queries.pending_count, f), prepare=lambda df: labels.labelled(df, lang),
         title=tr("bottlenecks.pending_rows"))

ui.section(tr("bottlenecks.workload"))
ui.chart(charts.workload_scatter(q(queries.workload_speed, f), lang), "workload_speed", tr("bottlenecks.workload"), "workload_speed",
         part="decided", drill=ui.Drill("steps", fields=("approver_id",)))

ui.section(tr("bottlenecks.flow"))
st.caption(tr("bottlenecks.flow.help"))
edges = q(queries.flow_edges, f)
left, right = st.columns([3, 2])
with left:
    ui.chart(charts.flow_matrix(edges, lang), "flow", tr("bottlenecks.flow"), "flow_edges",
             drill=ui.Drill("steps", fields=("source", "target"), rename={"target": "level"}, all_levels=True))
with right:
    # the flow runs between levels: its records ignore the level filter as flow_edges does
    ui.table(labels.labelled(edges, lang), "flow_edges", height=300, title=tr("bottlenecks.flow"), figure="flow_edges",
             pick=lambda i: ui.Picked("steps", replace(f, levels=()),
                                      (("source", edges["source"][i]), ("level", edges["target"][i]))))

ui.section(tr("bottlenecks.pareto"))
left, right = st.columns(2)
with left:
    by_person = q(queries.pareto_wait, f, "approver", lang)
    ui.chart(charts.pareto(by_person, tr("axis.approver"), lang), "pareto_approver", tr("bottlenecks.pareto_person"),
             "pareto_wait", drill=ui.Drill("steps", fields=("key",), rename={"key": "approver_id"}))
with right:
    by_level = q(queries.pareto_wait, f, "level", lang)
    ui.chart(charts.pareto(by_level, tr("axis.level"), lang, color_by_level=True), "pareto_level",
             tr("bottlenecks.pareto_level"), "pareto_wait", drill=ui.Drill("steps", fields=("key",), rename={"key": "level"}))
