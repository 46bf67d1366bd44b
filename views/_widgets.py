"""What pages draw with: section titles, the page header and the empty-store guard, charts and tables with
their captions and export buttons, paged raw rows, headline metrics."""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict

import polars as pl
import streamlit as st

from pipelines import chart_export, charts, exports, queries
from pipelines.filters import Filters
from pipelines.i18n import t
from pipelines.marts_spec import NUMBER_FORMATS, kind
from pipelines.marts_spec import headers as column_headers
from views import _store
from views._state import Ctx, ctx

PAGE_SIZE = 50


def section(title: str) -> None:
    """A section title sized for a 1366x768 screen (smaller than st.subheader)."""
    st.markdown(f"##### {title}")


def header(title_key: str, intro_key: str | None = None) -> Ctx:
    c = ctx()
    st.header(c.tr(title_key))
    if intro_key:
        st.caption(c.tr(intro_key))
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


def caption_text(figure: str, part: str | None = None, filters: Filters | None = None) -> str:
    """The caption of figure `figure` (a query function; `part` one figure of a multi-mart one): the
    filters that narrow it, those that cannot and why, and the snapshot."""
    c = ctx()
    text = queries.caption(figure, filters or c.filters, c.lang, part)
    return t("caption.template", c.lang, filters=text, snapshot=c.snapshot)


def scope_note(figure: str, part: str | None = None) -> str:
    """' — not narrowed by team (meetings are bureau-wide)' when a filter set cannot narrow the figure."""
    c = ctx()
    note = queries.scope(figure, c.filters, part).note(c.lang)
    return f"{t('scope.separator', c.lang)}{note}" if note else ""


def chart(ch, key: str, title: str, figure: str, filters: Filters | None = None, part: str | None = None) -> None:
    """Show an altair chart of `queries.<figure>` with its caption (scope, snapshot) and PNG/SVG downloads."""
    c = ctx()
    _warm_up()
    text = caption_text(figure, part, filters)
    st.altair_chart(ch, width="stretch", key=f"chart_{key}")
    st.caption(text)
    titled = charts.with_title(ch, title, [text])
    masks = _store.name_masks(str(c.db), c.stamp, c.mask)  # read here: the download runs outside the script
    lang = c.lang

    def png() -> bytes:
        return rendered_chart(titled, masks, "png", lang)

    def svg() -> bytes:
        return rendered_chart(titled, masks, "svg", lang)

    row = st.container(horizontal=True, gap="small")
    download(row, "PNG", png, f"{key}.png", "image/png", f"png_{key}", ":material/image:")
    download(row, "SVG", svg, f"{key}.svg", "image/svg+xml", f"svg_{key}", ":material/draw:")


def download(where, label_: str, data, file_name: str, mime: str, key: str, icon: str) -> None:
    """A download button whose file is made on click (`data` is a callable) without rerunning the page.

    Why `on_click="ignore"`: Streamlit registers a deferred download under a new id on every run and
    drops the previous run's ids when a run ends, also a run cut short by the next click. With the default
    `on_click="rerun"` every click started a rerun, so a second click within a second or two sent an id
    the server had just dropped ("Deferred file ... not found", the button shows an error for 5 s and the
    download never comes), and a run starting while a finished file's answer was still queued cleared
    the queue, so that button spun until the browser gave up after 3 minutes. A download changes nothing
    on the page, so it has no reason to rerun it. The callable must not use Streamlit: it runs on a
    worker thread outside the script run.
    """
    where.download_button(label_, data, file_name=file_name, mime=mime, key=key, icon=icon, type="tertiary",
                          on_click="ignore")


_RENDER_LOCK = threading.Lock()
_RENDERED: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
_RENDERED_MAX = 48


