"""One digest: a recipient's figures, charts, attention list and triggered alerts, as an e-mail message.

    d = compose(con, recipient, period="week", period_key="2024-W27", settings=s, triggered=[...], previous={})
    msg = to_message(d, sender="tierwatch@court.local", message_id=...)

Every figure comes from the query layer under the recipient's scope (`Filters().within(scope)`), so a team
leader's digest holds their team's figures and rows only; the bureau-wide figures (meetings) and alerts go
to bureau-scope recipients alone. "Now" is the data's snapshot: the headline figures are those of the
snapshot's month against the month before (as the Overview computes them), the attention counts are now
against those of the recipient's previous digest of the same period kind. Charts are the pages' charts,
rendered to PNG by the existing export and attached as inline images (multipart/related, `cid:`), with a
plain-text part beside the HTML. Every link goes back to the dashboard (`digest.base_url`) with the
recipient's filters in its query string.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate

from pipelines import queries
from pipelines.core.filters import Filters, format_month
from pipelines.core.i18n import t
from pipelines.notify.alerts import Triggered, alert_text, rule_title
from pipelines.notify.recipients import Recipient
from pipelines.present import chart_export, charts
from pipelines.present.monthly_report import change
from pipelines.queries import _pseudonyms
from pipelines.tables.marts import format_value

# Headline figures: key in queries.headline, message, kind of number, target name (settings [targets]) or None,
# whether the figure is bureau-wide (shown to bureau-scope recipients only).
HEADLINES = (
    ("approved_matters", "monthly.h.approved", "count", None, False),
    ("within_limit_share", "monthly.h.within_limit_share", "share", None, False),  # the Overview's latency headline
    ("findings_per_100", "monthly.h.findings_per_100", "rate100", "findings_per_100", False),
    ("substitutions", "monthly.h.substitutions", "count", None, False),
    ("escalation_rate", "monthly.h.escalation_rate", "share", "escalation_rate", True),
    ("on_time_share", "monthly.h.on_time_share", "share", None, False),
)
NOW_FIGURES = ("pending_red", "pending_yellow", "cases_red", "cases_yellow", "items", "substitutions")
CHART_SCALE = 2.0


@dataclass
class Digest:
    recipient: Recipient
    period: str
    period_key: str
    subject: str
    text: str
    html: str
    images: list[tuple[str, bytes]] = field(default_factory=list)  # (content id, PNG)
    figures: dict = field(default_factory=dict)  # what the next digest compares with
    links: dict = field(default_factory=dict)  # name -> URL
    attention_rows: list[dict] = field(default_factory=list)
    alerts: list[dict] = field(default_factory=list)


def now_figures(counts: dict) -> dict[str, int]:
    return {
        "pending_red": counts["pending"]["RED"], "pending_yellow": counts["pending"]["YELLOW"],
        "cases_red": counts["case"]["RED"], "cases_yellow": counts["case"]["YELLOW"],
        "items": counts["item"]["RED"], "substitutions": counts["substitution"]["RED"],
    }


def _url(base: str, path: str, query: str) -> str:
    return f"{base}{path}" + (f"?{query}" if query else "")


def _lang_query(f: Filters, lang: str, **extra) -> str:
    from urllib.parse import urlencode

    params = dict(f.to_query_params())
    if lang != "zh":
        params["lang"] = lang
    params.update(extra)
    return urlencode(params, doseq=True)


def scope_text(r: Recipient, f: Filters, lang: str) -> str:
    if r.scope.is_bureau:
        return t("digest.scope.bureau", lang)
    sep = t("export.list_sep", lang)
    return sep.join([*f.divisions, *f.teams])


def _hider(con):
    """Text with every roster name and staff id in it replaced by the person's pseudonym (the alerts' texts are
    composed from the bureau-wide alert states, so the query layer has not pseudonymised them)."""
    mapping = _pseudonyms.replacements(con)
    names = sorted((k for k in mapping if len(k) >= 2), key=len, reverse=True)

    def hide(text: str) -> str:
        for name in names:
            if name in text:
                text = text.replace(name, mapping[name])
        return text

    return hide


def _png(chart, title: str, subtitle: list[str], lang: str) -> bytes:
    return chart_export.chart_to_png(charts.with_title(chart, title, subtitle), scale=CHART_SCALE, lang=lang)


def compose(con, r: Recipient, *, period: str, period_key: str, settings, triggered: list[Triggered],
            previous: dict | None = None) -> Digest:
    lang, base = r.lang, settings.digest_base_url
    snap = queries.store_info(con).meta_value("snapshot_at") or ""
    snapshot = snap[:16]
    month = datetime.fromisoformat(snap).date().replace(day=1) if snap else None
    scoped = Filters().within(r.scope)
    f = Filters(start=month, end=month).within(r.scope)
    where = scope_text(r, scoped, lang)
    period_word = t(f"digest.period.{period}", lang)
    subject = t("digest.subject", lang, period=period_word, key=period_key, scope=where)

    # headline figures of the snapshot's month against the month before
    now, before, _year_ago = queries.headline_periods(con, f) if month else ({}, {}, {})
    goals = settings.targets()
    heads = []
    for key, msg, kind, target, bureau_wide in HEADLINES:
        if bureau_wide and not r.scope.is_bureau:
            continue
        value, prev = now.get(key), before.get(key)
        goal = goals.get(target) if target else None
        met = None if goal is None or value is None else value <= goal
        heads.append({"key": key, "label": t(msg, lang), "value": format_value(value, kind),
                      "previous": format_value(prev, kind), "change": change(value, prev, kind, lang),
                      "target": format_value(goal, kind) if goal is not None else "",
                      "met": met, "raw": value})

    # what needs action now, against the previous digest
    counts = queries.attention_counts(con, scoped)
    nowf = now_figures(counts)
    prevf = (previous or {}).get("now") or {}
    now_rows = [{"key": k, "label": t(f"digest.metric.{k}", lang), "value": f"{nowf[k]:,}",
                 "previous": f"{prevf[k]:,}" if k in prevf else "—",
                 "change": f"{nowf[k] - prevf[k]:+,}" if k in prevf else "—"} for k in NOW_FIGURES]

    # links back to the dashboard, with the recipient's filters
    links = {
        "attention": _url(base, "/attention", _lang_query(scoped, lang)),
        "overview": _url(base, "/", _lang_query(f, lang)),
    }

    # charts (the pages' own, rendered by the existing export)
    subtitle = [chart_export.filters_text(scoped, lang, ("division", "team")), chart_export.snapshot_text(snap, lang)]
    images = []
    if month:
        window = f.trend_window(12)
        trend = queries.monthly_overview(con, window)
        images.append(("approved", t("digest.chart.approved", lang),
                       _png(charts.trend_line(trend, "approved_matters", t("axis.approved_matters", lang), lang),
                            t("digest.chart.approved", lang), subtitle, lang)))
    pending = queries.pending_summary(con, scoped)
    if pending.height:
        images.append(("pending", t("digest.chart.pending", lang),
                       _png(charts.pending_by_level(pending, lang), t("digest.chart.pending", lang), subtitle, lang)))
    cid_of = {name: f"{name}.{hashlib.sha256((r.login + period_key + name).encode()).hexdigest()[:16]}@tierwatch"
              for name, _, _ in images}

    # the attention list (first rows) and the alerts in scope
    total = queries.attention_count(con, scoped)
    page = queries.attention_page(con, scoped, (), settings.extension_lead_days, limit=settings.digest_max_rows)
    shown = queries.attention_view(page, lang)
    rows = []
    for raw, row in zip(page.iter_rows(named=True), shown.iter_rows(named=True), strict=True):
        rows.append({**row, "link": base + queries.record_link(raw["attention_kind"], scoped, lang)})
    alerts = [a for a in triggered if a.alert.visible_to(r.scope)]
    hide = _hider(con) if r.scope.pseudonyms else (lambda text: text)
    alert_rows = [{"rule": rule_title(a.alert.rule, a.alert.payload, lang), "text": hide(alert_text(a.alert, lang)),
                   "since": (a.fired_at or "")[:16], "new": a.new} for a in alerts]
    alert_rows.sort(key=lambda x: (not x["new"], x["rule"], x["text"]))
    alert_total = len(alert_rows)
    alert_rows = alert_rows[: settings.digest_max_rows]

    d = Digest(r, period, period_key, subject, "", "", [(cid_of[n], png) for n, _, png in images],
               {"now": nowf, "headline": {h["key"]: h["raw"] for h in heads}, "month": format_month(month),
                "snapshot": snap}, links, rows, alert_rows)
    ctx = {"lang": lang, "snapshot": snapshot, "where": where, "month": format_month(month), "heads": heads,
           "now_rows": now_rows, "total": total, "rows": rows, "alerts": alert_rows, "alert_total": alert_total,
           "images": [(cid_of[n], title) for n, title, _ in images]}
    d.text = _text(d, ctx)
    d.html = _html(d, ctx)
    return d


# ------------------------------------------------------------------------------------------ plain text
def _text(d: Digest, c: dict) -> str:
    lang = c["lang"]
    out = [t("digest.greeting", lang, name=d.recipient.name), "",
           t("digest.lead", lang, snapshot=c["snapshot"], scope=c["where"]), ""]
    out += [t("digest.headline", lang, month=c["month"])]
    for h in c["heads"]:
        mark = "" if h["met"] is None else f"  [{t('digest.target.met' if h['met'] else 'digest.target.missed', lang)}]"
        out.append(f"  {h['label']}: {h['value']} ({t('digest.col.previous', lang)} {h['previous']}, {h['change']}){mark}")
    out += ["", t("digest.now", lang)]
    out += [f"  {n['label']}: {n['value']} ({t('digest.col.previous', lang)} {n['previous']}, {n['change']})" for n in c["now_rows"]]
    out += ["", t("digest.attention", lang, shown=len(c["rows"]), total=c["total"])]
    for r in c["rows"]:
        since = r["since"].strftime("%Y-%m-%d") if r["since"] else "—"
        due = f" · {t('col.due_on', lang)} {r['due_on'].isoformat()}" if r["due_on"] else ""
        out.append(f"  [{r['attention_tier']}] {r['attention_kind']} {r['record_id']} · {r['attention_what']} · "
                   f"{r['who_name']} · {t('col.since', lang)} {since} ({r['waiting_days']}){due}")
        out.append(f"    {r['link']}")
    if c["total"] > len(c["rows"]):
        out.append("  " + t("digest.attention.more", lang, total=c["total"]) + ": " + d.links["attention"])
    out += ["", t("digest.alerts", lang)]
    if not c["alerts"]:
        out.append("  " + t("digest.alerts.none", lang))
    for a in c["alerts"]:
        new = f"[{t('digest.alert.new', lang)}] " if a["new"] else ""
        out.append(f"  {new}{a['rule']}: {a['text']} ({a['since']})")
    if c["alert_total"] > len(c["alerts"]):
        out.append("  " + t("digest.alerts.more", lang, shown=len(c["alerts"]), total=c["alert_total"]))
    out += ["", t("digest.open_dashboard", lang) + ": " + d.links["attention"], d.links["overview"], "",
            t("digest.footer", lang, snapshot=c["snapshot"])]
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------------------ HTML
_CELL = "padding:4px 8px;border-bottom:1px solid #e5e5e5;text-align:left;vertical-align:top"
_HEAD = "padding:4px 8px;border-bottom:2px solid #999;text-align:left;background:#f3f3f3"
_NUM = _CELL.replace("text-align:left", "text-align:right")
_TIER = {"red": "#d62728", "yellow": "#e6a700"}


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _heading(text: str) -> str:
    """A section's title in the mail: one style for every section."""
    return f'<h3 style="margin:14px 0 4px 0">{_e(text)}</h3>'


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    head = "".join(f'<th style="{_HEAD}">{_e(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td style="{_NUM if i in numeric else _CELL}">{cell}</td>' for i, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f'<table style="border-collapse:collapse;font-size:13px;margin:6px 0 14px 0">{head and "<tr>" + head + "</tr>"}{body}</table>'


def _html(d: Digest, c: dict) -> str:
    lang = c["lang"]
    parts = [f"<p>{_e(t('digest.greeting', lang, name=d.recipient.name))}</p>",
             f"<p>{_e(t('digest.lead', lang, snapshot=c['snapshot'], scope=c['where']))}</p>",
             _heading(t("digest.headline", lang, month=c["month"]))]
    rows = []
    for h in c["heads"]:
        badge = ""
        if h["met"] is not None:
            color = "#2ca02c" if h["met"] else "#d62728"
            badge = f'<span style="color:{color}">{_e(t("digest.target.met" if h["met"] else "digest.target.missed", lang))}（{_e(h["target"])}）</span>' \
                if lang == "zh" else f'<span style="color:{color}">{_e(t("digest.target.met" if h["met"] else "digest.target.missed", lang))} ({_e(h["target"])})</span>'
        rows.append([_e(h["label"]), _e(h["value"]), _e(h["previous"]), _e(h["change"]), badge])
    parts.append(_table([t(f"digest.col.{k}", lang) for k in ("figure", "value", "previous", "change", "target")], rows, {1, 2, 3}))
    parts.append(f'<p><a href="{_e(d.links["overview"])}">{_e(t("digest.open_dashboard", lang))}</a></p>')
    parts.append(_heading(t("digest.now", lang)))
    parts.append(_table([t(f"digest.col.{k}", lang) for k in ("figure", "value", "previous", "change")],
                        [[_e(n["label"]), _e(n["value"]), _e(n["previous"]), _e(n["change"])] for n in c["now_rows"]], {1, 2, 3}))
    if c["images"]:
        parts.append(_heading(t("digest.charts", lang)))
        for cid, title in c["images"]:
            parts.append(f'<p><img src="cid:{_e(cid)}" alt="{_e(title)}" style="max-width:640px;width:100%;height:auto"></p>')
    parts.append(_heading(t("digest.attention", lang, shown=len(c["rows"]), total=c["total"])))
    if not c["rows"]:
        parts.append(f"<p>{_e(t('attention.none', lang))}</p>")
    else:
        body = []
        for r in c["rows"]:
            tier_color = _TIER["red" if r["attention_tier"] == t("attention.tier.RED", lang) else "yellow"]
            since = r["since"].strftime("%Y-%m-%d") if r["since"] else "—"
            body.append([f'<span style="color:{tier_color};font-weight:bold">●</span> {_e(r["attention_tier"])}',
                         _e(r["attention_kind"]), f'<a href="{_e(r["link"])}">{_e(r["record_id"])}</a>',
                         _e(r["attention_what"]), _e(r["who_name"]), _e(r["team"] or ""), _e(since),
                         _e(r["waiting_days"]), _e(r["due_on"].isoformat() if r["due_on"] else "")])
        heads = [t(f"col.{k}", lang) for k in ("attention_tier", "attention_kind", "attention_record", "attention_what",
                                                "who_name", "team", "since", "waiting_days", "due_on")]
        parts.append(_table(heads, body, {7}))
    if c["total"] > len(c["rows"]) or c["rows"]:
        parts.append(f'<p><a href="{_e(d.links["attention"])}">{_e(t("digest.attention.more", lang, total=c["total"]))}</a></p>')
    parts.append(_heading(t("digest.alerts", lang)))
    if not c["alerts"]:
        parts.append(f"<p>{_e(t('digest.alerts.none', lang))}</p>")
    else:
        items = []
        for a in c["alerts"]:
            new = f'<b style="color:#d62728">[{_e(t("digest.alert.new", lang))}]</b> ' if a["new"] else ""
            items.append(f"<li>{new}<b>{_e(a['rule'])}</b>：{_e(a['text'])} <span style=\"color:#777\">({_e(a['since'])})</span></li>"
                         if lang == "zh" else
                         f"<li>{new}<b>{_e(a['rule'])}</b>: {_e(a['text'])} <span style=\"color:#777\">({_e(a['since'])})</span></li>")
        parts.append('<ul style="font-size:13px">' + "".join(items) + "</ul>")
        if c["alert_total"] > len(c["alerts"]):
            parts.append(f"<p>{_e(t('digest.alerts.more', lang, shown=len(c['alerts']), total=c['alert_total']))}</p>")
    parts.append(f'<p style="color:#777;font-size:12px">{_e(t("digest.footer", lang, snapshot=c["snapshot"]))}</p>')
    font = "'Microsoft YaHei','PingFang SC','Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif"
    return (f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f"<title>{_e(d.subject)}</title></head>"
            f'<body style="font-family:{font};font-size:14px;color:#222;max-width:980px">' + "".join(parts) + "</body></html>")


# ------------------------------------------------------------------------------------------ the message
def message_id(d: Digest, sender: str) -> str:
    """The same Message-ID on every attempt of one digest (a retry after a lost answer can be recognised)."""
    domain = sender.rpartition("@")[2] or "tierwatch.local"
    who = hashlib.sha256(d.recipient.login.encode()).hexdigest()[:12]
    return f"<tierwatch.{d.period}.{d.period_key}.{who}@{domain}>"


def to_message(d: Digest, sender: str) -> EmailMessage:
    """multipart/alternative (text, then multipart/related: the HTML and its inline PNGs)."""
    msg = EmailMessage()
    msg["Subject"] = d.subject
    msg["From"] = sender
    msg["To"] = d.recipient.email
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = message_id(d, sender)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(d.text)
    msg.add_alternative(d.html, subtype="html")
    html_part = msg.get_payload()[1]
    for cid, png in d.images:
        html_part.add_related(png, maintype="image", subtype="png", cid=f"<{cid}>", filename=cid.split("@")[0] + ".png",
                              disposition="inline")
    return msg
