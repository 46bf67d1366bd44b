"""The dashboard's server: `python serve.py [options of streamlit run]` is `streamlit run app.py [options]`,
with what a page's first run needs imported before the first visitor comes.

Streamlit imports nothing of the app until a browser opens a session, so the first visitor after a start
waited ~3 s more (2 cores) while that run imported altair, pandas (Streamlit sends chart data through it),
polars and the app's modules: a first Overview took ~7 s, a later visitor's 2-3 s."""

from __future__ import annotations

import sys


def warm() -> None:
    """Import the pages' shared modules and walk a chart through altair's data path once."""
    import logging

    import altair as alt
    import pandas  # noqa: F401
    import polars as pl
    import pyarrow  # noqa: F401
    import streamlit.runtime.caching  # noqa: F401  (its loggers exist, with their levels set, from here on)

    # The pages' cached functions are declared before the server runs: Streamlit checks their parameters
    # then and says "No runtime found" for each; their caches are made on first use, in the runtime.
    quiet = [logging.getLogger(f"streamlit.runtime.caching.{m}") for m in ("cache_data_api", "cache_resource_api")]
    levels = [log.level for log in quiet]
    for log in quiet:
        log.setLevel(logging.ERROR)
    try:
        from views import _blocks, _state, _widgets  # noqa: F401
    finally:
        for log, level in zip(quiet, levels, strict=True):
            log.setLevel(level)
    alt.Chart(pl.DataFrame({"a": [1]})).mark_point().encode(x="a:Q").to_dict()


if __name__ == "__main__":
    warm()
    from streamlit.web.cli import main

    sys.exit(main(["run", "app.py", *sys.argv[1:]], prog_name="streamlit"))
