"""Per-run state shared by app.py and the views: the context (language, store, filters, masking), the
sidebar filters mirrored in the URL, and navigation between pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from pathlib import Path

import streamlit as st

from pipelines import queries
from pipelines.core.filters import (
    PRESETS,
    Filters,
    add_months,
    fit_to_data,
    format_month,
    parse_month,
    preset_period,
)
from pipelines.core.i18n import DEFAULT_LANG, LANGS, label, t
from pipelines.core.scope import Scope
from pipelines.queries import StoreInfo
from views import _store

# Page registry: (url path, file, message key, icon). Order = navigation order.
PAGES = (
    ("overview", "views/overview.py", "nav.overview", ":material/dashboard:"),
    ("attention", "views/attention.py", "nav.attention", ":material/notifications_active:"),
    ("latency", "views/latency.py", "nav.latency", ":material/timer:"),
    ("bottlenecks", "views/bottlenecks.py", "nav.bottlenecks", ":material/hourglass_bottom:"),
    ("paths", "views/paths.py", "nav.paths", ":material/replay:"),
    ("clock", "views/clock.py", "nav.clock", ":material/event_busy:"),
    ("substitutions", "views/substitutions.py", "nav.substitutions", ":material/swap_horiz:"),
    ("meetings", "views/meetings.py", "nav.meetings", ":material/groups:"),
    ("regulation", "views/regulation.py", "nav.regulation", ":material/gavel:"),
    ("findings", "views/findings.py", "nav.findings", ":material/manage_search:"),
    ("data", "views/data.py", "nav.data", ":material/database:"),
    ("glossary", "views/glossary.py", "nav.glossary", ":material/menu_book:"),
)
HIDDEN_PAGES = ("glossary",)  # reached from every help tip, not from the navigation


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
    who: object = None  # views._access.Who: the session's person (local mode or signed in)
    scope: Scope | None = None  # what they may see (None: the bureau); also in filters.scope

    @property
    def snapshot(self) -> str:
        return (self.info.meta_value("snapshot_at") or "")[:16]

    def tr(self, key: str, **params) -> str:
        """The message `key` in this run's language."""
        return t(key, self.lang, **params)


def ctx() -> Ctx:
    return st.session_state["_ctx"]


def tr(key: str, **params) -> str:
    """The message `key` in the current language."""
    return t(key, ctx().lang, **params)


def q(query: Callable, *args):
    """`query(con, *args)` (a function of pipelines.queries) against the current store, cached per store
    version. Pages name the function itself, so a reader (or a tool) follows a figure from page to SQL."""
    c = ctx()
    return _store.cached(str(c.db), c.stamp, query.__name__, args)



def _qp_all() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def first_lang() -> str:
    """The language before anything is drawn: the session's, else the URL's `?lang=`, else Chinese."""
    if "lang" not in st.session_state:
        lang = (st.query_params.get_all("lang") or [DEFAULT_LANG])[0]
        st.session_state["lang"] = lang if lang in LANGS else DEFAULT_LANG
    return st.session_state["lang"]


def language_switch() -> str:
    with st.sidebar:
        return st.segmented_control(
            t("app.language", st.session_state.get("lang", DEFAULT_LANG)),
            LANGS,
            format_func=lambda code: {"zh": "中文", "en": "English"}[code],
            key="lang",
            required=True,
        ) or DEFAULT_LANG


# Back and Forward: the browser's own history is the only reliable signal that the address moved by itself. A
# run of the script cannot tell it from a run whose URL was read a moment before its last write reached the
# browser (three quick arrow keys on the period slider snapped back when it tried), so the page is loaded
# anew from the address the browser went to: the first run of a session reads the URL (`setup`).
HISTORY_JS = """<script>
const top_ = window.parent;
if (!top_.__tierwatchHistory) {
  top_.__tierwatchHistory = true;
  top_.addEventListener('popstate', () => top_.location.reload());
}
</script>"""


def _follow_history() -> None:
    """Reload the page when the browser goes Back or Forward (see HISTORY_JS)."""
    with st.sidebar:
        st.iframe(HISTORY_JS, height=1)  # same-origin: it may listen to the app's window


