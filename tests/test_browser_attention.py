"""The attention list (待办与预警) in a real browser (Debian's chromium, China time), signed in as the chief (the
whole bureau) and as a team leader (their team, by their account's scope): it is the first page they land
on, and its counts equal those of the pages it summarises, signed in as the same person — the pending steps
of the Overview, the open cases of the Statutory clock page, the M5-UNDECIDED and S12-TEMPORARY findings of
the Regulation page — and its list holds exactly that many rows, the team leader's only their team's.

Screenshots: test-artifacts/attention-*.png."""

from __future__ import annotations

import re
import shutil

import pytest
from browserkit import (
    ARTIFACTS,
    drawn,
    loaded,
    navigate,
    require_chromium,
    signed_in,
    streamlit_server,
    to_english,
)

require_chromium()

TEAM = "执行一团队"
PASSWORD = "correct-horse-42"
ACCOUNTS = {"chief": "W0003", "team_leader": "W0007"}  # 王楠 (CHIEF), 肖国庆 (TEAM_LEAD of 执行一团队)


@pytest.fixture(scope="module")
def signed_store(tmp_path_factory, demo_db):
    """A copy of the demo store that has accounts (so every page asks for sign-in)."""
    from pipelines.access.accounts import add_account

    folder = tmp_path_factory.mktemp("attention-store")
    db = folder / "warehouse.duckdb"
    shutil.copyfile(demo_db, db)
    shutil.copytree(demo_db.with_suffix(".parts"), folder / "warehouse.parts")
    for login, staff in ACCOUNTS.items():
        add_account(db, login, PASSWORD, role="staff", staff_id=staff, email=f"{login}@court.test")
    return db


@pytest.fixture(scope="module")
def signed_server(signed_store):
    """The dashboard on that store."""
    with streamlit_server(signed_store, "streamlit-attention.log") as url:
        yield url


def _open(page, url: str, login: str | None = None) -> None:
    """Open `url`; a new page load is a new session: sign in as `login` when the form asks."""
    page.goto(url)
    if not login:
        drawn(page)  # opening a page runs it once
    else:  # a new session: the form comes a moment after the run (a text box's code loads on first use)
        loaded(page)
        page.locator("input[type=password]").wait_for(timeout=60_000)
        page.locator("input[autocomplete=username]").fill(login)
        page.locator("input[type=password]").fill(PASSWORD)
        page.locator("input[type=password]").press("Enter")
        signed_in(page)
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
def test_attention_counts_equal_the_pages_they_summarise(signed_server, page, con, who):
    server = signed_server
    _open(page, f"{server}/", who)  # they land on the attention list
    assert "待办与预警" in page.locator("h2").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / f"attention-{who}-zh.png"))
    page.set_viewport_size({"width": 1366, "height": 3000})
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / f"attention-{who}-zh-full.png"))
    page.set_viewport_size({"width": 1366, "height": 900})
    # in English and on to the pages it summarises in the same session (a new address is a new session)
    to_english(page, "Who must act now")
    pending, pending_text = _metric(page, "Pending steps (red/yellow)")
    cases, cases_text = _metric(page, "Cases (past/near deadline)")
    items, _ = _metric(page, "Escalated items undecided")
    subs, subs_text = _metric(page, "Substitutions over limit")
    listed = _rows_total(page)
    page.screenshot(path=str(ARTIFACTS / f"attention-{who}-en.png"))

    red_pending, yellow_pending = _split(pending_text)
    red_cases, yellow_cases = _split(cases_text)
    assert pending == red_pending + yellow_pending and cases == red_cases + yellow_cases
    assert listed == pending + cases + items + subs > 0

    # the Overview's overdue pending steps (red) and its help's yellow ones
    navigate(page, server, "overview")
    overdue, _ = _metric(page, "Overdue steps (now)")
    assert overdue == red_pending
    # the Statutory clock page's open cases past and near their deadline
    navigate(page, server, "clock")
    assert _metric(page, "Overdue now")[0] == red_cases
    assert _metric(page, "Near deadline")[0] == yellow_cases
    # the Regulation page's findings of M5-UNDECIDED and S12-TEMPORARY over every month
    for rule, shown in (("M5-UNDECIDED", items), ("S12-TEMPORARY", None)):  # the rule and period by address
        _open(page, f"{server}/regulation?lang=en&{_period(con)}&rule={rule}", who)
        total = _rows_total(page)
        if shown is not None:
            assert total == shown, rule
        else:  # the list holds those still running; the page every finding, as the metric's caption says
            assert f"{total} S12-TEMPORARY findings in all" in subs_text
    if who == "team_leader":
        assert items == 0  # meeting items are bureau-wide: no team's
        expected = con.sql(f"""SELECT count(*) FROM pending_steps WHERE warning_tier IS NOT NULL AND team = '{TEAM}'""").fetchall()[0][0]
        assert red_pending + yellow_pending == expected


