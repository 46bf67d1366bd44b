"""Who is using this session, and what they may see: the sign-in gate app.py runs before anything else.

- Local mode (no account beside the store, no `[auth]` in the secrets): no sign-in; the server listens on
  127.0.0.1 only (serve.py) and the sidebar says so. The person at this computer sees the bureau and may
  load data.
- Otherwise every URL shows the sign-in form until the session is signed in: a password (accounts beside
  the store, five wrong ones lock the login, settings `[access]`) or the court's single sign-on through
  Streamlit's `st.login` (OpenID Connect), whose identity claim (setting `access.identity_claim`) names an
  account. The account gives the scope (pipelines.access.scope), which rides in `Filters.scope` to the
  query layer's one WHERE builder. An idle session is signed out (setting `access.idle_hours`).

Everything that happens goes to the audit trail (pipelines.access.audit); no password, token or cookie.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from pipelines.access import accounts, audit
from pipelines.access.accounts import Account
from pipelines.access.scope import scope_for
from pipelines.core.i18n import CATALOGUE, t
from pipelines.core.scope import Scope
from pipelines.domain.settings import Settings, SettingsError, settings_for_store
from views import _store

log = logging.getLogger("tierwatch.access")
SESSION = "_who"  # {"login", "method", "seen"} of the signed-in person of this session


@dataclass(frozen=True)
class Who:
    """This session's person: `login` None in local mode; `scope` None = no dashboard access."""

    local: bool
    login: str | None = None
    account: Account | None = None
    scope: Scope | None = None
    method: str | None = None  # "password" | "oidc"

    @property
    def name(self) -> str:
        """Who, as the audit trail names them."""
        return self.login or "local"

    @property
    def can_load(self) -> bool:
        """Only an administrator (or the person at the computer in local mode) loads data or changes settings."""
        return self.local or (self.account is not None and self.account.role == "admin")


def settings(db: Path) -> Settings:
    try:
        return settings_for_store(db)
    except SettingsError:  # the Data page says what is wrong; sign-in works on the defaults meanwhile
        return Settings()


def oidc_configured() -> bool:
    """Whether `.streamlit/secrets.toml` (or the secrets files the server was given) configures `st.login`."""
    try:
        auth = st.secrets.get("auth")
    except (FileNotFoundError, StreamlitSecretNotFoundError):  # no secrets file at all
        return False
    return bool(auth and auth.get("redirect_uri") and auth.get("cookie_secret"))


def record(db: Path, who: str | None, action: str, **details) -> None:
    """Append to the audit trail; a trail that cannot be written is logged, never a page's failure."""
    try:
        audit.record(db, who, action, **details)
    except Exception:
        log.exception("the audit trail could not be written (%s %s)", who, action)


def gate(lang: str) -> Who:
    """The session's person, or the sign-in form / the no-access page and `st.stop()`."""
    db = _store.db_path()
    oidc = oidc_configured()
    if not oidc and not accounts.any_account(db):
        st.session_state.pop(SESSION, None)
        return Who(local=True, scope=Scope.bureau())
    conf = settings(db)
    session = st.session_state.get(SESSION)
    now = time.monotonic()
    if session is not None and now - session["seen"] > conf.idle_hours * 3600:
        record(db, session["login"], "session_expired", method=session["method"])
        st.session_state.pop(SESSION, None)
        st.session_state["_signin_note"] = "signin.expired"
        if session["method"] == "oidc":
            st.logout()
        session = None
    if session is None and oidc and _oidc_logged_in():
        session = _oidc_session(db, conf, lang)
    if session is None:
        _keep_page(lang)
        _signin_form(db, conf, lang, oidc)
        st.stop()
    account = accounts.get_account(db, session["login"])
    if account is None or account.disabled:  # removed or disabled while signed in
        record(db, session["login"], "sign_out", reason="account_disabled")
        st.session_state.pop(SESSION, None)
        st.rerun()
    session["seen"] = now
    scope = _scope(db, account, conf)
    who = Who(local=False, login=account.login, account=account, scope=scope, method=session["method"])
    if scope is None:
        _keep_page(lang)
        _no_access(db, lang, "noaccess.no_scope", login=account.login)
        sign_out_button(who, lang)
        st.stop()
    return who


