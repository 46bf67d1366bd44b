"""Digests by mail against a real SMTP server (aiosmtpd on 127.0.0.1, started here) and a real store (a copy of
the demo store) with real accounts: what each recipient gets (their scope only, their language, inline
charts that decode, links back with their filters), exactly once per recipient and period (a rerun sends
nothing; a server that refuses once gets the failed one on the next run and nobody twice), `--if-due` on
the official calendar, `--dry-run`'s .eml files, and the intranet webhook with its size limit."""

from __future__ import annotations

import json
import shutil
import socket
import struct
import threading
from datetime import datetime
from email import policy
from email.parser import BytesParser
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller

from pipelines.access.accounts import add_account
from pipelines.cli import main
from pipelines.notify import log
from pipelines.notify.preview import to_html
from pipelines.notify.run import run

BASE = "http://tierwatch.court.test:8501"
TEAM = "执行一团队"
OTHER_TEAMS = ("执行二团队", "执行三团队", "执行四团队", "执行五团队", "执行六团队", "执行七团队", "执行八团队", "执行九团队")
MONDAY = datetime(2024, 7, 1, 9, 0)  # a working day, after the sending hour


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it accepts and refuses the next `refuse` messages with 451."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.refuse = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 try again later"
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def to(self, address: str) -> list:
        return [BytesParser(policy=policy.default).parsebytes(c) for rcpt, c in self.messages if address in rcpt]


@pytest.fixture
def smtp():
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


