"""术语解释 Glossary: what the figures' words mean (median, P90, percentage points, working days, steps within
limit, comparisons). Every help tip links here."""

import streamlit as st

from pipelines.core.messages.truth import GLOSSARY_TERMS
from views import _widgets as ui

c = ui.header("glossary.title", "glossary.intro")
for term in GLOSSARY_TERMS:
    ui.section(c.tr(f"glossary.{term}"))
    st.markdown(c.tr(f"glossary.{term}.text"))