def rendered_chart(ch, masks: dict[str, str], fmt: str, lang: str) -> bytes:
    """PNG or SVG bytes of `ch` (names masked), rendered once per spec: a second click, a second visitor or
    the same chart after a rerun get the bytes at once. vl-convert renders one chart at a time anyway;
    the lock keeps concurrent clicks from rendering the same spec twice and bounds the threads it holds."""
    spec = export_spec(ch, masks)
    spec_key = json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str)
    key = (spec_key, fmt, lang)
    with _RENDER_LOCK:
        if key in _RENDERED:
            _RENDERED.move_to_end(key)
            return _RENDERED[key]
        if fmt == "png":
            out = chart_export.chart_to_png(spec, scale=3, lang=lang)
        else:
            out = chart_export.chart_to_svg(spec, lang=lang).encode("utf-8")
        _RENDERED[key] = out
        while len(_RENDERED) > _RENDERED_MAX:
            _RENDERED.popitem(last=False)
        return out


def warm_up_chart_export() -> None:
    """Start vl-convert (its JavaScript engine and the CJK font) once per server process in the background,
    so the first chart download does not wait ~2-5 s for it."""
    _warm_up()


@st.cache_resource(show_spinner=False)
def _warm_up() -> threading.Thread:
    def run() -> None:
        try:
            chart_export.chart_to_svg({"mark": "point", "data": {"values": [{"a": 1}]}, "encoding": {"x": {"field": "a", "type": "quantitative"}}})
        except Exception:  # a broken renderer shows itself again on the first real download
            logging.getLogger(__name__).exception("vl-convert warm-up failed")

    thread = threading.Thread(target=run, name="vl-convert-warm-up", daemon=True)
    thread.start()
    return thread


def export_spec(ch, replacements: dict[str, str]) -> dict:
    """The chart's Vega-Lite spec with every roster name replaced wherever it appears (data, sort orders,
    titles; names inside longer text such as "张三 → 李四" too, longest names first)."""
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

    def walk(node):
        # every string value: data rows and named datasets, but also a sort order listing the keys
        # (charts.pareto) or a title naming someone
        if isinstance(node, dict):
            for key, value in node.items():
                node[key] = masked(value) if isinstance(value, str) else walk(value)
        elif isinstance(node, list):
            for i, item in enumerate(node):
                node[i] = masked(item) if isinstance(item, str) else walk(item)
        return node

    walk(spec)
    return spec


PEOPLE_COLUMNS = ("name", "approver_name", "absent_name", "substitute_name", "decider_name", "people")


def table(df: pl.DataFrame, key: str, headers: dict[str, str] | None = None, *, height: int | None = None) -> None:
    """Show a table with localised headers and CSV/XLSX downloads of exactly what is shown. Headers and
    number formats come from the column declarations (pipelines.marts_spec.DISPLAY); `headers` overrides."""
    c = ctx()
    headers = {**column_headers(c.lang, df.columns), **(headers or {})}
    shown = df.rename({k: v for k, v in headers.items() if k in df.columns})
    config = {}
    for col, dtype in df.schema.items():
        fmt = NUMBER_FORMATS.get(kind(col))
        if fmt and (dtype.is_numeric()):
            config[headers.get(col, col)] = st.column_config.NumberColumn(format=fmt)
        elif dtype.is_float():
            config[headers.get(col, col)] = st.column_config.NumberColumn(format="%.1f")
        elif dtype == pl.Date:  # a date, not a midnight time; a month as the month
            config[headers.get(col, col)] = st.column_config.DateColumn(format="YYYY-MM" if col == "month" else "YYYY-MM-DD")
    st.dataframe(shown, hide_index=True, width="stretch", height=height or "auto", column_config=config)
    if df.is_empty():
        return
    mask = c.mask

    def prepared() -> pl.DataFrame:
        out = df
        people = [col for col in PEOPLE_COLUMNS if col in out.columns]
        if mask != "none" and people:
            out = exports.mask_names(out, people, mask)
        return out

    def csv() -> bytes:
        return exports.table_to_csv_bytes(prepared(), headers=headers or None)

    def xlsx() -> bytes:
        return exports.table_to_xlsx_bytes(
            prepared(), sheet_name=key[:31], headers=headers or None
        )

    row = st.container(horizontal=True, gap="small")
    download(row, "CSV", csv, f"{key}.csv", "text/csv", f"csv_{key}", ":material/table:")
    download(row, "XLSX", xlsx, f"{key}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             f"xlsx_{key}", ":material/grid_on:")


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