@pytest.fixture
def store(tmp_path, demo_db, smtp) -> Path:
    """A copy of the demo store with accounts (the chief, a team leader, the VP in English, a member and an
    account without an address) and settings that point at the test's SMTP server."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_db, db)
    shutil.copytree(demo_db.with_suffix(".parts"), tmp_path / "warehouse.parts")
    add_account(db, "chief", None, role="staff", staff_id="W0003", email="chief@court.test")
    add_account(db, "lead1", None, role="staff", staff_id="W0007", email="lead1@court.test")
    add_account(db, "vp", None, role="staff", staff_id="W0002", email="vp@court.test", lang="en")
    add_account(db, "member", None, role="staff", staff_id="W0008", email="member@court.test")
    add_account(db, "lead2", None, role="staff", staff_id="W0013")  # no address: no digest
    (tmp_path / "settings.toml").write_text(
        f'[digest]\nbase_url = "{BASE}/"\nsmtp_host = "127.0.0.1"\nsmtp_port = {smtp.port}\n'
        'from_address = "tierwatch@court.test"\n', encoding="utf-8")
    return db


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a":
            self.hrefs.append(a["href"])
        if tag == "img":
            self.images.append(a["src"])


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_each_recipient_gets_their_scope_language_inline_charts_and_links(store, smtp):
    res = run(store, audience="chief", period="week", now=MONDAY)
    assert res.code == 0 and res.sent == 1, res.lines
    res = run(store, audience="team", period="week", now=MONDAY)
    assert res.code == 0 and res.sent == 1, res.lines  # lead2 has no address
    res = run(store, audience="vp", period="week", now=MONDAY)
    assert res.sent == 1
    assert sorted(r for rcpts, _ in smtp.messages for r in rcpts) == ["chief@court.test", "lead1@court.test", "vp@court.test"]

    [chief] = smtp.to("chief@court.test")
    [lead] = smtp.to("lead1@court.test")
    [vp] = smtp.to("vp@court.test")
    assert chief["Subject"] == "执行管理层级看板周报（2024-W27）：全局"
    assert lead["Subject"] == f"执行管理层级看板周报（2024-W27）：{TEAM}"
    assert vp["Subject"] == "tierwatch weekly digest (2024-W27): the whole bureau"
    assert chief["From"] == "tierwatch@court.test" and chief["Message-ID"].endswith("@court.test>")

    for msg in (chief, lead, vp):
        text = msg.get_body(("plain",)).get_content()
        html = msg.get_body(("html",)).get_content()
        assert "2024-06-30 23:59" in text and "2024-06-30 23:59" in html  # the data's snapshot, never the clock
        # inline images: every <img> is a cid: of a related part whose bytes are a PNG that decodes
        parts = {p["Content-ID"].strip("<>"): p for p in msg.walk() if p["Content-ID"]}
        links = Links()
        links.feed(html)
        assert len(links.images) == 2
        for src in links.images:
            assert src.startswith("cid:")
            part = parts[src[4:]]
            assert part.get_content_type() == "image/png" and part.get_content_disposition() == "inline"
            width, height = _png_size(part.get_content())
            assert width >= 600 and height >= 150
        # links back to the dashboard, each with the recipient's filters
        assert links.hrefs and all(h.startswith(BASE + "/") for h in links.hrefs)
        for href in links.hrefs:
            query = parse_qs(urlsplit(href).query)
            if msg is lead:
                assert query.get("team") == [TEAM], href
            else:
                assert "team" not in query and "division" not in query, href
            assert query.get("lang") == (["en"] if msg is vp else None)
        assert any(urlsplit(h).path == "/attention" for h in links.hrefs)

    # the team leader's digest holds only their team: no other team's name, no bureau-wide meeting figure
    lead_all = lead.get_body(("plain",)).get_content() + lead.get_body(("html",)).get_content()
    assert TEAM in lead_all
    assert not [t for t in OTHER_TEAMS if t in lead_all]
    assert "局务会议议题上报率" not in lead_all
    chief_html = chief.get_body(("html",)).get_content()
    assert "局务会议议题上报率" in chief_html and sum(t in chief_html for t in OTHER_TEAMS) >= 5


def test_a_rerun_sends_nothing_new(store, smtp):
    assert run(store, audience="chief", period="day", now=MONDAY).sent == 1
    again = run(store, audience="chief", period="day", now=MONDAY.replace(hour=15))
    assert again.sent == 0 and again.skipped == 1 and again.code == 0
    assert len(smtp.messages) == 1
    # the next day is another period
    assert run(store, audience="chief", period="day", now=datetime(2024, 7, 2, 9)).sent == 1
    assert len(smtp.messages) == 2
    [e1, e2] = [e for e in log.entries(store) if e.channel == "mail"]
    assert (e1.period_key, e1.status, e2.period_key, e2.status) == ("2024-07-01", "sent", "2024-07-02", "sent")
    # the second digest compares what needs action now with the first's
    second = smtp.to("chief@court.test")[1].get_body(("plain",)).get_content()
    assert "红色待办环节: 4 (上期 4, +0)" in second


def test_a_server_that_refuses_once_gets_it_on_the_next_run_and_nobody_twice(store, smtp):
    smtp.refuse = 1  # the first DATA of the run is refused (451)
    first = run(store, audience="chief", period="week", now=MONDAY)
    second_audience = run(store, audience="team", period="week", now=MONDAY)
    assert first.code == 2 and first.failed == 1 and first.sent == 0
    assert second_audience.sent == 1 and len(smtp.messages) == 1
    failed = log.entry(store, "mail", "chief", "week", "2024-W27")
    assert failed.status == "failed" and "451" in failed.error and failed.attempts == 1
    # next run: the failed one goes out, the one that went out is not sent again
    retry = run(store, audience="chief", period="week", now=MONDAY.replace(hour=10))
    again = run(store, audience="team", period="week", now=MONDAY.replace(hour=10))
    assert retry.sent == 1 and retry.code == 0 and again.sent == 0
    assert len(smtp.to("chief@court.test")) == 1 and len(smtp.to("lead1@court.test")) == 1
    done = log.entry(store, "mail", "chief", "week", "2024-W27")
    assert done.status == "sent" and done.attempts == 2


def test_if_due_sends_on_working_days_of_the_official_calendar_from_the_sending_hour(store, smtp):
    for when in (datetime(2024, 7, 6, 9),    # a Saturday
                 datetime(2024, 10, 1, 9),   # National Day, a statutory holiday
                 datetime(2024, 7, 1, 7)):   # a Monday before 08:00
        res = run(store, audience="chief", period="day", if_due=True, now=when)
        assert res.code == 0 and res.sent == 0 and not smtp.messages, (when, res.lines)
    # Sunday 2024-09-29 was worked in lieu (调休): a working day of the official calendar
    assert run(store, audience="chief", period="day", if_due=True, now=datetime(2024, 9, 29, 8)).sent == 1
    # hourly runs the rest of the day send nothing more
    for hour in range(9, 18):
        assert run(store, audience="chief", period="day", if_due=True, now=datetime(2024, 9, 29, hour)).sent == 0
    assert len(smtp.messages) == 1


def test_dry_run_writes_eml_files_and_records_nothing(store, smtp, tmp_path, capsys):
    out = tmp_path / "eml"
    code = main(["digest", "--db", str(store), "--to", "lead1", "--dry-run", "--out", str(out), "--now", "2024-07-01T09:00"])
    assert code == 0
    [eml] = sorted(out.glob("*.eml"))
    assert eml.name == "2024-W27_lead1.eml"
    msg = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    assert msg["To"] == "lead1@court.test"
    page = to_html(eml.read_bytes())
    assert "cid:" not in page and page.count("data:image/png;base64,") == 2
    assert not smtp.messages and log.entries(store) == []
    assert "lead1" in capsys.readouterr().out


def test_an_unknown_login_or_an_account_without_scope_gets_nothing(store, smtp, capsys):
    assert main(["digest", "--db", str(store), "--to", "nobody", "--now", "2024-07-01T09:00"]) == 1
    assert main(["digest", "--db", str(store), "--to", "member", "--now", "2024-07-01T09:00"]) == 1  # a team member
    assert main(["digest", "--db", str(store), "--to", "lead2", "--now", "2024-07-01T09:00"]) == 1  # no address
    assert not smtp.messages


class Hook(BaseHTTPRequestHandler):
    """The court's messaging system: keeps each body it accepts (2xx) and answers `status`."""

    bodies: ClassVar[list[bytes]] = []
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if Hook.status == 200:
            Hook.bodies.append(body)
        self.send_response(Hook.status)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_webhook_posts_json_within_its_size_limit_exactly_once(store, smtp):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    Hook.bodies, Hook.status = [], 503
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings = store.with_name("settings.toml")
        settings.write_text(settings.read_text(encoding="utf-8") +
                            f'webhook_url = "http://127.0.0.1:{server.server_port}/hook"\nwebhook_max_bytes = 6000\n',
                            encoding="utf-8")
        first = run(store, audience="team", period="week", now=MONDAY)
        assert first.failed == 1 and first.sent == 1  # the mail went out, the webhook answered 503
        Hook.status = 200
        second = run(store, audience="team", period="week", now=MONDAY.replace(hour=10))
        assert second.sent == 1 and len(smtp.messages) == 1  # only the webhook, the mail not again
        assert run(store, audience="team", period="week", now=MONDAY.replace(hour=11)).sent == 0
        [body] = Hook.bodies
        assert len(body) <= 6000
        payload = json.loads(body)
        assert payload["recipient"] == "lead1" and payload["period_key"] == "2024-W27"
        assert payload["truncated"] is True and payload["links"]["attention"].startswith(BASE + "/attention?")
        assert payload["now"]["cases_red"] == 10
    finally:
        server.shutdown()


