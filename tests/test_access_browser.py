"""Who may see what, in a real browser (Debian's chromium) against the real server (`serve.py`) on copies of
the demo store with accounts beside them: sign-in on every URL, the lock after five wrong passwords, a team
leader's and a deputy's Overview equal to `report --team/--division` and not widened by the URL, an analyst's
pseudonyms and no upload, an administrator's load in the audit trail. (The court's single sign-on: test_sso_browser.py; names that are
Markdown: test_markdown_browser.py — each module its own server.)"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import pytest
from browserkit import (
    ALL_PAGES,
    ARTIFACTS,
    ROOT,
    loaded,
    navigate,
    require_chromium,
    roster,
    settle,
    signed_in,
    streamlit_server,
)
from playwright.sync_api import Error as PlaywrightError

from pipelines.access import accounts, audit
from pipelines.core.i18n import t

require_chromium()

PASSWORD = "a long password"
SIGNED_IN = "[data-testid='stSidebar'] >> text=Signed in"


@pytest.fixture(scope="module")
def people(tmp_path_factory, demo_db):
    """A copy of the demo store with an account for each kind of person."""
    db = tmp_path_factory.mktemp("access") / "warehouse.duckdb"
    shutil.copyfile(demo_db, db)
    staff = roster(db)
    lead = next(r for r in staff if r[2] == "TEAM_LEAD")
    deputy = next(r for r in staff if r[2] == "DEPUTY" and r[4] != lead[4])
    member = next(r for r in staff if r[2] == "MEMBER")
    accounts.add_account(db, "boss", PASSWORD, role="admin")
    accounts.add_account(db, "locky", PASSWORD, role="admin")
    accounts.add_account(db, "lead", PASSWORD, staff_id=lead[0])
    accounts.add_account(db, "deputy", PASSWORD, staff_id=deputy[0])
    accounts.add_account(db, "analyst", PASSWORD, role="analyst")
    accounts.add_account(db, "member", PASSWORD, staff_id=member[0])
    return {"db": db, "roster": staff, "lead": lead, "deputy": deputy}


@pytest.fixture(scope="module")
def site(people):
    with streamlit_server(people["db"], "streamlit-access.log") as url:
        yield url


def _form_shown(page) -> bool:
    """The sign-in form is drawn (a page just opened draws its form a moment after its run has ended:
    Streamlit loads a text box's code on first use)."""
    try:
        page.locator("input[type=password]").wait_for(timeout=30_000)
    except PlaywrightError:
        return False
    return page.locator("input[type=password]").count() == 1


def _sign_in(page, url: str, login: str, password: str = PASSWORD, expect_ok: bool = True) -> None:
    page.goto(url)
    loaded(page)
    assert _form_shown(page), f"no sign-in form at {url}"
    page.get_by_label("Login").fill(login)
    page.locator("input[type=password]").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    if expect_ok:
        page.wait_for_selector(SIGNED_IN, timeout=60_000)
        signed_in(page)
    else:  # drawn by the form's own run, which then ends
        page.wait_for_selector("[data-testid='stAlertContentError']", timeout=60_000)
        page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)


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
        loaded(page)
        assert _form_shown(page), f"{name}: no sign-in form"
        main = page.locator("[data-testid='stMain']").inner_text()
        assert page.locator("[data-testid='stMetric'], [data-testid='stVegaLiteChart'], [data-testid='stDataFrame']").count() == 0, name
        assert page.locator("[data-testid='stSidebarNav']").count() == 0, f"{name}: navigation before sign-in"
        assert "Sign in" in main
    page.screenshot(path=str(ARTIFACTS / "access-sign-in.png"))


def _submit(page, login: str, password: str) -> str:
    """Type into the sign-in form already shown and send it; the error it answers with."""
    page.get_by_label("Login").fill(login)
    page.locator("input[type=password]").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_selector("[data-testid='stAlertContentError']", timeout=60_000)
    settle(page)
    return page.locator("[data-testid='stAlertContentError']").inner_text()


def test_five_wrong_passwords_lock_the_login(site, page, people):
    """Retyped in the same form, as a person does (and once after a reload: a new session is no way round)."""
    _sign_in(page, f"{site}/?lang=en", "locky", "not the password", expect_ok=False)
    assert "Wrong login or password" in page.locator("[data-testid='stAlertContentError']").inner_text()
    for _ in range(3):
        assert "Wrong login or password" in _submit(page, "locky", "not the password")
    assert "locked until" in _submit(page, "locky", "not the password")
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
    loaded(page)
    page.get_by_label("Login").fill("member")
    page.locator("input[type=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    # says whom to ask: drawn by the run after the sign-in only, which is the last (browserkit.signed_in)
    page.wait_for_selector("[data-testid='stAlertContentInfo'] >> text=boss", timeout=60_000)
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)
    main = page.locator("[data-testid='stMain']").inner_text()
    assert "No access yet" in main and page.locator("input[type=password]").count() == 0, main
    assert page.locator("[data-testid='stMetric'], [data-testid='stVegaLiteChart'], [data-testid='stSidebarNav']").count() == 0


def test_an_analyst_sees_pseudonyms_and_no_upload(site, page, people):
    _sign_in(page, f"{site}/data?lang=en", "analyst")  # a deep link to the Data page: not theirs
    assert page.locator("[data-testid='stFileUploader']").count() == 0
    assert "Data" not in page.locator("[data-testid='stSidebarNav']").inner_text()
    names = {r[1] for r in people["roster"] if r[1]}
    for key in ("overview", "bottlenecks", "latency"):
        if key != "overview":
            navigate(page, site, key)  # a new URL in the address bar is a new session: sign-in again
        page.wait_for_selector("[data-testid='stMetric'], [data-testid='stVegaLiteChart']", timeout=60_000)
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
