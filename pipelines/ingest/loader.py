"""Load export files into the store: read, validate everything, then write all or nothing.

    report = load_paths(["exports/"], "data/warehouse.duckdb")
    print(report.format("zh"))   # every problem at once, or what was loaded

`validate_paths` does the same checks without writing. `validate_for_load` keeps what it checked for a later
load (the Data page: validate once, then load what was validated):

    with validate_for_load(paths, db) as checked:
        ...                                   # show checked.report, ask the user
        report = load_paths(paths, db, validated=checked)

Settings (and the holidays file they name) are
checked first: invalid settings refuse the load before any file is read. Errors refuse the load; warnings
(contract.SEVERITY) load, are listed in the report and recorded with the load (store `load_warnings`).
"""

from __future__ import annotations

import datetime as dt
import shutil
import weakref
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Self

import polars as pl

from pipelines.core import contract
from pipelines.core.faults import MachineFault, fault_of
from pipelines.core.i18n import CATALOGUE, t
from pipelines.core.progress import Progress, scaled
from pipelines.domain.settings import Settings, SettingsError, settings_for_store
from pipelines.ingest import readers
from pipelines.ingest.validate import Problem, validate_sources
from pipelines.store import db as store


@dataclass
class LoadReport:
    ok: bool
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    dropped_columns: list[tuple[str, list[str]]] = field(default_factory=list)  # (file/sheet, headers)
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows in this load
    files: list[dict] = field(default_factory=list)  # {name, path, sha256, rows: {table: n}}
    unrecognised: list[str] = field(default_factory=list)
    load_id: int | None = None  # set when the load was written
    written: bool = False
    warnings: list[Problem] = field(default_factory=list)  # the first few of each kind
    warning_count: int = 0
    warning_kinds: dict[str, int] = field(default_factory=dict)  # kind -> rows
    settings_error: SettingsError | None = None
    fault: MachineFault | None = None  # a fault of the machine (disk full…), not of the input: nothing written
    busy: dict | None = None  # another load or rebuild held the store and the load did not wait: its lock record
    store_folder: str | None = None  # where the store lives (named when a fault carries no path of its own)
    build: str | None = None  # how the load updated the marts: "full" or "incremental" (meta.build)
    recomputed: dict[str, int] = field(default_factory=dict)  # {"matters": n, "cases": n} recomputed

    SHOWN_PER_KIND = 20  # warnings listed per kind in the text report (all are recorded with the load)

    def format(self, lang: str = "zh") -> str:
        """The report as the user reads it: outcome, problems grouped by file, warnings, dropped columns, rows."""
        lines: list[str] = []
        total_rows = sum(self.rows.values())
        if self.settings_error is not None:
            return t("loader.report.settings", lang, error=self.settings_error.format(lang))
        if self.fault is not None:  # one message: the fault and what to do; never problems of the rows
            return self.fault.format(lang, where=self.store_folder)
        if self.busy is not None:
            return busy_message(self.busy, lang, waiting=False)
        if self.ok and self.written:
            lines.append(t("loader.report.ok", lang, files=len(self.files), rows=total_rows))
            lines.append(t("loader.report.load_id", lang, load_id=self.load_id))
            if self.build == "incremental":
                lines.append(t("loader.report.build_incremental", lang, matters=f"{self.recomputed.get('matters', 0):,}",
                               cases=f"{self.recomputed.get('cases', 0):,}"))
            elif self.build == "full":
                lines.append(t("loader.report.build_full", lang))
        elif self.ok:
            lines.append(t("loader.report.valid", lang, files=len(self.files), rows=total_rows))
        elif not self.problems and not self.rows:
            lines.append(t("loader.report.no_files", lang))
        else:
            head = t("loader.report.failed", lang, count=self.problem_count)
            if self.problem_count > len(self.problems):
                head += t("loader.report.shown", lang, shown=len(self.problems))
            lines.append(head)
        by_file: dict[str, list[Problem]] = {}
        for p in self.problems:
            by_file.setdefault(p.where, []).append(p)
        for where, problems in by_file.items():
            lines.append(t("loader.report.file_heading", lang, file=where))
            lines.extend(f"  {p.format(lang)}" for p in problems)
        if self.warning_count and not self.ok:
            lines.append(t("loader.report.warnings_also", lang, count=self.warning_count))
        elif self.warning_count:
            lines.extend(self._format_warnings(lang))
        if self.dropped_columns:
            lines.append(t("loader.report.dropped_heading", lang))
            sep = t("loader.report.and", lang)
            for where, headers in self.dropped_columns:
                lines.append(t("loader.report.dropped_line", lang, file=where, columns=sep.join(headers)))
        if self.unrecognised:
            lines.append(t("loader.report.unrecognised_heading", lang))
            lines.extend(t("loader.report.unrecognised_line", lang, file=u, why=unrecognised_why(u, lang))
                         for u in self.unrecognised)
            lines.append(t("loader.report.accepted_names", lang, names=contract.accepted_names(lang)))
        if self.rows:
            lines.append(t("loader.report.rows_heading", lang))
            for table in contract.LOAD_ORDER:
                if table in self.rows:
                    lines.append(
                        t("loader.report.rows_line", lang, table=contract.TABLES[table].label(lang), rows=self.rows[table])
                    )
        return "\n".join(lines)

    def _format_warnings(self, lang: str) -> list[str]:
        head = t("loader.report.warnings_heading", lang, count=self.warning_count)
        if any(n > self.SHOWN_PER_KIND for n in self.warning_kinds.values()):
            head += t("loader.report.warnings_shown", lang, shown=self.SHOWN_PER_KIND)
        lines = [head]
        for kind, n in self.warning_kinds.items():
            lines.append(t("loader.report.warning_kind_line", lang, kind=t(f"loader.kind.{kind}", lang), count=n))
            shown = [w for w in self.warnings if w.kind == kind][: self.SHOWN_PER_KIND]
            lines.extend(f"    {w.where} {w.format(lang)}" for w in shown)
        return lines

    def to_dict(self, lang: str = "zh") -> dict:
        return {
            "ok": self.ok,
            "written": self.written,
            "load_id": self.load_id,
            "build": self.build,
            "recomputed": self.recomputed,
            "rows": self.rows,
            "files": self.files,
            "problem_count": self.problem_count,
            "problems": [
                {
                    "file": p.file, "sheet": p.sheet, "row": p.row, "column": p.column, "value": p.value,
                    "expected": p.expected(lang), "kind": p.kind,
                }
                for p in self.problems
            ],
            "warning_count": self.warning_count,
            "warning_kinds": self.warning_kinds,
            "warnings": [
                {
                    "file": w.file, "sheet": w.sheet, "row": w.row, "column": w.column, "value": w.value,
                    "note": w.expected(lang), "kind": w.kind, "record": w.record,
                }
                for w in self.warnings
            ],
            "dropped_columns": [{"source": w, "columns": h} for w, h in self.dropped_columns],
            "unrecognised": self.unrecognised,
            "settings_error": self.settings_error.format(lang) if self.settings_error else None,
            "fault": None if self.fault is None else {"kind": self.fault.kind, "path": self.fault.path,
                                                      "message": self.fault.format(lang, where=self.store_folder)},
            "busy": self.busy,
        }



