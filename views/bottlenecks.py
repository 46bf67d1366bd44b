"""瓶颈 Bottlenecks: pending steps now by level and person with their age and warning tier; approver workload
vs. speed; the flow of matters between levels with median waits; where the period's waiting time went."""

import streamlit as st

from pipelines import charts, queries
from views import _widgets as ui
from views._state import q

c = ui.header("bottlenecks.title", "bottlenecks.intro")
c = ui.require_data()
f, lang, tr = c.filters, c.lang, c.tr

ui.section(tr("bottlenecks.pending"))
left, right = st.columns([2, 3])
with left:
    ui.chart(charts.pending_by_level(q("pending_summary", f), lang), "pending_by_level", tr("bottlenecks.pending"), "pending_summary")
with right:
    people = q("pending_by_person", f)
    ui.table(queries.labelled(people, lang), "pending_by_person", height=300)

st.markdown("**" + tr("bottlenecks.pending_rows") + "**")
ui.paged("pending_steps", q("pending_count", f), lambda limit, offset: q("pending_page", f, limit, offset),
          prepare=lambda df: queries.labelled(df, lang))

ui.section(tr("bottlenecks.workload"))
ui.chart(charts.workload_scatter(q("workload_speed", f), lang), "workload_speed", tr("bottlenecks.workload"), "workload_speed",
         part="decided")

ui.section(tr("bottlenecks.flow"))
st.caption(tr("bottlenecks.flow.help"))
edges = q("flow_edges", f)
left, right = st.columns([3, 2])
with left:
    ui.chart(charts.flow_matrix(edges, lang), "flow", tr("bottlenecks.flow"), "flow_edges")
with right:
    ui.table(queries.labelled(edges, lang), "flow_edges", height=300)

ui.section(tr("bottlenecks.pareto"))
left, right = st.columns(2)
with left:
    by_person = q("pareto_wait", f, "approver", lang)
    ui.chart(charts.pareto(by_person, tr("axis.approver"), lang), "pareto_approver", tr("bottlenecks.pareto_person"),
             "pareto_wait")
with right:
    by_level = q("pareto_wait", f, "level", lang)
    ui.chart(charts.pareto(by_level, tr("axis.level"), lang, color_by_level=True), "pareto_level",
             tr("bottlenecks.pareto_level"), "pareto_wait")
