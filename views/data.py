"""数据管理 Data: upload exports (several files at once) -> validation report -> load with progress;
load history; the import template; which working-day calendar years are covered."""

import tempfile
from pathlib import Path

import streamlit as st

from pipelines import contract, loader, template
from views import _store as store
from views import _widgets as ui
from views._state import q

c = ui.header("data.title", "data.intro")
lang, tr = c.lang, c.tr

ui.section(tr("data.upload"))
loaded = st.session_state.pop("_loaded", None)
if loaded is not None:  # the load of the previous run succeeded (see the Load button below)
    st.progress(1.0, text=tr("data.loaded"))
    sep = "、" if lang == "zh" else ", "
    st.success(tr("data.loaded_rows", rows=sep.join(
        f"{contract.TABLES[k].label(lang) if k in contract.TABLES else k}: {v:,}" for k, v in loaded.items())))
    st.page_link(c.pages["overview"], label=tr("data.see_overview"), icon=":material/dashboard:")
# A successful load starts a new uploader (a new key), so the loaded files are not offered for loading again.
generation = st.session_state.get("_upload_generation", 0)
files = st.file_uploader(tr("data.uploader"), accept_multiple_files=True,
                         type=["csv", "xlsx", "parquet", "txt"], key="uploads" if generation == 0 else f"uploads-{generation}",
                         help=tr("data.uploader.help"))
if files:
    # Save the uploads under their own names (the table is recognised by the file name) in a temp dir
    # that lives as long as the session's upload set.
    sig = tuple((f.name, f.size) for f in files)
    if st.session_state.get("_upload_sig") != sig:
        tmp = Path(tempfile.mkdtemp(prefix="tierwatch-upload-"))
        for f in files:
            (tmp / Path(f.name).name).write_bytes(f.getvalue())
        st.session_state["_upload_sig"] = sig
        st.session_state["_upload_dir"] = str(tmp)
        st.session_state.pop("_validation", None)
    paths = sorted(Path(st.session_state["_upload_dir"]).iterdir())
    if "_validation" not in st.session_state:
        with st.spinner(tr("data.validating")):
            st.session_state["_validation"] = loader.validate_paths(paths, c.db, lang)
    report = st.session_state["_validation"]
    if report.ok:
        st.success(tr("data.valid"))
    else:
        st.error(tr("data.invalid", n=max(report.problem_count, len(report.problems))))
    with st.expander(tr("data.report"), expanded=not report.ok):
        st.text(report.format(lang))
    if st.button(tr("data.load"), type="primary", disabled=not report.ok, key="load_btn"):
        bar = st.progress(0.0, text=tr("data.loading"))

        def progress(fraction: float, message: str) -> None:
            bar.progress(min(max(float(fraction), 0.0), 1.0), text=message)

        result = loader.load_paths(paths, c.db, lang, progress)
        if result.ok:
            bar.progress(1.0, text=tr("data.loaded"))
            store.clear_caches()
            st.session_state.pop("_validation", None)
            # Run the whole app again so the sidebar, the filters and this page see the new store (a first
            # load into an empty store would otherwise still show the empty-store guide below).
            st.session_state["_loaded"] = dict(result.rows)
            st.session_state["_upload_generation"] = generation + 1
            st.session_state.pop("_upload_sig", None)
            st.rerun()
        else:
            st.error(tr("data.load_failed"))
            st.text(result.format(lang))

ui.section(tr("data.template"))
st.caption(tr("data.template.help"))
st.download_button(
    tr("data.template.download"),
    lambda: template.template_xlsx_bytes(lang),
    file_name=tr("data.template.file"),
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    key="template",
    on_click="ignore",  # made on click without a rerun (see views._widgets.download)
)

if c.stamp is None:
    ui.empty_guide(c)
    st.stop()

left, right = st.columns([3, 2])
with left:
    ui.section(tr("data.history"))
    history = q("loads")
    if history.is_empty():
        st.caption(tr("table.no_rows"))
    else:
        ui.table(history, "loads")
with right:
    ui.section(tr("data.contents"))
    ui.table(q("input_row_counts"), "tables", {"table": tr("col.table"), "rows": tr("col.rows")})
    ui.section(tr("data.calendar"))
    cov = q("calendar_coverage")
    if cov.is_empty():
        st.caption(tr("table.no_rows"))
    else:
        import polars as pl

        cov = cov.with_columns(pl.col("source").replace_strict(
            {k: tr(f"calendar.{k}") for k in ("package", "file", "weekday_fallback")}, default=pl.col("source")))
        ui.table(cov, "calendar", {"year": tr("col.year"), "source": tr("col.source_kind")})
        st.caption(tr("data.calendar.help"))
