"""Page blocks shared by several pages: findings beside the articles they check, the monthly Word report."""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
import streamlit as st

from pipelines import queries
from pipelines.core import contract
from pipelines.core.filters import Filters, add_months, format_month
from pipelines.core.i18n import label, t
from pipelines.domain import regulation
from pipelines.domain.rules import escalation_grounded_row
from pipelines.present import charts, labels
from pipelines.present.monthly_report import write_monthly_docx
from views import _access, _store, _widgets
from views._state import Ctx, ctx, q, tr
from views._text import md


def reverse(labels: dict[str, str]) -> dict[str, str]:
    """{code: label} -> {label: code}: a clicked label field back to its code."""
    return {v: k for k, v in labels.items()}


def escalation_reason(row: dict, lang: str) -> str:
    """Why a meeting item went up (Art. 5): major or not, the votes, the majority, the VP's and the chief's
    positions (marked where they differ from the majority), and whether Art. 5's conditions hold (a major
    item, a majority, and the VP or the chief differing from it; else it is an M5-ESCALATE finding)."""
    if not row.get("escalated"):
        return ""

    def pos(code):
        return label("position", code, lang) if code else "—"

    majority = row.get("majority")
    dissent = t("meetings.reason.dissent", lang)
    parts = [
        t("meetings.reason.major" if row.get("is_major") else "meetings.reason.not_major", lang),
        t("meetings.reason.votes", lang, for_=row.get("votes_for") or 0, against=row.get("votes_against") or 0,
          abstain=row.get("votes_abstain") or 0),
        t("meetings.reason.majority", lang, majority=pos(majority)) if majority else t("meetings.reason.no_majority", lang),
        t("meetings.reason.vp", lang, position=pos(row.get("vp_position"))) + (dissent if row.get("vp_dissents") else ""),
        t("meetings.reason.chief", lang, position=pos(row.get("chief_position")))
        + (dissent if row.get("chief_dissents") else ""),
    ]
    grounded = escalation_grounded_row(row)  # what rule M5-ESCALATE judges
    parts.append(t("meetings.reason.grounded" if grounded else "meetings.reason.not_grounded", lang))
    return t("meetings.reason.sep", lang).join(parts)


# what a reader looks for first on the left (a table wider than the page scrolls): the item, its topic, why it
# went up and what came of it; then the meeting and the votes
ITEM_COLUMNS = ("item_id", "held_on", "topic", "escalation_reason", "outcome", "decided_on", "days_to_decision",
                "meeting_type", "meeting_id", "chair_name", "case_id", "is_major", "votes_for", "votes_against",
                "votes_abstain", "vp_position", "chief_position")


def items_view(df: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Meeting items as shown: why each escalated item went up, positions and outcomes in words."""
    if df.is_empty():
        return df
    reasons = [escalation_reason(r, lang) for r in df.iter_rows(named=True)]
    out = labels.labelled(df.with_columns(pl.Series("escalation_reason", reasons, dtype=pl.String)), lang)
    return out.select([c for c in ITEM_COLUMNS if c in out.columns])


def records_view(kind: str, lang: str):
    """How the records of `kind` read on a page and in its exports (a function of one page of rows)."""
    if kind == "findings":
        return lambda df: labels.findings_view(df, lang)
    if kind == "meeting_items":
        return lambda df: items_view(df, lang)
    if kind == "paths":  # routes in words (团队长 → 副局长 → 局长)
        return lambda df: charts.route_labels(labels.labelled(df, lang), lang).with_columns(
            pl.col("route_label").alias("route")).drop("route_label")
    if kind == "cases":
        return lambda df: queries.clock_view(df.rename({"clock_tier": "tier"}), lang).rename({"tier": "clock_tier"})
    return lambda df: labels.labelled(df, lang)


PERSON_CONDS = ("approver_id", "absent_id", "substitute_id", "decided_by", "chair_id", "judge_id")


def person(staff_id: str) -> str:
    """A person as the page shows them: the roster name, masked as the sidebar asks (工号 or 张某); the id when
    the roster has no name (a drill title and its export's file name said "W0003" where the page said 张三)."""
    c = ctx()
    names = dict(q(queries.roster_names).iter_rows())
    name = names.get(staff_id)
    if not name or c.mask == "id":
        return str(staff_id)
    if c.mask == "none":
        return name
    return _store.name_masks(str(c.db), c.stamp, c.mask).get(name, name)


def describe_pick(p: _widgets.Picked, lang: str) -> str:
    """The clicked mark in words: its month, what it stands for, the kind of records ("2024-05 · 局长 · 审批环节")."""
    parts = []
    if p.filters.start and p.filters.start == p.filters.end:
        parts.append(format_month(p.filters.start))
    words = {"tier": charts.tier_labels(lang), "family": charts.family_labels(lang),
             "direction": charts.direction_labels(lang)}
    words["tier"] = charts.clock_tier_labels(lang) if p.kind == "cases" else words["tier"]
    flags = {"over_limit": "drill.over_limit", "acting": "drill.acting", "escalated": "drill.escalated"}
    for name, value in p.conds:
        if name == "open":
            parts.append(t("drill.open" if value else "drill.closed", lang))
        elif name in flags:
            if value:
                parts.append(t(flags[name], lang))
        elif name in ("level", "source") and value == "SUBMITTED":
            parts.append(t("chart.submitted", lang))
        elif name in ("level", "source", "matter_type", "meeting_type", "outcome"):
            enum = "level" if name == "source" else name
            parts.append(label(enum, value, lang) if value in contract.ENUMS[enum].codes else str(value))
        elif name in words:
            parts.append(words[name].get(value, str(value)))
        elif name in PERSON_CONDS and isinstance(value, str):
            parts.append(person(value))
        elif name == "route" and isinstance(value, str):
            parts.append(charts.route_label(value, lang))
        elif name in ("closed", "conforms", "on_required_route", "two_level"):
            continue  # what the figure always narrows to (closed matters), not what was clicked
        elif name == "post_pair" and isinstance(value, str):
            parts.append(" → ".join(label("post", x, lang) if x in contract.POST.codes else x for x in value.split("→")))
        else:
            parts.append(str(value))
    parts.append(t(f"drill.kind.{p.kind}", lang))
    return " · ".join(parts)


def records(p: _widgets.Picked, key: str, title: str) -> None:
    """The records behind a clicked mark or row, paged, with downloads of all of them."""
    lang = ctx().lang
    total = q(queries.records_count, p.filters, p.kind, p.conds, "")
    what = describe_pick(p, lang)
    st.markdown("**" + t("drill.title", lang, what=md(what), total=f"{total:,}") + "**")
    st.caption(_widgets.caption_text("records_page", p.kind, p.filters))
    _widgets.paged(f"drill_{key}", queries.records_page, (p.filters, p.kind, p.conds, ""), total,
                   prepare=records_view(p.kind, lang), title=f"{title} · {what}", part=p.kind, filters=p.filters)


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
