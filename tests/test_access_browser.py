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
from browserkit import ALL_PAGES, ARTIFACTS, ROOT, free_port, require_chromium, settle, streamlit_server

from pipelines.access import accounts, audit
from pipelines.core.i18n import t

require_chromium()

PASSWORD = "a long password"
SIGNED_IN = "[data-testid='stSidebar'] >> text=Signed in"


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


def _form_shown(page) -> bool:
    return page.locator("input[type=password]").count() == 1


def _sign_in(page, url: str, login: str, password: str = PASSWORD, expect_ok: bool = True) -> None:
    page.goto(url)
    settle(page)
    assert _form_shown(page), f"no sign-in form at {url}"
    page.get_by_label("Login").fill(login)
    page.locator("input[type=password]").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    if expect_ok:
        page.wait_for_selector(SIGNED_IN, timeout=60_000)
    else:
        page.wait_for_selector("[data-testid='stAlertContentError']", timeout=60_000)
    settle(page)


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
    within = head["within_limit_share"]  # the Overview's latency headline (issue 22: no mix of levels)
    assert _metric(page, t("metric.within_limit_share", "en")) == ("—" if within is None else f"{within:.1%}")


# ------------------------------------------------------------------------------------------ sign-in
def test_every_page_asks_for_sign_in_once_an_account_exists(site, page):
    for name in ALL_PAGES:
        page.goto(f"{site}/{'' if name == 'overview' else name}?lang=en")
        settle(page)
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
    settle(page)
    page.get_by_label("Login").fill("member")
    page.locator("input[type=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_selector("[data-testid='stAlertContentInfo'] >> text=boss", timeout=60_000)  # says whom to ask
    settle(page)
    main = page.locator("[data-testid='stMain']").inner_text()
    assert "No access yet" in main and page.locator("input[type=password]").count() == 0, main
    assert page.locator("[data-testid='stMetric'], [data-testid='stVegaLiteChart'], [data-testid='stSidebarNav']").count() == 0


def _nav(page, title: str) -> None:
    """Open a page through the sidebar (a new URL in the address bar is a new session: sign-in again)."""
    page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()
    settle(page)


def test_an_analyst_sees_pseudonyms_and_no_upload(site, page, people):
    _sign_in(page, f"{site}/data?lang=en", "analyst")  # a deep link to the Data page: not theirs
    assert page.locator("[data-testid='stFileUploader']").count() == 0
    assert "Data" not in page.locator("[data-testid='stSidebarNav']").inner_text()
    names = {r[1] for r in people["roster"] if r[1]}
    for key in ("overview", "bottlenecks", "latency"):
        if key != "overview":
            _nav(page, t(f"nav.{key}", "en"))
        page.wait_for_selector("[data-testid='stMetric'], [data-testid='stVegaLiteChart']", timeout=60_000)
        settle(page)
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
    settle(page)
    page.locator("[data-testid='stMain']").get_by_role("button", name=t("data.load", "en"), exact=True).click()
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stAlertContentSuccess]')]"
                           ".some(e => e.innerText.startsWith('Loaded'))", timeout=120_000)
    settle(page)
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
    settle(page)
    page.get_by_role("button", name=t("signin.sso", "en")).click()
    page.wait_for_selector("input[name=sub]", timeout=60_000)  # the provider's own page
    page.fill("input[name=sub]", sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(r"http://127\.0\.0\.1:\d+/.*"), timeout=60_000)
    settle(page)


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
        settle(page)
        main = page.locator("[data-testid='stMain']").inner_text().replace("\u2060", "")  # see views/_text.py
        assert "stranger@court.example" in main and "管理员" in main, main
        assert page.locator("[data-testid='stMetric'], [data-testid='stVegaLiteChart'], [data-testid='stSidebarNav']").count() == 0
        page.screenshot(path=str(ARTIFACTS / "access-sso-no-account.png"))
        ctx.close()
    trail = [(r["who"], r["action"], r["details"].get("outcome")) for r in audit.read(db)]
    assert ("lead-sso", "sign_in", "ok") in trail
    assert ("stranger@court.example", "sign_in", "no_account") in trail


# ------------------------------------------------------------------------------------------ text is text
EVIL = "evil.example"


def _markdown_exports(src: list[Path], out: Path) -> dict[str, str]:
    """The demo exports with every person's name and every team and division name made a Markdown link or
    image to an outside host; returns team -> its new name."""
    import polars as pl

    out.mkdir()
    roster_file = next(p for p in src if p.suffix == ".xlsx" and "人员" in p.name)
    roster = pl.read_excel(roster_file, infer_schema_length=0)
    teams = sorted({t for t in roster["所属团队"].to_list() if t})
    divisions = sorted({d for d in roster["分管部门"].to_list() if d})
    team_map = {t: (f"[{t}](http://{EVIL}/t{i})" if i % 2 else f"![{t}](http://{EVIL}/t{i}.png)") for i, t in enumerate(teams)}
    div_map = {d: f"[{d}](http://{EVIL}/d{i})" for i, d in enumerate(divisions)}
    roster = roster.with_columns(
        pl.when(pl.int_range(pl.len()) % 2 == 0).then("[" + pl.col("姓名") + f"](http://{EVIL}/p)")
        .otherwise("![" + pl.col("姓名") + f"](http://{EVIL}/p.png)").alias("姓名"),
        pl.col("所属团队").replace(team_map), pl.col("分管部门").replace(div_map),
    )
    roster.write_csv(out / "staff.csv")
    for p in src:
        if p == roster_file:
            continue
        if p.suffix != ".csv":
            shutil.copyfile(p, out / p.name)
            continue
        raw = p.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
        df = pl.read_csv(text.encode("utf-8"), infer_schema_length=0)
        if "承办团队" in df.columns:
            df = df.with_columns(pl.col("承办团队").replace(team_map))
        df.write_csv(out / p.name)
    return team_map


