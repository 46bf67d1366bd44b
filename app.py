"""Streamlit entry: who is signed in (the gate), language, store, shared sidebar filters within the person's
scope (mirrored in the URL), navigation, the audit trail's page views, and a located message instead of a
traceback when a page fails."""

import logging
import uuid
from pathlib import Path

import streamlit as st

from pipelines.core.i18n import t
from views import _access, _store
from views import _state as state

# The icon is a file of the app: a material icon is fetched from Google's font CDN, which a court network
# without Internet never reaches (a failed request on every page load).
ICON = Path(__file__).parent / "views" / "assets" / "icon.png"
st.set_page_config(page_title=t("app.title"), layout="wide", page_icon=str(ICON))

with _store.script_run():  # the run's queries share one read-only cursor, closed when the run ends
    who = _access.gate(state.first_lang())
    ctx = state.setup(who)
    _access.sidebar(who, ctx.lang, _access.scope_words(who.scope, ctx.lang))
    page = state.navigation(ctx.lang, who.can_load)
    st.sidebar.caption(t("app.subtitle", ctx.lang))
    _access.page_view(who, page, ctx)
    try:
        page.run()
    except Exception:  # Streamlit's stop and rerun are not Exceptions: they pass
        ref = uuid.uuid4().hex[:8]
        logging.getLogger("tierwatch").exception("page %s failed (reference %s)", page.url_path, ref)
        st.error(t("error.page", ctx.lang, ref=ref), icon=":material/error:")