def _keep_page(lang: str) -> None:
    """Register the pages without showing or running one: a deep link keeps its page in the URL."""
    from views import _state

    _state.navigation(lang, hidden=True)


def _scope(db: Path, account: Account, conf: Settings) -> Scope | None:
    """The account's scope on the store as it is now (the roster as last loaded); None = no access."""
    if account.role in ("admin", "analyst"):
        return scope_for(account, None, pseudonyms=conf.analyst_pseudonyms)
    stamp = _store.stamp(db)
    if stamp is None:
        return None
    try:
        with _store.reading(db, stamp) as con:
            return scope_for(account, con, pseudonyms=conf.analyst_pseudonyms)
    except _store.StoreBusy:
        return None


def _oidc_logged_in() -> bool:
    try:
        return bool(st.user.is_logged_in)
    except (KeyError, AttributeError, StreamlitSecretNotFoundError):
        return False


def _oidc_session(db: Path, conf: Settings, lang: str) -> dict | None:
    """The session of a person the identity provider signed in: their claim names an account, or they get
    the page that says whom to ask (and no figure)."""
    claim = conf.identity_claim
    identity = str(st.user.get(claim) or "")
    account = accounts.find_account(db, identity) if identity else None
    if account is None or account.disabled:
        if st.session_state.get("_oidc_refused") != identity:
            record(db, identity or None, "sign_in", method="oidc", outcome="no_account" if account is None else "disabled",
                   claim=claim)
            st.session_state["_oidc_refused"] = identity
        _keep_page(lang)
        _no_access(db, lang, "noaccess.no_account", identity=identity or "—")
        if st.sidebar.button(t("sidebar.signout", lang), key="signout_oidc", icon=":material/logout:"):
            record(db, identity or None, "sign_out", method="oidc")
            st.logout()
        st.stop()
    record(db, account.login, "sign_in", method="oidc", outcome="ok", claim=claim)
    session = {"login": account.login, "method": "oidc", "seen": time.monotonic()}
    st.session_state[SESSION] = session
    return session


def _admins(db: Path) -> str:
    """Whom to ask: the administrators' logins (and addresses)."""
    admins = [a for a in accounts.list_accounts(db) if a.role == "admin" and not a.disabled]
    return "、".join(f"{a.login}{f' <{a.email}>' if a.email else ''}" for a in admins)


def _no_access(db: Path, lang: str, key: str, **params) -> None:
    from views._text import md

    st.header(t("noaccess.title", lang))
    admins = _admins(db) or t("noaccess.admins_unknown", lang)
    st.info(t(key, lang, admins=md(admins), **{k: md(v) for k, v in params.items()}), icon=":material/lock:")


