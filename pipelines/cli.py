"""Command line: `python -m pipelines demo | load | report | rebuild`.

    python -m pipelines demo [--db PATH] [--out DIR] [--seed N] [--scale N]
    python -m pipelines load PATH... [--db PATH] [--lang zh|en] [--no-wait]
    python -m pipelines report [--db PATH] [--json] [--month YYYY-MM | --from YYYY-MM --to YYYY-MM]
                               [--division NAME]... [--team NAME]... [--type CODE]... [--level CODE]...
                               [--docx PATH] [--lang zh|en]
    python -m pipelines rebuild [--db PATH] [--no-wait]
    python -m pipelines users add LOGIN (--staff STAFF_ID | --role analyst | --role admin) [--email ADDR]
                                  [--lang zh|en] [--sso-only] [--db PATH]
    python -m pipelines users list | disable LOGIN | enable LOGIN | passwd LOGIN [--db PATH]
    python -m pipelines audit [--since YYYY-MM-DD] [--json] [--db PATH]
    python -m pipelines digest (--audience vp|chief|team|analyst | --to LOGIN) [--period day|week|month]
                               [--dry-run [--out DIR]] [--if-due] [--db PATH]

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
    outcome = "error"
    try:
        report = load_paths(paths, db, lang=lang, progress=bar, wait=wait, on_wait=_waiting(lang, bar))
        outcome = ("ok" if report.ok else "fault" if report.fault is not None
                   else "busy" if report.busy is not None else "invalid")
    finally:
        bar.close()
        _audit_files(db, "load", paths, outcome)
    print(report.format(lang), file=sys.stdout if report.ok else sys.stderr)
    if report.ok:
        print(t("cli.store", lang, db=db))
    if report.fault is not None or report.busy is not None:
        return 2  # the machine's or another writer's, never the input's
    return 0 if report.ok else 1


def _audit_files(db: Path, action: str, paths: list[Path], outcome: str) -> None:
    """A load or rebuild in the audit trail: who, every file with its SHA-256, the outcome."""
    import hashlib
    import sqlite3

    from pipelines.access import audit

    files = {}
    for p in paths:
        for f in sorted(p.rglob("*")) if p.is_dir() else [p]:
            if f.is_file():
                h = hashlib.sha256()
                with f.open("rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        h.update(chunk)
                files[str(f)] = h.hexdigest()
    try:
        audit.record(db, _who(), action, files=files, outcome=outcome)
    except (OSError, sqlite3.Error) as exc:  # the trail beside a store in a read-only folder: said, not fatal
        print(f"audit: {type(exc).__name__}: {exc}", file=sys.stderr)


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
    outcome = "error"
    try:
        store.rebuild(db, progress=bar, lang=args.lang, wait=not args.no_wait, on_wait=_waiting(args.lang, bar))
        outcome = "ok"
    except store.StoreLocked as exc:
        outcome = "busy"
        bar.close()
        print(busy_message(exc.holder, args.lang, waiting=False), file=sys.stderr)
        return 2
    finally:
        bar.close()
        _audit_files(db, "rebuild", [], outcome)
    print(t("cli.rebuilt", args.lang, db=db))
    return 0


def _who() -> str:
    """Who runs a command, for the audit trail: the operating-system user."""
    import getpass

    try:
        return "cli:" + getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment nor the password database
        return "cli"


def _read_password(login: str, lang: str) -> str | None:
    """The password: prompted twice on a terminal, else one line from stdin (never echoed, never logged)."""
    import getpass

    if sys.stdin.isatty():
        first = getpass.getpass(t("cli.users.password", lang, login=login))
        if getpass.getpass(t("cli.users.password_again", lang)) != first:
            print(t("cli.users.mismatch", lang), file=sys.stderr)
            return None
        return first
    line = sys.stdin.readline()
    if not line:
        print(t("cli.users.no_password", lang), file=sys.stderr)
        return None
    return line.rstrip("\r\n")


def cmd_users(args: argparse.Namespace) -> int:
    from pipelines.access import accounts, audit

    db, lang, action = Path(args.db), args.lang, args.action
    try:
        if action == "list":
            rows = accounts.list_accounts(db)
            if not rows:
                print(t("cli.users.none", lang))
                return 0
            print(t("cli.users.header", lang))
            for a in rows:
                state = t("cli.users.inactive" if a.disabled else "cli.users.active", lang)
                print("\t".join((a.login, a.role, a.staff_id or "-", a.email or "-", a.lang, state)))
            return 0
        login = args.login
        if action == "add":
            role = args.role or "staff"
            password = None if args.sso_only else _read_password(login, lang)
            if password is None and not args.sso_only:
                return 1
            accounts.add_account(db, login, password, role=role, staff_id=args.staff, email=args.email, lang=lang)
            audit.record(db, _who(), "account_add", login=login, role=role, staff_id=args.staff, email=args.email)
            print(t("cli.users.added", lang, login=login, role=t(f"role.{role}", lang)))
            if args.staff and db.exists():
                _warn_unknown_staff(db, args.staff, lang)
        elif action in ("disable", "enable"):
            accounts.set_disabled(db, login, action == "disable")
            audit.record(db, _who(), f"account_{action}", login=login)
            print(t(f"cli.users.{action}d", lang, login=login))
        elif action == "passwd":
            if accounts.get_account(db, login) is None:
                raise accounts.AccountError("access.error.unknown", login=login)
            password = _read_password(login, lang)
            if password is None:
                return 1
            accounts.set_password(db, login, password)
            audit.record(db, _who(), "account_passwd", login=login)
            print(t("cli.users.passwd", lang, login=login))
    except accounts.AccountError as exc:
        print(t(exc.key, lang, **exc.params), file=sys.stderr)
        return 1
    return 0


def _warn_unknown_staff(db: Path, staff_id: str, lang: str) -> None:
    from pipelines.access.scope import roster_post

    try:
        con = store.connect_readonly(db)
    except Exception:  # noqa: BLE001 - a store that cannot be opened now only skips this warning
        return
    try:
        if roster_post(con, staff_id) is None:
            print(t("access.error.staff_unknown", lang, staff_id=staff_id), file=sys.stderr)
    finally:
        con.close()


def cmd_audit(args: argparse.Namespace) -> int:
    import datetime as dt

    from pipelines.access import audit

    since = None
    if args.since:
        try:
            since = dt.date.fromisoformat(args.since)
        except ValueError:
            print(t("cli.audit.since", args.lang, value=args.since), file=sys.stderr)
            return 1
    rows = audit.read(Path(args.db), since=since)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif not rows:
        print(t("cli.audit.none", args.lang))
    else:
        for row in rows:
            print(audit.line(row))
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    from datetime import datetime

    from pipelines.notify.run import run

    now = datetime.fromisoformat(args.now) if args.now else None
    res = run(Path(args.db), audience=args.audience, login=args.to, period=args.period, dry_run=args.dry_run,
              if_due=args.if_due, now=now, out=Path(args.out) if args.out else None, lang=args.lang)
    for line in res.lines:
        print(line, file=sys.stderr if res.code else sys.stdout)
    return res.code


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

    users = sub.add_parser("users", help="accounts: add, list, disable, enable, passwd")
    users_sub = users.add_subparsers(dest="action", required=True)
    add = users_sub.add_parser("add", parents=[common], help="a new account (password prompted, or one line on stdin)")
    add.add_argument("login")
    who = add.add_mutually_exclusive_group(required=True)
    who.add_argument("--staff", metavar="STAFF_ID", help="a roster person: the scope follows their post")
    who.add_argument("--role", choices=("analyst", "admin"), help="analyst (bureau, pseudonyms) or admin")
    add.add_argument("--email", default=None, metavar="ADDR", help="e-mail address (digests; single sign-on)")
    add.add_argument("--sso-only", action="store_true",
                     help="no password: signs in through the court's single sign-on only")
    users_sub.add_parser("list", parents=[common], help="every account")
    for action in ("disable", "enable", "passwd"):
        one = users_sub.add_parser(action, parents=[common], help=f"{action} an account")
        one.add_argument("login")
    users.set_defaults(func=cmd_users)

    audit = sub.add_parser("audit", parents=[common], help="the audit trail (sign-ins, page views, exports, loads)")
    audit.add_argument("--since", default=None, metavar="YYYY-MM-DD", help="only from this day on")
    audit.add_argument("--json", action="store_true", help="print JSON")
    audit.set_defaults(func=cmd_audit)

    digest = sub.add_parser("digest", parents=[common], help="e-mail digests to accounts with an address, once per period")
    who = digest.add_mutually_exclusive_group(required=True)
    who.add_argument("--audience", choices=("vp", "chief", "team", "analyst"), help="every account of this audience")
    who.add_argument("--to", metavar="LOGIN", help="one account")
    digest.add_argument("--period", choices=("day", "week", "month"), default="week", help="default: week")
    digest.add_argument("--dry-run", action="store_true", help="write .eml files instead of sending; record nothing")
    digest.add_argument("--out", default=None, metavar="DIR", help="folder of --dry-run's .eml files (default: digests/ beside the store)")
    digest.add_argument("--if-due", action="store_true",
                        help="send only on a working day from digest.send_hour on (for cron or a systemd timer, hourly)")
    digest.add_argument("--now", default=None, metavar="YYYY-MM-DDTHH:MM",
                        help="run as at this local time (to catch up a missed period; default: now, Asia/Shanghai)")
    digest.set_defaults(func=cmd_digest)
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
