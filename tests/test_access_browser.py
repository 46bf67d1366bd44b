"""Who may see what, in a real browser (Debian's chromium) against the real server (`serve.py`) on copies of
the demo store with accounts beside them: sign-in on every URL, the lock after five wrong passwords, a team
leader's and a deputy's Overview equal to `report --team/--division` and not widened by the URL, an analyst's
pseudonyms and no upload, an administrator's load in the audit trail; the court's single sign-on through
`st.login` against a real OpenID provider on 127.0.0.1; and a roster whose names and teams are Markdown links
and images, shown as text on every page."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import duckdb
import pytest
from browserkit import ALL_PAGES, ARTIFACTS, ROOT, free_port, require_chromium, streamlit_server

from pipelines.access import accounts, audit
from pipelines.core.i18n import t

require_chromium()

PASSWORD = "a long password"
SIGNED_IN = "[data-testid='stSidebar'] >> text=Signed in"


def _settle(page) -> None:
    page.wait_for_selector("[data-testid='stApp']", timeout=60_000)
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)
    page.wait_for_timeout(600)
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)


def _roster(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql("SELECT staff_id, name, post, team, division FROM staff ORDER BY staff_id").fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def people(tmp_path_factory, demo_db):
    """A copy of the demo store with an account for each kind of person."""
    db = tmp_path_factory.mktemp("access") / "warehouse.duckdb"
    shutil.copyfile(demo_db, db)
    roster = _roster(db)
    lead = next(r for r in roster if r[2] == "TEAM_LEAD")
    deputy = next(r for r in roster if r[2] == "DEPUTY" and r[4] != lead[4])
    member = next(r for r in roster if r[2] == "MEMBER")
    accounts.add_account(db, "boss", PASSWORD, role="admin")
    accounts.add_account(db, "locky", PASSWORD, role="admin")
    accounts.add_account(db, "lead", PASSWORD, staff_id=lead[0])
    accounts.add_account(db, "deputy", PASSWORD, staff_id=deputy[0])
    accounts.add_account(db, "analyst", PASSWORD, role="analyst")
    accounts.add_account(db, "member", PASSWORD, staff_id=member[0])
    return {"db": db, "roster": roster, "lead": lead, "deputy": deputy}


@pytest.fixture(scope="module")
def site(people):
    with streamlit_server(people["db"], "streamlit-access.log") as url:
        yield url


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    pg = ctx.new_page()
    yield pg
    ctx.close()


def _form_shown(page) -> bool:
    return page.locator("input[type=password]").count() == 1


def _sign_in(page, url: str, login: str, password: str = PASSWORD, expect_ok: bool = True) -> None:
    page.goto(url)
    _settle(page)
    assert _form_shown(page), f"no sign-in form at {url}"
    page.get_by_label("Login").fill(login)
    page.locator("input[type=password]").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    if expect_ok:
        page.wait_for_selector(SIGNED_IN, timeout=60_000)
    else:
        page.wait_for_selector("[data-testid='stAlertContentError']", timeout=60_000)
    _settle(page)


def _metric(page, label: str) -> str:
    m = page.locator("[data-testid='stMetric']", has_text=label).first
    m.wait_for(timeout=60_000)
    return m.locator("[data-testid='stMetricValue']").inner_text()


def _report(db: Path, start: str, end: str, *flags: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "pipelines", "report", "--db", str(db), "--json", "--from", start,
                          "--to", end, *flags], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout)


def _assert_overview_equals_report(page, db: Path, flags: tuple[str, ...]) -> None:
    qs = parse_qs(urlparse(page.url).query)
    head = _report(db, qs["from"][0], qs["to"][0], *flags)["headline"]
    assert _metric(page, t("metric.approved_matters", "en")).replace(",", "") == str(head["approved_matters"])
    assert _metric(page, t("metric.substitutions", "en")).replace(",", "") == str(head["substitutions"])
    median = head["median_hours"]
    assert _metric(page, t("metric.median_hours", "en")) == ("—" if median is None else f"{median:,.1f}")


# ------------------------------------------------------------------------------------------ sign-in
def test_every_page_asks_for_sign_in_once_an_account_exists(site, page):
    for name in ALL_PAGES:
        page.goto(f"{site}/{'' if name == 'overview' else name}?lang=en")
        _settle(page)
        assert _form_shown(page), f"{name}: no sign-in form"
        main = page.locator("[data-testid='stMain']").inner_text()
        assert page.locator("[data-testid='stMetric'], [data-testid='stVegaLiteChart'], [data-testid='stDataFrame']").count() == 0, name
        assert page.locator("[data-testid='stSidebarNav']").count() == 0, f"{name}: navigation before sign-in"
        assert "Sign in" in main
    page.screenshot(path=str(ARTIFACTS / "access-sign-in.png"))


def test_five_wrong_passwords_lock_the_login(site, page, people):
    for _ in range(4):
        _sign_in(page, f"{site}/?lang=en", "locky", "not the password", expect_ok=False)
        assert "Wrong login or password" in page.locator("[data-testid='stAlertContentError']").inner_text()
    _sign_in(page, f"{site}/?lang=en", "locky", "not the password", expect_ok=False)
    assert "locked until" in page.locator("[data-testid='stAlertContentError']").inner_text()
    _sign_in(page, f"{site}/?lang=en", "locky", PASSWORD, expect_ok=False)  # the right one, too late
    assert "locked until" in page.locator("[data-testid='stAlertContentError']").inner_text()
    assert page.locator("[data-testid='stMetric']").count() == 0
    outcomes = [r["details"]["outcome"] for r in audit.read(people["db"]) if r["who"] == "locky"]
    assert outcomes == ["wrong"] * 4 + ["lockout", "locked"]
    page.screenshot(path=str(ARTIFACTS / "access-locked.png"))


def test_a_team_leaders_overview_is_their_team_and_the_url_does_not_widen_it(site, page, people):
    lead_team = people["lead"][3]
    other = next(r[3] for r in people["roster"] if r[2] == "TEAM_LEAD" and r[3] != lead_team)
    # a deep link to another team's figures (the Overview by name: a team leader's root is the attention list)
    _sign_in(page, f"{site}/overview?lang=en&team={quote(other)}", "lead")
    qs = parse_qs(urlparse(page.url).query)
    assert qs.get("team") == [lead_team], page.url
    _assert_overview_equals_report(page, people["db"], ("--team", lead_team))
    sidebar = page.locator("[data-testid='stSidebar']").inner_text()
    assert other not in sidebar and lead_team in sidebar
    # the team filter offers their team only
    page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").nth(1).click()
    options = page.locator("[role='option']").all_inner_texts()
    page.keyboard.press("Escape")
    assert options in ([], [lead_team]), options
    # no Data page for them, neither in the navigation nor by its URL
    assert "Data" not in page.locator("[data-testid='stSidebarNav']").inner_text()
    page.screenshot(path=str(ARTIFACTS / "access-team-lead.png"))


def test_a_deputys_overview_is_their_division(site, page, people):
    division = people["deputy"][4]
    other = next(r[4] for r in people["roster"] if r[2] == "DEPUTY" and r[4] != division)
    _sign_in(page, f"{site}/overview?lang=en&division={quote(other)}", "deputy")
    qs = parse_qs(urlparse(page.url).query)
    assert qs.get("division") == [division], page.url
    _assert_overview_equals_report(page, people["db"], ("--division", division))
    assert other not in page.locator("[data-testid='stSidebar']").inner_text()


def test_a_member_without_a_role_sees_no_figure(site, page):
    page.goto(f"{site}/?lang=en")
    _settle(page)
    page.get_by_label("Login").fill("member")
    page.locator("input[type=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_selector("text=No access yet", timeout=60_000)
    assert page.locator("[data-testid='stMetric'], [data-testid='stVegaLiteChart']").count() == 0
    assert "boss" in page.locator("[data-testid='stMain']").inner_text(), "says whom to ask"


def _nav(page, title: str) -> None:
    """Open a page through the sidebar (a new URL in the address bar is a new session: sign-in again)."""
    page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()
    _settle(page)


def test_an_analyst_sees_pseudonyms_and_no_upload(site, page, people):
    _sign_in(page, f"{site}/data?lang=en", "analyst")  # a deep link to the Data page: not theirs
    assert page.locator("[data-testid='stFileUploader']").count() == 0
    assert "Data" not in page.locator("[data-testid='stSidebarNav']").inner_text()
    names = {r[1] for r in people["roster"] if r[1]}
    for key in ("overview", "bottlenecks", "latency"):
        if key != "overview":
            _nav(page, t(f"nav.{key}", "en"))
        page.wait_for_selector("[data-testid='stMetric'], [data-testid='stVegaLiteChart']", timeout=60_000)
        _settle(page)
        text = page.locator("[data-testid='stMain']").inner_text()
        shown = [n for n in names if n in text]
        assert shown == [], f"{key} shows roster names {shown[:5]}"
        if key == "overview":
            assert re.search(r"P-[0-9A-F]{5}", text), "no pseudonym on the Overview"
    assert "pseudonym" in page.locator("[data-testid='stSidebar']").inner_text()
    page.screenshot(path=str(ARTIFACTS / "access-analyst.png"))


def test_an_admin_loads_a_file_and_the_audit_trail_shows_it(site, page, people, demo_exports):
    import hashlib

    staff = next(p for p in demo_exports if "staff" in p.name or "人员" in p.name)
    digest = hashlib.sha256(staff.read_bytes()).hexdigest()
    _sign_in(page, f"{site}/data?lang=en", "boss")
    page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files([str(staff)])
    page.wait_for_selector("[data-testid='stAlertContentSuccess'], [data-testid='stAlertContentWarning']", timeout=60_000)
    _settle(page)
    page.locator("[data-testid='stMain']").get_by_role("button", name=t("data.load", "en"), exact=True).click()
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stAlertContentSuccess]')]"
                           ".some(e => e.innerText.startsWith('Loaded'))", timeout=120_000)
    _settle(page)
    # the trail as the Data page exports it
    with page.expect_download(timeout=60_000) as got:
        page.locator(".st-key-csv_audit button").click()
    csv = Path(got.value.path()).read_text(encoding="utf-8-sig")
    assert "boss" in csv and "load" in csv and digest in csv, csv[:2000]
    # and as `python -m pipelines audit` prints it
    out = subprocess.run([sys.executable, "-m", "pipelines", "audit", "--db", str(people["db"])], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    assert re.search(rf"boss\s+load\s+.*{digest}.*outcome=ok", out), out[-2000:]
    for secret in (PASSWORD,):
        assert secret not in out
    page.screenshot(path=str(ARTIFACTS / "access-admin-load.png"))


# ------------------------------------------------------------------------------------------ single sign-on
@pytest.fixture(scope="module")
def provider():
    """A real OpenID Connect provider (PyPI's oidc-provider-mock) on 127.0.0.1, on a thread of this process."""
    import threading

    import werkzeug.serving
    from oidc_provider_mock import User, app

    users = [User(sub="u-lead", claims={"email": "lead@court.example", "name": "Lead"}),
             User(sub="u-stranger", claims={"email": "stranger@court.example", "name": "Stranger"})]
    server = werkzeug.serving.make_server("127.0.0.1", 0, app(user_claims=users), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


def _sso(page, url: str, sub: str) -> None:
    """The round trip: the app's single sign-on button -> the provider's page -> back to the app."""
    page.goto(url)
    _settle(page)
    page.get_by_role("button", name=t("signin.sso", "en")).click()
    page.wait_for_selector("input[name=sub]", timeout=60_000)  # the provider's own page
    page.fill("input[name=sub]", sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(r"http://127\.0\.0\.1:\d+/.*"), timeout=60_000)
    _settle(page)


def test_single_sign_on_round_trip_with_and_without_an_account(tmp_path, demo_db, provider, browser):
    import secrets as pysecrets

    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_db, db)
    lead = next(r for r in _roster(db) if r[2] == "TEAM_LEAD")
    # an account that signs in through the provider only (no password), found by its e-mail address
    accounts.add_account(db, "lead-sso", None, staff_id=lead[0], email="lead@court.example")
    port = free_port()
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{pysecrets.token_hex(32)}"\n'
        'client_id = "tierwatch"\n'
        'client_secret = "tierwatch-test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n', encoding="utf-8")
    with streamlit_server(db, "streamlit-sso.log", ("--secrets.files", str(secrets_file)), port=port) as url:
        ctx = browser.new_context(viewport={"width": 1366, "height": 900}, timezone_id="Asia/Shanghai")
        page = ctx.new_page()
        _sso(page, f"{url}/?lang=en", "u-lead")  # the provider sends people back to the home page (Chinese)
        page.wait_for_selector("[data-testid='stSidebar'] >> text=lead-sso", timeout=60_000)
        sidebar = page.locator("[data-testid='stSidebar']").inner_text()
        assert "lead-sso" in sidebar and lead[3] in sidebar, sidebar
        assert page.locator("[data-testid='stMetric']").count() > 0
        page.screenshot(path=str(ARTIFACTS / "access-sso-signed-in.png"))
        ctx.close()

        ctx = browser.new_context(viewport={"width": 1366, "height": 900}, timezone_id="Asia/Shanghai")
        page = ctx.new_page()
        _sso(page, f"{url}/?lang=en", "u-stranger")
        page.wait_for_selector(f"text={t('noaccess.title', 'zh')}", timeout=60_000)
        main = page.locator("[data-testid='stMain']").inner_text()
        assert "stranger@court.example" in main and "管理员" in main, main
        assert page.locator("[data-testid='stMetric'], [data-testid='stVegaLiteChart'], [data-testid='stSidebarNav']").count() == 0
        page.screenshot(path=str(ARTIFACTS / "access-sso-no-account.png"))
        ctx.close()
    trail = [(r["who"], r["action"], r["details"].get("outcome")) for r in audit.read(db)]
    assert ("lead-sso", "sign_in", "ok") in trail
    assert ("stranger@court.example", "sign_in", "no_account") in trail
