"""A real browser (Debian's chromium via Playwright) against `streamlit run app.py` on the demo store:
every page in both languages, a filter changed through the URL, no Streamlit error element anywhere.
Screenshots are kept in test-artifacts/ (git-ignored) for people to look at."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
PAGES = ("overview", "latency", "bottlenecks", "substitutions", "meetings", "regulation", "data")
ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail("CI must have Debian's chromium at /usr/bin/chromium for the browser tests", pytrace=False)
    pytest.skip("no /usr/bin/chromium on this machine (apt-get install chromium); browser tests not run",
                allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_db):
    port = _free_port()
    env = {**os.environ, "TIERWATCH_DB": str(demo_db)}
    log = (ARTIFACTS / "streamlit.log")
    ARTIFACTS.mkdir(exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("streamlit did not start:\n" + log.read_text(errors="replace"))
                time.sleep(0.3)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    pg = ctx.new_page()
    yield pg
    ctx.close()


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("[data-testid='stApp']", timeout=60_000)
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)
    page.wait_for_timeout(800)  # let vega charts draw before the screenshot
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)


def _assert_no_errors(page, what: str) -> None:
    errors = page.locator(ERRORS)
    assert errors.count() == 0, f"{what}: " + " | ".join(errors.all_inner_texts())[:2000]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_renders_without_errors(server, page, lang):
    for name in PAGES:
        _open(page, f"{server}/{'' if name == 'overview' else name}?lang={lang}")
        _assert_no_errors(page, f"{name} ({lang})")
        assert page.locator("h2").count() >= 1, f"{name} ({lang}) shows no page header"
        page.screenshot(path=str(ARTIFACTS / f"{name}-{lang}.png"))  # what a 1366x768 screen shows
        page.set_viewport_size({"width": 1366, "height": 4000})  # the app scrolls inside: grow to see it all
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{lang}-full.png"))
        page.set_viewport_size({"width": 1366, "height": 768})


def test_language_switch_in_the_sidebar(server, page):
    _open(page, f"{server}/")
    assert "总览" in page.locator("h2").first.inner_text()
    page.locator("[data-testid='stSidebar'] button", has_text="English").first.click()
    page.wait_for_function("() => [...document.querySelectorAll('h2')].some(h => h.innerText.includes('Overview'))", timeout=30_000)
    page.wait_for_selector("[data-test-script-state='notRunning']")
    _assert_no_errors(page, "after switching to English")
    assert "lang=en" in page.url
    page.screenshot(path=str(ARTIFACTS / "language-switched.png"), full_page=False)


def _approved(page) -> int:
    metric = page.locator("[data-testid='stMetric']").first
    return int(metric.locator("[data-testid='stMetricValue']").inner_text().replace(",", ""))


def test_filter_through_the_url_changes_the_figures(server, page):
    _open(page, f"{server}/?lang=en")
    everything = _approved(page)
    _open(page, f"{server}/?lang=en&division={quote('执行一处')}")
    _assert_no_errors(page, "division filter from the URL")
    one_division = _approved(page)
    assert 0 < one_division < everything
    # the sidebar shows the filter read from the URL
    assert "执行一处" in page.locator("[data-testid='stSidebar']").inner_text()
    page.screenshot(path=str(ARTIFACTS / "overview-division-filter.png"), full_page=False)
