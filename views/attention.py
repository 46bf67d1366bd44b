"""待办与预警 Attention: everything that needs someone to act now within the signed-in scope — pending steps
yellow/red with their approver, cases near or past the statutory deadline with the last day to request an
extension, escalated items still undecided, substitutions with no end or past the limit. "Now" is the
data's snapshot. Each row: who must act, since when; a click opens its records, the Open column its page."""

from dataclasses import replace

import polars as pl
import streamlit as st

from pipelines import queries
from pipelines.queries.attention import KINDS, RECORD_DRILL
from views import _store
from views import _widgets as ui
from views._state import q

c = ui.header("attention.title", "attention.intro")
c = ui.require_data()
f, lang, tr = c.filters, c.lang, c.tr
now = replace(f, start=None, end=None)  # a figure of the snapshot's moment: no period applies

counts = q(queries.attention_counts, f)
lead = _store.extension_lead_days(str(c.db), _store.settings_stamp(c.db))
cols = st.columns(4)
for col, kind, help_ in (
    (cols[0], "pending", tr("attention.metric.pending.help")),
    (cols[1], "case", tr("attention.metric.cases.help", days=lead)),
    (cols[2], "item", tr("attention.metric.items.help")),
    (cols[3], "substitution", tr("attention.metric.substitutions.help", running=counts["substitution"]["RED"],
                                 all=counts["substitution_findings"]["all"])),
):
    n = counts[kind]
    key = {"pending": "pending", "case": "cases", "item": "items", "substitution": "substitutions"}[kind]
    ui.metric(col, tr(f"attention.metric.{key}"), n["RED"] + n["YELLOW"], help_=help_)
    if kind in ("pending", "case"):
        col.caption(tr("attention.metric.split", red=n["RED"], yellow=n["YELLOW"]))
    elif kind == "substitution":
        col.caption(tr("attention.metric.findings_all", all=counts["substitution_findings"]["all"]))
st.caption(ui.caption_text("attention_page", "pending"))

ui.section(tr("attention.list"))
choice = st.segmented_control(tr("attention.kind_filter"), ["ALL", *KINDS], default="ALL", key="attention_kind",
                              format_func=lambda k: tr("attention.kind.all") if k == "ALL" else tr(f"attention.kind.{k}"))
kinds = () if choice in (None, "ALL") else (choice,)
st.caption(tr("attention.list.help"))


def shown(df):
    view = queries.attention_view(df, lang)
    if df.is_empty():
        return view
    links = [queries.record_link(k, f, lang) for k in df["attention_kind"].to_list()]
    return view.with_columns(link=pl.Series(links, dtype=pl.String))


total = q(queries.attention_count, f, kinds)
if total == 0:
    st.info(tr("attention.none"), icon=":material/check_circle:")


def _records(row: dict) -> ui.Picked:
    """The records behind a row of the list: the step, case, item or substitution it names."""
    kind, id_col = RECORD_DRILL[row["attention_kind"]]
    return ui.Picked(kind, now, ((id_col, row["record_id"]),))


ui.paged(f"attention_{'_'.join(kinds) or 'all'}", queries.attention_page, (f, kinds, lead), total, prepare=shown,
         title=tr("attention.list"), part="pending", pick=_records)