def setup(who=None) -> Ctx:
    """Language, store, sidebar filters within the person's scope; mirrors the state in the URL. Called by
    app.py on every run, after the sign-in gate (`who`: views._access.Who, None = local mode).

    The URL is read on a session's first run, fitted to the data with a notice of what changed; afterwards
    the widgets' state is written to it. Back and Forward reload the page from the address the browser went
    to (`_follow_history`), so the address bar and the page never disagree."""
    params = _qp_all()
    first_run = "_init" not in st.session_state
    first_lang()

    lang = language_switch()
    scope = getattr(who, "scope", None)
    if scope is not None and scope.is_bureau and not scope.pseudonyms:
        scope = None  # the bureau, names shown: no restriction to carry

    db = _store.db_path()
    s = _store.stamp(db)
    try:
        info = _store.store_info(str(db), s)
    except _store.StoreBusy:
        info = StoreInfo("empty")
    c = Ctx(lang=lang, db=db, stamp=s, info=info, who=who, scope=scope)
    st.session_state["_ctx"] = c

    if info.ready:
        c.options = within_scope(_store.cached(str(db), s, queries.filter_options.__name__, ()), scope)
        c.filters = _filter_widgets(c, params if first_run else None).within(scope)
        _bookmark_notices(c)
        _incomplete_month_note(c)
        with st.sidebar:
            st.caption(t("sidebar.snapshot", lang, snapshot=c.snapshot))  # a time the loader wrote
            if scope is None or not scope.pseudonyms:  # pseudonyms already hide every name
                c.mask = st.selectbox(
                    t("sidebar.mask", lang),
                    ("none", "id", "initials"),
                    format_func=lambda m: t(f"sidebar.mask.{m}", lang),
                    key="mask",
                    help=t("sidebar.mask.help", lang) + "\n\n" + t("glossary.link", lang),
                )
    st.session_state["_init"] = True
    _write_url(c)
    _follow_history()
    return c


def within_scope(options: dict, scope: Scope | None) -> dict:
    """The sidebar's division and team choices inside the scope (the rest stay: types and levels)."""
    if scope is None or scope.is_bureau:
        return options
    teams = [(tm, dv) for tm, dv in options["teams"] if scope.allows(dv, tm)]
    divisions = [d for d in options["divisions"] if (scope.divisions is None or d in scope.divisions)
                 and (scope.teams is None or any(dv == d for _, dv in teams))]
    return {**options, "divisions": divisions, "teams": teams}


def _filter_widgets(c: Ctx, params: dict | None) -> Filters:
    """The sidebar's filters; with `params` (the URL's, on a session's first run), set from them, fitted to
    the data (`fit_to_data`: what had to change is said on the page, `_bookmark_notices`)."""
    lang, opts, info = c.lang, c.options, c.info
    months = []
    m = info.first_month
    while m and info.last_month and m <= info.last_month:
        months.append(format_month(m))
        m = add_months(m, 1)
    default = Filters().clamp(info.first_month, info.last_month)
    default_period = (format_month(default.start), format_month(default.end))
    if params is not None:
        fitted = fit_to_data(params, info.first_month, info.last_month, opts)
        f0 = fitted.filters
        period = (format_month(f0.start), format_month(f0.end))
        if period[0] not in months or period[1] not in months:
            period = default_period
        # The slider's starting value. Passed as `value=` (never through Session State): a select_slider
        # built with value=None is a single-value slider whose range came from Session State, and it
        # dropped every move back to that range (the period "snapped back").
        st.session_state["_period_start"] = period
        st.session_state["f_div"] = list(f0.divisions)
        st.session_state["f_team"] = list(f0.teams)
        st.session_state["f_type"] = list(f0.matter_types)
        st.session_state["f_level"] = list(f0.levels)
        st.session_state["_notices"] = (fitted.notices, replace(f0, start=parse_month(period[0]),
                                                                 end=parse_month(period[1])))

    with st.sidebar:
        st.subheader(t("sidebar.filters", lang))
        if len(months) > 1:
            start = st.session_state.get("_period_start", default_period)
            if start[0] not in months or start[1] not in months:  # a new load changed the months
                start = default_period
            # Streamlit resets a kept value that is no longer among the options to `value` by itself.
            period = st.select_slider(t("filter.period", lang), options=months, value=start, key="f_period")
            _preset_buttons(c, months, period)
        else:
            period = (months[0], months[0]) if months else ("", "")
        divisions = st.multiselect(t("filter.division", lang), opts["divisions"], key="f_div", placeholder=t("filter.all", lang),
                                   select_all=False)
        team_choices = [tm for tm, dv in opts["teams"] if not divisions or dv in divisions]
        if "f_team" in st.session_state:
            st.session_state["f_team"] = [x for x in st.session_state["f_team"] if x in team_choices]
        teams = st.multiselect(t("filter.team", lang), team_choices, key="f_team", placeholder=t("filter.all", lang),
                               select_all=False)
        types = st.multiselect(
            t("filter.matter_type", lang),
            opts["matter_types"],
            format_func=lambda code: label("matter_type", code, lang),
            key="f_type",
            placeholder=t("filter.all", lang),
            select_all=False,  # its "Select all" is English only; an empty choice already means all
        )
        levels = st.multiselect(
            t("filter.level", lang),
            opts["levels"],  # low to high (queries.filter_options)
            format_func=lambda code: label("level", code, lang),
            key="f_level",
            placeholder=t("filter.all", lang),
            select_all=False,
        )
    return Filters(
        start=parse_month(period[0]),
        end=parse_month(period[1]),
        divisions=tuple(divisions),
        teams=tuple(teams),
        matter_types=tuple(types),
        levels=tuple(levels),
    )


