"""`python -m pipelines digest`: alerts moved to their state at the snapshot, then one digest per recipient and
period, each exactly once.

    run(db, audience="team", period="week")                 # send what has not gone out this week
    run(db, login="chief", dry_run=True, out=Path("eml"))   # write .eml files, send and record nothing
    run(db, audience="chief", period="day", if_due=True)    # what cron or a systemd timer calls every hour

Exactly once: the digest log (pipelines.notify.log) has one row per (channel, recipient, period, period key).
A row marked `sent` is never sent again; a failed send is recorded as `failed` and sent on the next run, the
recipients it reached before untouched. A message is marked sent once the SMTP server accepted it: a crash
between the server's "250" and the log's write (milliseconds) would send it once more on the next run, with
the same Message-ID, so the mail system can recognise the duplicate.

The period key is the court's calendar (Asia/Shanghai) at the time of the run: `day` = 2024-07-01, `week` =
2024-W27 (ISO week), `month` = 2024-07. `--if-due` sends only on a working day of the official calendar
(chinese-calendar and the holidays file, as the latency figures count) from `digest.send_hour` on, so an
hourly timer sends each period's digest on its first working day at that hour, and nothing on weekends and
holidays; what a period's digest shows is the data's snapshot, never the wall clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from pipelines import queries
from pipelines.access.clock import now_local
from pipelines.core.i18n import t
from pipelines.domain.settings import settings_for_store
from pipelines.domain.workdays import build_calendar
from pipelines.notify import log, preview, transport
from pipelines.notify.alerts import advance, evaluate, snapshot_of
from pipelines.notify.digest import compose, message_id, to_message
from pipelines.notify.recipients import recipients
from pipelines.store.db import connect_readonly

PERIODS = ("day", "week", "month")


@dataclass
class Outcome:
    code: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    written: list[Path] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def period_key(period: str, day: date) -> str:
    if period == "day":
        return day.isoformat()
    if period == "week":
        iso = day.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    return f"{day.year:04d}-{day.month:02d}"


def not_due(now: datetime, settings, lang: str) -> str | None:
    """Why nothing is due at `now` (a non-working day, before the sending hour), or None."""
    day = now.date()
    if not build_calendar(day, day, settings.holidays_file).is_workday(day):
        return t("cli.digest.not_workday", lang, day=day.isoformat())
    if now.hour < settings.digest_send_hour:
        return t("cli.digest.before_hour", lang, hour=settings.digest_send_hour)
    return None


def _file_name(key: str, login: str) -> str:
    return re.sub(r"[^A-Za-z0-9._@-]", "_", f"{key}_{login}") + ".eml"


def webhook_payload(d) -> dict:
    return {
        "kind": "tierwatch.digest", "recipient": d.recipient.login, "email": d.recipient.email,
        "period": d.period, "period_key": d.period_key, "subject": d.subject, "snapshot": d.figures.get("snapshot"),
        "now": d.figures.get("now"), "headline": d.figures.get("headline"), "links": d.links,
        "alerts": d.alerts,
        "attention": [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()} for r in d.attention_rows],
        "text": d.text,
    }


def run(db: str | Path, *, audience: str | None = None, login: str | None = None, period: str = "week",
        dry_run: bool = False, if_due: bool = False, now: datetime | None = None, out: Path | None = None,
        lang: str = "zh") -> Outcome:
    db = Path(db)
    res = Outcome()
    say = res.lines.append
    if not db.exists():
        say(t("cli.digest.no_store", lang, db=db))
        res.code = 1
        return res
    settings = settings_for_store(db)
    now = now or now_local()
    if if_due:
        reason = not_due(now, settings, lang)
        if reason:
            say(t("cli.digest.not_due", lang, reason=reason))
            return res
    key = period_key(period, now.date())
    stamp = now.isoformat(sep=" ", timespec="seconds")
    try:
        with log.run_lock(db):
            con = connect_readonly(db)
            try:
                if not queries.store_info(con).ready:
                    say(t("cli.digest.no_store", lang, db=db))
                    res.code = 1
                    return res
                people = recipients(db, con, audience=audience, login=login)
                if not people:
                    say(t("cli.digest.unknown_login", lang, login=login) if login else t("cli.digest.no_recipients", lang))
                    res.code = 1 if login else 0
                    return res
                snap = snapshot_of(con)
                _, triggered = advance(db, evaluate(con, settings), snap, settings.alert_rearm_days, commit=not dry_run)
                for r in people:
                    _one(db, con, r, period, key, settings, triggered, dry_run, out, stamp, res, lang)
            finally:
                con.close()
    except log.Busy:
        say(t("cli.digest.busy", lang))
        return res
    say(t("cli.digest.summary", lang, sent=res.sent, skipped=res.skipped, failed=res.failed))
    if res.failed:
        res.code = 2
    return res


def _one(db, con, r, period, key, settings, triggered, dry_run, out, stamp, res: Outcome, lang) -> None:
    say = res.lines.append
    mail_done = not dry_run and (e := log.entry(db, "mail", r.login, period, key)) is not None and e.status == "sent"
    hook = bool(settings.webhook_url)
    hook_done = not hook or (not dry_run and (e := log.entry(db, "webhook", r.login, period, key)) is not None
                             and e.status == "sent")
    if mail_done and hook_done:
        res.skipped += 1
        say(t("cli.digest.already", lang, login=r.login, key=key))
        return
    prev = log.previous_sent(db, "mail", r.login, period, key)
    d = compose(con, r, period=period, period_key=key, settings=settings, triggered=triggered,
                previous=prev.figures if prev else None)
    msg = to_message(d, settings.digest_from_address)
    if dry_run:
        folder = out or db.resolve().parent / "digests"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / _file_name(key, r.login)
        path.write_bytes(bytes(msg))
        path.with_suffix(".html").write_text(preview.to_html(path.read_bytes()), encoding="utf-8")
        res.written.append(path)
        say(t("cli.digest.written", lang, path=path))
        return
    if not mail_done:
        try:
            transport.send_mail(msg, settings)
        except transport.SendError as exc:
            log.record(db, "mail", r.login, period, key, ok=False, at=stamp, address=r.email,
                       message_id=msg["Message-ID"], subject=d.subject, figures=d.figures, error=str(exc))
            res.failed += 1
            say(t("cli.digest.failed", lang, login=r.login, error=exc))
        else:
            log.record(db, "mail", r.login, period, key, ok=True, at=stamp, address=r.email,
                       message_id=msg["Message-ID"], subject=d.subject, figures=d.figures, error=None)
            res.sent += 1
            say(t("cli.digest.sent", lang, login=r.login, email=r.email, subject=d.subject))
    if not hook_done:
        try:
            body = transport.fit(webhook_payload(d), settings.webhook_max_bytes)
            transport.post_webhook(settings.webhook_url, body, settings.smtp_timeout_seconds)
        except transport.SendError as exc:
            log.record(db, "webhook", r.login, period, key, ok=False, at=stamp, address=None,
                       message_id=message_id(d, settings.digest_from_address), subject=d.subject, figures=d.figures,
                       error=str(exc))
            res.failed += 1
            say(t("cli.digest.webhook_failed", lang, login=r.login, error=exc))
        else:
            log.record(db, "webhook", r.login, period, key, ok=True, at=stamp, address=None,
                       message_id=message_id(d, settings.digest_from_address), subject=d.subject, figures=d.figures,
                       error=None)
            res.sent += 1
            say(t("cli.digest.webhook_sent", lang, login=r.login))
