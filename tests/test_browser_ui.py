"""The dashboard as its users meet it, in a real browser (Debian's chromium via Playwright) against
`streamlit run app.py` on the demo store, one server for the session (conftest.py): every chart drawn at a readable size
with tick labels (read from the rendered SVG), in both languages at 1366x768 and 1920x1080; every download
button on every page yields a file; a click on a bar or a cell opens the records behind it, as many as the
mark says; the period slider moved in the browser holds, and so do the presets. Screenshots and the time
from a filter change to a settled page go to test-artifacts/ (git-ignored) for people to look at."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

import pytest
from browserkit import ALL_PAGES, ARTIFACTS, CHART_PAGES, TZ, drawn, navigate, require_chromium
from playwright.sync_api import Error as PlaywrightError

from pipelines.core.i18n import t

ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"
MIN_CHART_HEIGHT = 150  # px of a drawn chart (plot, axes and legend): below it a chart does not read
MIN_CHART_WIDTH = 250

require_chromium()

# `server` (one `streamlit run app.py` on the demo store) and `browser` (one chromium) are session fixtures in
# conftest.py, shared with test_browser.py.


def _page(browser, width: int, height: int, lang: str = "zh"):
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN" if lang == "zh" else "en-US",
                              accept_downloads=True, timezone_id=TZ)
    return ctx, ctx.new_page()


def _open(page, url: str) -> None:
    page.goto(url)
    drawn(page)


def _after_change(page, since: float, text: str, shown: bool = True, timeout: float = 60_000) -> float:
    """Wait until the run a filter change started at `since` has drawn what it changes (the page's scope
    caption showing `text`, or no longer showing it) and is over; its duration in s. Not by the script state
    alone: on a busy machine the browser can take the run's start and end in one render, and the state never
    reads 'running' (a change whose run came and went once waited 60 s for it)."""
    page.wait_for_function(
        """([text, shown]) => {
             const main = document.querySelector('[data-testid=stMain]');
             const state = document.querySelector('[data-test-script-state]');
             return main && state && main.innerText.includes(text) === shown
                    && state.getAttribute('data-test-script-state') === 'notRunning'; }""",
        arg=[text, shown], timeout=timeout)
    done = _now(page)
    drawn(page, timeout)
    return (done - since) / 1000


def _now(page) -> float:
    return page.evaluate("performance.now()")


def _assert_no_errors(page, what: str) -> None:
    errors = page.locator(ERRORS)
    assert errors.count() == 0, f"{what}: " + " | ".join(errors.all_inner_texts())[:2000]


def _url(server: str, name: str, lang: str, query: str = "") -> str:
    path = "" if name == "overview" else name
    params = "&".join(p for p in (f"lang={lang}" if lang != "zh" else "", query) if p)
    return f"{server}/{path}" + (f"?{params}" if params else "")


# ------------------------------------------------------------------------------------------ charts as drawn
def _drawn_charts(page, width: int, height: int, shot: Path | None = None) -> list[dict]:
    """Every visible chart once Vega has drawn it: its size and its axes' tick labels. The page is made tall
    for this (Streamlit draws a chart when it scrolls into view; a chart's size depends on the width only)."""
    page.set_viewport_size({"width": width, "height": 8000})
    try:
        page.wait_for_function(
            """() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')]
                     .filter(e => e.offsetParent !== null).every(e => e.querySelector('svg.marks'))""",
            timeout=30_000)
        if shot is not None:  # the whole page (the app scrolls inside its own pane)
            page.screenshot(path=str(shot))
        return page.evaluate("""() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')]
            .filter(e => e.offsetParent !== null)  // not in a closed tab or expander
            .map(e => {
                const r = e.getBoundingClientRect();
                const axes = [...e.querySelectorAll('g.role-axis')].map(a => ({
                    labels: [...a.querySelectorAll('g.role-axis-label text')].map(t => t.textContent.trim()).filter(x => x),
                    title: [...a.querySelectorAll('g.role-axis-title text')].map(t => t.textContent).join('')}));
                return {width: Math.round(r.width), height: Math.round(r.height), axes,
                        section: e.getAttribute('aria-label') || '',
                        marks: e.querySelectorAll('g.role-mark > path, g.role-mark > g').length};
            })""")
    finally:
        page.set_viewport_size({"width": width, "height": height})


VIEWS = [("zh", 1366, 768, CHART_PAGES), ("en", 1920, 1080, CHART_PAGES),
         ("en", 1366, 768, ("bottlenecks",)), ("zh", 1920, 1080, ("bottlenecks",))]
TOUR = ("zh", 1366, 768)  # the view the download check opens every page in anyway: one visit serves both checks
FINDINGS_QUERY = "from=2022-07&to=2024-06"  # the all-findings page over every month: more matches than one page


def _chart_problems(name: str, charts: list[dict], lang: str, width: int) -> list[str]:
    if not charts:
        return [f"{name}: no chart drawn"]
    problems = []
    for n, ch in enumerate(charts):
        where = f"{name} chart {n + 1} ({ch['section']}, {lang}, {width}px)"
        if ch["height"] < MIN_CHART_HEIGHT or ch["width"] < MIN_CHART_WIDTH:
            problems.append(f"{where}: drawn {ch['width']}x{ch['height']} px")
        axes = [a for a in ch["axes"] if a["labels"] or a["title"]]  # not the grid-only axes
        if not axes or any(not a["labels"] for a in axes) or max(len(a["labels"]) for a in axes) < 2:
            problems.append(f"{where}: tick labels missing: {axes}")
        if ch["marks"] < 1:
            problems.append(f"{where}: nothing drawn")
    return problems


def _visit(page, server: str, name: str, lang: str, width: int, height: int, full_shot: bool,
           first: bool) -> list[dict] | None:
    """Open a page (its header, h2, must come), check it shows no error, screenshot it; a chart page's charts.
    The `first` page of a visit is opened by its address; the others through the navigation as a person goes
    on (the language and the default period kept), but for the all-findings page, whose period is in its
    address."""
    if first or name == "findings":
        _open(page, _url(server, name, lang, FINDINGS_QUERY if name == "findings" else ""))
    else:
        navigate(page, server, name)
    _assert_no_errors(page, f"{name} ({lang}, {width})")
    page.screenshot(path=str(ARTIFACTS / f"ui-{name}-{lang}-{width}.png"))
    if name not in CHART_PAGES:
        return None
    return _drawn_charts(page, width, height, ARTIFACTS / f"ui-{name}-{lang}-{width}-full.png" if full_shot else None)


def _click_every_download(page, got: list) -> str | None:
    """Click every download button on the page, each as soon as the previous file has come; what is missing.

    Not faster: two downloads whose answers reach Chromium within a few milliseconds of each other can cancel
    one another (the second navigation aborts the first, ERR_ABORTED, no file), which is how clicks 80 ms
    apart lost 2 of 12 files now and then. The server's side of quick clicks (no rerun, no dropped id) is
    what `on_click="ignore"` settles (views/_widgets.download); this checks every button gives its file."""
    buttons = page.locator("[data-testid='stDownloadButton'] button:visible")
    count = buttons.count()
    missing = []
    for i in range(count):
        button = buttons.nth(i)
        try:  # a click scrolls its button into view itself
            with page.expect_download(timeout=60_000) as download:
                button.click()
            got.append(download.value)
        except PlaywrightError:
            missing.append(button.inner_text().split()[-1])
    return f"{len(missing)} of {count} downloads did not come: {missing}" if missing else None


@pytest.fixture(scope="module")
def tour(server, browser, tmp_path_factory) -> dict:
    """Every page once in Chinese at 1366x768 (a page run takes seconds on 2 cores), for two checks: each chart
    page's charts as drawn, then every download button clicked. Problems are collected, each test asserts its own."""
    lang, width, height = TOUR
    ctx, page = _page(browser, width, height, lang)
    got: list = []
    out = {"charts": {}, "buttons": {}, "missing": [], "files": {}}
    try:
        # the all-findings page, opened with its period in the address, last: the pages after it would keep it
        for n, name in enumerate([*(p for p in ALL_PAGES if p != "findings"), "findings"]):
            charts = _visit(page, server, name, lang, width, height, full_shot=True, first=n == 0)
            if charts is not None:
                out["charts"][name] = charts
            out["buttons"][name] = page.locator("[data-testid='stDownloadButton'] button:visible").count()
            missing = _click_every_download(page, got)
            if missing:
                out["missing"].append(f"{name}: {missing}")
            _assert_no_errors(page, f"{name} after downloading")
        folder = tmp_path_factory.mktemp("downloads")
        for d in got:
            path = folder / d.suggested_filename
            d.save_as(path)
            out["files"][d.suggested_filename] = path.read_bytes()
    finally:
        ctx.close()
    return out


@pytest.mark.parametrize(("lang", "width", "height", "pages"), VIEWS, ids=[f"{v[0]}-{v[1]}" for v in VIEWS])
def test_every_chart_is_drawn_at_a_readable_size_with_tick_labels(request, server, browser, lang, width, height, pages):
    measured, problems = {}, []
    try:
        if (lang, width, height) == TOUR:
            measured = request.getfixturevalue("tour")["charts"]
            assert set(measured) == set(pages), "the tour opens every chart page"
        else:
            ctx, page = _page(browser, width, height, lang)
            try:
                for n, name in enumerate(pages):
                    measured[name] = _visit(page, server, name, lang, width, height, full_shot=pages == CHART_PAGES,
                                            first=n == 0)
            finally:
                ctx.close()
        for name, charts in measured.items():
            problems += _chart_problems(name, charts, lang, width)
    finally:
        (ARTIFACTS / f"ui-charts-{lang}-{width}.json").write_text(json.dumps(measured, ensure_ascii=False, indent=1))
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------------------------------ downloads
def test_every_download_button_on_every_page_yields_a_file(tour):
    """Clicked one after another, each as soon as the previous file came: every button gives its file."""
    assert set(tour["buttons"]) == set(ALL_PAGES)
    assert all(count for name, count in tour["buttons"].items() if name != "data"), tour["buttons"]  # Data may have none
    assert not tour["missing"], "\n".join(tour["missing"])
    files = tour["files"]
    assert all(len(b) > 0 for b in files.values()), [n for n, b in files.items() if not b]
    pngs = [b for n, b in files.items() if n.endswith(".png")]
    assert pngs and all(b.startswith(b"\x89PNG") for b in pngs)
    # the all-findings table exports every matching row, not the page of 50 shown, under a first line
    findings = next(b for n, b in files.items() if n.startswith("违规发现_2022-07") and n.endswith(".csv"))
    lines = findings.decode("utf-8-sig").strip().splitlines()
    assert "数据截至" in lines[0] and len(lines) - 2 > 50, (lines[0], len(lines))


# ------------------------------------------------------------------------------------------ drill-down
def _mark_number(label: str) -> int:
    """The count a bar's aria-label states first ('待办环节（个）: 4; 审批层级: 团队长; …')."""
    return int(re.search(r":\s*([\d,]+)", label).group(1).replace(",", ""))


def _dialog_total(page) -> int:
    dialog = page.locator("[role='dialog']")
    dialog.wait_for(timeout=60_000)
    page.wait_for_selector("[role='dialog'] [data-testid='stDataFrame']", timeout=60_000)
    text = dialog.inner_text()
    return int(re.search(r"共 ([\d,]+) 条记录", text).group(1).replace(",", ""))


def test_a_click_on_a_bar_or_a_cell_opens_the_records_behind_it(server, browser):
    ctx, page = _page(browser, 1366, 768)
    try:
        _open(page, _url(server, "bottlenecks", "zh"))
        chart = page.locator("[data-testid='stVegaLiteChart']").first  # pending steps per level and tier
        chart.scroll_into_view_if_needed()
        bar = chart.locator("g.mark-rect.role-mark path").nth(1)
        expected = _mark_number(bar.get_attribute("aria-label"))
        bar.click()
        assert _dialog_total(page) == expected
        drawn(page)  # the dialog came from the click's run: that run over
        page.screenshot(path=str(ARTIFACTS / "ui-drill-pending-bar.png"))
        rows = page.locator("[role='dialog'] [data-testid='stDataFrame']")
        assert rows.is_visible()
        page.keyboard.press("Escape")
        page.locator("[role='dialog']").wait_for(state="detached", timeout=10_000)

        # a cell of the flow matrix: the number drawn on it takes the click too
        flow = page.locator("[data-testid='stVegaLiteChart']").nth(2)
        flow.scroll_into_view_if_needed()
        cell = flow.locator("g.mark-rect.role-mark path").first
        steps = int(re.search(r"（个）: ([\d,]+)", cell.get_attribute("aria-label")).group(1).replace(",", ""))
        flow.locator("g.mark-text.role-mark text").first.click()
        assert _dialog_total(page) == steps
        page.screenshot(path=str(ARTIFACTS / "ui-drill-flow-cell.png"))
        _assert_no_errors(page, "after the drill-down")
    finally:
        ctx.close()


# ------------------------------------------------------------------------------------------ the period
def _thumbs(page) -> list[str]:
    return page.locator("[data-testid='stSidebar'] [data-testid='stSlider'] input[type='range']").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-valuetext'))")


def test_the_period_moved_in_the_browser_holds_and_a_filter_change_settles(server, browser):
    ctx, page = _page(browser, 1366, 768)
    timings = []
    try:
        _open(page, _url(server, "overview", "zh"))
        assert _thumbs(page) == ["2024-04", "2024-06"]
        thumb = page.locator("[data-testid='stSidebar'] [data-testid='stSlider'] input[type='range']").first
        thumb.focus()
        since = _now(page)
        for _ in range(3):
            page.keyboard.press("ArrowLeft")
        page.wait_for_function("() => location.search.includes('from=2024-01')", timeout=30_000)
        _after_change(page, since, "范围：" + t("describe.period", "zh", start="2024-01", end="2024-06"))
        page.wait_for_timeout(1500)  # the snap-back came within a second
        assert _thumbs(page) == ["2024-01", "2024-06"] and "from=2024-01" in page.url

        # another filter: the period stays; time each change to a settled page
        division = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first
        # as a person scrolls the sidebar to see the list open: at 768 px the navigation (ten pages) leaves the
        # division filter at the bottom edge, where its list has no room to open below it
        division.evaluate("e => e.scrollIntoView({block: 'center'})")
        for i in range(6):
            since = _now(page)
            # as a user scrolls the sidebar: at 768 px its filters start at the bottom edge under ten pages' links,
            # where a click focuses the box but its menu has no room to open
            division.evaluate("e => e.scrollIntoView({block: 'center'})")
            division.locator("input").click()
            page.get_by_role("option").first.wait_for(timeout=30_000)  # its menu open: the box has the focus
            if i % 2 == 0:  # choose the first division
                name = page.get_by_role("option").first.inner_text().strip()
                page.get_by_role("option").first.click()
            else:  # and remove it again
                page.keyboard.press("Backspace")
            page.keyboard.press("Escape")
            try:  # the scope caption names the division, then no longer
                timings.append(_after_change(page, since, t("describe.division", "zh", values=name), i % 2 == 0))
            except PlaywrightError:
                page.screenshot(path=str(ARTIFACTS / f"ui-filter-change-{i + 1}-not-drawn.png"))
                raise
            assert _thumbs(page) == ["2024-01", "2024-06"], f"after filter change {i + 1}"
        assert "from=2024-01" in page.url
        page.screenshot(path=str(ARTIFACTS / "ui-period-held.png"))

        since = _now(page)
        page.locator("[data-testid='stSidebar']").get_by_role("button", name="上月", exact=True).click()
        page.wait_for_function("() => location.search.includes('from=2024-05') && location.search.includes('to=2024-05')",
                               timeout=30_000)
        _after_change(page, since, "范围：" + t("describe.month", "zh", month="2024-05") + "。")
        assert _thumbs(page) == ["2024-05", "2024-05"]
        _assert_no_errors(page, "after the presets")
    finally:
        (ARTIFACTS / "ui-filter-change-seconds.json").write_text(json.dumps(
            {"samples": timings, "median": statistics.median(timings) if timings else None}, indent=1))
        ctx.close()
