"""岗位替补 Substitutions: by month, team and post pair; who covered whom; acting-for approvals; every S12
finding with the article text beside it."""

import polars as pl
import streamlit as st

from pipelines import charts
from pipelines.i18n import label
from views import _blocks as blocks
from views import _widgets as ui
from views._state import q

c = ui.header("subs.title", "subs.intro")
c = ui.require_data()
f, lang, tr = c.filters, c.lang, c.tr

monthly = q("substitutions_monthly", f)
cols = st.columns(3)
ui.metric(cols[0], tr("metric.substitutions"), int(monthly["substitutions"].sum()) if monthly.height else 0)
ui.metric(cols[1], tr("subs.person_days"), float(monthly["person_days"].sum() or 0) if monthly.height else 0, fmt="{:,.1f}")
ui.metric(cols[2], tr("subs.acting_share"), q("acting_steps_share", f), fmt="{:.1%}")

left, right = st.columns(2)
with left:
    ui.section(tr("subs.by_month"))
    ui.chart(charts.substitutions_by_month(monthly, lang), "subs_by_month", tr("subs.by_month"), "substitutions")
with right:
    ui.section(tr("subs.acting"))
    acting = q("acting_monthly", f)
    ui.chart(charts.rate_trend(charts.with_labels(acting, lang), "acting_share", tr("axis.acting_share"), lang,
                                "level_label", charts.level_color(lang)), "acting_share", tr("subs.acting"), "steps")

left, right = st.columns(2)
post_labels = {code: label("post", code, lang) for code in charts.contract.POST.codes}
with left:
    ui.section(tr("subs.by_team"))
    by_team = q("substitutions_by", f, "team").with_columns(pl.col("key").alias("key_label"))
    ui.chart(charts.count_bars(by_team, tr("axis.team"), "substitutions", tr("axis.substitutions"), lang), "subs_by_team",
              tr("subs.by_team"), "substitutions")
with right:
    ui.section(tr("subs.by_pair"))
    pairs = q("substitutions_by", f, "post_pair")
    # post_pair is "ABSENT→SUBSTITUTE" (codes); show labels.
    parts = pl.col("key").str.split_exact("→", 1)
    pairs = pairs.with_columns(
        pl.concat_str([
            parts.struct.field("field_0").replace_strict(post_labels, default=parts.struct.field("field_0")),
            parts.struct.field("field_1").replace_strict(post_labels, default=parts.struct.field("field_1")),
        ], separator=" → ", ignore_nulls=True).alias("key_label")
    )
    ui.chart(charts.count_bars(pairs, tr("axis.post_pair"), "substitutions", tr("axis.substitutions"), lang,
                                color=charts.FAMILY_COLORS["substitution"]), "subs_by_pair", tr("subs.by_pair"), "substitutions")

ui.section(tr("subs.timeline"))
snapshot = c.info.meta_value("snapshot_at")
from datetime import datetime

snap = datetime.fromisoformat(snapshot) if snapshot else None
timeline = q("substitution_timeline", f, snap)
st.caption(tr("subs.timeline.help", n=timeline.height))
if timeline.is_empty():
    st.caption(tr("table.no_rows"))
else:
    ui.chart(charts.timeline(timeline, lang), "subs_timeline", tr("subs.timeline"), "substitutions")

ui.section(tr("subs.findings"))
blocks.findings_beside_articles("s12_findings", f, lang, "S12", articles=(12,), open_article=12)
