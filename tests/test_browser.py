"""A real browser (Debian's chromium via Playwright) against `streamlit run app.py` on the demo store:
every page without charts in both languages (the chart pages: test_browser_ui.py), a filter changed through the URL, no Streamlit error element anywhere.
Screenshots are kept in test-artifacts/ (git-ignored) for people to look at."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from urllib.parse import quote, urlparse

import duckdb
import pytest
from browserkit import (
    ALL_PAGES,
    ARTIFACTS,
    CHART_PAGES,
    ROOT,
    TZ,
    drawn,
    require_chromium,
    streamlit_server,
    to_english,
)

from pipelines.tables.parts import parts_dir

# The chart pages are opened in both languages by test_browser_ui.py's chart check (no error, a header, and
# every chart drawn readably, with screenshots); here the pages without a chart, in both languages.
PAGES = tuple(p for p in ALL_PAGES if p not in CHART_PAGES)
ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"

require_chromium()

# `server` (one `streamlit run app.py` on the demo store) and `browser` (one chromium) are session fixtures in
# conftest.py, shared with test_browser_ui.py.


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", timezone_id=TZ)
    pg = ctx.new_page()
    yield pg
    ctx.close()


def _open(page, url: str) -> None:
    page.goto(url)
    drawn(page)


def _assert_no_errors(page, what: str) -> None:
    errors = page.locator(ERRORS)
    assert errors.count() == 0, f"{what}: " + " | ".join(errors.all_inner_texts())[:2000]


@pytest.mark.parametrize("lang", ["en"])  # in Chinese: test_browser_ui.py's tour opens every page
def test_every_page_without_charts_renders_without_errors(server, page, lang):
    """Each page renders, and fetches nothing from outside the server: a court network may have no Internet
    (the favicon, a material icon, came from Google's font CDN and failed on every page load)."""
    outside = []
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname not in ("127.0.0.1", None) else None)
    for name in PAGES:
        _open(page, f"{server}/{'' if name == 'overview' else name}?lang={lang}")
        _assert_no_errors(page, f"{name} ({lang})")
        assert page.locator("h2").count() >= 1, f"{name} ({lang}) shows no page header"
        page.screenshot(path=str(ARTIFACTS / f"{name}-{lang}.png"))  # what a 1366x768 screen shows
        page.set_viewport_size({"width": 1366, "height": 4000})  # the app scrolls inside: grow to see it all
        page.wait_for_timeout(200)  # a table redraws its canvas at the new size
        page.screenshot(path=str(ARTIFACTS / f"{name}-{lang}-full.png"))
        page.set_viewport_size({"width": 1366, "height": 768})
    assert outside == [], outside[:5]


def test_language_switch_in_the_sidebar(server, page):
    _open(page, f"{server}/")
    assert "总览" in page.locator("h2").first.inner_text()
    to_english(page, "Overview")
    _assert_no_errors(page, "after switching to English")
    assert "lang=en" in page.url
    page.screenshot(path=str(ARTIFACTS / "language-switched.png"), full_page=False)


def _approved(page) -> int:
    # by its label: the Overview's metrics are drawn column by column, and a page read between two runs
    # (the first run mirrors the filters into the URL and reruns) may not have drawn the first one yet
    metric = page.locator("[data-testid='stMetric']", has_text="Approved matters").first
    metric.wait_for(timeout=30_000)
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


# ------------------------------------------------------------------------------------------ Data page upload
VALID = ROOT / "tests" / "fixtures" / "loader" / "valid"
STEPS_FILE = "审批记录_2024-06.csv"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rows(db: Path, table: str) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(f'select count(*) from "{table}"').fetchall()[0][0]
    finally:
        con.close()


def _upload(page, files: list[Path]) -> None:
    page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files([str(p) for p in files])
    # the upload triggers a run that validates; wait for the verdict
    page.wait_for_selector("[data-testid='stAlertContentSuccess'], [data-testid='stAlertContentError']", timeout=60_000)
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)


@pytest.fixture(scope="module")
def data_server(tmp_path_factory):
    """One server for the Data page's uploads, on a store of their own (the demo store stays read-only), started
    once for the module: each test puts in place the store it starts from. Yields (url, store path)."""
    db = tmp_path_factory.mktemp("upload-store") / "warehouse.duckdb"
    with streamlit_server(db, "streamlit-upload.log") as url:
        yield url, db


def _store_is(db: Path, source: Path | None) -> None:
    """Make the server's store a copy of `source` (switched in whole, as a load does), or none at all."""
    shutil.rmtree(parts_dir(db), ignore_errors=True)
    if source is None:
        db.unlink(missing_ok=True)
        return
    copy = db.with_name(db.name + ".copy")
    shutil.copyfile(source, copy)
    os.replace(copy, db)


def test_data_page_uploads_several_files_validates_and_loads(page, data_server):
    url, db = data_server
    _store_is(db, None)  # a fresh install: no store yet
    _open(page, f"{url}/data")
    _assert_no_errors(page, "data page on an empty store")
    files = sorted(VALID.iterdir())
    _upload(page, files)
    _assert_no_errors(page, "after uploading the valid set")
    assert "校验通过" in page.locator("[data-testid='stAlertContentSuccess']").first.inner_text()
    assert not db.exists(), "validation alone must not write the store"
    page.screenshot(path=str(ARTIFACTS / "data-upload-validated.png"))

    page.locator("[data-testid='stMain']").get_by_role("button", name="导入", exact=True).click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stAlertContentSuccess]')]"
        ".some(e => e.innerText.startsWith('导入完成'))", timeout=120_000)
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)
    _assert_no_errors(page, "after the load")
    assert "导入完成" in page.locator("[data-testid='stProgress']").first.inner_text()
    # the page and the sidebar now show the loaded store, not the empty-store guide
    assert str(db) not in page.locator("[data-testid='stMain']").inner_text()
    assert "数据截至" in page.locator("[data-testid='stSidebar']").inner_text()
    page.screenshot(path=str(ARTIFACTS / "data-upload-loaded.png"))
    steps = len((VALID / STEPS_FILE).read_text(encoding="utf-8").strip().splitlines()) - 1
    assert _rows(db, "approvals") == steps
    assert _rows(db, "meetings") == 1


def test_data_page_reports_an_invalid_file_in_chinese_and_keeps_the_store(page, tmp_path, demo_db, data_server):
    url, db = data_server
    _store_is(db, demo_db)
    before = _sha256(db)
    upload = tmp_path / "upload"
    upload.mkdir()
    for p in VALID.iterdir():
        shutil.copyfile(p, upload / p.name)
    lines = (VALID / STEPS_FILE).read_text(encoding="utf-8").splitlines()
    col = lines[0].split(",").index("到达时间")
    cells = lines[2].split(",")
    cells[col] = "下周一"
    lines[2] = ",".join(cells)
    (upload / STEPS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")

    _open(page, f"{url}/data")
    _upload(page, sorted(upload.iterdir()))
    error = page.locator("[data-testid='stAlertContentError']")
    assert error.count() == 1 and "校验发现 1 个问题" in error.first.inner_text()
    report = page.locator("[data-testid='stExpander']", has_text="校验报告").first.inner_text()
    assert f"文件 {STEPS_FILE}" in report, report
    assert "第 3 行，列「到达时间」，值“下周一”" in report, report
    assert page.locator("[data-testid='stMain']").get_by_role("button", name="导入", exact=True).is_disabled()
    page.screenshot(path=str(ARTIFACTS / "data-upload-invalid.png"))
    assert _sha256(db) == before
