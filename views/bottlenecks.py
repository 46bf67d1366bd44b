"""瓶颈 Bottlenecks: pending steps now by level and person with their age and warning tier; approver workload
vs. speed; the flow of matters between levels with median waits; where the period's waiting time went."""

import polars as pl
import streamlit as st

from pipelines import charts
from pipelines.i18n import label
from views import _blocks as blocks
from views import _widgets as ui
from views._state import q

c = ui.header("bottlenecks.title", "bottlenecks.intro")
c = ui.require_data()
f, lang, tr = c.filters, c.lang, c.tr

ui.section(tr("bottlenecks.pending"))
left, right = st.columns([2, 3])
with left:
    ui.chart(charts.pending_by_level(q("pending_summary", f), lang), "pending_by_level", tr("bottlenecks.pending"), "pending")
with right:
    people = q("pending_by_person", f)
    ui.table(blocks.labelled(people, lang), "pending_by_person", blocks.level_headers(lang), height=300)

st.markdown("**" + tr("bottlenecks.pending_rows") + "**")
ui.paged("pending_steps", q("pending_count", f), lambda limit, offset: q("pending_page", f, limit, offset),
          blocks.level_headers(lang), prepare=lambda df: blocks.labelled(df, lang))

ui.section(tr("bottlenecks.workload"))
ui.chart(charts.workload_scatter(q("workload_speed", f), lang), "workload_speed", tr("bottlenecks.workload"), "steps")

ui.section(tr("bottlenecks.flow"))
st.caption(tr("bottlenecks.flow.help"))
edges = q("flow_edges", f)
left, right = st.columns([3, 2])
with left:
    ui.chart(charts.flow_matrix(edges, lang), "flow", tr("bottlenecks.flow"), "steps")
with right:
    ui.table(blocks.labelled(edges, lang), "flow_edges", blocks.level_headers(lang), height=300)

ui.section(tr("bottlenecks.pareto"))
left, right = st.columns(2)
with left:
    by_person = q("pareto_wait", f, "approver").with_columns(pl.col("name").fill_null(pl.col("key")).alias("key_label"))
    ui.chart(charts.pareto(by_person, tr("axis.approver"), lang), "pareto_approver", tr("bottlenecks.pareto_person"), "steps")
with right:
    by_level = q("pareto_wait", f, "level")
    by_level = by_level.with_columns(
        pl.col("key").replace_strict({k: label("level", k, lang) for k in charts.contract.LEVEL_CODES}, default=pl.col("key")).alias("key_label"),
        pl.col("key").alias("level"),
    )
    ui.chart(charts.pareto(by_level, tr("axis.level"), lang, color_by_level=True), "pareto_level", tr("bottlenecks.pareto_level"), "steps")
