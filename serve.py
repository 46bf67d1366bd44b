"""The dashboard's server: `python serve.py [options of streamlit run]` is `streamlit run app.py [options]`,
with what a page's first run needs made ready before the first visitor comes.

Streamlit imports nothing of the app until a browser opens a session, so the first visitor after a start
waited ~3 s more (2 cores) while that run imported altair, pandas (Streamlit sends chart data through it),
polars and the app's modules: a first Overview took ~7 s, a later visitor's 2-3 s. With those imported
first it took 3.4-4.1 s at 10M steps: its run also queried the store (DuckDB starting cold) and started
vl-convert for the charts' downloads beside the page. Both are done here now, before the server listens.

It is also where the server is safe by default: with no sign-in configured it listens on 127.0.0.1 only
and says so; asked for another address without sign-in it exits 2 saying what to configure (make run
ADDRESS=0.0.0.0 is how a network deployment starts); error details never reach a browser."""

from __future__ import annotations

import sys


def warm() -> None:
    """Import the pages' shared modules, walk a chart through altair's data path once, start vl-convert and
    answer the Overview's first queries."""
    import logging

    import altair as alt
    import pandas  # noqa: F401
    import polars as pl
    import pyarrow  # noqa: F401
    import streamlit.emojis
    import streamlit.runtime.caching  # noqa: F401  (its loggers exist, with their levels set, from here on)

    # The pages' cached functions are declared and first called before the server runs: Streamlit says
    # "No runtime found" for each; the caches they fill are the ones the server's page runs use.
    quiet = [logging.getLogger(f"streamlit.runtime.caching.{m}") for m in ("cache_data_api", "cache_resource_api")]
    levels = [log.level for log in quiet]
    for log in quiet:
        log.setLevel(logging.ERROR)
    try:
        from views import _blocks, _state, _store, _widgets  # noqa: F401

        _widgets.warm_up_chart_export()  # on a thread of its own (~2 s of CPU: JavaScript engine, CJK font)
        try:
            _store.warm()  # the Overview's queries for the default filters, into the pages' cache
        except Exception:  # the page shows what is wrong with the store, in the user's language
            logging.getLogger("tierwatch").warning("the Overview's queries were not run ahead", exc_info=True)
    finally:
        for log, level in zip(quiet, levels, strict=True):
            log.setLevel(level)
    alt.Chart(pl.DataFrame({"a": [1]})).mark_point().encode(x="a:Q").to_dict()


def safe_start(argv: list[str]) -> list[str]:
    """The options to start with (see pipelines.access.serving.plan), or exit 2 when asked to listen on
    the network with no sign-in configured. Also clears uploads a stopped server left behind."""
    import os
    from pathlib import Path

    from pipelines.access import serving
    from pipelines.core.i18n import t

    db = Path(os.environ.get("TIERWATCH_DB") or Path(__file__).resolve().parent / "data" / "warehouse.duckdb")
    p = serving.plan(argv, db, Path.cwd())
    if p.refused:
        for lang in ("zh", "en"):
            print(t("serve.refused", lang, address=p.address, db=db), file=sys.stderr)
        sys.exit(2)
    serving.clear_uploads(db)
    for lang in ("zh", "en"):
        print(t("serve.local" if p.local_mode else "serve.signin", lang), flush=True)
    return p.argv


if __name__ == "__main__":
    args = safe_start(sys.argv[1:])
    warm()
    from streamlit.web.cli import main

    sys.exit(main(["run", "app.py", *args], prog_name="streamlit"))
