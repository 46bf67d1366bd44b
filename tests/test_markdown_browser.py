"""Text is text, in a real browser (Debian's chromium): a roster whose names, teams and divisions are Markdown
links and images to an outside host is shown as the characters it is on every page, and nothing is fetched
from that host; upload names too long or holding a NUL get a located message, no traceback, no path. Its own
server, in local mode, on a store loaded from those exports."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from browserkit import (
    ALL_PAGES,
    ARTIFACTS,
    ROOT,
    drawn,
    loaded,
    navigate,
    require_chromium,
    settle,
    streamlit_server,
)

require_chromium()


EVIL = "evil.example"


def _markdown_exports(src: list[Path], out: Path) -> dict[str, str]:
    """The demo exports with every person's name and every team and division name made a Markdown link or
    image to an outside host; returns team -> its new name."""
    import polars as pl

    out.mkdir()
    roster_file = next(p for p in src if p.suffix == ".xlsx" and "人员" in p.name)
    roster = pl.read_excel(roster_file, infer_schema_length=0)
    teams = sorted({t for t in roster["所属团队"].to_list() if t})
    divisions = sorted({d for d in roster["分管部门"].to_list() if d})
    team_map = {t: (f"[{t}](http://{EVIL}/t{i})" if i % 2 else f"![{t}](http://{EVIL}/t{i}.png)") for i, t in enumerate(teams)}
    div_map = {d: f"[{d}](http://{EVIL}/d{i})" for i, d in enumerate(divisions)}
    roster = roster.with_columns(
        pl.when(pl.int_range(pl.len()) % 2 == 0).then("[" + pl.col("姓名") + f"](http://{EVIL}/p)")
        .otherwise("![" + pl.col("姓名") + f"](http://{EVIL}/p.png)").alias("姓名"),
        pl.col("所属团队").replace(team_map), pl.col("分管部门").replace(div_map),
    )
    roster.write_csv(out / "staff.csv")
    for p in src:
        if p == roster_file:
            continue
        if p.suffix != ".csv":
            shutil.copyfile(p, out / p.name)
            continue
        raw = p.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
        df = pl.read_csv(text.encode("utf-8"), infer_schema_length=0)
        if "承办团队" in df.columns:
            df = df.with_columns(pl.col("承办团队").replace(team_map))
        df.write_csv(out / p.name)
    return team_map


@pytest.fixture(scope="module")
def markdown_site(tmp_path_factory, demo_exports):
    from pipelines.ingest.loader import load_paths

    base = tmp_path_factory.mktemp("markdown")
    team_map = _markdown_exports(demo_exports, base / "exports")
    db = base / "warehouse.duckdb"
    report = load_paths(sorted((base / "exports").iterdir()), db)
    assert report.ok, report.format("en")
    with streamlit_server(db, "streamlit-markdown.log") as url:  # local mode: no account
        yield url, db, team_map


def test_names_and_teams_that_are_markdown_draw_no_link_or_image_on_any_page(markdown_site, browser):
    url, _, team_map = markdown_site
    team = next(iter(team_map.values()))
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, timezone_id="Asia/Shanghai")
    page = ctx.new_page()
    outside = []
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname == EVIL else None)
    for n, name in enumerate(ALL_PAGES):
        if n == 0:  # the team filter in the address; the other pages through the navigation, which keeps it
            page.goto(f"{url}/{'' if name == 'overview' else name}?team={quote(team)}")
            drawn(page)  # opening a page runs it once: the run over is the page drawn, its images in the document
        else:
            navigate(page, url, name)
        links = page.locator(f"a[href*='://{EVIL}']").count()
        images = page.locator(f"img[src*='://{EVIL}']").count()
        where = [e.evaluate("e => { let x = e, p = []; while (x && p.length < 6) { p.push(x.getAttribute('data-testid') "
                            "|| x.tagName); x = x.parentElement } return p.join(' < ') + ' :: ' + e.outerHTML.slice(0, 160) }")
                 for e in page.locator(f"a[href*='://{EVIL}'], img[src*='://{EVIL}']").all()[:3]]
        assert links == 0 and images == 0, f"{name}: {links} links and {images} images to {EVIL}: {where}"
        assert page.locator("[data-testid='stException']").count() == 0, name
        # the team's name is shown as the characters it is, in the caption of the page's figures
        if name not in ("data", "regulation", "meetings"):
            shown = page.locator("[data-testid='stMain']").inner_text().replace("\u2060", "")  # see views/_text.py
            assert team in shown, f"{name}: the team's name is not shown as text"
    assert outside == [], outside[:5]
    page.screenshot(path=str(ARTIFACTS / "access-markdown-names.png"))
    ctx.close()


def _no_traceback_nor_path(page) -> None:
    """No traceback, and no server path in what the page says went wrong (the Data page's own notes name the
    store's folder on purpose: only an administrator, or the person at the server, sees that page)."""
    assert page.locator("[data-testid='stException']").count() == 0
    assert "Traceback" not in page.locator("body").inner_text()
    for text in page.locator("[data-testid='stAlertContentError']").all_inner_texts():
        assert str(ROOT) not in text and "/tmp" not in text and "Errno" not in text, text


def test_upload_names_too_long_or_with_a_nul_get_a_located_message(markdown_site, browser):
    from pipelines.access import serving

    url, db, _ = markdown_site
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, timezone_id="Asia/Shanghai")
    page = ctx.new_page()
    page.goto(f"{url}/data?lang=en")
    loaded(page)
    uploader = page.locator("[data-testid='stFileUploader'] input[type=file]")
    long_name = "x" * 300 + ".csv"  # 304 characters
    uploader.set_input_files([{"name": long_name, "mimeType": "text/csv", "buffer": b"staff_id,name\n"}])
    page.wait_for_selector("[data-testid='stAlertContentError']", timeout=60_000)
    settle(page)
    error = page.locator("[data-testid='stAlertContentError']").first.inner_text()
    assert "too long (304 characters" in error, error
    _no_traceback_nor_path(page)
    page.screenshot(path=str(ARTIFACTS / "access-upload-long-name.png"))
    ctx.close()
    # a NUL inside a name (the browser sends what a file system would never hold)
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, timezone_id="Asia/Shanghai")
    page = ctx.new_page()
    page.goto(f"{url}/data?lang=en")
    loaded(page)
    page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(
        [{"name": "staff\x00.csv", "mimeType": "text/csv", "buffer": b"staff_id,name\n"}])
    page.wait_for_selector("[data-testid='stAlertContentError'], [data-testid='stException']", timeout=60_000)
    settle(page)
    # Streamlit 1.67 refuses such a name itself, before the page runs ("Filename cannot contain null bytes"):
    # with error details off the page shows its redacted notice, no traceback, no path
    shown = " ".join(page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").all_inner_texts())
    assert "Traceback" not in shown and str(ROOT) not in shown and "/tmp" not in shown and ".py" not in shown, shown
    print("NUL name:", shown)
    ctx.close()
    # nothing of an upload stays on the server's disk
    root = serving.upload_root(db)
    assert not root.exists() or list(root.iterdir()) == []
