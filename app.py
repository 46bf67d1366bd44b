"""Streamlit entry: language, store, shared sidebar filters (mirrored in the URL), navigation."""

import streamlit as st

from pipelines.i18n import t
from views import _ui

st.set_page_config(page_title=t("app.title"), layout="wide", page_icon=":material/account_tree:")

ctx = _ui.setup()
page = _ui.navigation(ctx.lang)
st.sidebar.caption(t("app.subtitle", ctx.lang))
page.run()
