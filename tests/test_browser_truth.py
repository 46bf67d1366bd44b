"""What the vice-president reads must be true (issue 22), in a real browser on China time as every court PC is:
a click on the first, a middle and the last mark of every monthly chart opens that month's records, as many as
the mark says (also once with the browser in UTC); a month of zero keeps its place on the axis; Back and Forward
keep the address bar and the page in step; a link the data cannot honour says what it changed; closing a
records dialog and clicking the same mark opens it again. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import pytest
from browserkit import ARTIFACTS, TZ, drawn, navigate, require_chromium
from playwright.sync_api import Error as PlaywrightError

require_chromium()

ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"
PERIOD = "from=2023-10&to=2024-03"  # a half year whose trend window (2023-04 .. 2024-03) holds a month of 0

# Every monthly chart that opens records: page, its index among the page's charts, the title of the count its
# marks state (None where a mark states a median or a share: then only the month is checked).
MONTHLY = [
    ("overview", 0, "审批通过事项（件）"),
    ("overview", 1, "违规发现（条）"),
    ("overview", 2, None),
    ("overview", 3, None),
    ("substitutions", 0, "替补（次）"),
    ("substitutions", 1, None),
    ("clock", 2, "结案（件）"),
    ("meetings", 2, None),
    ("latency", 2, None),
    ("regulation", 0, "违规发现（条）"),
    ("paths", 2, "退回次数"),
    ("paths", 7, None),
]


# A mark one can click: a bar, a cell, a point (a line's path is one mark for all its months: a click on it
# lands on whichever point is nearest).
MARKS = "g.role-mark:not(.mark-line):not(.mark-area) > [aria-label]"


def _context(browser, tz: str = TZ, width: int = 1366, height: int = 768):
    return browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", timezone_id=tz)


def _settle(page) -> None:
    page.wait_for_selector("[data-testid='stMain'] h2", timeout=60_000)
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)


def _open(page, url: str) -> None:
    """Open a page: opening runs it once (measured, browserkit.loaded), so its header drawn and the run over is
    the page drawn."""
    page.goto(url)
    drawn(page)


def _no_errors(page, what: str) -> None:
    errors = page.locator(ERRORS)
    assert errors.count() == 0, f"{what}: " + " | ".join(errors.all_inner_texts())[:2000]


def _url(server: str, name: str, query: str = PERIOD) -> str:
    return f"{server}/{'' if name == 'overview' else name}" + (f"?{query}" if query else "")


def _chart(page, index: int):
    """The page's chart `index`, scrolled to and drawn. A rerun (closing a dialog gives the chart a new widget)
    may replace the element while it is being scrolled to: then the old one is gone ("not attached") and
    the chart is looked up again once the run has ended."""
    for attempt in range(4):
        chart = page.locator("[data-testid='stVegaLiteChart']").nth(index)
        try:
            chart.scroll_into_view_if_needed(timeout=15_000)
            chart.locator("svg.marks").wait_for(timeout=30_000)
            return chart
        except PlaywrightError:
            if attempt == 3:
                page.screenshot(path=str(ARTIFACTS / f"truth-chart-{index}-not-found.png"))
                raise
            page.wait_for_timeout(500)
            page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)
    raise AssertionError("unreachable")


def _month_marks(chart, count_title: str | None) -> list[tuple[int, str, int | None]]:
    """(index among the chart's labelled marks, month, count) of each mark that states a month (and a count
    above 0 where the chart counts): the marks a user can click. Vega draws a chart before Streamlit hands it
    its data: the marks that state a month come a moment after the drawing."""
    chart.locator(MARKS + "[aria-label*='月份: ']").first.wait_for(state="attached", timeout=30_000)
    labels = chart.locator(MARKS).evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    out = []
    for i, text in enumerate(labels):
        month = re.search(r"月份: (\d{4}-\d{2})", text or "")
        if not month:
            continue
        count = None
        if count_title:
            found = re.search(re.escape(count_title) + r": ([\d,]+)", text)
            count = int(found.group(1).replace(",", "")) if found else 0
            if count == 0:
                continue
        out.append((i, month.group(1), count))
    return out


def _first_middle_last(marks: list) -> list:
    """The first, a middle and the last month's first mark (a line's months have a visible and a clickable
    point each, and several lines share a month)."""
    by_month = list({month: (i, month, count) for i, month, count in reversed(marks)}.values())[::-1]
    picks = [by_month[0], by_month[len(by_month) // 2], by_month[-1]]
    return list({m[1]: m for m in picks}.values())


def _dialog(page) -> tuple[str, int]:
    """The month and the number of records the open dialog states ("所选：2023-12 · … （共 3 条记录）")."""
    dialog = page.locator("[role='dialog']")
    dialog.wait_for(timeout=60_000)
    page.wait_for_selector("[role='dialog'] [data-testid='stDataFrame'], [role='dialog'] [data-testid='stCaptionContainer']",
                           timeout=60_000)
    text = dialog.inner_text()
    month = re.search(r"所选：(\d{4}-\d{2})", text)
    total = re.search(r"共 ([\d,]+) 条记录", text)
    assert month and total, text[:300]
    return month.group(1), int(total.group(1).replace(",", ""))


def _close(page, chart) -> None:
    """Close the dialog; closing reruns the page and `chart` comes back as a new widget with nothing selected
    (views._widgets.widget_key): the run is over once its old drawing is gone, so the next look finds the new
    one."""
    old = chart.locator("svg.marks").element_handle(timeout=30_000)
    page.keyboard.press("Escape")
    page.locator("[role='dialog']").wait_for(state="detached", timeout=60_000)
    page.wait_for_function("el => !el.isConnected", arg=old, timeout=60_000)
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)


def _click_mark(chart, index: int) -> None:
    """Click a mark once Vega has drawn it and can hear the click: Streamlit listens to a chart's selection
    a moment after Vega has drawn it. A click that landed before opens nothing: it is clicked again (the same
    mark)."""
    page = chart.page
    for attempt in range(2):
        chart.locator("svg.marks").wait_for(timeout=30_000)
        page.wait_for_timeout(150)
        chart.locator(MARKS).nth(index).click(force=True)
        try:
            page.locator("[role='dialog']").wait_for(timeout=8_000 if attempt == 0 else 60_000)
            return
        except Exception:
            if attempt:
                raise


def _check_monthly_chart(page, name: str, index: int, count_title: str | None, tag: str) -> list[str]:
    """Click the first, a middle and the last mark of the page's chart `index`; what disagrees."""
    problems = []
    chart = _chart(page, index)
    marks = _month_marks(chart, count_title)
    if len(marks) < 3:
        return [f"{name} chart {index}: {len(marks)} marks with a month"]
    for n, (i, month, count) in enumerate(_first_middle_last(marks)):
        chart = _chart(page, index)
        _click_mark(chart, i)
        try:
            got_month, total = _dialog(page)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / f"truth-drill-{tag}-{name}-{index}-{month}-failed.png"))
            raise
        if n == 0:
            page.screenshot(path=str(ARTIFACTS / f"truth-drill-{tag}-{name}-{index}.png"))
        if got_month != month:
            problems.append(f"{name} chart {index}: the mark of {month} opened {got_month}")
        if count is not None and total != count:
            problems.append(f"{name} chart {index} {month}: the mark says {count}, the dialog {total}")
        _close(page, chart)
    return problems