def _check(paths, db: Path, lang: str, progress: Progress | None, settings: Settings, staging: Path):
    """Read and validate every file, chunk by chunk, its rows staged as Parquet in `staging`."""
    read = readers.open_paths([Path(p) for p in paths], limits=readers.Limits.of(settings), workdir=staging)
    say = None
    if progress:
        def say(f: float, msg: str) -> None:
            progress(0.6 * f, msg)
    validated = validate_sources(read.sources, store_db=db if db.exists() else None, progress=say, lang=lang,
                                 staging=staging)
    read.unreadable += [readers.unreadable_of(s, exc) for s, exc in validated.unreadable]
    order = {f.path: i for i, f in enumerate(read.files)}
    read.unreadable.sort(key=lambda u: order.get(u.path, -1))
    failed = {u.path for u in read.unreadable}
    gone = {id(s) for s in validated.empty} | {id(s) for s, _ in validated.unreadable}
    counted = [s for s in read.sources if id(s) not in gone]  # read, or refused by validation
    read.files = [f for f in read.files if f.path in failed or any(s.path == f.path for s in counted)]
    readers.count_rows(read, counted)
    read.wait_hashes()
    unreadable = [
        Problem(u.kind, u.path.name, u.sheet, other=u.error, params=u.params) for u in read.unreadable
    ]
    problems = unreadable + validated.problems
    files = [
        {"name": f.path.name, "path": str(f.path), "sha256": f.sha256, "rows": f.rows} for f in read.files
    ]
    kinds = validated.warning_frame.group_by("kind", maintain_order=True).len()
    report = LoadReport(
        ok=validated.ok and not unreadable and bool(validated.read),
        problems=problems,
        problem_count=validated.problem_count + len(unreadable),
        dropped_columns=validated.dropped,
        rows=validated.rows,
        files=files,
        unrecognised=read.unrecognised,
        warnings=_first_per_kind(validated.warnings, LoadReport.SHOWN_PER_KIND),
        warning_count=validated.warning_count,
        warning_kinds=dict(zip(kinds["kind"].to_list(), kinds["len"].to_list(), strict=True)),
    )
    return report, validated


