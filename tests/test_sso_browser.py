"""The court's single sign-on in a real browser (Debian's chromium): `st.login` against a real OpenID Connect
provider (PyPI's oidc-provider-mock) on 127.0.0.1, round trip with an account found by its e-mail address and
without one (a stranger sees who to ask, no figure); both in the audit trail. Its own server, with [auth]."""

from __future__ import annotations

import re
import shutil

import pytest
from browserkit import ARTIFACTS, free_port, loaded, require_chromium, roster, settle, streamlit_server

from pipelines.access import accounts, audit
from pipelines.core.i18n import t

require_chromium()



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
    loaded(page)  # opening a page runs it once; the click below waits for its button
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
    lead = next(r for r in roster(db) if r[2] == "TEAM_LEAD")
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
