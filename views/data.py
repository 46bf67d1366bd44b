"""数据管理 Data: upload exports (several files at once, size limit stated) -> validation report -> load
with progress; the data-quality panel (warnings recorded with each load); the load history; what the store
holds and which calendar years are covered; the settings in effect; the import template."""

import hashlib

import polars as pl
import streamlit as st

from pipelines import queries
from pipelines.access import accounts as access_accounts
from pipelines.access import audit as access_audit
from pipelines.core import contract
from pipelines.domain.settings import SettingsError, describe, settings_for_store
from pipelines.ingest import loader, template
from pipelines.present import exports
from views import _access
from views import _store as store
from views import _widgets as ui
from views._state import q
from views._uploads import KeptUpload

c = ui.header("data.title", "data.intro")
lang, tr = c.lang, c.tr
if c.who is not None and not c.who.can_load:  # navigation offers this page to administrators only
    st.warning(tr("data.access.admin_only"))
    st.stop()
who = c.who.name if c.who is not None else "local"
MAX_NAME = 255  # bytes of a file name most file systems take


def name_problem(name: str) -> str | None:
    """Why an upload's name cannot be written as a file (located, in the user's language), or None."""
    if any(ch in name for ch in "/\\") or any(ord(ch) < 32 or ord(ch) == 127 for ch in name) or name in (".", ".."):
        return tr("upload.name_bad")
    if len(name.encode("utf-8")) > MAX_NAME:
        return tr("upload.name_too_long", n=len(name), max=MAX_NAME)
    return None


def drop_upload() -> None:
    """Forget the upload kept from validation to load (its saved files and staged rows go with it)."""
    kept = st.session_state.pop("_upload", None)
    if kept is not None:
        kept.discard()


try:
    settings, settings_error = settings_for_store(c.db), None
except SettingsError as exc:  # the loader refuses too; say it here first, located
    settings, settings_error = None, exc

ui.section(tr("data.upload"))
if settings_error is not None:
    st.error(tr("data.settings_invalid", error=settings_error.format(lang)))
loaded = st.session_state.pop("_loaded", None)
if loaded is not None:  # the load of the previous run succeeded (see the Load button below)
    st.progress(1.0, text=tr("data.loaded"))
    sep = "、" if lang == "zh" else ", "
    st.success(tr("data.loaded_rows", rows=sep.join(
        f"{contract.TABLES[k].label(lang) if k in contract.TABLES else k}: {v:,}" for k, v in loaded.items())))
    waited = st.session_state.pop("_waited", None)
    if waited is not None:  # it had waited for another load or rebuild: say so once it is done
        st.info(loader.busy_message(waited, lang, waited=True), icon=":material/hourglass_bottom:")
    st.page_link(c.pages["overview"], label=tr("data.see_overview"), icon=":material/dashboard:")
# A successful load starts a new uploader (a new key), so the loaded files are not offered for loading again.
generation = st.session_state.get("_upload_generation", 0)
files = st.file_uploader(tr("data.uploader"), accept_multiple_files=True,
                         type=["csv", "xlsx", "parquet", "txt"], key="uploads" if generation == 0 else f"uploads-{generation}",
                         help=tr("data.uploader.help"))
if settings is not None:
    st.caption(tr("data.upload_limit", mb=f"{st.get_option('server.maxUploadSize'):,g}",
                  xlsx_mb=f"{settings.xlsx_max_uncompressed_mb:,g}", ratio=f"{settings.xlsx_max_ratio:,g}"))
bad = [(f.name, name_problem(f.name)) for f in files or () if name_problem(f.name)]
for name, problem in bad:  # the name shown as text, cut to a readable length
    shown = name.replace("\x00", "\\0")
    st.error(f"{ui.md(shown[:60] + ('…' if len(shown) > 60 else ''))}: {problem}", icon=":material/error:")
