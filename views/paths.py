"""退回与路径 Returns & routes: where matters bounce (return loops per level, rework time, approvers by return
share), which routes each matter type takes against the required routing of DOMAIN §3, conformance per type
and month, and the same person deciding at two levels (a notice)."""

import polars as pl
import streamlit as st

from pipelines import queries
from pipelines.core.i18n import label
from pipelines.present import charts, labels
from pipelines.queries import required_route
from views import _widgets as ui
from views._state import q, trend_window

c = ui.header("paths.title", "paths.intro")
c = ui.require_data()
f, lang, tr = c.filters, c.lang, c.tr
prev = f.previous()
TOP_ROUTES = 6

now = q(queries.rework_summary, f)
before = q(queries.rework_summary, prev) if prev else {}

conf = q(queries.conformance, f)
two = q(queries.two_level_count, f)
cols = st.columns(5)
ui.metric(cols[0], tr("paths.returns"), now["returns"], before.get("returns"), good="down")
ui.metric(cols[1], tr("paths.closed_share"), now["closed_share"], before.get("closed_share"), fmt="{:.1%}", good=None)
ui.metric(cols[2], tr("paths.median_rework"), now["median_rework_hours"], before.get("median_rework_hours"),
          fmt="{:,.1f}", good="down")
ui.metric(cols[3], tr("paths.conformance"), q(queries.conformance_rate, f),
          q(queries.conformance_rate, prev) if prev else None, fmt="{:.1%}", good="up")
ui.metric(cols[4], tr("paths.two_level"), two, None, good=None)
st.caption(tr("drill.hint"))

by_level = q(queries.rework_by_level, f)
left, right = st.columns(2)
with left:
    ui.section(tr("paths.by_level"))
    ui.chart(charts.return_loops(by_level, lang), "return_loops", tr("paths.by_level"), "rework_by_level",
             part="returns", drill=ui.Drill("loops", fields=("level",)))
with right:
    ui.section(tr("paths.share_by_level"))
    ui.chart(charts.level_bars(by_level, "returned_share", tr("axis.returned_share"), lang, fmt=".1%",
                               axis=charts.share_axis(),
                               extra_tips=[charts.alt.Tooltip("reached:Q", title=tr("col.reached")),
                                           charts.alt.Tooltip("returned_matters:Q", title=tr("col.returned_matters"))]),
             "returned_share", tr("paths.share_by_level"), "rework_by_level", part="share",
             drill=ui.Drill("loops", fields=("level",)))
ui.table(labels.labelled(by_level.drop("level_rank"), lang), "rework_by_level", title=tr("paths.by_level"),
         figure="rework_by_level", part="returns")

ui.section(tr("paths.trend"))
window = trend_window(c)
ui.chart(charts.level_trend(q(queries.rework_monthly, window), "returns", tr("axis.returns"), lang, fmt=",d"),
         "rework_trend", tr("paths.trend"), "rework_monthly", window, drill=ui.Drill("loops", fields=("month", "level")))

left, right = st.columns(2)
with left:
    ui.section(tr("paths.by_dimension"))
    dims = ("matter_type", "team")
    tabs = st.tabs([tr(f"axis.{d}") for d in dims])
    for tab, dim in zip(tabs, dims, strict=True):
        with tab:
            df = q(queries.rework_by, f, dim)
            if df.is_empty():
                st.caption(tr("table.no_rows"))
                continue
            words = {k: label("matter_type", k, lang) for k in df["key"].to_list()} if dim == "matter_type" else {}
            df = df.with_columns(key_label=pl.col("key").replace_strict(words, default=pl.col("key"),
                                                                        return_dtype=pl.String), **{dim: pl.col("key")})
            ui.chart(charts.count_bars(df.head(charts.TOP_N), tr(f"axis.{dim}"), "returns", tr("axis.returns"), lang,
                                       color="#e15759", key_axis_title=False),
                     f"rework_by_{dim}", tr("paths.by_dimension") + " · " + tr(f"axis.{dim}"), "rework_by",
                     drill=ui.Drill("loops", fields=(dim,)))
with right:
    ui.section(tr("paths.approvers"))
    top = q(queries.approvers_by_return_share, f)
    if top.is_empty():
        st.caption(tr("table.no_rows"))
    else:
        top = top.with_columns(key_label=pl.coalesce("approver_name", "approver_id"))
        ui.chart(charts.share_bars(top, tr("axis.approver"), "return_share", tr("axis.return_share"), lang,
                                   extra_tips=[charts.alt.Tooltip("returns:Q", title=tr("col.returns")),
                                               charts.alt.Tooltip("decided:Q", title=tr("col.decided"))]),
                 "approvers_return_share", tr("paths.approvers"), "approvers_by_return_share", part="returns",
                 drill=ui.Drill("loops", fields=("approver_id",)))

ui.section(tr("paths.routes"))
routes = q(queries.routes_by_type, f, TOP_ROUTES)
types = [t_ for t_ in routes["matter_type"].unique(maintain_order=True).to_list()]
if not types:
    st.caption(tr("table.no_rows"))
else:
    chosen = st.selectbox(tr("paths.route_type"), types, index=types.index("PLAN") if "PLAN" in types else 0,
                          format_func=lambda code: label("matter_type", code, lang), key="route_type")
    st.caption(tr("paths.required_caption", route=charts.route_label(required_route(chosen), lang), top=TOP_ROUTES))
    one = routes.filter(pl.col("matter_type") == chosen)
    ui.chart(charts.routes(one, lang), f"routes_{chosen}", tr("paths.routes") + " · " + label("matter_type", chosen, lang),
             "routes_by_type", drill=ui.Drill("paths", fields=("route",), fixed=(("matter_type", chosen), ("closed", True))))

left, right = st.columns([3, 2])
with left:
    ui.section(tr("paths.conformance_trend"))
    ui.chart(charts.conformance_heatmap(q(queries.conformance_monthly, window), lang), "conformance_trend",
             tr("paths.conformance_trend"), "conformance_monthly", window,
             drill=ui.Drill("paths", encodings=("x", "y"),
                            labels={"matter_type_label": ("matter_type", {label("matter_type", k, lang): k for k in
                                                                          charts.contract.MATTER_TYPE.codes})},
                            fixed=(("conforms", False),)))
    st.caption(tr("paths.conformance_caption"))
with right:
    ui.section(tr("paths.conformance_table"))
    ui.table(labels.labelled(conf, lang), "conformance", title=tr("paths.conformance_table"), figure="conformance")

ui.section(tr("paths.two_level"))
if two:
    st.info(tr("paths.two_level_notice", n=f"{two:,}"), icon=":material/info:")
else:
    st.caption(tr("paths.no_two_level"))
st.caption(tr("paths.two_level_caption"))
if two:
    cond = (("two_level", True),)
    ui.paged("two_level", queries.records_page, (f, "paths", cond, ""), q(queries.records_count, f, "paths", cond, ""),
             prepare=ui.records_view("paths", lang),
             title=tr("paths.two_level_list"), part="paths")