def _first_per_kind(warnings: list[Problem], n: int) -> list[Problem]:
    seen: dict[str, int] = {}
    out = []
    for w in warnings:
        seen[w.kind] = seen.get(w.kind, 0) + 1
        if seen[w.kind] <= n:
            out.append(w)
    return out


def _settings(db: Path) -> tuple[Settings | None, LoadReport | None]:
    """The store's settings, or a refusal naming what is wrong in them (nothing is read or written)."""
    try:
        return settings_for_store(db), None
    except SettingsError as exc:
        return None, LoadReport(ok=False, settings_error=exc)


def unrecognised_why(entry: str, lang: str = "zh") -> str:
    """Why a file (`name`) or sheet (`name [sheet]`) was not taken for a table: not a format the loader
    reads, a name that contains no table's name, or one that contains two."""
    file, _, sheet = entry.partition(" [")
    if not sheet and Path(file).suffix.lower() not in readers.SUFFIXES:
        return t("loader.unrecognised.format", lang)
    named = contract.tables_named(sheet[:-1] if sheet else Path(file).stem)
    if len(named) > 1:
        sep = "、" if lang == "zh" else ", "
        labels = sep.join(contract.TABLES[n].label(lang) for n in contract.LOAD_ORDER if n in named)
        return t("loader.unrecognised.several", lang, tables=labels)
    return t("loader.unrecognised.none", lang)


def busy_message(holder: dict, lang: str = "zh", *, waiting: bool = True, waited: bool = False) -> str:
    """What a load or rebuild says when another one holds the store: that it waits (or, with --no-wait,
    that it did not; or, once loaded, that it had waited), naming the other's command, process and start
    as its lock records them."""
    key = "lock.waited" if waited else "lock.waiting" if waiting else "lock.busy"
    if not holder.get("pid"):
        return t(f"{key}_unknown", lang)
    command = holder.get("command") or ""
    named = t(f"lock.command.{command}", lang) if f"lock.command.{command}" in CATALOGUE else command
    return t(key, lang, command=named, pid=holder["pid"], since=holder.get("since", "?"))


def _faulted(db: Path, exc: BaseException) -> LoadReport:
    """The report of a load stopped by a fault of the machine (raises `exc` again if it was not one)."""
    fault = fault_of(exc)
    if fault is None:
        raise exc
    store.log_attempt(db, {"outcome": "fault", "fault": fault.kind, "path": fault.path, "error": fault.detail})
    return LoadReport(ok=False, fault=fault, store_folder=str(db.resolve().parent))


@dataclass(frozen=True)
class CheckedAgainst:
    """What a validation was checked against: if any of it differs when the load starts, the files are
    validated again. `files`: (path, size, mtime, inode, ctime) of every file under the paths (a file
    added to a folder counts); `store`: the store file's version (`store.version_key`: every load and
    migration replaces the file); `settings` and the (size, mtime) of the settings and holidays files;
    `day`: dates more than a year after the day of the load are refused."""

    files: tuple[tuple[str, int, int, int, int], ...]
    store: tuple | None
    settings: Settings
    settings_files: tuple[tuple[str, int, int], ...]
    day: dt.date

    @classmethod
    def now(cls, paths, db: Path, settings: Settings) -> CheckedAgainst:
        files = []
        for f in readers.find_files(paths):
            try:
                st = f.stat()
                files.append((str(f.resolve()), st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns))
            except OSError:  # gone: the load's own reading says so
                files.append((str(f), -1, -1, -1, -1))
        named = []
        for f in (settings.source, settings.holidays_file):
            if f is not None:
                try:
                    named.append((str(f), f.stat().st_size, f.stat().st_mtime_ns))
                except OSError:
                    named.append((str(f), -1, -1))
        return cls(tuple(files), store.version_key(db), settings, tuple(named), dt.date.today())