def test_the_smtp_password_is_never_in_the_settings_table(store):
    from pipelines.domain.settings import SettingsError, load_settings

    settings = store.with_name("settings.toml")
    settings.write_text(settings.read_text(encoding="utf-8") + 'smtp_password = "secret"\n', encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load_settings(store_dir=store.parent)
    assert "digest.smtp_password" in err.value.format("en") and "secret" not in err.value.format("en")


def test_the_ready_unit_files_and_crontab_run_valid_digest_commands():
    """deploy/: every command the systemd service and the crontab run parses as `digest … --if-due`, and the
    timer runs hourly."""
    import shlex

    from pipelines.cli import parser

    deploy = Path(__file__).resolve().parents[1] / "deploy"
    service = (deploy / "tierwatch-digest.service").read_text(encoding="utf-8")
    cron = (deploy / "tierwatch-digest.cron").read_text(encoding="utf-8")
    commands = [line.split("=", 1)[1] for line in service.splitlines() if line.startswith("ExecStart=")]
    commands += [line.split("&&", 1)[1].split(">>")[0] for line in cron.splitlines() if line.startswith("5 * * * *")]
    assert len(commands) == 8
    audiences = set()
    for command in commands:
        argv = shlex.split(command)
        assert argv[1:3] == ["-m", "pipelines"]
        args = parser().parse_args(argv[3:])
        assert args.command == "digest" and args.if_due and not args.dry_run
        audiences.add(args.audience)
    assert audiences == {"vp", "chief", "team", "analyst"}
    timer = (deploy / "tierwatch-digest.timer").read_text(encoding="utf-8")
    assert "OnCalendar=hourly" in timer and "Persistent=true" in timer


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # a test server on 127.0.0.1
def test_smtp_login_takes_the_password_from_the_environment_and_never_records_it(store, monkeypatch):
    """A server that requires AUTH (aiosmtpd): the password comes from TIERWATCH_SMTP_PASSWORD, never from the
    settings; a wrong one fails the send, recorded without the password, and the next run with the right one sends."""
    from aiosmtpd.smtp import AuthResult

    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append(auth_data.login)
        return AuthResult(success=auth_data.login == b"tierwatch" and auth_data.password == b"s3cret-pw")

    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_required=True, auth_require_tls=False, auth_exclude_mechanism=["LOGIN"])
    controller.start()
    try:
        settings = store.with_name("settings.toml")
        text = settings.read_text(encoding="utf-8").replace("smtp_port = ", "smtp_port_old = ")
        settings.write_text(text.replace("smtp_port_old = ", f"smtp_port = {port}\n# ") + 'smtp_user = "tierwatch"\nsmtp_timeout_seconds = 3\n',
                            encoding="utf-8")
        monkeypatch.setenv("TIERWATCH_SMTP_PASSWORD", "wrong-one")
        failed = run(store, login="chief", period="week", now=MONDAY)
        assert failed.failed == 1 and not inbox.messages
        entry = log.entry(store, "mail", "chief", "week", "2024-W27")
        # (aiosmtpd holds a failed AUTH without an answer: the client gives up after smtp_timeout_seconds)
        assert entry.status == "failed" and entry.error and "wrong-one" not in entry.error
        monkeypatch.setenv("TIERWATCH_SMTP_PASSWORD", "s3cret-pw")
        assert run(store, login="chief", period="week", now=MONDAY.replace(hour=10)).sent == 1
        assert len(inbox.messages) == 1 and seen == [b"tierwatch", b"tierwatch"]
        assert "s3cret-pw" not in log.notify_path(store).read_bytes().decode("utf-8", "replace")
    finally:
        controller.stop()


def test_an_analysts_digest_names_nobody(store, smtp, demo_db):
    """An analyst sees the bureau with people pseudonymised (as on the dashboard): their digest's list, alerts and
    text name no roster person, only pseudonyms."""
    import duckdb

    add_account(store, "analyst1", None, role="analyst", email="analyst@court.test")
    assert run(store, audience="analyst", period="month", now=MONDAY).sent == 1
    [msg] = smtp.to("analyst@court.test")
    body = msg.get_body(("plain",)).get_content() + msg.get_body(("html",)).get_content()
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        names = [n for (n,) in con.sql("SELECT name FROM staff").fetchall() if n and len(n) >= 2]
    finally:
        con.close()
    assert "P-" in body and "局务会议议题上报率" in body  # the bureau's figures, people as pseudonyms
    assert not [n for n in names if n in body]
