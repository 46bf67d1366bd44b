"""What pages draw with: section titles, the page header and the empty-store guard, charts and tables with
their captions and export buttons, paged raw rows, headline metrics, and the records behind a clicked mark or
row (the drill-down dialog)."""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

import polars as pl
import streamlit as st

from pipelines import queries
from pipelines.core import contract
from pipelines.core.filters import Filters, format_month, parse_month
from pipelines.core.i18n import label, t
from pipelines.domain.rules import escalation_grounded_row
from pipelines.present import chart_export, charts, exports, formatting, labels
from pipelines.tables.marts import NUMBER_FORMATS, kind
from pipelines.tables.marts import headers as column_headers
from views import _store
from views._state import Ctx, ctx, q
from views._text import md

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
    if c.info.status == "stale":  # data loaded, figures from an older version: recompute, not re-import
        st.info(t("guide.stale", c.lang, db=str(c.db)), icon=":material/info:")
        st.code("uv run python -m pipelines rebuild --db " + str(c.db), language="bash")
        return
    key = "guide.missing" if c.info.status == "missing" else "guide.empty"
    st.info(t(key, c.lang, db=str(c.db)), icon=":material/info:")
    st.markdown(t("guide.steps", c.lang))
    st.code("uv run python -m pipelines demo --db " + str(c.db), language="bash")
    if "data" in c.pages:
        st.page_link(c.pages["data"], label=t("guide.to_data", c.lang), icon=":material/upload:")


def caption_text(figure: str, part: str | None = None, filters: Filters | None = None, *, markdown: bool = True) -> str:
    """The caption of figure `figure` (a query function; `part` one figure of a multi-mart one): the
    filters that narrow it, those that cannot and why, and the snapshot. Escaped for Markdown (team and
    division names come from the exports) unless `markdown` is false (a chart's title in an image)."""
    c = ctx()
    text = queries.caption(figure, filters or c.filters, c.lang, part, escape=md if markdown else None)
    return t("caption.template", c.lang, filters=text, snapshot=c.snapshot)


def scope_note(figure: str, part: str | None = None) -> str:
    """' — not narrowed by team (meetings are bureau-wide)' when a filter set cannot narrow the figure."""
    c = ctx()
    note = queries.scope(figure, c.filters, part).note(c.lang)
    return f"{t('scope.separator', c.lang)}{note}" if note else ""


@dataclass(frozen=True)
class Drill:
    """What a click on a chart's mark opens: the records of `kind` (pipelines.queries.RECORD_KINDS) behind it.

    `fields` are the data fields that tell marks apart (a point selection projected on them), or `encodings`
    the channels, for marks drawn from data Vega-Lite aggregates. A selected field becomes a record condition
    under its own name, or `rename[field]`; a label field maps back to its code through `labels[field] =
    (condition, {label: code})`; a month narrows the period to that month. `fixed` conditions always hold."""

    kind: str
    fields: tuple[str, ...] = ()
    encodings: tuple[str, ...] = ()
    rename: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, tuple[str, Mapping[str, str]]] = field(default_factory=dict)
    fixed: tuple[tuple[str, object], ...] = ()
    all_levels: bool = False  # the figure ignores the level filter (the flow between levels): so do its records
    now: bool = False  # a figure of the snapshot's moment (open cases): no period narrows its records


@dataclass(frozen=True)
class Picked:
    """The records behind a clicked mark: kind, the filters (one month for a point on a trend), conditions."""

    kind: str
    filters: Filters
    conds: tuple[tuple[str, object], ...]


PICK = "pick"  # the selection parameter's name in every drillable chart
MONTH_FIELDS = ("month", "yearmonth_month")
_LINE_MARKS = ("line", "area", "trail")
_PICKABLE = ("bar", "rect", "point", "circle", "square", "tick", "arc")


def _selection(drill: Drill, name: str = PICK, nearest: bool = False) -> dict:
    select = {"type": "point", "on": "click", "clear": "dblclick", "nearest": nearest}
    if drill.fields:
        select["fields"] = list(drill.fields)
    else:
        select["encodings"] = list(drill.encodings)
    return {"name": name, "select": select}


def _mark(unit: dict) -> str:
    mark = unit.get("mark")
    return mark if isinstance(mark, str) else (mark or {}).get("type", "")


