"""全部违规发现 All findings: one searchable list of every rule finding under the sidebar's filters (rule,
article, record id, detail), paged with SQL LIMIT/OFFSET, every matching row exportable."""

import streamlit as st

from pipelines import queries
from pipelines.present import charts, labels
from views import _widgets as ui
from views._state import q

c = ui.header("findings.title", "findings.intro")
c = ui.require_data()
f, lang, tr = c.filters, c.lang, c.tr

counts = q(queries.rule_counts, f)
title_col = "title_zh" if lang == "zh" else "title_en"
titles = dict(zip(counts["rule_id"], counts[title_col]))
families = charts.family_labels(lang)

cols = st.columns([3, 2, 3], vertical_alignment="bottom")
search = cols[0].text_input(tr("findings.search"), key="fs_search", placeholder=tr("findings.search.placeholder")).strip()
family = cols[1].selectbox(tr("findings.family"), [k for k in families if k != "other"], format_func=families.get,
                           index=None, placeholder=tr("filter.all"), key="fs_family")
rules = [r for r in counts["rule_id"].to_list() if family is None or charts.family_of(r) == family]
rule = cols[2].selectbox(tr("findings.rule"), rules, format_func=lambda r: f"{r} · {titles.get(r) or ''}", index=None,
                         placeholder=tr("filter.all"), key="fs_rule")

conds = tuple(x for x in (("family", family), ("rule_id", rule)) if x[1] is not None)
total = q(queries.records_count, f, "findings", conds, search)
st.caption(ui.caption_text("records_page", "findings"))
ui.paged("all_findings", queries.records_page, (f, "findings", conds, search), total,
         prepare=lambda df: labels.findings_view(df, lang), title=tr("findings.export_title"), part="findings")
