"""What the browser tests share: Debian's chromium, `streamlit run app.py` on a free port, the artifacts folder.

The demo-store server and the browser themselves are session fixtures in conftest.py (`server`, `browser`), so
tests/test_browser.py and tests/test_browser_ui.py start one of each between them. A test that needs a store of
its own (an empty one, a copy to write to) starts its own server with `streamlit_server`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
# Every page of the app, and those that draw charts: test_browser_ui.py opens each chart page in both languages
# (no error, a page header, every chart readable); test_browser.py opens the others in both languages.
CHART_PAGES = ("overview", "latency", "bottlenecks", "paths", "clock", "substitutions", "meetings", "regulation")
ALL_PAGES = (*CHART_PAGES, "attention", "findings", "data")
# Every browser test runs in China time, as every court PC does: in UTC a monthly bar's drill-down looked right
# and was wrong for every real user (issue 22). tests/test_browser_truth.py also clicks in UTC and New York.
TZ = "Asia/Shanghai"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def require_chromium() -> None:
    """Call at a browser test module's top: CI must have chromium; elsewhere the module says why it did not run."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail("CI must have Debian's chromium at /usr/bin/chromium for the browser tests", pytrace=False)
    pytest.skip("no /usr/bin/chromium on this machine (apt-get install chromium); browser tests not run",
                allow_module_level=True)


def require_tool(name: str, package: str) -> str:
    """The path of the program `name` (Debian's `package`, installed by .ci/run); CI must have it, elsewhere the
    test says why it did not run. Call it when the test runs, not at import: .ci/run installs the packages
    of tests that run minutes into the suite while the suite runs, and a file named by TIERWATCH_CI_PENDING
    exists until it is done."""
    pending = os.environ.get("TIERWATCH_CI_PENDING")
    deadline = time.monotonic() + 900
    while pending and Path(pending).exists() and time.monotonic() < deadline:
        time.sleep(1)
    path = shutil.which(name)
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"CI must have {name} (apt-get install {package})", pytrace=False)
    pytest.skip(f"no {name} on this machine (apt-get install {package}); not run", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(db: Path, log_name: str, args: tuple[str, ...] = (), port: int | None = None) -> Iterator[str]:
    """The dashboard's server (`serve.py`, as `make run` starts it) on a free port (or `port`) against the
    store `db`, with more `streamlit run` options `args`; yields its base URL."""
    port = port or free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / log_name
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "serve.py", "--server.port", str(port), "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *args],
            cwd=ROOT, env={**os.environ, "TIERWATCH_DB": str(db)}, stdout=out, stderr=subprocess.STDOUT,
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


def loaded(page) -> None:
    """Wait until the first run of a page just opened (`page.goto`) has ended, without settle's pause: a new
    document's script state reads 'initial' until then, and opening a page runs it once (measured on every
    page, with and without sign-in, in both languages, with filters in the URL). An element whose code
    Streamlit loads on first use (a text box, a form) may be drawn a moment later: wait for the one used next."""
    page.wait_for_selector("[data-testid='stApp']", timeout=60_000)
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)


def run_over(page, timeout: float = 60_000) -> None:
    """Wait until the script has stopped running and no placeholder is left (an element whose code Streamlit
    loads on first use shows a skeleton until then). Call it once something only the awaited run draws is
    there: the state alone may read 'notRunning' before a run has started."""
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=timeout)
    page.wait_for_function("() => !document.querySelector('[data-testid=stSkeleton]')", timeout=timeout)


def drawn(page, timeout: float = 60_000) -> None:
    """Wait until a page's header is drawn and its run is over (`run_over`)."""
    page.wait_for_selector("[data-testid='stMain'] h2", timeout=timeout)
    run_over(page, timeout)


def navigate(page, base: str, name: str, timeout: float = 60_000) -> None:
    """Open page `name` through the sidebar's navigation, as a person moves between pages: the same session,
    its language and filters kept, no new document (a page load costs chromium about 1 s of CPU more than a
    page chosen in the navigation, measured over ten pages). The new page's run draws its own header: once
    that has replaced the last one, the end of the run is the page drawn. `name` as in `ALL_PAGES`."""
    before = page.locator("[data-testid='stMain'] h2").first.inner_text()
    link = page.locator(f"[data-testid='stSidebarNav'] a[href='{base}/{name}']")
    if name in ("overview", "attention") and link.count() == 0:  # the first page's address is the root
        link = page.locator(f"[data-testid='stSidebarNav'] a[href='{base}/']")
    link.click()
    page.wait_for_function("before => { const h = document.querySelector('[data-testid=stMain] h2');"
                           " return h && h.innerText !== before; }", arg=before, timeout=timeout)
    drawn(page, timeout)


def to_english(page, header: str, timeout: float = 30_000) -> None:
    """Switch the page to English with the sidebar's language buttons, in the same session; wait until the
    page's run has drawn its header `header` in English and is over."""
    page.locator("[data-testid='stSidebar'] button", has_text="English").first.click()
    page.wait_for_function("h => [...document.querySelectorAll('h2')].some(e => e.innerText.includes(h))", arg=header,
                           timeout=timeout)
    run_over(page, timeout)


def signed_in(page, timeout: float = 60_000) -> None:
    """Wait until a sign-in has landed. The password form's run ends in a rerun (views/_access.py) and only
    that second run draws the sidebar's sign-out button, so the first end of a run after the button is there
    is the end of the signing in (measured with a run watcher: two runs, 2-30 ms apart, none after)."""
    page.wait_for_selector(".st-key-signout", state="attached", timeout=timeout)
    run_over(page, timeout)


def settle(page, pause_ms: int = 600) -> None:
    """After an action in the page: wait until its script has stopped running, twice across a short pause (a
    run can start another: signing in runs the page twice, 6-100 ms apart, measured)."""
    page.wait_for_selector("[data-testid='stApp']", timeout=60_000)
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)
    page.wait_for_timeout(pause_ms)
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)


def roster(db: Path) -> list[tuple]:
    """(staff_id, name, post, team, division) of every person in the store's roster, by staff id."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql("SELECT staff_id, name, post, team, division FROM staff ORDER BY staff_id").fetchall()
    finally:
        con.close()