def _pick(unit: dict, drill: Drill, name: str, nearest: bool = False) -> None:
    """Give a unit view the selection `name`; its bars, cells or points fade while another is picked."""
    unit.setdefault("params", []).append(_selection(drill, name, nearest))
    encoding = unit.setdefault("encoding", {})
    if _mark(unit) in _PICKABLE and "opacity" not in encoding:
        encoding["opacity"] = {"condition": {"param": name, "value": 1.0, "empty": True}, "value": 0.35}


LAYER_KEYS = ("mark", "encoding", "params", "transform", "name", "description")


def selectable(ch, drill: Drill, spec: dict | None = None) -> tuple[dict, list[str]]:
    """The chart's Vega-Lite spec with click selections, and their names. Bars, cells and points carry one
    themselves (marks of other values fade while one is picked). A line chart gets an invisible layer of points
    to click, the nearest point taking the click (the points of `mark_line(point=True)` are a layer of
    Vega-Lite's own that a selection would not hear). In a layered chart every layer carries one (`pick`,
    `pick_1`, ...): a click on the number drawn over a cell, or on a point of a Pareto's line, picks the same
    records as the cell or bar. Works on the spec (one `to_dict`, no copies of the altair objects)."""
    spec = ch.to_dict() if spec is None else spec
    if "layer" in spec:
        names = []
        for i, layer in enumerate(spec["layer"]):
            name = PICK if i == 0 else f"{PICK}_{i}"
            _pick(layer, drill, name)
            names.append(name)
        return spec, names
    if _mark(spec) in _LINE_MARKS:
        line = {k: spec.pop(k) for k in LAYER_KEYS if k in spec}
        points = {"mark": {"type": "point", "size": 120, "filled": True},
                  "encoding": {**line.get("encoding", {}), "opacity": {"value": 0}}}  # invisible, but clickable
        if "transform" in line:
            points["transform"] = line["transform"]
        _pick(points, drill, PICK, nearest=True)
        spec["layer"] = [line, points]
        return spec, [PICK]
    _pick(spec, drill, PICK)
    return spec, [PICK]


def _to_month(value) -> date | None:
    """A month from a selected value: Vega gives times as epoch milliseconds in the browser's time zone
    (00:00 in Shanghai is 16:00 UTC the day before), so shift by 15 h before taking the month."""
    if isinstance(value, int | float):
        moment = datetime.fromtimestamp(value / 1000, tz=UTC) + timedelta(hours=15)
        return date(moment.year, moment.month, 1)
    if isinstance(value, str):
        return parse_month(value[:7])
    return None


def resolve_pick(drill: Drill, point: Mapping[str, object], f: Filters) -> Picked:
    """The records behind one selected point (see Drill)."""
    conds: list[tuple[str, object]] = list(drill.fixed)
    if drill.all_levels:
        f = replace(f, levels=())
    if drill.now:
        f = replace(f, start=None, end=None)
    for name, value in point.items():
        if name in MONTH_FIELDS:
            month = _to_month(value)
            if month is not None:
                f = replace(f, start=month, end=month)
            continue
        if name in drill.labels:
            cond, codes = drill.labels[name]
            conds.append((cond, codes.get(value, value)))
            continue
        conds.append((drill.rename.get(name, name), value))
    return Picked(drill.kind, f, tuple(conds))


def chart(ch, key: str, title: str, figure: str, filters: Filters | None = None, part: str | None = None,
          drill: Drill | None = None) -> None:
    """Show an altair chart of `queries.<figure>` with its caption (scope, snapshot) and PNG/SVG downloads.
    With `drill`, a click on a mark opens the records behind it in a dialog (views._widgets.records)."""
    c = ctx()
    _warm_up()
    f = filters or c.filters
    text = caption_text(figure, part, f, markdown=False)
    # Not validated against Vega-Lite's schema on every run (a tenth of a page's run); the browser tests draw
    # every chart of every page.
    plain = ch.to_dict(validate=False)
    if not charts.has_records(plain):  # bare axes say nothing: say that there is nothing
        st.container(border=True).caption(t("chart.no_records", c.lang))
        st.caption(caption_text(figure, part, f))
        open_records(None, f"chart_{key}", title)
        return
    if drill is None:
        st.vega_lite_chart(spec=plain, width="stretch", key=f"chart_{key}")
    else:
        spec, names = selectable(ch, drill, plain)
        _drillable(spec, names, drill, f, f"chart_{key}", title)
    st.caption(caption_text(figure, part, f))
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