def test_the_team_leaders_list_names_no_other_team_and_the_vp_page_order_is_unchanged(signed_server, page):
    _open(page, f"{signed_server}/attention?lang=en&team=执行二团队", "team_leader")  # asking for another team
    text = page.locator("[data-testid='stMain']").inner_text()
    assert TEAM in text
    for other in ("执行二团队", "执行五团队", "执行九团队"):
        assert other not in text
    # a click on a row's marker opens its records: the first row is a case past its deadline, one record
    grid, text = _open_first_row(page)
    assert "(1 records)" in text, text[:500]
    page.screenshot(path=str(ARTIFACTS / "attention-row-records.png"))
    # closed, it stays closed: closing clears the row's choice, so the list comes back as a new table (the old
    # one leaves the page) with nothing chosen; then the same row opens its records again
    old = grid.element_handle(timeout=30_000)
    page.keyboard.press("Escape")
    page.locator("[role='dialog']").wait_for(state="detached", timeout=60_000)
    page.wait_for_function("el => !el.isConnected", arg=old, timeout=60_000)
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)
    assert page.locator("[role='dialog']").count() == 0, "the records dialog opened again after it was closed"
    _, text = _open_first_row(page)
    assert "(1 records)" in text, text[:500]


def _open_first_row(page):
    """Click the marker of the list's first row; the list and the text of the records dialog it opens."""
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    grid.locator("canvas").first.wait_for(timeout=30_000)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 14, box["y"] + 35 + 17)
    dialog = page.locator("[role='dialog']")
    dialog.wait_for(timeout=60_000)
    page.wait_for_selector("[role='dialog'] [data-testid='stDataFrame']", timeout=60_000)
    return grid, dialog.inner_text()


def test_without_sign_in_the_overview_stays_first(server, page):
    _open(page, f"{server}/")
    assert "总览" in page.locator("h2").first.inner_text()


@pytest.mark.parametrize("who", ["chief", "team_leader"])
def test_a_digest_eml_opened_in_chromium_shows_its_figures_charts_and_list(signed_store, page, tmp_path, who):
    """The .eml `digest --dry-run` writes, shown as a mail client shows it (pipelines.notify.preview: the HTML part
    with its cid: images inlined): both charts decode in the browser, the list is there, the links go back to
    the dashboard. Screenshots: test-artifacts/digest-<who>.png."""
    from pipelines.cli import main

    store = signed_store
    out = tmp_path / "eml"
    assert main(["digest", "--db", str(store), "--to", who, "--dry-run", "--out", str(out), "--now", "2024-07-01T09:00"]) == 0
    [html] = out.glob("*.html")
    page.goto(html.as_uri())
    page.wait_for_load_state("load")
    widths = page.evaluate("[...document.images].map(i => i.complete ? i.naturalWidth : 0)")
    assert len(widths) == 2 and min(widths) >= 600, widths
    text = page.inner_text("body")
    assert "待办清单" in text and "已触发的预警" in text and "主要指标（2024-06，与上月比较）" in text
    if who == "team_leader":
        assert TEAM in text and "执行二团队" not in text
    hrefs = page.evaluate("[...document.links].map(a => a.href)")
    assert hrefs and all(h.startswith("http://localhost:8501/") for h in hrefs)
    page.screenshot(path=str(ARTIFACTS / f"digest-{who}.png"), full_page=True)
