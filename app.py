"""Streamlit entry: language, store, shared sidebar filters (mirrored in the URL), navigation."""

import streamlit as st

from pipelines.i18n import t
from views import _state as state

st.set_page_config(page_title=t("app.title"), layout="wide", page_icon=":material/account_tree:")

ctx = state.setup()
page = state.navigation(ctx.lang)
st.sidebar.caption(t("app.subtitle", ctx.lang))
page.run()