@st.fragment
def _drillable(spec: dict, names: list[str], drill: Drill, f: Filters, key: str, title: str) -> None:
    """A chart whose marks open their records, as a fragment: a click on a mark and the closing of its dialog
    rerun this chart alone, not its page (the whole page was run and redrawn for each).
    `spec` is the full run's; Streamlit copies it before changing it, so every rerun of the fragment draws
    the same chart."""
    event = st.vega_lite_chart(spec=spec, width="stretch", key=widget_key(key), on_select="rerun",
                               selection_mode=names)
    chosen = (event or {}).get("selection") or {}
    points = next((v for v in chosen.values() if isinstance(v, list) and v), None)
    open_records(resolve_pick(drill, points[0], f) if points else None, key, title)


def widget_key(base: str) -> str:
    """The key of a selectable chart or table: a new one each time its dialog is closed (`_dismissed`), so
    the widget comes back with nothing selected and a second click on the same mark is a new selection."""
    return f"{base}_{st.session_state.get(f'_gen_{base}', 0)}"


def _dismissed(key: str) -> None:
    """A records dialog closed: forget its pick and give its chart or table a fresh widget (`widget_key`).
    Vega keeps a clicked mark selected; clicking it again changed nothing, so nothing reran and the dialog did
    not open a second time."""
    st.session_state.pop(f"_opened_{key}", None)
    for base in (key, f"rows_{key}"):
        st.session_state[f"_gen_{base}"] = st.session_state.get(f"_gen_{base}", 0) + 1


def open_records(picked: Picked | None, key: str, title: str) -> None:
    """Open the records behind a clicked mark or row in a dialog, once per click: the choice stays selected
    in its chart or table, and a rerun for anything else (a filter, another chart) must not open it again.
    Closing the dialog clears the choice (`_dismissed`): the same mark opens it again."""
    seen = f"_opened_{key}"
    if picked is None:
        st.session_state.pop(seen, None)
        return
    if st.session_state.get(seen) == picked:
        return
    st.session_state[seen] = picked
    st.dialog(title, width="large", on_dismiss=functools.partial(_dismissed, key))(records)(picked, key, title)


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
    where.download_button(label_, audited(data, file_name, label_), file_name=file_name, mime=mime, key=key,
                          icon=icon, type="tertiary", on_click="ignore")


def audited(data, file_name: str, fmt: str):
    """`data` (bytes or a callable making them) that, when made, leaves an export row in the audit trail:
    which file, which format, under which filters and scope, by whom."""
    c = ctx()
    db, who = c.db, (c.who.name if c.who is not None else "local")
    filters, scope = c.filters.query_string(), (c.scope.describe() if c.scope is not None else "bureau")

    def make() -> bytes:
        out = data() if callable(data) else data
        from views._access import record  # pure: no Streamlit call, safe on the download's thread

        record(db, who, "export", file=file_name, format=fmt, filters=filters, scope=scope)
        return out

    return make


_RENDER_LOCK = threading.Lock()
_RENDERED: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
_RENDERED_MAX = 48


def rendered_chart(ch, masks: dict[str, str], fmt: str, lang: str) -> bytes:
    """PNG or SVG bytes of `ch` (names masked), rendered once per spec: a second click, a second visitor or
    the same chart after a rerun get the bytes at once, and a PNG is drawn from the chart's SVG (vl-convert
    lays a chart out once: the PNG after the SVG costs a third of it). vl-convert renders one chart at a time
    anyway; the lock keeps concurrent clicks from rendering the same spec twice and bounds the threads it
    holds."""
    spec = export_spec(ch, masks)
    spec_key = json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str)
    with _RENDER_LOCK:
        svg = _rendered((spec_key, "svg", lang), lambda: chart_export.chart_to_svg(spec, lang=lang).encode("utf-8"))
        if fmt == "svg":
            return svg
        return _rendered((spec_key, "png", lang), lambda: chart_export.svg_to_png(svg.decode("utf-8"), scale=3))


def _rendered(key: tuple[str, str, str], render) -> bytes:
    """The bytes kept under `key`, else `render()`'s, kept (the newest _RENDERED_MAX). Under _RENDER_LOCK."""
    if key in _RENDERED:
        _RENDERED.move_to_end(key)
        return _RENDERED[key]
    out = _RENDERED[key] = render()
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
    """The chart's Vega-Lite spec with every roster name replaced wherever it is: in the data (inline values,
    named datasets) and in the encodings (an explicit sort order lists the names it orders), names inside
    longer text such as "张三 → 李四" too, longest names first."""
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
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        return masked(node)

    return walk(spec)


