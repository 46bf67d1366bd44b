"""Load export files into the store: read, validate everything, then write all or nothing.

    report = load_paths(["exports/"], "data/warehouse.duckdb")
    print(report.format("zh"))   # every problem at once, or what was loaded

`validate_paths` does the same checks without writing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipelines import contract, readers, store
from pipelines.i18n import t
from pipelines.validate import Problem, validate_sources

Progress = Callable[[float, str], None]


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

    def format(self, lang: str = "zh") -> str:
        """The report as the user reads it: outcome, problems grouped by file, dropped columns, rows."""
        lines: list[str] = []
        total_rows = sum(self.rows.values())
        if self.ok and self.written:
            lines.append(t("loader.report.ok", lang, files=len(self.files), rows=total_rows))
            lines.append(t("loader.report.load_id", lang, load_id=self.load_id))
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
        if self.dropped_columns:
            lines.append(t("loader.report.dropped_heading", lang))
            sep = t("loader.report.and", lang)
            for where, headers in self.dropped_columns:
                lines.append(t("loader.report.dropped_line", lang, file=where, columns=sep.join(headers)))
        if self.unrecognised:
            lines.append(t("loader.report.unrecognised_heading", lang))
            lines.extend(t("loader.report.unrecognised_line", lang, file=u) for u in self.unrecognised)
        if self.rows:
            lines.append(t("loader.report.rows_heading", lang))
            for table in contract.LOAD_ORDER:
                if table in self.rows:
                    lines.append(
                        t("loader.report.rows_line", lang, table=contract.TABLES[table].label(lang), rows=self.rows[table])
                    )
        return "\n".join(lines)

    def to_dict(self, lang: str = "zh") -> dict:
        return {
            "ok": self.ok,
            "written": self.written,
            "load_id": self.load_id,
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
            "dropped_columns": [{"source": w, "columns": h} for w, h in self.dropped_columns],
            "unrecognised": self.unrecognised,
        }


def _scaled(progress: Progress | None, lo: float, hi: float) -> Progress | None:
    if progress is None:
        return None
    return lambda f, msg: progress(lo + (hi - lo) * max(0.0, min(1.0, f)), msg)


def _check(paths, db: Path, lang: str, progress: Progress | None):
    read = readers.read_paths(
        [Path(p) for p in paths],
        progress=(lambda f, name: progress(0.45 * f, t("loader.progress.read", lang, file=name))) if progress else None,
    )
    unreadable = [
        Problem("unreadable", u.path.name, u.sheet, other=u.error) for u in read.unreadable
    ]
    con = store.connect_readonly(db) if db.exists() else None
    try:
        existing = (lambda table, column: store.stored_values(con, table, column)) if con else None
        validated = validate_sources(read.sources, existing=existing, progress=_scaled(progress, 0.45, 0.6), lang=lang)
    finally:
        if con is not None:
            con.close()
    problems = unreadable + validated.problems
    files = [
        {"name": f.path.name, "path": str(f.path), "sha256": f.sha256, "rows": f.rows} for f in read.files
    ]
    report = LoadReport(
        ok=validated.ok and not unreadable and bool(read.sources),
        problems=problems,
        problem_count=validated.problem_count + len(unreadable),
        dropped_columns=validated.dropped,
        rows=validated.rows,
        files=files,
        unrecognised=read.unrecognised,
    )
    return report, validated


def validate_paths(paths, db: Path | str = store.DEFAULT_DB, lang: str = "zh", progress: Progress | None = None) -> LoadReport:
    """Read and check files/folders against the contract and the store, without writing anything."""
    report, _ = _check(paths, Path(db), lang, progress)
    return report


def load_paths(paths, db: Path | str = store.DEFAULT_DB, lang: str = "zh", progress: Progress | None = None) -> LoadReport:
    """Load files/folders into the store: all or nothing. The report says what happened."""
    db = Path(db)
    report, validated = _check(paths, db, lang, progress)
    if not report.ok:
        store.log_attempt(
            db,
            {
                "outcome": "rejected",
                "files": [{k: f[k] for k in ("name", "sha256")} for f in report.files],
                "problem_count": report.problem_count,
                "problems": [p.format("en") for p in report.problems[:20]],
                "unrecognised": report.unrecognised,
            },
        )
        return report

    def say(key: str, table: str) -> str:
        label = contract.TABLES[table].label(lang) if table in contract.TABLES else table
        return t(f"loader.progress.{key}", lang, table=label)

    try:
        report.load_id = store.write_load(
            db, validated.frames, report.files, validated.dropped, progress=_scaled(progress, 0.6, 1.0), messages=say
        )
    except Exception as exc:
        store.log_attempt(db, {"outcome": "error", "files": [f["name"] for f in report.files], "error": repr(exc)})
        raise
    report.written = True
    if progress:
        progress(1.0, t("loader.progress.done", lang))
    return report
