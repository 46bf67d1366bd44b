"""Shared UI plumbing for app.py and the views (one module per page; the folder is not called `pages/`
because Streamlit would then run its files directly as v1 multipage scripts, bypassing app.py).
Store access, cached queries, sidebar filters mirrored in the URL, chart and table display with their
export buttons, paging, the empty-store guide.

Pages stay thin: they call `ctx()`, `q(...)`, `chart(...)`, `table(...)`, `paged(...)`.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from pipelines import charts, contract, queries, regulation
from pipelines.filters import Filters, add_months, format_month, parse_month
from pipelines.i18n import DEFAULT_LANG, LANGS, label, t
from pipelines.queries import StoreInfo

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = ROOT / "data" / "warehouse.duckdb"
PAGE_SIZE = 50

# Page registry: (url path, file, message key, icon). Order = navigation order.
PAGES = (
    ("overview", "views/overview.py", "nav.overview", ":material/dashboard:"),
    ("latency", "views/latency.py", "nav.latency", ":material/timer:"),
    ("bottlenecks", "views/bottlenecks.py", "nav.bottlenecks", ":material/hourglass_bottom:"),
    ("substitutions", "views/substitutions.py", "nav.substitutions", ":material/swap_horiz:"),
    ("meetings", "views/meetings.py", "nav.meetings", ":material/groups:"),
    ("regulation", "views/regulation.py", "nav.regulation", ":material/gavel:"),
    ("data", "views/data.py", "nav.data", ":material/database:"),
)


# ------------------------------------------------------------------------------------------ store
def db_path() -> Path:
    return Path(os.environ.get("TIERWATCH_DB") or DEFAULT_DB)


def stamp(db: Path) -> tuple[int, int] | None:
    """(mtime_ns, size) of the store file: the cache key that makes a new load show new data."""
    try:
        s = db.stat()
    except FileNotFoundError:
        return None
    return (s.st_mtime_ns, s.st_size)


def open_readonly(db: Path):
    """A short-lived read-only connection; retried briefly in case a load is switching the file."""
    try:
        from pipelines.store import connect_readonly
    except ImportError:  # the store module is not there yet
        def connect_readonly(path):
            return duckdb.connect(str(path), read_only=True)

    last: Exception | None = None
    for attempt in range(5):
        try:
            return connect_readonly(db)
        except (duckdb.IOException, duckdb.Error, OSError) as exc:  # file being replaced or locked
            last = exc
            time.sleep(0.1 * (attempt + 1))
    raise StoreBusy(str(last))


class StoreBusy(RuntimeError):
    pass


@st.cache_data(show_spinner=False, max_entries=16)
def _store_info(db: str, stamp_: tuple | None) -> StoreInfo:
    if stamp_ is None:
        return StoreInfo("missing")
    con = open_readonly(Path(db))
    try:
        return queries.store_info(con)
    finally:
        con.close()


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached(db: str, stamp_: tuple | None, name: str, args: tuple):
    con = open_readonly(Path(db))
    try:
        return getattr(queries, name)(con, *args)
    finally:
        con.close()


def q(name: str, *args):
    """Run `queries.<name>(con, *args)` against the current store, cached per store version."""
    c = ctx()
    return _cached(str(c.db), c.stamp, name, args)


def clear_caches() -> None:
    _cached.clear()
    _store_info.clear()


# ------------------------------------------------------------------------------------------ context
@dataclass
class Ctx:
    lang: str
    db: Path
    stamp: tuple | None
    info: StoreInfo
    filters: Filters = field(default_factory=Filters)
    options: dict = field(default_factory=dict)
    pages: dict = field(default_factory=dict)
    mask: str = "none"

    @property
    def snapshot(self) -> str:
        return (self.info.meta_value("snapshot_at") or "")[:16]


def ctx() -> Ctx:
    return st.session_state["_ctx"]


def tr(key: str, **params) -> str:
    """The message `key` in the current language."""
    return t(key, ctx().lang, **params)


# ------------------------------------------------------------------------------------------ sidebar
def _qp_all() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def setup() -> Ctx:
    """Language, store, sidebar filters; mirrors the state in the URL. Called by app.py on every run."""
    params = _qp_all()
    first_run = "_init" not in st.session_state
    if first_run:
        lang = (params.get("lang") or [DEFAULT_LANG])[0]
        st.session_state["lang"] = lang if lang in LANGS else DEFAULT_LANG

    with st.sidebar:
        lang = st.segmented_control(
            t("app.language", st.session_state.get("lang", DEFAULT_LANG)),
            LANGS,
            format_func=lambda code: {"zh": "中文", "en": "English"}[code],
            key="lang",
            required=True,
        ) or DEFAULT_LANG

    db = db_path()
    s = stamp(db)
    try:
        info = _store_info(str(db), s)
    except StoreBusy:
        info = StoreInfo("empty")
    c = Ctx(lang=lang, db=db, stamp=s, info=info)
    st.session_state["_ctx"] = c

    if info.ready:
        c.options = _cached(str(db), s, "filter_options", ())
        c.filters = _filter_widgets(c, Filters.from_query_params(params) if first_run else None)
        with st.sidebar:
            st.caption(t("sidebar.snapshot", lang, snapshot=c.snapshot))
            c.mask = st.selectbox(
                t("sidebar.mask", lang),
                ("none", "id", "initials"),
                format_func=lambda m: t(f"sidebar.mask.{m}", lang),
                key="mask",
                help=t("sidebar.mask.help", lang),
            )
    st.session_state["_init"] = True
    _write_url(c)
    return c


def _filter_widgets(c: Ctx, from_url: Filters | None) -> Filters:
    lang, opts, info = c.lang, c.options, c.info
    months = []
    m = info.first_month
    while m and info.last_month and m <= info.last_month:
        months.append(format_month(m))
        m = add_months(m, 1)
    default = Filters().clamp(info.first_month, info.last_month)
    default_period = (format_month(default.start), format_month(default.end))
    if from_url is not None:
        f0 = from_url.clamp(info.first_month, info.last_month)
        period = (format_month(f0.start), format_month(f0.end))
        if period[0] not in months or period[1] not in months:
            period = default_period
        # The slider's starting value. Passed as `value=` (never through Session State): a select_slider
        # built with value=None is a single-value slider whose range came from Session State, and it
        # dropped every move back to that range (the period "snapped back").
        st.session_state["_period_start"] = period
        st.session_state["f_div"] = [d for d in from_url.divisions if d in opts["divisions"]]
        st.session_state["f_team"] = [x for x in from_url.teams if x in {tm for tm, _ in opts["teams"]}]
        st.session_state["f_type"] = [x for x in from_url.matter_types if x in opts["matter_types"]]
        st.session_state["f_level"] = [x for x in from_url.levels if x in opts["levels"]]

    with st.sidebar:
        st.subheader(t("sidebar.filters", lang))
        if len(months) > 1:
            start = st.session_state.get("_period_start", default_period)
            if start[0] not in months or start[1] not in months:  # a new load changed the months
                start = default_period
            # Streamlit resets a kept value that is no longer among the options to `value` by itself.
            period = st.select_slider(t("filter.period", lang), options=months, value=start, key="f_period")
        else:
            period = (months[0], months[0]) if months else ("", "")
        divisions = st.multiselect(t("filter.division", lang), opts["divisions"], key="f_div", placeholder=t("filter.all", lang))
        team_choices = [tm for tm, dv in opts["teams"] if not divisions or dv in divisions]
        if "f_team" in st.session_state:
            st.session_state["f_team"] = [x for x in st.session_state["f_team"] if x in team_choices]
        teams = st.multiselect(t("filter.team", lang), team_choices, key="f_team", placeholder=t("filter.all", lang))
        types = st.multiselect(
            t("filter.matter_type", lang),
            opts["matter_types"],
            format_func=lambda code: label("matter_type", code, lang),
            key="f_type",
            placeholder=t("filter.all", lang),
        )
        levels = st.multiselect(
            t("filter.level", lang),
            [lv for lv in contract.LEVEL_CODES if lv in opts["levels"]],
            format_func=lambda code: label("level", code, lang),
            key="f_level",
            placeholder=t("filter.all", lang),
        )
    return Filters(
        start=parse_month(period[0]),
        end=parse_month(period[1]),
        divisions=tuple(divisions),
        teams=tuple(teams),
        matter_types=tuple(types),
        levels=tuple(levels),
    )


def _write_url(c: Ctx) -> None:
    """Mirror language and filters in the query string (only when it differs, so no extra reruns)."""
    want: dict[str, str | list[str]] = dict(c.filters.to_query_params()) if c.info.ready else {}
    if c.lang != DEFAULT_LANG:
        want["lang"] = c.lang
    for key, value in _page_params().items():  # page-specific parameters (e.g. a rule to open) survive
        want.setdefault(key, value)
    have = {k: (v if len(v) > 1 else v[0]) for k, v in _qp_all().items()}
    norm = {k: (v if isinstance(v, str) else (v if len(v) > 1 else v[0])) for k, v in want.items()}
    if have != norm:
        st.query_params.from_dict(want)


PAGE_PARAMS = ("rule", "unit", "page")


def _page_params() -> dict[str, str]:
    return {k: st.query_params.get(k) for k in PAGE_PARAMS if st.query_params.get(k)}


# ------------------------------------------------------------------------------------------ navigation
def navigation(lang: str):
    pages = {
        key: st.Page(path, title=t(msg, lang), icon=icon, url_path=key, default=(key == "overview"))
        for key, path, msg, icon in PAGES
    }
    ctx().pages = pages
    return st.navigation(list(pages.values()))


def page_link(key: str, label_: str, **params) -> None:
    c = ctx()
    qp = dict(c.filters.to_query_params())
    if c.lang != DEFAULT_LANG:
        qp["lang"] = c.lang
    qp.update(params)
    st.page_link(c.pages[key], label=label_, query_params=qp, icon=":material/arrow_forward:")


# ------------------------------------------------------------------------------------------ guards
def section(title: str) -> None:
    """A section title sized for a 1366x768 screen (smaller than st.subheader)."""
    st.markdown(f"##### {title}")


def header(title_key: str, intro_key: str | None = None) -> Ctx:
    c = ctx()
    st.header(tr(title_key))
    if intro_key:
        st.caption(tr(intro_key))
    return c


def require_data() -> Ctx:
    """Stop the page with a guide to loading data when the store is missing or empty."""
    c = ctx()
    if not c.info.ready:
        empty_guide(c)
        st.stop()
    return c


def empty_guide(c: Ctx) -> None:
    key = "guide.missing" if c.info.status == "missing" else "guide.empty"
    st.info(t(key, c.lang, db=str(c.db)), icon=":material/info:")
    st.markdown(t("guide.steps", c.lang))
    st.code("uv run python -m pipelines demo --db " + str(c.db), language="bash")
    if c.pages:
        st.page_link(c.pages["data"], label=t("guide.to_data", c.lang), icon=":material/upload:")


# ------------------------------------------------------------------------------------------ display
def caption_text(applies: str) -> str:
    c = ctx()
    from pipelines.filters import describe

    return t("caption.template", c.lang, filters=describe(c.filters, c.lang, queries.APPLIES[applies]), snapshot=c.snapshot)


def chart(ch, key: str, title: str, applies: str, filters: Filters | None = None) -> None:
    """Show an altair chart with a caption (filters applied, snapshot) and PNG/SVG downloads."""
    c = ctx()
    from pipelines.filters import describe

    f = filters or c.filters
    text = t("caption.template", c.lang, filters=describe(f, c.lang, queries.APPLIES[applies]), snapshot=c.snapshot)
    st.altair_chart(ch, width="stretch", key=f"chart_{key}")
    st.caption(text)
    if importlib.util.find_spec("pipelines.chart_export") is None:
        return
    titled = charts.with_title(ch, title, [text])
    db, stamp_, mask = str(c.db), c.stamp, c.mask

    def exported() -> dict:
        return export_spec(titled, name_masks(db, stamp_, mask))

    def png() -> bytes:
        return importlib.import_module("pipelines.chart_export").chart_to_png(exported(), scale=3, lang=c.lang)

    def svg() -> str:
        return importlib.import_module("pipelines.chart_export").chart_to_svg(exported(), lang=c.lang)

    row = st.container(horizontal=True, gap="small")
    row.download_button("PNG", png, file_name=f"{key}.png", mime="image/png", key=f"png_{key}", icon=":material/image:",
                        type="tertiary")
    row.download_button("SVG", svg, file_name=f"{key}.svg", mime="image/svg+xml", key=f"svg_{key}", icon=":material/draw:",
                        type="tertiary")


@st.cache_data(show_spinner=False, max_entries=8)
def name_masks(db: str, stamp_: tuple | None, mode: str) -> dict[str, str]:
    """name -> mask (工号 or initials) for every person in the store's roster; empty when not masking."""
    if mode == "none" or stamp_ is None or importlib.util.find_spec("pipelines.exports") is None:
        return {}
    con = open_readonly(Path(db))
    try:
        roster = con.sql("SELECT staff_id, name FROM staff").pl()
    finally:
        con.close()
    return importlib.import_module("pipelines.exports").name_replacements(roster, mode)