if files and not bad:
    sig = tuple((f.name, f.size, f.file_id) for f in files)
    if st.session_state.get("_upload_sig") != sig:  # other files: their validation replaces the old one
        st.session_state["_upload_sig"] = sig
        drop_upload()
    if "_upload" not in st.session_state:
        with st.spinner(tr("data.validating")):
            st.session_state["_upload"] = KeptUpload(files, c.db, lang)
    kept = st.session_state["_upload"]
    report = kept.report
    if report.fault is not None:  # the machine's (a full disk…), never the files': one message, what to do
        st.error(report.format(lang))
    elif report.ok and report.warning_count:
        st.warning(tr("data.valid_with_warnings", n=report.warning_count))
    elif report.ok:
        st.success(tr("data.valid"))
    elif not report.problem_count and not report.rows:  # nothing recognised: no "0 problems" to fix
        st.error(tr("data.unrecognised"))
    else:
        st.error(tr("data.invalid", n=max(report.problem_count, len(report.problems))))
    if report.fault is None:
        with st.expander(tr("data.report"), expanded=not report.ok):
            st.text(report.format(lang))
    if st.button(tr("data.load"), type="primary", disabled=not report.ok, key="load_btn"):
        waiting = st.empty()
        bar = st.progress(0.0, text=tr("data.loading"))

        def progress(fraction: float, message: str) -> None:
            bar.progress(min(max(float(fraction), 0.0), 1.0), text=message)

        def on_wait(holder: dict) -> None:  # another load or rebuild holds the store: say so at once
            waiting.warning(loader.busy_message(holder, lang), icon=":material/hourglass_top:")
            st.session_state["_waited"] = holder

        digests = {f.name: hashlib.sha256(f.getvalue()).hexdigest() for f in files}
        try:
            # what was validated is loaded, unless the files, the store or the settings changed since
            result = loader.load_paths(kept.paths, c.db, lang, progress, on_wait=on_wait, validated=kept.validation)
        except BaseException as exc:
            _access.record(c.db, who, "load", files=digests, outcome="error", error=type(exc).__name__)
            raise
        _access.record(c.db, who, "load", files=digests, rows=dict(result.rows) if result.ok else None,
                       outcome=("ok" if result.ok else "fault" if result.fault is not None
                                else "busy" if getattr(result, "busy", None) is not None else "invalid"))
        waiting.empty()
        if result.ok:
            bar.progress(1.0, text=tr("data.loaded"))
            store.clear_caches()
            drop_upload()
            # Run the whole app again so the sidebar, the filters and this page see the new store (a first
            # load into an empty store would otherwise still show the empty-store guide below).
            st.session_state["_loaded"] = dict(result.rows)
            st.session_state["_upload_generation"] = generation + 1
            st.session_state.pop("_upload_sig", None)
            st.rerun()
        elif result.fault is not None:
            st.session_state.pop("_waited", None)
            st.error(result.format(lang))
        else:
            st.session_state.pop("_waited", None)
            st.error(tr("data.load_failed"))
            st.text(result.format(lang))
else:  # no files (the uploader was cleared), or names that cannot be saved: nothing is kept
    st.session_state.pop("_upload_sig", None)
    drop_upload()

if c.stamp is None:
    ui.empty_guide(c)
