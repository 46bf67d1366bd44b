"""Page blocks shared by several pages: findings beside the articles they check, the monthly Word report."""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
import streamlit as st

from pipelines import queries
from pipelines.core.filters import Filters, add_months, format_month
from pipelines.core.i18n import t
from pipelines.domain import regulation
from pipelines.present import labels
from pipelines.present.monthly_report import write_monthly_docx
from views import _access, _widgets
from views._state import Ctx, q, tr


def reverse(labels: dict[str, str]) -> dict[str, str]:
    """{code: label} -> {label: code}: a clicked label field back to its code."""
    return {v: k for k, v in labels.items()}


def findings_beside_articles(key: str, f: Filters, lang: str, rule_prefix: str, articles: tuple[int, ...],
                             open_article: int) -> None:
    """A paged table of the findings of the rules whose id starts with `rule_prefix`, and beside it the
    text of the articles they check with each rule's finding count (the Substitutions and Meetings pages)."""
    counts = q(queries.rule_counts, f).filter(pl.col("rule_id").str.starts_with(rule_prefix))
    rules = tuple(counts["rule_id"].to_list())
    left, right = st.columns([3, 2])
    with left:
        _widgets.paged(key, queries.violations_page, (f, rules), q(queries.violations_count, f, rules),
                       prepare=lambda df: labels.findings_view(df, lang), title=t("findings.export_title", lang))
    with right:
        for no in articles:
            art = regulation.article(no, lang)
            heading = tr("reg.article_heading", no=regulation.number_text(art.no, lang), title=art.title)
            with st.expander(heading, expanded=(no == open_article)):
                st.markdown(art.text)
        for r in counts.iter_rows(named=True):
            st.markdown(tr("reg.rule_line", rule=r["rule_id"], title=r["title_zh"] if lang == "zh" else r["title_en"],
                           findings=r["findings"]))


# ------------------------------------------------------------------------------------------ monthly report
def report_months(c: Ctx) -> list[str]:
    """The store's months, newest first ("YYYY-MM")."""
    out, m = [], c.info.first_month
    while m and c.info.last_month and m <= c.info.last_month:
        out.append(format_month(m))
        m = add_months(m, 1)
    return out[::-1]


def monthly_report(c: Ctx) -> None:
    """Month picker (default: the snapshot's month) -> .docx of pipelines.present.monthly_report under the current
    filters, language and name masking -> a download button. The file is made on request (it renders charts)."""
    months = report_months(c)
    if not months:
        return
    snap_month = c.snapshot[:7]
    st.caption(tr("overview.monthly.help"))
    cols = st.columns([2, 2, 3], vertical_alignment="bottom")
    month = cols[0].selectbox(tr("overview.monthly.month"), months,
                              index=months.index(snap_month) if snap_month in months else 0, key="monthly_month")
    want = (str(c.db), c.stamp, month, c.filters, c.lang, c.mask)
    if cols[1].button(tr("overview.monthly.make"), icon=":material/description:", key="monthly_make"):
        with st.spinner(tr("overview.monthly.making")), tempfile.TemporaryDirectory(prefix="tierwatch-report-") as tmp:
            out = write_monthly_docx(c.db, month, Path(tmp) / "report.docx", filters=c.filters, lang=c.lang,
                                     mask=None if c.mask == "none" else c.mask)
            st.session_state["_monthly_docx"] = (want, out.read_bytes())
            _access.record(c.db, c.who.name if c.who is not None else "local", "export", file=f"report-{month}.docx",
                           format="DOCX", filters=c.filters.query_string(),
                           scope=c.scope.describe() if c.scope is not None else "bureau")
    made = st.session_state.get("_monthly_docx")
    if made is not None and made[0] == want:  # only offer the file made for what is chosen now
        cols[2].download_button(
            tr("overview.monthly.download", month=month),
            made[1],
            file_name=tr("overview.monthly.file", month=month),
            mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            icon=":material/download:",
            key="monthly_download",
            type="primary",
            on_click="ignore",
        )
