"""Streamlit entry: navigation, language, shared filters. (Placeholder until the dashboard issue.)"""

import streamlit as st

from pipelines.i18n import t

st.set_page_config(page_title=t("app.title"), layout="wide")
st.title(t("app.title"))
st.caption(t("app.subtitle"))
