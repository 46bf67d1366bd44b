"""Alert rules (settings `[alerts]`) and their state: each alert is OK or TRIGGERED, and fires once when it
turns TRIGGERED, never again on every run.

    current = evaluate(con, settings)                       # what is triggered at the data's snapshot
    fired, triggered = advance(db, current, snapshot, settings.alert_rearm_days)

Rules, each judged at the data's snapshot (never the wall clock), one alert per record:
- `targets`: a headline figure of the snapshot's month above its `[targets]` value (未达标), bureau-wide;
- `pending_red`: a pending approval step in the RED tier (over its level's limit);
- `case_last_days`: an open case with 0 to `alerts.case_last_days` days left to its statutory deadline (one
  past it is the clock's red tier, on the attention list);
- `item_undecided`: an escalated meeting item still undecided `alerts.item_undecided_days` after the meeting.

Re-arm (`alerts.rearm_days`, in days of snapshot time): an alert that fired does not fire again within the
interval, even if it clears and triggers again (no flapping); one still triggered once the interval has
passed fires once more, as a reminder. Every alert carries the team and division of its record, so a
recipient sees only those inside their scope (bureau-wide ones only with the bureau's scope).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pipelines import queries
from pipelines.core.filters import Filters, format_month
from pipelines.core.i18n import label, t
from pipelines.core.scope import Scope
from pipelines.notify import log

RULES = ("targets", "pending_red", "case_last_days", "item_undecided")
PAGE = 500


@dataclass(frozen=True)
class Alert:
    rule: str
    key: str
    team: str | None = None
    division: str | None = None
    payload: dict = field(default_factory=dict, hash=False, compare=False)

    def visible_to(self, scope: Scope | None) -> bool:
        return scope is None or scope.allows(self.division, self.team)


@dataclass(frozen=True)
class Triggered:
    """An alert in the TRIGGERED state: since when (snapshot time it last fired), and whether it fired now."""

    alert: Alert
    fired_at: str | None
    new: bool


def snapshot_of(con) -> datetime | None:
    value = queries.store_info(con).meta_value("snapshot_at")
    return datetime.fromisoformat(value) if value else None


def _pages(fetch):
    offset = 0
    while True:
        page = fetch(PAGE, offset)
        yield from page.iter_rows(named=True)
        if page.height < PAGE:
            return
        offset += PAGE


def evaluate(con, settings) -> list[Alert]:
    """Every alert whose condition holds at the snapshot, bureau-wide (each with its record's team/division)."""
    snap = snapshot_of(con)
    if snap is None:
        return []
    f = Filters()
    out: list[Alert] = []
    division_of = dict(queries.filter_options(con)["teams"])
    if settings.alert_targets:
        month = snap.date().replace(day=1)
        head = queries.headline(con, Filters(start=month, end=month))
        values = {"median_step_hours": head["median_hours"], "findings_per_100": head["findings_per_100"],
                  "escalation_rate": head["escalation_rate"]}
        for name, target in settings.targets().items():
            value = values.get(name)
            if value is not None and value > target:
                out.append(Alert("targets", f"{name}:{format_month(month)}", None, None,
                                 {"figure": name, "value": value, "target": target, "month": format_month(month)}))
    if settings.alert_pending_red:
        for r in _pages(lambda n, o: queries.attention_page(con, f, ("pending",), limit=n, offset=o)):
            if r["attention_tier"] == "RED":
                out.append(Alert("pending_red", f"{r['record_id']}#{r['step_no']}", r["team"], r["division"], {
                    "matter": r["record_id"], "step": r["step_no"], "approver": r["who_name"] or r["who_id"],
                    "days": r["age_workdays"], "level": r["level"], "limit": r["limit_workdays"]}))
    n = settings.alert_case_last_days
    for r in _pages(lambda k, o: queries.open_cases_page(con, f, (), limit=k, offset=o)):
        if r["days_left"] is None or r["days_left"] > n:
            break
        if r["days_left"] < 0:  # past its deadline: the clock's red tier (the attention list), not "entering"
            continue
        deadline: date = r["deadline"]
        out.append(Alert("case_last_days", r["case_id"], r["team"], division_of.get(r["team"]), {
            "case": r["case_id"], "team": r["team"], "deadline": deadline.isoformat(), "days": r["days_left"],
            "due": (deadline - timedelta(days=settings.extension_lead_days)).isoformat(), "n": n}))
    n = settings.alert_item_undecided_days
    conds = (("escalated", True),)
    for r in _pages(lambda k, o: queries.records_page(con, f, "meeting_items", conds, "", limit=k, offset=o)):
        days = (snap.date() - r["held_on"]).days
        if r["decided_on"] is None and days > n:
            out.append(Alert("item_undecided", r["item_id"], None, None, {
                "item": r["item_id"], "topic": r["topic"], "held": r["held_on"].isoformat(), "days": days, "n": n}))
    return out


def advance(db, current: list[Alert], now: datetime, rearm_days: float, *, commit: bool = True
            ) -> tuple[list[Alert], list[Triggered]]:
    """Move every alert's state to what `current` says at snapshot time `now`: the alerts that fire now, and
    every alert TRIGGERED after the move. `commit=False` (a dry run) computes the same without storing it."""
    stamp = now.isoformat(sep=" ", timespec="seconds")
    rearm = timedelta(days=rearm_days)
    fired: list[Alert] = []
    triggered: list[Triggered] = []
    with log.connect(db) as con:
        states = {(r["rule"], r["key"]): r for r in con.execute("SELECT * FROM alert_state")}
        seen = set()
        for a in current:
            k = (a.rule, a.key)
            if k in seen:
                continue
            seen.add(k)
            prev = states.get(k)
            last = datetime.fromisoformat(prev["fired_at"]) if prev is not None and prev["fired_at"] else None
            armed = last is None or now - last >= rearm
            was_triggered = prev is not None and prev["status"] == "TRIGGERED"
            fire = armed  # a change to TRIGGERED, or a reminder once the interval has passed
            fired_at = stamp if fire else (prev["fired_at"] if prev is not None else None)
            if fire:
                fired.append(a)
            triggered.append(Triggered(a, fired_at, fire))
            if commit:
                con.execute(
                    """INSERT INTO alert_state (rule, key, status, team, division, payload, changed_at, fired_at,
                                                fired_count) VALUES (?, ?, 'TRIGGERED', ?, ?, ?, ?, ?, ?)
                       ON CONFLICT (rule, key) DO UPDATE SET status = 'TRIGGERED', team = excluded.team,
                           division = excluded.division, payload = excluded.payload,
                           changed_at = CASE WHEN alert_state.status = 'TRIGGERED' THEN alert_state.changed_at
                                             ELSE excluded.changed_at END,
                           fired_at = excluded.fired_at,
                           fired_count = alert_state.fired_count + excluded.fired_count""",
                    (a.rule, a.key, a.team, a.division, json.dumps(a.payload, ensure_ascii=False, default=str),
                     stamp if not was_triggered else (prev["changed_at"]), fired_at, int(fire)),
                )
        if commit:
            for k, prev in states.items():
                if k not in seen and prev["status"] == "TRIGGERED":
                    con.execute("UPDATE alert_state SET status = 'OK', changed_at = ? WHERE rule = ? AND key = ?",
                                (stamp, *k))
        if not commit:
            con.rollback()
    return fired, triggered


def states(db) -> dict[tuple[str, str], dict]:
    """Every alert's stored state (tests, the command line)."""
    with log.connect(db) as con:
        return {(r["rule"], r["key"]): dict(r) for r in con.execute("SELECT * FROM alert_state")}


def rule_title(rule: str, payload: dict, lang: str) -> str:
    if rule == "case_last_days":
        return t("alert.rule.case_last_days", lang, n=payload.get("n", ""))
    if rule == "item_undecided":
        return t("alert.rule.item_undecided", lang, n=payload.get("n", ""))
    return t(f"alert.rule.{rule}", lang)


def alert_text(a: Alert, lang: str) -> str:
    """One alert in words."""
    p = a.payload
    if a.rule == "targets":
        share = p["figure"] == "escalation_rate"
        value = f"{100 * p['value']:.1f}%" if share else f"{p['value']:,.2f}"
        target = f"{100 * p['target']:.1f}%" if share else f"{p['target']:,.2f}"
        return t("alert.text.targets", lang, figure=t(f"alert.figure.{p['figure']}", lang), value=value, target=target,
                 month=p["month"])
    if a.rule == "pending_red":
        return t("alert.text.pending_red", lang, matter=p["matter"], step=p["step"], approver=p["approver"] or "—",
                 days=p["days"], level=label("level", p["level"], lang), limit=f"{p['limit']:g}" if p["limit"] else "—")
    if a.rule == "case_last_days":
        return t("alert.text.case", lang, case=p["case"], team=p["team"] or "—", deadline=p["deadline"], days=p["days"],
                 due=p["due"])
    return t("alert.text.item", lang, item=p["item"], topic=p["topic"] or "—", held=p["held"], days=p["days"])