PEOPLE_COLUMNS = ("name", "approver_name", "absent_name", "substitute_name", "decider_name", "people",
                  "final_approver_name", "chair_name")
TEXT_COLUMNS = ("detail", "topic", "reason", "escalation_reason")  # free text that may name people
LONG_COLUMNS = ("detail", "topic", "reason", "escalation_reason", "title", "people", "help")  # shown wide, wrapped


def column_config(df: pl.DataFrame, shown: pl.DataFrame, headers: Mapping[str, str]) -> dict:
    """Formats by kind of value: numbers as the column declarations say (pipelines.tables.marts.DISPLAY), else
    by type (pipelines.present.formatting: shares as percentages, decimals to one place), dates without a time,
    times to the minute, long text wide."""
    config = {}
    kinds, shown_kinds = formatting.column_kinds(df), formatting.column_kinds(shown)
    longest = _longest_text_column(shown, [c for c in df.columns if c in LONG_COLUMNS])
    for col in df.columns:
        name = headers.get(col, col)
        declared = NUMBER_FORMATS.get(kind(col))
        if col in share_columns(df):  # shown x100 (see `percent_points`): one decimal, as every chart and tile
            config[name] = st.column_config.NumberColumn(format="%.1f%%")
        elif declared and df.schema[col].is_numeric():
            config[name] = st.column_config.NumberColumn(format=declared)
        elif kinds[col] == "decimal":
            config[name] = st.column_config.NumberColumn(format="%.1f")
        elif shown_kinds.get(col) == "date":
            config[name] = st.column_config.DateColumn(format="YYYY-MM-DD")
        elif shown_kinds.get(col) == "datetime":
            config[name] = st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")
        elif col == "link":  # a path of this app (pipelines.queries.record_link): the page with a row's records
            config[name] = st.column_config.LinkColumn(display_text=t("attention.open", ctx().lang))
        elif col in LONG_COLUMNS:  # the longest text wide, other long text medium: two wide ones left the
            # second cut at the right edge of a half page at 1366 px (上报依据 beside 议题)
            config[name] = st.column_config.TextColumn(width="large" if col == longest else "medium")
    return config


def _longest_text_column(shown: pl.DataFrame, columns: list[str]) -> str | None:
    """Of `columns`, the one whose longest value is longest as shown (the first of equals)."""
    lengths = {c: shown[c].cast(pl.String).str.len_chars().max() or 0 for c in columns if c in shown.columns}
    return max(lengths, key=lengths.get) if lengths else None


def share_columns(df: pl.DataFrame) -> list[str]:
    """The columns of shares (0..1) a table shows as percentages."""
    kinds = formatting.column_kinds(df)
    return [c for c in df.columns if df.schema[c].is_numeric()
            and (kinds[c] == "share" or NUMBER_FORMATS.get(kind(c)) == "percent")]


def percent_points(shown: pl.DataFrame, df: pl.DataFrame) -> pl.DataFrame:
    """Shares as percentage points for a table's display (Streamlit's "percent" format has two decimals,
    "2.74%", where tiles, charts and exports say "2.7%")."""
    cols = share_columns(df)
    return shown.with_columns(pl.col(c) * 100 for c in cols) if cols else shown


def export_transform(c: Ctx, prepare=None):
    """What every exported page goes through: the page's own preparation (labels), then name masking (names
    in people columns, and inside free text such as a finding's detail). Pure: it runs off the script."""
    mode = c.mask
    replacements = _store.name_masks(str(c.db), c.stamp, mode) if mode != "none" else {}

    def transform(page: pl.DataFrame) -> pl.DataFrame:
        out = prepare(page) if prepare is not None else page
        if mode != "none":
            people = [col for col in PEOPLE_COLUMNS if col in out.columns]
            if people:
                out = exports.mask_names(out, people, mode)
            out = exports.mask_text(out, [col for col in TEXT_COLUMNS if col in out.columns], replacements)
        return out

    return transform