class Validation:
    """A validation kept for loading (`validate_for_load`): its `report`, its rows staged as Parquet in a
    staging folder beside the store, and what it was checked against (`CheckedAgainst`). `load_paths(...,
    validated=this)` loads those rows without reading the files again if nothing changed since, and
    discards the folder. Discard it yourself otherwise (`discard`, or use it as a context manager); the
    folder also goes when this object is garbage-collected (a Streamlit session dropped), at the process's
    exit, and, if the process is killed, with the next load's sweep (`store.staging`)."""

    WARNINGS_FILE = "warnings.parquet"

    def __init__(self, report: LoadReport, folder: Path | None = None, checked: CheckedAgainst | None = None,
                 staged: dict[str, list[Path]] | None = None) -> None:
        self.report = report
        self.folder = folder
        self.checked = checked
        self.staged = staged or {}
        self._remove = weakref.finalize(self, shutil.rmtree, folder, True) if folder is not None else None

    @property
    def kept(self) -> bool:
        """Whether its staged rows are still there to load."""
        return (self.folder is not None and self.folder.is_dir()
                and all(p.is_file() for files in self.staged.values() for p in files))

    def current(self, paths, db: Path, settings: Settings) -> bool:
        """Whether these rows may be loaded as they are: kept, valid, and checked against what `paths`, the
        store and the settings are now."""
        return (self.report.ok and self.checked is not None and self.kept
                and CheckedAgainst.now(paths, db, settings) == self.checked)

    def warnings(self) -> pl.DataFrame:
        return pl.read_parquet(self.folder / self.WARNINGS_FILE)

    def discard(self) -> None:
        """Remove the staged rows (at once; again is harmless)."""
        if self._remove is not None:
            self._remove()
        self.staged = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.discard()


def validate_for_load(
    paths, db: Path | str = store.DEFAULT_DB, lang: str = "zh", progress: Progress | None = None,
) -> Validation:
    """`validate_paths`, keeping what it read for `load_paths(..., validated=...)`: the report, the rows staged
    in a folder of their own beside the store, and what they were checked against (taken before reading: a
    file or a store that changes while it is read is validated again by the load)."""
    db = Path(db)
    settings, refused = _settings(db)
    if refused is not None:
        return Validation(refused)
    folder = None
    try:
        checked = CheckedAgainst.now(paths, db, settings)
        folder = store.kept_staging(db)
        report, validated = _check(paths, db, lang, progress, settings, folder)
        validated.warning_frame.write_parquet(folder / Validation.WARNINGS_FILE)
    except Exception as exc:  # noqa: BLE001 - a fault of the machine is reported as one; anything else raises
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        return Validation(_faulted(db, exc))
    return Validation(report, folder, checked, validated.staged)


def validate_paths(paths, db: Path | str = store.DEFAULT_DB, lang: str = "zh", progress: Progress | None = None) -> LoadReport:
    """Read and check files/folders against the contract and the store, without writing anything."""
    with validate_for_load(paths, db, lang, progress) as checked:
        return checked.report


def load_paths(
    paths, db: Path | str = store.DEFAULT_DB, lang: str = "zh", progress: Progress | None = None, *,
    wait: bool = True, on_wait: store.OnWait | None = None, validated: Validation | None = None,
) -> LoadReport:
    """Load files/folders into the store: all or nothing. The report says what happened.

    The store's lock is held from validation to the switch (what is checked against the store is what the
    load writes onto). `validated`: a validation of the same `paths` (`validate_for_load`); if, under the
    lock, the files, the store and the settings are still what it checked, its staged rows are loaded
    without reading the files again; otherwise they are read and validated again. Either way its folder is
    removed once the load had the lock. Another load or rebuild holding it: `on_wait(holder)` at once, then
    wait; with `wait` False, a report naming it (`busy`) and nothing done. A fault of the machine (a full
    disk, a folder it may not write, a file that vanished, memory): a report naming it (`fault`), nothing
    written."""
    db = Path(db)
    settings, refused = _settings(db)
    if refused is not None:
        store.log_attempt(db, {"outcome": "rejected", "settings_error": refused.settings_error.format("en")})
        return refused
    try:
        with store.locked(db, "load", wait=wait, on_wait=on_wait):
            try:
                store.sweep_kept_staging(db)
                if validated is not None and validated.current(paths, db, settings):
                    return _store(replace(validated.report), validated.staged, validated.warnings(), db, lang,
                                  progress, settings, start=0.0)
                with store.staging(db) as staging:
                    return _load(paths, db, lang, progress, settings, staging)
            finally:
                if validated is not None:
                    validated.discard()
    except store.StoreLocked as exc:
        return LoadReport(ok=False, busy=exc.holder)
    except Exception as exc:  # noqa: BLE001 - a fault of the machine is reported as one; anything else raises
        return _faulted(db, exc)