@pytest.fixture(scope="module")
def markdown_site(tmp_path_factory, demo_exports):
    from pipelines.ingest.loader import load_paths

    base = tmp_path_factory.mktemp("markdown")
    team_map = _markdown_exports(demo_exports, base / "exports")
    db = base / "warehouse.duckdb"
    report = load_paths(sorted((base / "exports").iterdir()), db)
    assert report.ok, report.format("en")
    with streamlit_server(db, "streamlit-markdown.log") as url:  # local mode: no account
        yield url, db, team_map


def test_names_and_teams_that_are_markdown_draw_no_link_or_image_on_any_page(markdown_site, browser):
    url, _, team_map = markdown_site
    team = next(iter(team_map.values()))
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, timezone_id="Asia/Shanghai")
    page = ctx.new_page()
    outside = []
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname == EVIL else None)
    for name in ALL_PAGES:
        page.goto(f"{url}/{'' if name == 'overview' else name}?team={quote(team)}")
        settle(page)
        page.wait_for_timeout(800)
        links = page.locator(f"a[href*='://{EVIL}']").count()
        images = page.locator(f"img[src*='://{EVIL}']").count()
        where = [e.evaluate("e => { let x = e, p = []; while (x && p.length < 6) { p.push(x.getAttribute('data-testid') "
                            "|| x.tagName); x = x.parentElement } return p.join(' < ') + ' :: ' + e.outerHTML.slice(0, 160) }")
                 for e in page.locator(f"a[href*='://{EVIL}'], img[src*='://{EVIL}']").all()[:3]]
        assert links == 0 and images == 0, f"{name}: {links} links and {images} images to {EVIL}: {where}"
        assert page.locator("[data-testid='stException']").count() == 0, name
        # the team's name is shown as the characters it is, in the caption of the page's figures
        if name not in ("data", "regulation", "meetings"):
            shown = page.locator("[data-testid='stMain']").inner_text().replace("\u2060", "")  # see views/_text.py
            assert team in shown, f"{name}: the team's name is not shown as text"
    assert outside == [], outside[:5]
    page.screenshot(path=str(ARTIFACTS / "access-markdown-names.png"))
    ctx.close()


def _no_traceback_nor_path(page) -> None:
    """No traceback, and no server path in what the page says went wrong (the Data page's own notes name the
    store's folder on purpose: only an administrator, or the person at the server, sees that page)."""
    assert page.locator("[data-testid='stException']").count() == 0
    assert "Traceback" not in page.locator("body").inner_text()
    for text in page.locator("[data-testid='stAlertContentError']").all_inner_texts():
        assert str(ROOT) not in text and "/tmp" not in text and "Errno" not in text, text


def test_upload_names_too_long_or_with_a_nul_get_a_located_message(markdown_site, browser):
    from pipelines.access import serving

    url, db, _ = markdown_site
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, timezone_id="Asia/Shanghai")
    page = ctx.new_page()
    page.goto(f"{url}/data?lang=en")
    settle(page)
    uploader = page.locator("[data-testid='stFileUploader'] input[type=file]")
    long_name = "x" * 300 + ".csv"  # 304 characters
    uploader.set_input_files([{"name": long_name, "mimeType": "text/csv", "buffer": b"staff_id,name\n"}])
    page.wait_for_selector("[data-testid='stAlertContentError']", timeout=60_000)
    settle(page)
    error = page.locator("[data-testid='stAlertContentError']").first.inner_text()
    assert "too long (304 characters" in error, error
    _no_traceback_nor_path(page)
    page.screenshot(path=str(ARTIFACTS / "access-upload-long-name.png"))
    ctx.close()
    # a NUL inside a name (the browser sends what a file system would never hold)
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, timezone_id="Asia/Shanghai")
    page = ctx.new_page()
    page.goto(f"{url}/data?lang=en")
    settle(page)
    page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(
        [{"name": "staff\x00.csv", "mimeType": "text/csv", "buffer": b"staff_id,name\n"}])
    page.wait_for_selector("[data-testid='stAlertContentError'], [data-testid='stException']", timeout=60_000)
    settle(page)
    # Streamlit 1.67 refuses such a name itself, before the page runs ("Filename cannot contain null bytes"):
    # with error details off the page shows its redacted notice, no traceback, no path
    shown = " ".join(page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").all_inner_texts())
    assert "Traceback" not in shown and str(ROOT) not in shown and "/tmp" not in shown and ".py" not in shown, shown
    print("NUL name:", shown)
    ctx.close()
    # nothing of an upload stays on the server's disk
    root = serving.upload_root(db)
    assert not root.exists() or list(root.iterdir()) == []