def table(df: pl.DataFrame, key: str, headers: Mapping[str, str] | None = None, *, height: int | None = None,
          title: str | None = None, source=None, prepare=None, figure: str | None = None, part: str | None = None,
          filters: Filters | None = None, pick: Callable[[int], Picked] | None = None,
          row_height: int | None = None) -> None:
    """Show a table as people read it (是/否, blank for empty, dates without 00:00:00, percentages) with
    headers from the column declarations (pipelines.tables.marts.DISPLAY; `headers` overrides), and CSV/XLSX
    downloads of the whole table: `source` is a frame or a `fetch(limit, offset)` of every row (default:
    `df`), `prepare` what each exported page goes through first (the labels the page shows); the export's
    first line names the filters that narrow `queries.<figure>`. With `pick`, a click on a row opens the
    records `pick(index in df)` names (`_pickable`)."""
    c = ctx()
    headers = {**column_headers(c.lang, df.columns), **(headers or {})}
    shown = formatting.display_frame(df, c.lang)
    config = column_config(df, shown, headers)
    shown = percent_points(shown, df)
    shown = shown.rename({k: v for k, v in headers.items() if k in shown.columns and v not in shown.columns})
    if row_height is None and any(col in LONG_COLUMNS for col in df.columns):
        row_height = 72  # three lines of a long text: Streamlit wraps text only in rows taller than 4rem (64 px)
    options = {"hide_index": True, "width": "stretch", "height": height or "auto", "column_config": config,
               "row_height": row_height}
    if pick is not None and not df.is_empty():
        _pickable(shown, options, df.height, pick, key, title or key)
    else:
        st.dataframe(shown, **options)
        if pick is not None:
            open_records(None, key, title or key)
    if df.is_empty():
        return
    f = filters or c.filters
    info = exports.ExportInfo(
        title=title or key, filters=f, snapshot=c.snapshot, lang=c.lang,
        # the filters that narrow the figure; none for a table of no figure (the load history, warnings)
        applies=queries.scope(figure, f, part).applied if figure in queries.FIGURES else (),
    )
    data = df if source is None else source
    transform = export_transform(c, prepare)

    def csv() -> bytes:
        return exports.export_csv(data, info, headers or None, transform=transform)

    def xlsx() -> bytes:
        return exports.export_xlsx(data, info, headers or None, transform=transform)

    row = st.container(horizontal=True, gap="small")
    download(row, "CSV", csv, exports.export_file_name(info, "csv"), "text/csv", f"csv_{key}", ":material/table:")
    download(row, "XLSX", xlsx, exports.export_file_name(info, "xlsx"),
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"xlsx_{key}", ":material/grid_on:")


@st.fragment
def _pickable(shown: pl.DataFrame, options: dict, rows: int, pick: Callable[[int], Picked], key: str,
              title: str) -> None:
    """A table whose rows open their records, as a fragment (as `_drillable`): a click on a row and the closing
    of its dialog rerun this table alone. The table's widget and its dialog share `key`, so closing the dialog
    clears the row's selection (`_dismissed`): the dialog stays closed, and the same row opens it again."""
    event = st.dataframe(shown, key=widget_key(f"rows_{key}"), on_select="rerun", selection_mode="single-row",
                         **options)
    chosen = event.selection.rows if event is not None else []
    open_records(pick(chosen[0]) if chosen and chosen[0] < rows else None, key, title)