def test_every_monthly_chart_opens_the_month_clicked_in_china_time(server, browser):
    """First, middle and last mark of every monthly chart, browser on Asia/Shanghai: the dialog names the
    month of the mark, and as many records as a count's mark states."""
    ctx = _context(browser)
    problems: list[str] = []
    try:
        page = ctx.new_page()
        current = None
        for name, index, count_title in MONTHLY:
            if current is None:
                _open(page, _url(server, name))
            elif name != current:  # through the navigation, which keeps the period (tested below)
                navigate(page, server, name)
            current = name
            problems += _check_monthly_chart(page, name, index, count_title, "shanghai")
        _no_errors(page, "after the drill-downs")
    finally:
        ctx.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("tz", ["UTC", "America/New_York"])
def test_a_monthly_bar_opens_its_month_in_any_zone(server, browser, tz):
    """The same clicks with the browser in UTC and west of it (where a time read as UTC midnight is the day
    before): the month is text, the same in every zone."""
    ctx = _context(browser, tz)
    try:
        page = ctx.new_page()
        _open(page, _url(server, "substitutions"))
        problems = _check_monthly_chart(page, "substitutions", 0, "替补（次）", tz.replace("/", "-"))
    finally:
        ctx.close()
    assert not problems, "\n".join(problems)