def export_spec(ch, replacements: dict[str, str]) -> dict:
    """The chart's Vega-Lite spec with every roster name in its data replaced (inline values and named
    datasets; names inside longer text such as "张三 → 李四" too, longest names first)."""
    spec = ch.to_dict()
    if not replacements:
        return spec
    names = sorted(replacements, key=len, reverse=True)

    def masked(value):
        if isinstance(value, str):
            for name in names:
                if name in value:
                    value = value.replace(name, replacements[name])
        return value

    def rows(values):
        return [{k: masked(v) for k, v in r.items()} if isinstance(r, dict) else masked(r) for r in values]

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "datasets" and isinstance(value, dict):
                    node[key] = {name: rows(v) if isinstance(v, list) else v for name, v in value.items()}
                elif key == "data" and isinstance(value, dict) and isinstance(value.get("values"), list):
                    value["values"] = rows(value["values"])
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(spec)
    return spec


SHARE_COLUMNS = ("over_limit_share", "used_share", "cumulative_share", "acting_share", "escalation_rate",
                 "tie_break_rate")
PEOPLE_COLUMNS = ("name", "approver_name", "absent_name", "substitute_name", "decider_name", "people")


def table(df: pl.DataFrame, key: str, headers: dict[str, str] | None = None, *, height: int | None = None) -> None:
    """Show a table with localised headers and CSV/XLSX downloads of exactly what is shown."""
    c = ctx()
    headers = headers or {}
    shown = df.rename({k: v for k, v in headers.items() if k in df.columns})
    config = {}
    for col, dtype in df.schema.items():
        name = headers.get(col, col)
        if col in SHARE_COLUMNS:
            config[name] = st.column_config.NumberColumn(format="percent")
        elif dtype.is_float():
            config[name] = st.column_config.NumberColumn(format="%.1f")
    st.dataframe(shown, hide_index=True, width="stretch", height=height or "auto", column_config=config)
    if importlib.util.find_spec("pipelines.exports") is None or df.is_empty():
        return
    mask = c.mask

    def prepared() -> pl.DataFrame:
        exports = importlib.import_module("pipelines.exports")
        out = df
        people = [col for col in PEOPLE_COLUMNS if col in out.columns]
        if mask != "none" and people:
            out = exports.mask_names(out, people, mask)
        return out

    def csv() -> bytes:
        return importlib.import_module("pipelines.exports").table_to_csv_bytes(prepared(), headers=headers or None)

    def xlsx() -> bytes:
        return importlib.import_module("pipelines.exports").table_to_xlsx_bytes(
            prepared(), sheet_name=key[:31], headers=headers or None
        )

    row = st.container(horizontal=True, gap="small")
    row.download_button("CSV", csv, file_name=f"{key}.csv", mime="text/csv", key=f"csv_{key}", icon=":material/table:",
                        type="tertiary")
    row.download_button(
        "XLSX",
        xlsx,
        file_name=f"{key}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{key}",
        icon=":material/grid_on:",
        type="tertiary",
    )