def paged(key: str, query: Callable, args: tuple, total: int, headers: Mapping[str, str] | None = None, prepare=None, *,
          title: str | None = None, part: str | None = None, filters: Filters | None = None,
          pick: Callable[[dict], Picked] | None = None) -> None:
    """Raw rows, one page at a time: `query(con, *args, limit, offset)` (a function of pipelines.queries) runs SQL LIMIT/OFFSET (never
    the full table on the page); the downloads page through the same query for every row. With `pick`, a
    click on a row opens the records `pick(the row as the query gave it: codes, not labels)` names."""
    c = ctx()
    if total == 0:
        st.caption(t("table.no_rows", c.lang))
        if pick is not None:
            open_records(None, key, title or key)
        return
    pages = max(1, -(-total // PAGE_SIZE))
    cols = st.columns([2, 6], vertical_alignment="bottom")
    page = cols[0].number_input(t("table.page", c.lang, pages=pages), 1, pages, 1, key=f"page_{key}")
    offset = (int(page) - 1) * PAGE_SIZE
    raw = q(query, *args, PAGE_SIZE, offset)
    df = prepare(raw) if prepare is not None else raw
    cols[1].caption(t("table.rows", c.lang, first=offset + 1, last=offset + df.height, total=total))
    db = str(c.db)

    def every_row(limit: int, offset: int) -> pl.DataFrame:  # runs on the download's thread: no Streamlit
        return _store.run(db, query, (*args, limit, offset))

    table(df, key, headers, title=title, source=every_row, prepare=prepare, figure=query.__name__, part=part,
          filters=filters, pick=None if pick is None else (lambda i: pick(raw.row(i, named=True))))


def glossary_help(text: str | None, c: Ctx) -> str:
    """A tile's help tip with the link to the glossary under it (every help icon leads there)."""
    link = t("glossary.link", c.lang)
    return f"{text}\n\n{link}" if text else link


def change_text(value, previous, fmt: str = "{:,.0f}") -> str | None:
    """The change from `previous` to `value` as the tile shows it: the difference of the two values *as shown*
    (15.94 shown 15.9 against 8.66 shown 8.7 is +7.2, never +7.3), percentage points for shares, "±0" when
    the shown values are equal; None when either is missing."""
    if value is None or previous is None:
        return None
    percent = fmt.endswith("%}")
    if percent:
        diff = round(float(fmt.format(value).rstrip("%").replace(",", "")) - float(fmt.format(previous).rstrip("%").replace(",", "")), 6)
        return "±0 pp" if abs(diff) < 1e-9 else f"{diff:+.1f} pp"
    shown = float(fmt.format(value).replace(",", "")) - float(fmt.format(previous).replace(",", ""))
    text = fmt.format(shown)
    if abs(shown) < 1e-9 or text in (fmt.format(0), fmt.format(-0.0)):
        return "±0"
    return text if text.startswith(("-", "+")) else "+" + text


def metric(col, label_: str, value, previous=None, *, fmt: str = "{:,.0f}", good: str | None = "up",
           help_: str | None = None, target: float | None = None, year_ago=None, link: str | None = None) -> None:
    """A headline figure with its change against the previous period and the previous value beside it, and
    with `year_ago`, the change against the same period a year earlier (同比). `good`: which way is better
    ("up", "down", or None when neither, e.g. substitutions): it colours the change; no change is grey (±0).
    With `target`, a badge says whether the figure is at most that; with `link` (a page key), the tile leads to
    that page under the same filters."""
    c = ctx()
    shown = "—" if value is None else fmt.format(value)
    delta, color, arrow, beside = None, "off", "off", None
    if value is not None and previous is not None:
        delta = change_text(value, previous, fmt)
        if not delta.startswith("±"):
            color = {"up": "normal", "down": "inverse"}.get(good or "", "off")
            arrow = "auto"
        beside = t("metric.previous", c.lang, value=fmt.format(previous))
    box = col.container(border=True, gap="small", height="stretch")
    box.metric(label_, shown, delta, delta_color=color, delta_arrow=arrow, delta_description=beside,
               help=glossary_help(help_, c))
    yoy = change_text(value, year_ago, fmt)
    if yoy is not None:  # a line of its own: beside the change it was cut at 1366 px
        box.caption(t("metric.year_ago", c.lang, change=yoy, value=fmt.format(year_ago)))
    if target is not None and value is not None:
        met = value <= target
        text = t("target.met" if met else "target.missed", c.lang, target=fmt.format(target))
        box.badge(text, color="green" if met else "red", icon=":material/check:" if met else ":material/close:")
    if link is not None:
        from views import _state

        _state.page_link(link, t("metric.open_page", c.lang, page=t(f"nav.{link}", c.lang)), where=box)


# ------------------------------------------------------------------ the records behind a clicked mark or row
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


def describe_pick(p: Picked, lang: str) -> str:
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


def records(p: Picked, key: str, title: str) -> None:
    """The records behind a clicked mark or row, paged, with downloads of all of them."""
    lang = ctx().lang
    total = q(queries.records_count, p.filters, p.kind, p.conds, "")
    what = describe_pick(p, lang)
    st.markdown("**" + t("drill.title", lang, what=md(what), total=f"{total:,}") + "**")
    st.caption(caption_text("records_page", p.kind, p.filters))
    paged(f"drill_{key}", queries.records_page, (p.filters, p.kind, p.conds, ""), total,
          prepare=records_view(p.kind, lang), title=f"{title} · {what}", part=p.kind, filters=p.filters)
