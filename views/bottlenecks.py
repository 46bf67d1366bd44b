"""瓶颈 Bottlenecks: pending steps now by level and person with their age and warning tier; approver workload
vs. speed; the flow of matters between levels with median waits; where the period's waiting time went."""

import polars as pl
import streamlit as st

from pipelines import charts
from pipelines.i18n import label
from views import _ui

c = _ui.header("bottlenecks.title", "bottlenecks.intro")
c = _ui.require_data()
f, lang, tr = c.filters, c.lang, _ui.tr

_ui.section(tr("bottlenecks.pending"))
left, right = st.columns([2, 3])
with left:
    _ui.chart(charts.pending_by_level(_ui.q("pending_summary", f), lang), "pending_by_level", tr("bottlenecks.pending"), "pending")
with right:
    people = _ui.q("pending_by_person", f)
    _ui.table(_ui.labelled(people, lang), "pending_by_person", _ui.level_headers(lang), height=300)

st.markdown("**" + tr("bottlenecks.pending_rows") + "**")
_ui.paged("pending_steps", _ui.q("pending_count", f), lambda limit, offset: _ui.q("pending_page", f, limit, offset),
          _ui.level_headers(lang), prepare=lambda df: _ui.labelled(df, lang))

_ui.section(tr("bottlenecks.workload"))
_ui.chart(charts.workload_scatter(_ui.q("workload_speed", f), lang), "workload_speed", tr("bottlenecks.workload"), "steps")

_ui.section(tr("bottlenecks.flow"))
st.caption(tr("bottlenecks.flow.help"))
edges = _ui.q("flow_edges", f)
left, right = st.columns([3, 2])
with left:
    _ui.chart(charts.flow_matrix(edges, lang), "flow", tr("bottlenecks.flow"), "steps")
with right:
    _ui.table(_ui.labelled(edges, lang), "flow_edges", _ui.level_headers(lang), height=300)

_ui.section(tr("bottlenecks.pareto"))
left, right = st.columns(2)
with left:
    by_person = _ui.q("pareto_wait", f, "approver").with_columns(pl.col("name").fill_null(pl.col("key")).alias("key_label"))
    _ui.chart(charts.pareto(by_person, tr("axis.approver"), lang), "pareto_approver", tr("bottlenecks.pareto_person"), "steps")
with right:
    by_level = _ui.q("pareto_wait", f, "level")
    by_level = by_level.with_columns(
        pl.col("key").replace_strict({k: label("level", k, lang) for k in charts.contract.LEVEL_CODES}, default=pl.col("key")).alias("key_label"),
        pl.col("key").alias("level"),
    )
    _ui.chart(charts.pareto(by_level, tr("axis.level"), lang, color_by_level=True), "pareto_level", tr("bottlenecks.pareto_level"), "steps")