def _bookmark_notices(c: Ctx) -> None:
    """What a link's filters had to lose to fit the data, said above the page while the filters are still
    those the link gave (a change of any filter ends the notice)."""
    notices, fitted = st.session_state.get("_notices") or ((), None)
    if not notices or fitted is None or replace(c.filters, scope=fitted.scope) != fitted:
        st.session_state.pop("_notices", None)
        return
    sep = "、" if c.lang == "zh" else ", "
    for key, params in notices:
        shown = dict(params)
        if "dim" in shown:
            shown["dim"] = t(f"bookmark.dim.{shown['dim']}", c.lang)
            shown["values"] = sep.join(shown["values"])
        st.warning(t(key, c.lang, **shown), icon=":material/bookmark:")


def _incomplete_month_note(c: Ctx) -> None:
    """When the period ends in the snapshot's month and the data stops before that month's end, say so: its
    figures cover part of a month (a fall against the previous whole month is then no fall)."""
    snap = c.info.meta_value("snapshot_at")
    if not snap or c.filters.end is None:
        return
    at = datetime.fromisoformat(snap)
    month = at.date().replace(day=1)
    next_month = add_months(month, 1)
    if c.filters.end != month or at >= datetime.combine(next_month, time()) - timedelta(minutes=1):
        return
    st.info(t("snapshot.incomplete", c.lang, snapshot=c.snapshot, month=format_month(month)),
            icon=":material/hourglass_top:")


def holds_data(c: Ctx, f: Filters | None) -> bool:
    """Whether the period of `f` lies within the store's months (a comparison period before the first month
    holds no records: its zeros would be no one's figures)."""
    if f is None or f.start is None or c.info.first_month is None:
        return False
    return f.start >= c.info.first_month


def trend_window(c: Ctx, months: int = 12):
    """The filters over the `months` months ending with the period's end, from the store's first month at
    the earliest (trends draw every month of their window)."""
    return c.filters.trend_window(months, c.info.first_month)


def snapshot_month(c: Ctx):
    """The month of the data's snapshot (the presets' "now"), else the store's last month."""
    return parse_month(c.snapshot[:7]) or c.info.last_month


def _preset_buttons(c: Ctx, months: list[str], period: tuple[str, str]) -> None:
    """上月 · 上季度 · 本年 · 去年同期: each sets the period slider through a callback, which runs before the
    slider is drawn on the next run (a widget's value can only be set before the widget exists)."""
    snap = snapshot_month(c)
    if snap is None:
        return
    current = Filters(start=parse_month(period[0]), end=parse_month(period[1]))
    row = st.container(horizontal=True, gap="small")
    for name in PRESETS:
        start, end = (format_month(m) for m in preset_period(name, snap, current))
        inside = start in months and end in months
        row.button(
            t(f"preset.{name}", c.lang),
            key=f"preset_{name}",
            type="tertiary",
            disabled=not inside,
            on_click=_set_period,
            args=((start, end),),
            help=t("preset.help" if inside else "preset.unavailable", c.lang, snapshot=format_month(snap), start=start,
                   end=end) + "\n\n" + t("glossary.link", c.lang),
        )