else:  # the data-quality panel, the load history, what the store holds
    history = q(queries.loads, lang)

    ui.section(tr("data.quality"))
    st.caption(tr("data.quality.help"))
    if history.is_empty():
        st.caption(tr("table.no_rows"))
    else:
        choices = {r["load_id"]: r for r in history.iter_rows(named=True)}
        load_id = st.selectbox(
            tr("data.quality.load"), list(choices), key="quality_load",
            format_func=lambda i: tr("data.quality.load_option", id=i, at=choices[i]["loaded_at"], n=choices[i]["warnings"]),
        )
        kinds = q(queries.load_warning_kinds, load_id, lang)
        if kinds.is_empty():
            st.caption(tr("data.quality.none"))
        else:
            ui.table(kinds.select("label", "table", "rows"), f"warning_kinds_{load_id}",
                     {"label": tr("data.col.kind"), "table": tr("col.table"), "rows": tr("data.col.rows")},
                     title=f"{tr('data.file.warnings')}_{load_id}")
            labels = dict(zip(kinds["kind"], kinds["label"], strict=True))
            counts = dict(zip(kinds["kind"], kinds["rows"], strict=True))
            kind = st.selectbox(tr("data.quality.kind"), list(labels), format_func=labels.get, key=f"quality_kind_{load_id}")
            headers = {name: tr(f"data.col.{name}") for name in ("kind", "file", "sheet", "row", "column", "record_id", "value", "other")}
            headers["table"] = tr("col.table")
            ui.paged(f"warnings_{load_id}_{kind}", queries.load_warning_rows, (load_id, kind, lang), counts[kind], headers,
                     title=f"{tr('data.file.warnings')}_{load_id}_{labels[kind]}")
            db = str(c.db)

            def fetch_all(limit: int, offset: int) -> pl.DataFrame:  # every warning of the load, page by page
                return store.run(db, queries.load_warning_rows, (load_id, None, lang, limit, offset))

            info = exports.ExportInfo(title=f"{tr('data.file.warnings')}_{load_id}", lang=lang, applies=())
            row = st.container(horizontal=True, gap="small")
            ui.download(row, f"CSV · {tr('data.quality')}", lambda: exports.export_csv(fetch_all, info, headers),
                        exports.export_file_name(info, "csv"), "text/csv", f"warnings_all_csv_{load_id}",
                        ":material/table:")
            ui.download(row, f"XLSX · {tr('data.quality')}", lambda: exports.export_xlsx(fetch_all, info, headers),
                        exports.export_file_name(info, "xlsx"),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"warnings_all_xlsx_{load_id}",
                        ":material/grid_on:")

    ui.section(tr("data.history"))
    if history.is_empty():
        st.caption(tr("table.no_rows"))
    else:
        ui.table(history, "loads", {
            "load_id": tr("data.col.load_id"), "loaded_at": tr("data.col.loaded_at"), "files": tr("data.col.files"),
            "rows": tr("data.col.table_rows"), "warnings": tr("data.col.warnings"), "dropped_columns": tr("data.col.dropped"),
        }, title=tr("data.history"))

    left, right = st.columns([3, 2])
    with left:
        ui.section(tr("data.contents"))
        ui.table(q(queries.input_row_counts, lang), "tables", {"table": tr("col.table"), "rows": tr("col.rows")},
                 title=tr("data.contents"))
    with right:
        ui.section(tr("data.calendar"))
        cov = q(queries.calendar_coverage)
        if cov.is_empty():
            st.caption(tr("table.no_rows"))
        else:
            cov = cov.with_columns(pl.col("source").replace_strict(
                {k: tr(f"calendar.{k}") for k in ("package", "file", "weekday_fallback")}, default=pl.col("source")))
            ui.table(cov, "calendar", {"year": tr("col.year"), "source": tr("col.source_kind")}, title=tr("data.calendar"))
            st.caption(tr("data.calendar.help"))

ui.section(tr("data.settings"))
st.caption(tr("data.settings.help", dir=c.db.resolve().parent))
if settings_error is not None:
    st.error(settings_error.format(lang))
else:
    st.caption(tr("data.settings.source", path=settings.source) if settings.source else tr("data.settings.defaults"))
    ui.table(pl.DataFrame(describe(settings, lang)), "settings", {
        "key": tr("settings.col.key"), "value": tr("settings.col.value"), "default": tr("settings.col.default"),
        "help": tr("settings.col.help"),
    }, title=tr("data.settings"))

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


ui.section(tr("data.access.title"))
if c.who is None or c.who.local:
    st.caption(tr("data.access.local") + " " + tr("data.access.audit_cli"))
else:
    st.caption(tr("data.access.accounts_help"))
    people = access_accounts.list_accounts(c.db)
    ui.table(pl.DataFrame([{"login": a.login, "role": tr(f"role.{a.role}"), "staff_id": a.staff_id, "email": a.email,
                            "lang": a.lang, "disabled": a.disabled} for a in people],
                          schema={"login": pl.String, "role": pl.String, "staff_id": pl.String, "email": pl.String,
                                  "lang": pl.String, "disabled": pl.Boolean}),
             "accounts", {k: tr(f"account.col.{k}") for k in ("login", "role", "staff_id", "email", "lang", "disabled")},
             title=tr("data.access.accounts"))
    AUDIT_ROWS = 500
    trail = access_audit.read(c.db, limit=AUDIT_ROWS)
    st.caption(tr("data.access.audit", n=len(trail)))
    if trail:
        frame = pl.DataFrame([{"at": r["at"], "who": r["who"], "action": _access.action_words(r["action"], lang),
                               "details": _access.details_words(r["details"], lang)} for r in reversed(trail)],
                             schema={"at": pl.String, "who": pl.String, "action": pl.String, "details": pl.String})
        ui.table(frame, "audit", {k: tr(f"audit.col.{k}") for k in ("at", "who", "action", "details")},
                 title=tr("data.access.title"))