def test_a_second_click_on_the_same_mark_after_closing_its_dialog_opens_it_again(server, browser):
    ctx = _context(browser)
    try:
        page = ctx.new_page()
        _open(page, _url(server, "substitutions"))
        i, month, count = _month_marks(_chart(page, 0), "替补（次）")[0]
        for _ in range(2):
            chart = _chart(page, 0)
            _click_mark(chart, i)
            assert _dialog(page) == (month, count)
            _close(page, chart)
        # and a row of a table: the regulation page's rule table opens its findings twice as well
        _no_errors(page, "after clicking twice")
    finally:
        ctx.close()


def test_a_month_of_zero_keeps_its_place_on_the_axis(server, browser):
    """2023-11 had no substitution: the three months 2023-10..12 are all on the axis, November without a bar."""
    ctx = _context(browser)
    try:
        page = ctx.new_page()
        _open(page, _url(server, "substitutions", "from=2023-10&to=2023-12"))
        chart = _chart(page, 0)
        labels = chart.locator("g.role-axis-label text").evaluate_all("els => els.map(e => e.textContent.trim())")
        assert {"2023-10", "2023-11", "2023-12"} <= set(labels), labels
        marks = _month_marks(chart, "替补（次）")
        assert {m for _, m, _ in marks} == {"2023-10", "2023-12"}, marks  # November: a place, no bar
        chart.screenshot(path=str(ARTIFACTS / "truth-zero-month.png"))
        # the Overview's findings line goes down to a month of zero rather than across it
        _open(page, _url(server, "overview", "from=2023-10&to=2023-12"))
        approved = _chart(page, 0)
        months = [m for _, m, _ in _month_marks(approved, None)]
        assert months[: len(months) // 2] == sorted(set(months)), months  # every month, in order, once a layer
    finally:
        ctx.close()


def _thumbs(page) -> list[str]:
    page.wait_for_selector("[data-testid='stSidebar'] [data-testid='stSlider'] input[type='range']", timeout=30_000)
    return page.locator("[data-testid='stSidebar'] [data-testid='stSlider'] input[type='range']").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-valuetext'))")


def _period_of_url(page) -> list[str]:
    found = dict(re.findall(r"(from|to)=(\d{4}-\d{2})", page.url))
    return [found.get("from"), found.get("to")]


def _wait_period(page, period: list[str]) -> None:
    page.wait_for_function(
        """p => [...document.querySelectorAll("[data-testid=stSidebar] [data-testid=stSlider] input[type=range]")]
                  .map(e => e.getAttribute('aria-valuetext')).join() === p.join()""", arg=period, timeout=30_000)
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)


def test_back_and_forward_keep_the_address_bar_and_the_page_in_step(server, browser):
    ctx = _context(browser)
    try:
        page = ctx.new_page()
        _open(page, _url(server, "overview", ""))
        steps = [_thumbs(page)]
        for preset in ("上月", "本年", "上季度"):
            page.locator("[data-testid='stSidebar']").get_by_role("button", name=preset, exact=True).click()
            page.wait_for_function("p => !location.search.includes(p)", arg=f"from={steps[-1][0]}&to={steps[-1][1]}",
                                   timeout=30_000)
            page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)
            steps.append(_thumbs(page))
            assert _period_of_url(page) == steps[-1]
        assert len({tuple(s) for s in steps}) == 4, steps
        for want in (steps[2], steps[1], steps[0]):
            page.go_back()
            _wait_period(page, want)
            assert _period_of_url(page) == _thumbs(page) == want
        for want in (steps[1], steps[2]):
            page.go_forward()
            _wait_period(page, want)
            assert _period_of_url(page) == _thumbs(page) == want
        page.screenshot(path=str(ARTIFACTS / "truth-back-forward.png"))
        # a page chosen in the navigation keeps the period
        page.locator("[data-testid='stSidebarNav'] a", has_text="审批时效").click()
        page.wait_for_function("() => location.pathname.endsWith('/latency')", timeout=30_000)
        _settle(page)
        assert _period_of_url(page) == _thumbs(page) == steps[2]
        _no_errors(page, "after Back and Forward")
    finally:
        ctx.close()