def _set_period(period: tuple[str, str]) -> None:
    st.session_state["f_period"] = period
    st.session_state["_period_start"] = period


def targets(c: Ctx) -> dict[str, float]:
    """The headline targets in effect (settings `[targets]`); an invalid settings file is said, not hidden."""
    goal, error = _store.targets(str(c.db), _store.settings_stamp(c.db))
    if error:
        st.warning(t("target.settings_error", c.lang, error=error[0] if c.lang == "zh" else error[1]),
                   icon=":material/warning:")
    return goal


def url_choice(key: str, options: tuple[str, ...], default: str) -> str:
    """A page's choice kept in the URL as `?<key>=`: the URL sets it when its widget is first drawn in this
    session, and the widget's value goes back to the URL (removed at the default). Draw the widget with
    `key=key` and `default=widget_default(key, default)` after calling this."""
    wanted = st.query_params.get(key)
    if key not in st.session_state and wanted in options:
        st.session_state[key] = wanted
    return st.session_state.get(key, default)


def widget_default(key: str, default):
    """`default` for a widget whose value may already be in Session State (None then: Streamlit warns about a
    widget given both)."""
    return None if key in st.session_state else default


def keep_in_url(key: str, value: str, default: str) -> None:
    """Mirror a page's choice in the URL (only when it differs, so no extra reruns)."""
    if value == default:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != value:
        st.query_params[key] = value


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


# Who sees the attention list first: the chief, the deputies and team leaders, whose job is to keep things
# moving; the VP, analysts and the local user start on the Overview.
ATTENTION_FIRST = ("CHIEF", "DEPUTY", "TEAM_LEAD")


def first_page(c: Ctx) -> str:
    account = getattr(c.who, "account", None)
    if account is None or account.role != "staff" or not account.staff_id or not c.info.ready:
        return "overview"
    post = _store.cached(str(c.db), c.stamp, "staff_post", (account.staff_id,))
    return "attention" if post in ATTENTION_FIRST else "overview"


def _landing() -> None:
    """The root's stand-in while the sign-in form shows (never run)."""


def navigation(lang: str, can_load: bool = True, hidden: bool = False):
    """The pages this person may open: the Data page (upload, load, settings, accounts, audit) only for an
    administrator or in local mode; its URL is then no page at all. `hidden`: registered but not shown nor
    run (the sign-in form keeps a deep link's page in the URL, to open it once signed in). The chief, the
    deputies and team leaders find the attention list first (and at the app's root)."""
    if hidden:
        # the app's root is a page of its own here (it never runs): signed in, the root then opens the person's
        # first page, where registering the Overview as the default would have kept them on it
        landing = st.Page(_landing, title=t("app.title", lang), url_path="landing", default=True)
        return st.navigation([landing, *(st.Page(path, title=t(msg, lang), url_path=key)
                                         for key, path, msg, _ in PAGES)], position="hidden")
    first = first_page(ctx())
    order = sorted(PAGES, key=lambda p: p[0] != first)  # stable: the others keep their order
    pages = {
        key: st.Page(path, title=t(msg, lang), icon=icon, url_path=key, default=(key == first),
                     visibility="hidden" if key in HIDDEN_PAGES else "visible")
        for key, path, msg, icon in order
        if key != "data" or can_load
    }
    ctx().pages = pages
    asked = requested_page()
    page = st.navigation(list(pages.values()))
    if asked and asked not in pages:  # /nosuchpage: the first page, and why
        st.warning(t("bookmark.no_page", lang, page=asked), icon=":material/link_off:")
    return page


def requested_page() -> str:
    """The page path the browser asked for ("" for the default page). Streamlit resolves an unknown path to
    the default page without a word to the script; its pages manager still holds the name asked for."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    run = get_script_run_ctx()
    manager = getattr(run, "pages_manager", None)
    if manager is None or manager.intended_page_script_hash:
        return ""
    return (manager.intended_page_name or "").strip("/")


def page_link(key: str, label_: str, where=None, **params) -> None:
    """A link to page `key` with the same filters (and language) as this one, in `where` (default: here)."""
    c = ctx()
    qp = dict(c.filters.to_query_params())
    if c.lang != DEFAULT_LANG:
        qp["lang"] = c.lang
    qp.update(params)
    (where or st).page_link(c.pages[key], label=label_, query_params=qp, icon=":material/arrow_forward:")


