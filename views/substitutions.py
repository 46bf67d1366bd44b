"""岗位替补 Substitutions: by month, team and post pair; who covered whom (a table and a timeline); acting-for
approvals; every S12 finding with the article text beside it."""

from datetime import datetime

import streamlit as st

from pipelines import queries
from pipelines.present import charts, labels
from views import _blocks as blocks
from views import _widgets as ui
from views._state import q

c = ui.header("subs.title", "subs.intro")
c = ui.require_data()
f, lang, tr = c.filters, c.lang, c.tr
prev = f.previous()

monthly = q(queries.substitutions_monthly, f)
summary = q(queries.substitution_summary, f)
before = q(queries.substitution_summary, prev) if prev else {}
cols = st.columns(3)
# more or fewer substitutions is neither good nor bad in itself: the change is grey, never green or red
ui.metric(cols[0], tr("metric.substitutions"), summary["substitutions"], before.get("substitutions"), good=None)
ui.metric(cols[1], tr("subs.person_days"), summary["person_days"], before.get("person_days"), fmt="{:,.0f}", good=None)
ui.metric(cols[2], tr("subs.acting_share"), q(queries.acting_share, f), q(queries.acting_share, prev) if prev else None, fmt="{:.1%}",
          good=None, help_=ui.caption_text("acting_share"))
st.caption(tr("drill.hint"))

left, right = st.columns(2)
with left:
    ui.section(tr("subs.by_month"))
    ui.chart(charts.substitutions_by_month(monthly, lang), "subs_by_month", tr("subs.by_month"), "substitutions_monthly",
             drill=ui.Drill("substitutions", encodings=("x", "color"),
                            labels={"direction_label": ("direction", blocks.reverse(charts.direction_labels(lang)))}))
with right:
    ui.section(tr("subs.acting"))
    acting = q(queries.acting_monthly, f)
    ui.chart(charts.rate_trend(charts.with_labels(acting, lang), "acting_share", tr("axis.acting_share"), lang,
                               "level_label", charts.level_color(lang, levels=set(acting["level"].drop_nulls()))), "acting_share", tr("subs.acting"), "acting_monthly",
             drill=ui.Drill("steps", fields=("month", "level"), fixed=(("acting", True),)))

left, right = st.columns(2)
with left:
    ui.section(tr("subs.by_team"))
    by_team = q(queries.substitutions_by, f, "team", lang)
    ui.chart(charts.count_bars(by_team, tr("axis.team"), "substitutions", tr("axis.substitutions"), lang), "subs_by_team",
             tr("subs.by_team"), "substitutions_by",
             drill=ui.Drill("substitutions", fields=("key",), rename={"key": "team"}))
with right:
    ui.section(tr("subs.by_pair"))
    pairs = q(queries.substitutions_by, f, "post_pair", lang)
    ui.chart(charts.count_bars(pairs, tr("axis.post_pair"), "substitutions", tr("axis.substitutions"), lang,
                               color=charts.FAMILY_COLORS["substitution"]), "subs_by_pair", tr("subs.by_pair"),
             "substitutions_by", drill=ui.Drill("substitutions", fields=("key",), rename={"key": "post_pair"}))

ui.section(tr("subs.who_for_whom"))
st.caption(tr("subs.who_for_whom.help"))
ui.paged("subs_who_for_whom", queries.records_page, (f, "substitutions", (), ""), q(queries.records_count, f, "substitutions", (), ""),
         prepare=lambda df: labels.labelled(df, lang), title=tr("subs.who_for_whom"), part="substitutions")

ui.section(tr("subs.timeline"))
snapshot = c.info.meta_value("snapshot_at")
snap = datetime.fromisoformat(snapshot) if snapshot else None
timeline = q(queries.substitution_timeline, f, snap)
st.caption(tr("subs.timeline.help", n=timeline.height))
if timeline.is_empty():
    st.caption(tr("table.no_rows"))
else:
    ui.chart(charts.timeline(timeline, lang), "subs_timeline", tr("subs.timeline"), "substitution_timeline",
             drill=ui.Drill("substitutions", fields=("substitution_id",)))

ui.section(tr("subs.findings"))
blocks.findings_beside_articles("s12_findings", f, lang, "S12", articles=(12,), open_article=12)
