"""Streamlit entry: language, store, shared sidebar filters (mirrored in the URL), navigation."""

import streamlit as st

from pipelines.core.i18n import t
from views import _state as state
from views import _store

st.set_page_config(page_title=t("app.title"), layout="wide", page_icon=":material/account_tree:")

with _store.script_run():  # the run's queries share one read-only cursor, closed when the run ends
    ctx = state.setup()
    page = state.navigation(ctx.lang)
    st.sidebar.caption(t("app.subtitle", ctx.lang))
    page.run()