def _signin_form(db: Path, conf: Settings, lang: str, oidc: bool) -> None:
    from views._text import md

    st.header(t("signin.title", lang))
    st.caption(t("signin.intro", lang))
    note = st.session_state.pop("_signin_note", None)
    if note:
        st.info(t(note, lang), icon=":material/info:")
    if oidc:
        if st.button(t("signin.sso", lang), type="primary", key="signin_sso", icon=":material/badge:"):
            st.login()
        st.caption(t("signin.or", lang))
    with st.form("signin", enter_to_submit=True, border=True, width=420):
        login = st.text_input(t("signin.login", lang), key="signin_login", autocomplete="username")
        password = st.text_input(t("signin.password", lang), type="password", key="signin_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button(t("signin.submit", lang), type="primary")
    if not submitted:
        return
    login = (login or "").strip()
    result = accounts.sign_in(db, login, password or "", attempts=conf.lockout_attempts,
                              lock_minutes=conf.lockout_minutes)
    if result.outcome == "ok":
        record(db, login, "sign_in", method="password", outcome="ok")
        st.session_state[SESSION] = {"login": login, "method": "password", "seen": time.monotonic()}
        st.session_state.pop("signin_password", None)
        st.rerun()
    record(db, login or None, "sign_in", method="password",
           outcome="lockout" if result.locked_now else result.outcome)
    if result.outcome == "locked":
        st.error(t("signin.locked", lang, until=md(result.until.strftime("%Y-%m-%d %H:%M"))), icon=":material/lock:")
    elif result.outcome == "disabled":
        st.error(t("signin.disabled", lang))
    else:
        st.error(t("signin.wrong", lang))


def sidebar(who: Who, lang: str, scope_text: str) -> None:
    """本机模式 / who is signed in, their scope, and the sign-out button."""
    from views._text import md

    with st.sidebar:
        if who.local:
            st.caption(t("sidebar.local_mode", lang))
            return
        role = t(f"role.{who.account.role}", lang)
        st.caption(t("sidebar.signed_in", lang, login=md(who.login), role=role))
        st.caption(t("sidebar.scope", lang, scope=md(scope_text)))
    sign_out_button(who, lang)


def sign_out_button(who: Who, lang: str) -> None:
    if st.sidebar.button(t("sidebar.signout", lang), key="signout", icon=":material/logout:"):
        db = _store.db_path()
        record(db, who.login, "sign_out", method=who.method)
        st.session_state.pop(SESSION, None)
        st.session_state["_signin_note"] = "signin.signed_out"
        if who.method == "oidc":
            st.logout()
        st.rerun()


def scope_words(scope: Scope | None, lang: str) -> str:
    if scope is None or scope.is_bureau:
        text = t("access.scope.bureau", lang)
    else:
        sep = "、" if lang == "zh" else ", "
        parts = []
        if scope.divisions is not None:
            parts.append(t("access.scope.division", lang, values=sep.join(scope.divisions)))
        if scope.teams is not None:
            parts.append(t("access.scope.team", lang, values=sep.join(scope.teams)))
        text = "；".join(parts) if lang == "zh" else "; ".join(parts)
    if scope is not None and scope.pseudonyms:
        text += ("（" + t("access.scope.pseudonyms", lang) + "）") if lang == "zh" else f" ({t('access.scope.pseudonyms', lang)})"
    return text


def page_view(who: Who, page, c) -> None:
    """A page view in the audit trail: the page, its filters and the scope, once per change (not per rerun)."""
    f = c.filters
    view = (page.url_path or "overview", f.query_string(), who.scope.describe() if who.scope else "bureau")
    if st.session_state.get("_last_view") == view:
        return
    st.session_state["_last_view"] = view
    record(c.db, who.name, "page_view", page=view[0], filters=view[1], scope=view[2])


def action_words(action: str, lang: str) -> str:
    key = f"audit.action.{action}"
    return t(key, lang) if key in CATALOGUE else action


def details_words(details: dict, lang: str) -> str:
    """An event's details as a person reads them: labelled, codes in words, files with their SHA-256."""
    from urllib.parse import unquote

    from views import _state

    pages = {key: t(msg, lang) for key, _, msg, _ in _state.PAGES}
    sep = "；" if lang == "zh" else "; "
    colon = "：" if lang == "zh" else ": "
    parts = []
    for key, value in details.items():
        if value is None or value == "" or value == {}:
            continue
        if key == "files" and isinstance(value, dict):
            text = ", ".join(f"{Path(name).name} {digest}" for name, digest in value.items())
        elif key == "rows" and isinstance(value, dict):
            text = ", ".join(f"{k} {v:,}" for k, v in value.items())
        elif key == "page":
            text = pages.get(value, str(value))
        elif key == "filters":
            text = unquote(str(value)).replace("&", " ")
        elif key == "scope":
            text = _scope_text(str(value), lang)
        elif key == "role":
            text = t(f"role.{value}", lang) if f"role.{value}" in CATALOGUE else str(value)
        else:
            text = t(f"audit.value.{value}", lang) if f"audit.value.{value}" in CATALOGUE else str(value)
        label_key = f"audit.key.{key}"
        parts.append(f"{t(label_key, lang) if label_key in CATALOGUE else key}{colon}{text}")
    return sep.join(parts)


def _scope_text(described: str, lang: str) -> str:
    """`Scope.describe()` ("bureau", "team:X", "division:Y;pseudonyms") in words."""
    divisions = teams = None
    pseudonyms = False
    for part in described.split(";"):
        kind, _, values = part.partition(":")
        if kind == "division":
            divisions = tuple(values.split("|"))
        elif kind == "team":
            teams = tuple(values.split("|"))
        elif kind == "pseudonyms":
            pseudonyms = True
    return scope_words(Scope(divisions, teams, pseudonyms), lang)