def paged(key: str, total: int, fetch, headers: dict[str, str] | None = None, prepare=None) -> None:
    """Raw rows, one page at a time: `fetch(limit, offset)` runs SQL LIMIT/OFFSET (never the full table)."""
    c = ctx()
    if total == 0:
        st.caption(t("table.no_rows", c.lang))
        return
    pages = max(1, -(-total // PAGE_SIZE))
    cols = st.columns([2, 6])
    page = cols[0].number_input(t("table.page", c.lang, pages=pages), 1, pages, 1, key=f"page_{key}")
    offset = (int(page) - 1) * PAGE_SIZE
    df = fetch(PAGE_SIZE, offset)
    if prepare is not None:
        df = prepare(df)
    cols[1].caption(t("table.rows", c.lang, first=offset + 1, last=offset + df.height, total=total))
    table(df, f"{key}_p{int(page)}", headers)


def metric(col, label_: str, value, previous=None, *, fmt: str = "{:,.0f}", inverse: bool = False, help_: str | None = None):
    """A headline figure with its change against the previous period (arrow colour: is up good?)."""
    c = ctx()
    shown = "—" if value is None else fmt.format(value)
    delta = None
    if value is not None and previous is not None:
        diff = value - previous
        delta = (fmt.format(diff) if not fmt.endswith("%}") else f"{diff * 100:+.1f} pp")
        if not delta.startswith(("-", "+")):
            delta = "+" + delta
        delta = t("metric.vs_previous", c.lang, delta=delta)
    col.metric(label_, shown, delta, delta_color="inverse" if inverse else "normal", help=help_, border=True)


def level_headers(lang: str) -> dict[str, str]:
    """Display headers for the common columns of the query frames."""
    keys = (
        "level", "steps", "median_hours", "p90_hours", "mean_hours", "max_hours", "median_workdays", "p90_workdays",
        "limit_workdays", "over_limit_share", "key", "name", "approver_id", "approver_name", "pending", "red", "yellow",
        "max_age_hours", "max_age_workdays", "matter_id", "step_no", "case_id", "team", "division", "matter_type",
        "received_at", "age_hours", "age_workdays", "used_share", "warning_tier", "rule_id", "article", "record_kind",
        "record_id", "occurred_at", "month", "detail", "people", "findings", "records", "per_100", "title",
        "substitutions", "person_days", "post_pair", "absent_name", "substitute_name", "start_at", "end_at",
        "direction", "authorized", "scope", "days", "meeting_id", "held_on", "meeting_type", "items", "escalated",
        "tie_breaks", "item_id", "topic", "outcome", "decided_on", "days_to_decision", "decided", "source", "target",
        "wait_hours", "cumulative_share", "year", "source_kind", "table", "rows", "acting_share", "acting_steps",
        "decided_steps",
    )
    return {k: t(f"col.{k}", lang) for k in keys}


def labelled(df: pl.DataFrame, lang: str, drop_codes: bool = True) -> pl.DataFrame:
    """Replace enum-coded columns by their labels (for tables shown to people)."""
    out = charts.with_labels(df, lang)
    for col in ("level", "matter_type", "meeting_type", "outcome", "decision", "absent_post", "substitute_post",
                "direction", "warning_tier", "tier", "family", "source", "target"):
        lab = "tier_label" if col in ("warning_tier", "tier") else f"{col}_label"
        if lab in out.columns and col in out.columns:
            out = out.with_columns(pl.col(lab).alias(col)).drop(lab)
    return out


def findings_view(df: pl.DataFrame, lang: str) -> pl.DataFrame:
    """A page of findings as shown: the detail in the interface language, record kinds in words."""
    if df.is_empty():
        return df
    detail = "detail" if lang == "zh" else "detail_en"
    kinds = {k: t(f"kind.{k}", lang) for k in ("matter", "substitution", "meeting", "meeting_item")}
    return df.with_columns(
        pl.col(detail).fill_null(pl.col("detail")).alias("detail"),
        pl.col("record_kind").replace_strict(kinds, default=pl.col("record_kind")),
    ).drop("detail_en")


def findings_beside_articles(key: str, f: Filters, lang: str, rule_prefix: str, articles: tuple[int, ...],
                             open_article: int) -> None:
    """A paged table of the findings of the rules whose id starts with `rule_prefix`, and beside it the
    text of the articles they check with each rule's finding count (the Substitutions and Meetings pages)."""
    counts = q("rule_counts", f).filter(pl.col("rule_id").str.starts_with(rule_prefix))
    rules = tuple(counts["rule_id"].to_list())
    left, right = st.columns([3, 2])
    with left:
        paged(key, q("violations_count", f, rules),
              lambda limit, offset: q("violations_page", f, rules, limit, offset),
              level_headers(lang), prepare=lambda df: findings_view(df, lang))
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
    """Month picker (default: the snapshot's month) -> .docx of pipelines.monthly_report under the current
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
        import tempfile

        from pipelines.monthly_report import write_monthly_docx

        with st.spinner(tr("overview.monthly.making")), tempfile.TemporaryDirectory(prefix="tierwatch-report-") as tmp:
            out = write_monthly_docx(c.db, month, Path(tmp) / "report.docx", filters=c.filters, lang=c.lang,
                                     mask=None if c.mask == "none" else c.mask)
            st.session_state["_monthly_docx"] = (want, out.read_bytes())
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
        )
