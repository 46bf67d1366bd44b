"""The returns & routes page (issue 27) in a real browser, in both languages, in the court's time zone: every
chart drawn with marks and tick labels, screenshots of the page and of each chart for people to look at
(test-artifacts/paths-*.png), and a click on a route's bar opens exactly the matters it counts."""

from __future__ import annotations

import re

import pytest
from browserkit import ARTIFACTS, drawn, require_chromium

require_chromium()

ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"
EVERY_MONTH = "from=2022-07&to=2024-06"
CHARTS = "[data-testid='stVegaLiteChart']"


def _context(browser, lang: str):
    return browser.new_context(viewport={"width": 1366, "height": 900}, timezone_id="Asia/Shanghai",
                               locale="zh-CN" if lang == "zh" else "en-US")


def _open(page, url: str) -> None:
    page.goto(url)
    drawn(page, timeout=90_000)


def _all_drawn(page) -> None:
    page.set_viewport_size({"width": 1366, "height": 9000})  # Streamlit draws a chart when it scrolls into view
    page.wait_for_function(
        f"""() => [...document.querySelectorAll("{CHARTS}")].filter(e => e.offsetParent !== null)
                  .every(e => e.querySelector('svg.marks'))""", timeout=60_000)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_returns_and_routes_charts_as_drawn(server, browser, lang):
    ctx = _context(browser, lang)
    page = ctx.new_page()
    try:
        _open(page, f"{server}/paths?{EVERY_MONTH}" + ("&lang=en" if lang == "en" else ""))
        assert page.locator(ERRORS).count() == 0, page.locator(ERRORS).all_inner_texts()
        _all_drawn(page)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"paths-{lang}.png"))
        charts = page.locator(CHARTS)
        visible = [charts.nth(i) for i in range(charts.count()) if charts.nth(i).is_visible()]
        assert len(visible) >= 6, "loops, share, trend, by type, approvers, routes, conformance"
        for i, chart in enumerate(visible):
            marks = chart.locator("g.role-mark > path, g.role-mark > g, g.role-mark > text")
            assert marks.count() > 0, f"chart {i + 1} draws nothing"
            labels = chart.locator("g.role-axis-label text").evaluate_all("els => els.map(e => e.textContent)")
            assert len([x for x in labels if x.strip()]) >= 2, f"chart {i + 1}: no tick labels"
            chart.screenshot(path=str(ARTIFACTS / f"paths-{lang}-chart{i + 1}.png"))
        required = "与规定路径" if lang == "zh" else "Against the required route"
        bars = page.locator(f"g.mark-rect.role-mark path[aria-label*='{required}']")
        assert bars.count() >= 2, "the route chart draws its routes"
        words = page.locator(f"{CHARTS} g.mark-text.role-mark text").evaluate_all("els => els.map(e => e.textContent)")
        assert any(w.endswith("%") for w in words), "each route's share written beside its bar"
    finally:
        ctx.close()


def test_a_click_on_a_route_opens_its_matters(server, browser):
    ctx = _context(browser, "zh")
    page = ctx.new_page()
    try:
        _open(page, f"{server}/paths?{EVERY_MONTH}")
        _all_drawn(page)
        bar = page.locator("g.mark-rect.role-mark path[aria-label*='与规定路径']").first
        matters = int(re.search(r"事项（件）: ([\d,]+)", bar.get_attribute("aria-label")).group(1).replace(",", ""))
        bar.click()
        dialog = page.locator("[role='dialog']")
        dialog.wait_for(timeout=90_000)
        page.wait_for_selector("[role='dialog'] [data-testid='stDataFrame']", timeout=90_000)
        total = int(re.search(r"共 ([\d,]+) 条记录", dialog.inner_text()).group(1).replace(",", ""))
        assert total == matters
        assert "团队长 → 副局长" in dialog.inner_text()  # the route in words, in the dialog's title and rows
        dialog.screenshot(path=str(ARTIFACTS / "paths-drill-route.png"))
        assert page.locator(ERRORS).count() == 0
    finally:
        ctx.close()
