"""规定对照 Regulation: the regulation article by article (Chinese text; the English rendering on the English
side), under each article the rules that check it with their counts and trend, drilling down to records."""

import polars as pl
import streamlit as st

from pipelines import queries
from pipelines.domain import regulation
from pipelines.present import charts, labels
from views import _state as state
from views import _widgets as ui
from views._state import q, trend_window

c = ui.header("reg.title", "reg.intro")
c = ui.require_data()
f, lang, tr = c.filters, c.lang, c.tr

counts = q(queries.rule_counts, f)
title_col = "title_zh" if lang == "zh" else "title_en"
rule_ids = counts["rule_id"].to_list()
titles = dict(zip(counts["rule_id"], counts[title_col]))

# Drill-down: which rule's records to list (bookmarkable as ?rule=...).
wanted = st.query_params.get("rule")
if "reg_rule" not in st.session_state or (wanted and wanted in rule_ids and wanted != st.session_state.get("_reg_rule_url")):
    st.session_state["reg_rule"] = wanted if wanted in rule_ids else None
    st.session_state["_reg_rule_url"] = wanted
with st.container(border=True):
    rule = st.selectbox(tr("reg.drill"), rule_ids, format_func=lambda r: f"{r} · {titles.get(r) or ''}", key="reg_rule",
                        index=None, placeholder=tr("reg.drill.placeholder"))
    if rule:
        if st.query_params.get("rule") != rule:
            st.query_params["rule"] = rule
        row = counts.filter(pl.col("rule_id") == rule).row(0, named=True)
        st.markdown(tr("reg.drill.summary", rule=rule, title=row[title_col] or "", article=row["article"],
                       findings=row["findings"], per_100=row["per_100"] or 0))
        ui.paged(f"findings_{rule}", queries.violations_page, (f, (rule,)), q(queries.violations_count, f, (rule,)),
                 prepare=lambda df: labels.findings_view(df, lang), title=f"{rule} · {row[title_col] or ''}")
    elif "rule" in st.query_params:
        del st.query_params["rule"]

by_article: dict[int, list[str]] = {}
for rid, art in zip(counts["rule_id"], counts["article"]):
    for no in regulation.article_numbers(art):
        by_article.setdefault(no, []).append(rid)
trend = q(queries.rule_trend, trend_window(c))

st.markdown(regulation.preamble(lang))
zh_articles = {a.no: a for a in regulation.articles("zh")}
for art in regulation.articles(lang):
    rules_here = by_article.get(art.no, [])
    found = int(counts.filter(pl.col("rule_id").is_in(rules_here))["findings"].sum()) if rules_here else 0
    head = tr("reg.article_heading", no=regulation.number_text(art.no, lang), title=art.title)
    if rules_here:
        head += " · " + tr("reg.article_findings", rules=len(rules_here), findings=found)
    with st.expander(head, expanded=bool(found)):
        st.markdown(art.text)
        if lang != "zh":
            st.caption(tr("reg.original"))
            st.caption(zh_articles[art.no].text)
        if not rules_here:
            st.caption(tr("reg.no_rules"))
            continue
        table = counts.filter(pl.col("rule_id").is_in(rules_here)).select(
            "rule_id", pl.col(title_col).alias("title"), "article", "findings", "records", "per_100")
        ui.table(table, f"rules_art{art.no}", title=head, figure="rule_counts", part="findings",
                 pick=lambda i, rules=table["rule_id"]: ui.Picked("findings", f, (("rule_id", rules[i]),)))
        t_here = trend.filter(pl.col("rule_id").is_in(rules_here))
        if t_here.height:
            ui.chart(charts.rule_trend(t_here, lang), f"rule_trend_art{art.no}",
                     tr("reg.trend", no=art.no), "rule_trend", trend_window(c),
                     drill=ui.Drill("findings", fields=("month", "rule_id")))
        for rid in rules_here:
            state.page_link("regulation", tr("reg.open_records", rule=rid), rule=rid)
