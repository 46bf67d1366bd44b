"""Command line: `python -m pipelines demo | load | report | rebuild`.

    python -m pipelines demo [--db PATH] [--out DIR] [--seed N] [--scale N]
    python -m pipelines load PATH... [--db PATH] [--lang zh|en] [--no-wait]
    python -m pipelines report [--db PATH] [--json] [--month YYYY-MM | --from YYYY-MM --to YYYY-MM]
                               [--division NAME]... [--team NAME]... [--type CODE]... [--level CODE]...
                               [--docx PATH] [--lang zh|en]
    python -m pipelines rebuild [--db PATH] [--no-wait]

Exit status 0 on success; 1 when the input is invalid (every problem is printed, located by file, row
and column; the store is unchanged) or the settings are (file, key or line; checked before any command
runs); 2 only for a failure that is not the input's fault: a fault of the machine (a full disk, a folder
it may not write, a file that vanished, memory), named in one message with what to do, or, with
`--no-wait`, another load or rebuild holding the store. `load` and `rebuild` that find another one running
say at once that they wait for it (which command, since when).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from pipelines.core.faults import fault_of
from pipelines.core.filters import DIMENSIONS
from pipelines.core.i18n import LANGS, t
from pipelines.domain.settings import SettingsError, settings_for_store
from pipelines.store import db as store


class _Bar:
    """A tqdm bar on stderr that appears only once work has taken more than a moment."""

    def __init__(self, delay: float = 0.5) -> None:
        self.started = time.monotonic()
        self.delay = delay
        self.bar = None

    def __call__(self, fraction: float, message: str) -> None:
        if self.bar is None:
            if time.monotonic() - self.started < self.delay:
                return
            from tqdm import tqdm

            self.bar = tqdm(total=1000, file=sys.stderr, leave=False, bar_format="{l_bar}{bar}| {elapsed}")
        self.bar.n = int(1000 * max(0.0, min(1.0, fraction)))
        if message:
            self.bar.set_description_str(message[:40], refresh=False)
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _waiting(lang: str, bar: _Bar | None = None):
    """What a load or rebuild says, at once, when another holds the store: that it waits, for what."""
    from pipelines.ingest.loader import busy_message

    def on_wait(holder: dict) -> None:
        print(busy_message(holder, lang), file=sys.stderr, flush=True)
        if bar is not None:
            bar.started = time.monotonic()  # the bar appears once this one's own work takes a while

    return on_wait


def _load(paths: list[Path], db: Path, lang: str, wait: bool = True) -> int:
    from pipelines.ingest.loader import load_paths

    missing = [p for p in paths if not p.exists()]
    if missing:
        for p in missing:
            print(t("cli.path_missing", lang, path=p), file=sys.stderr)
        return 1
    bar = _Bar()
    try:
        report = load_paths(paths, db, lang=lang, progress=bar, wait=wait, on_wait=_waiting(lang, bar))
    finally:
        bar.close()
    print(report.format(lang), file=sys.stdout if report.ok else sys.stderr)
    if report.ok:
        print(t("cli.store", lang, db=db))
    if report.fault is not None or report.busy is not None:
        return 2  # the machine's or another writer's, never the input's
    return 0 if report.ok else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from pipelines.demo.write import write_demo_exports

    out = Path(args.out)
    files = write_demo_exports(out, seed=args.seed, scale=args.scale)
    print(t("cli.demo.written", args.lang, count=len(files), out=out))
    # Exactly the files just written: anything else a user left in the folder stays out of the demo store.
    return _load(files, Path(args.db), args.lang, wait=not args.no_wait)


def cmd_load(args: argparse.Namespace) -> int:
    return _load([Path(p) for p in args.paths], Path(args.db), args.lang, wait=not args.no_wait)


def _report_filters(args: argparse.Namespace, lang: str):
    """The dashboard's Filters from the report's flags, or an error message (unknown names, bad months)."""
    from pipelines import queries
    from pipelines.present.report import report_filters

    if args.month and (args.start or args.end):
        return None, t("cli.report.period_conflict", lang)
    filters = {d.name: getattr(args, d.name) or () for d in DIMENSIONS}
    try:
        f = report_filters(args.month, filters, args.start, args.end)
    except ValueError as exc:
        return None, str(exc)
    con = store.connect_readonly(args.db)
    try:
        options = queries.filter_options(con)
    finally:
        con.close()
    for d in DIMENSIONS:
        known = [o[0] if isinstance(o, tuple | list) else o for o in options[d.option]]  # teams come with their division
        unknown = [v for v in f.values(d.name) if v not in known]
        if unknown:
            sep = t("scope.list_sep", lang)
            return None, t("cli.report.unknown", lang, kind=t(f"scope.filter.{d.name}", lang), values=sep.join(unknown),
                           known=sep.join(known))
    return f, None


def cmd_report(args: argparse.Namespace) -> int:
    db = Path(args.db)
    if not db.exists():
        print(t("cli.no_store", args.lang, db=db), file=sys.stderr)
        return 1
    f, error = _report_filters(args, args.lang)
    if error:
        print(error, file=sys.stderr)
        return 1
    if args.docx:
        from pipelines.present.monthly_report import write_monthly_docx

        if f.start is None or f.start != f.end:
            print(t("cli.docx_needs_one_month", args.lang), file=sys.stderr)
            return 1
        write_monthly_docx(db, f.start, Path(args.docx), filters=f, lang=args.lang)
        print(t("cli.docx_written", args.lang, path=args.docx))
        return 0
    from pipelines.present.report import format_report, report_for

    report = report_for(db, f)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    else:
        print(format_report(report, args.lang))
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    db = Path(args.db)
    if not db.exists():
        print(t("cli.no_store", args.lang, db=db), file=sys.stderr)
        return 1
    if args.if_stale and store.marts_current(db):
        return 0
    from pipelines.ingest.loader import busy_message

    bar = _Bar()
    try:
        store.rebuild(db, progress=bar, lang=args.lang, wait=not args.no_wait, on_wait=_waiting(args.lang, bar))
    except store.StoreLocked as exc:
        bar.close()
        print(busy_message(exc.holder, args.lang, waiting=False), file=sys.stderr)
        return 2
    finally:
        bar.close()
    print(t("cli.rebuilt", args.lang, db=db))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m pipelines", description=t("cli.description", "zh") + " / " + t("cli.description", "en"))
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=str(store.DEFAULT_DB), help="DuckDB store (default: data/warehouse.duckdb)")
    common.add_argument("--lang", choices=LANGS, default="zh", help="language of messages (default: zh)")
    sub = p.add_subparsers(dest="command", required=True)

    writer = argparse.ArgumentParser(add_help=False)
    writer.add_argument("--no-wait", action="store_true",
                        help="when another load or rebuild holds the store, exit 2 instead of waiting for it")

    demo = sub.add_parser("demo", parents=[common, writer], help="write the demo export set and load it")
    demo.add_argument("--out", default="data/demo", help="folder for the demo exports (default: data/demo)")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--scale", type=int, default=1)
    demo.set_defaults(func=cmd_demo)

    load = sub.add_parser("load", parents=[common, writer], help="load export files or folders")
    load.add_argument("paths", nargs="+", metavar="PATH")
    load.set_defaults(func=cmd_load)

    report = sub.add_parser("report", parents=[common], help="headline figures")
    report.add_argument("--json", action="store_true", help="print JSON")
    report.add_argument("--month", default=None, help="YYYY-MM (one month)")
    report.add_argument("--from", dest="start", default=None, metavar="YYYY-MM", help="first month of the period")
    report.add_argument("--to", dest="end", default=None, metavar="YYYY-MM", help="last month of the period")
    for d in DIMENSIONS:  # --division NAME, --team NAME, --type CODE, --level CODE (repeatable)
        report.add_argument(d.flag, dest=d.name, action="append", metavar="CODE" if d.codes else "NAME",
                            help=f"only this {d.name.replace('_', ' ')}{' code' if d.codes else ''} (repeatable)")
    report.add_argument("--docx", default=None, metavar="PATH", help="write the monthly report (.docx)")
    report.set_defaults(func=cmd_report)

    rebuild = sub.add_parser("rebuild", parents=[common, writer],
                             help="rebuild the summary tables (after a settings change)")
    rebuild.add_argument("--if-stale", action="store_true",
                         help="only when the summary tables were built by an older version (make run uses it)")
    rebuild.set_defaults(func=cmd_rebuild)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings_for_store(Path(args.db))  # settings and holidays file, checked before anything runs
        return args.func(args)
    except SettingsError as exc:
        print(exc.format(args.lang), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the user gets one line in their language, not a traceback
        if os.environ.get("TIERWATCH_DEBUG"):
            raise
        fault = fault_of(exc)  # a full disk, a read-only folder, memory: named, with what to do
        if fault is not None:
            print(fault.format(args.lang, where=str(Path(args.db).resolve().parent)), file=sys.stderr)
        else:
            print(t("cli.error", args.lang, error=f"{type(exc).__name__}: {exc}"), file=sys.stderr)
        return 2