def _load(paths, db: Path, lang: str, progress: Progress | None, settings: Settings, staging: Path) -> LoadReport:
    report, validated = _check(paths, db, lang, progress, settings, staging)
    return _store(report, validated.staged, validated.warning_frame, db, lang, progress, settings, start=0.6)


def _store(
    report: LoadReport, staged: dict[str, list[Path]], warnings: pl.DataFrame, db: Path, lang: str,
    progress: Progress | None, settings: Settings, *, start: float,
) -> LoadReport:
    """Write validated rows (or log why they are refused); progress from `start` (after the reading) to 1."""
    if not report.ok:
        store.log_attempt(
            db,
            {
                "outcome": "rejected",
                "files": [{k: f[k] for k in ("name", "sha256")} for f in report.files],
                "problem_count": report.problem_count,
                "problems": [f"{p.where}: {p.format('en')}" for p in report.problems[:20]],
                "unrecognised": report.unrecognised,
            },
        )
        return report

    def say(key: str, table: str) -> str:
        label = contract.TABLES[table].label(lang) if table in contract.TABLES else table
        return t(f"loader.progress.{key}", lang, table=label)

    try:
        report.load_id = store.write_load(
            db, staged, report.files, report.dropped_columns, progress=scaled(progress, start, 1.0), messages=say,
            warnings=warnings, settings=settings, lang=lang,
        )
    except Exception as exc:
        if fault_of(exc) is None:  # a fault is logged as one by load_paths
            store.log_attempt(db, {"outcome": "error", "files": [f["name"] for f in report.files], "error": repr(exc)})
        raise
    report.written = True
    _log_matter_changes(db, report, warnings, lang)
    con = store.connect_readonly(db)
    try:
        meta = dict(con.sql("SELECT key, value FROM meta WHERE key LIKE 'build' OR key LIKE 'recomputed_%'").fetchall())
    finally:
        con.close()
    report.build = meta.get("build")
    report.recomputed = {k: int(meta.get(f"recomputed_{k}") or 0) for k in ("matters", "cases")}
    if progress:
        progress(1.0, t("loader.progress.done", lang))
    return report


# The warnings about stored matters' attributes (DOMAIN.md §5) are also written to the load log beside the
# store, in the user's language: an IT person reads that file, not the store. At most this many lines.
LOGGED_MATTER_LINES = 5000
MATTER_KINDS = ("matter_changed", "matter_kept")


def _log_matter_changes(db: Path, report: LoadReport, warnings, lang: str) -> None:
    """A loaded load that changed stored matters' attributes (or brought steps that disagree with them):
    one record in `warehouse.loads.log` listing them, (matter, column, stored -> new), in `lang`."""
    import polars as pl

    rows = warnings.filter(pl.col("kind").is_in(MATTER_KINDS))
    if not rows.height:
        return
    lines = [
        t(f"loader.log.{r['kind']}", lang, record=r["record_id"] or "", column=r["column"] or "",
          value=r["value"] or "", other=r["other"] or "")
        for r in rows.head(LOGGED_MATTER_LINES).iter_rows(named=True)
    ]
    store.log_attempt(db, {
        "outcome": "ok", "load_id": report.load_id,
        "files": [{k: f[k] for k in ("name", "sha256")} for f in report.files],
        "warning": t("loader.log.matters_heading", lang, matters=rows["record_id"].n_unique(), lines=rows.height),
        "matters": lines, "matters_not_listed": max(rows.height - LOGGED_MATTER_LINES, 0),
    })