BOOKMARKS = [
    ("?from=2022-01&to=2024-06", ["2022-07", "2024-06"], "已改为其中有数据的 2022-07 至 2024-06"),
    ("?from=2025-01&to=2025-03", ["2024-04", "2024-06"], "不在数据范围（2022-07 至 2024-06）内"),
    ("?team=执行十九团队", ["2024-04", "2024-06"], "团队“执行十九团队”在数据中不存在"),
    ("?from=2024-13", ["2024-04", "2024-06"], "月份“2024-13”无法识别"),
]


@pytest.mark.parametrize(("query", "period", "notice"), BOOKMARKS, ids=["cut", "outside", "team", "bad-month"])
def test_a_link_outside_the_data_says_what_it_changed(server, browser, query, period, notice):
    ctx = _context(browser)
    try:
        page = ctx.new_page()
        _open(page, f"{server}/{query}")
        alerts = " ".join(page.locator("[data-testid='stAlert']").all_inner_texts())
        assert notice in alerts, alerts
        assert _thumbs(page) == period == _period_of_url(page)
        assert "执行十九团队" not in page.url
        page.screenshot(path=str(ARTIFACTS / f"truth-bookmark-{query.strip('?').split('=')[0]}.png"))
        # the notice is about the link: a change of filter ends it
        page.locator("[data-testid='stSidebar']").get_by_role("button", name="上月", exact=True).click()
        page.wait_for_function("() => location.search.includes('from=2024-05')", timeout=30_000)
        page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)
        page.wait_for_function(f"() => !document.body.innerText.includes({notice!r})", timeout=30_000)
    finally:
        ctx.close()


def test_a_link_to_no_page_says_so_in_english_too(server, browser):
    ctx = _context(browser)
    try:
        page = ctx.new_page()
        _open(page, f"{server}/nosuchpage?lang=en")
        alerts = " ".join(page.locator("[data-testid='stAlert']").all_inner_texts())
        assert "There is no page “nosuchpage”; showing the Overview." in alerts, alerts
        assert "Overview" in page.locator("h2").first.inner_text()
        _open(page, f"{server}/?from=2025-01&to=2025-03&lang=en")
        alerts = " ".join(page.locator("[data-testid='stAlert']").all_inner_texts())
        assert "lies outside the data (2022-07 to 2024-06)" in alerts, alerts
    finally:
        ctx.close()


def test_an_approver_with_nothing_pending_is_drawn_and_opens_under_their_name(server, browser):
    """The workload scatter: a person with nothing pending is a circle one can see and click (it was a 1-px
    dot), and the dialog and its export's file name say the person's name as the page does, never a staff id."""
    ctx = _context(browser)
    try:
        page = ctx.new_page()
        ctx_downloads = []
        page.on("download", lambda d: ctx_downloads.append(d))
        _open(page, _url(server, "bottlenecks", ""))
        scatter = page.locator("[data-testid='stVegaLiteChart']").filter(
            has=page.locator("g.role-axis-title", has_text="已办理环节")).first
        scatter.scroll_into_view_if_needed()
        scatter.locator("svg.marks").wait_for(timeout=30_000)
        circles = scatter.locator(MARKS)
        labels = circles.evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
        idle = [i for i, text in enumerate(labels) if re.search(r"待办环节（个）: 0\b", text or "")]
        assert idle, labels
        box = circles.nth(idle[0]).bounding_box()
        assert box["width"] >= 6 and box["height"] >= 6, box
        name = re.search(r"人员: ([^;]+)", labels[idle[0]]).group(1).strip()
        circles.nth(idle[0]).click(force=True)
        dialog = page.locator("[role='dialog']")
        dialog.wait_for(timeout=60_000)
        page.wait_for_selector("[role='dialog'] [data-testid='stDataFrame']", timeout=60_000)
        chosen = re.search(r"所选：([^\n]+)", dialog.inner_text()).group(1)
        assert name in chosen and not re.search(r"\bW\d{4}\b", chosen), chosen
        with page.expect_download(timeout=60_000):
            dialog.locator("[data-testid='stDownloadButton'] button").first.click()
        assert ctx_downloads and name in ctx_downloads[0].suggested_filename, [d.suggested_filename for d in ctx_downloads]
    finally:
        ctx.close()
