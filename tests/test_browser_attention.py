"""The attention list (待办与预警) in a real browser (Debian's chromium, China time) for the chief (the whole
bureau) and a team leader (their team): its counts equal those of the pages it summarises — the pending steps
of the Overview, the open cases of the Statutory clock page, the M5-UNDECIDED and S12-TEMPORARY findings of
the Regulation page — and its list holds exactly that many rows, the team leader's only their team's.

Screenshots: test-artifacts/attention-*.png."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from browserkit import ARTIFACTS, require_chromium

require_chromium()

TEAM = "执行一团队"


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    pg = ctx.new_page()
    yield pg
    ctx.close()


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("[data-testid='stApp']", timeout=60_000)
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)
    page.wait_for_timeout(500)
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)
    errors = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']")
    assert errors.count() == 0, " | ".join(errors.all_inner_texts())[:2000]


def _metric(page, label: str) -> tuple[int, str]:
    """A headline metric's value and the text of its column (the caption under it)."""
    box = page.locator("[data-testid='stMetric']", has_text=label).first
    box.wait_for(timeout=30_000)
    value = int(box.locator("[data-testid='stMetricValue']").inner_text().replace(",", ""))
    column = page.locator("[data-testid='stColumn']", has=box).first
    return value, column.inner_text()


def _split(text: str) -> tuple[int, int]:
    m = re.search(r"(\d+) red · (\d+) yellow", text)
    assert m, text
    return int(m.group(1)), int(m.group(2))


def _rows_total(page) -> int:
    m = re.search(r"Rows \d+–\d+ of ([\d,]+)", page.locator("[data-testid='stMain']").inner_text())
    return int(m.group(1).replace(",", "")) if m else 0


def _period(con) -> str:
    first, last = con.sql("SELECT min(month), max(month) FROM violations").fetchall()[0]
    return f"from={first:%Y-%m}&to={last:%Y-%m}"


@pytest.mark.parametrize("who", ["chief", "team_leader"])
def test_attention_counts_equal_the_pages_they_summarise(server, page, con, who):
    org = f"&team={quote(TEAM)}" if who == "team_leader" else ""
    _open(page, f"{server}/attention?lang=en{org}")
    pending, pending_text = _metric(page, "Pending steps (red/yellow)")
    cases, cases_text = _metric(page, "Cases (past/near deadline)")
    items, _ = _metric(page, "Escalated items undecided")
    subs, subs_text = _metric(page, "Substitutions past the limit, running")
    listed = _rows_total(page)
    page.screenshot(path=str(ARTIFACTS / f"attention-{who}-en.png"))
    _open(page, f"{server}/attention?{org.lstrip('&')}")
    page.screenshot(path=str(ARTIFACTS / f"attention-{who}-zh.png"))
    page.set_viewport_size({"width": 1366, "height": 3000})
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / f"attention-{who}-zh-full.png"))

    red_pending, yellow_pending = _split(pending_text)
    red_cases, yellow_cases = _split(cases_text)
    assert pending == red_pending + yellow_pending and cases == red_cases + yellow_cases
    assert listed == pending + cases + items + subs > 0

    # the Overview's overdue pending steps (red) and its help's yellow ones
    _open(page, f"{server}/?lang=en{org}")
    overdue, _ = _metric(page, "Overdue steps (now)")
    assert overdue == red_pending
    # the Statutory clock page's open cases past and near their deadline
    _open(page, f"{server}/clock?lang=en{org}")
    assert _metric(page, "Overdue now")[0] == red_cases
    assert _metric(page, "Near deadline")[0] == yellow_cases
    # the Regulation page's findings of M5-UNDECIDED and S12-TEMPORARY over every month
    for rule, shown in (("M5-UNDECIDED", items), ("S12-TEMPORARY", None)):
        _open(page, f"{server}/regulation?lang=en&{_period(con)}{org}&rule={rule}")
        total = _rows_total(page)
        if shown is not None:
            assert total == shown, rule
        else:  # the list holds those still running; the page every finding, as the metric's caption says
            assert f"{total} S12-TEMPORARY findings in all" in subs_text
    if who == "team_leader":
        assert items == 0  # meeting items are bureau-wide: no team's
        expected = con.sql(f"""SELECT count(*) FROM pending_steps WHERE warning_tier IS NOT NULL AND team = '{TEAM}'""").fetchall()[0][0]
        assert red_pending + yellow_pending == expected


def test_a_row_opens_its_records_and_links_to_its_page(server, page):
    _open(page, f"{server}/attention?lang=en&team={quote(TEAM)}")
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for(timeout=30_000)
    text = page.locator("[data-testid='stMain']").inner_text()
    for other in ("执行二团队", "执行五团队", "执行九团队"):
        assert other not in text
