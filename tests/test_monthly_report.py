"""The monthly .docx: opens with python-docx, shows the month's figures as the marts give them, embeds
the charts, sets an East Asian font, and says so plainly when a month has no data."""

from __future__ import annotations

from datetime import date

import docx
import duckdb
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from pipelines.core.filters import Filters
from pipelines.core.i18n import label
from pipelines.present.fonts import DOCUMENT_EAST_ASIA_FONT
from pipelines.present.monthly_report import write_monthly_docx

MONTH = "2024-06"


def marts_figures(db, month: date, team: str | None = None) -> dict:
    """The month's figures straight from the marts (independent of the report's code path)."""
    con = duckdb.connect(str(db), read_only=True)
    team_sql = f" AND team = '{team}'" if team else ""
    try:
        approved = con.sql(
            f"""SELECT count(*) FROM matters WHERE month = DATE '{month}' AND closed
                AND final_decision = 'APPROVE'{team_sql}"""
        ).fetchall()[0][0]
        levels = dict(
            con.sql(
                f"""SELECT level, quantile_cont(latency_hours, 0.5) FROM step_latency
                    WHERE month = DATE '{month}' AND NOT is_pending{team_sql} GROUP BY 1"""
            ).fetchall()
        )
        findings = con.sql(
            f"SELECT count(*) FROM violations WHERE month = DATE '{month}'{team_sql}"
        ).fetchall()[0][0]
        substitutions = con.sql(
            f"SELECT count(*) FROM substitution_facts WHERE month = DATE '{month}'{team_sql}"
        ).fetchall()[0][0]
        some_case = con.sql(
            f"SELECT rule_id, record_id FROM violations WHERE month = DATE '{month}'{team_sql} ORDER BY occurred_at DESC LIMIT 1"
        ).fetchall()
        team_pick = con.sql(
            f"SELECT team, count(*) FROM matters WHERE month = DATE '{month}' AND team IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
        ).fetchall()[0][0]
    finally:
        con.close()
    return {
        "approved": approved,
        "levels": levels,
        "findings": findings,
        "substitutions": substitutions,
        "some_case": some_case,
        "team": team_pick,
    }


def headline_rows(document) -> dict[str, list[str]]:
    table = document.tables[0]
    return {row.cells[0].text.strip(): [c.text for c in row.cells[1:]] for row in table.rows[1:]}


@pytest.fixture(scope="module")
def report(demo_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "monthly.docx"
    return write_monthly_docx(demo_db, MONTH, out)


def test_the_docx_opens_and_shows_the_months_figures_from_the_marts(report, demo_db):
    document = docx.Document(str(report))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "2024-06" in text and "数据截至 2024-06-30" in text
    expected = marts_figures(demo_db, date(2024, 6, 1))
    previous = marts_figures(demo_db, date(2024, 5, 1))
    rows = headline_rows(document)
    assert rows["审批通过事项（件）"][:2] == [f"{expected['approved']:,}", f"{previous['approved']:,}"]
    assert rows["违规发现（条）"][0] == f"{expected['findings']:,}"
    assert rows["替补（次）"][0] == f"{expected['substitutions']:,}"
    assert expected["levels"], "the demo month has decided steps"
    by_level = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in document.tables[1].rows[1:]}
    for level, hours in expected["levels"].items():
        assert by_level[label("level", level)][0] == f"{hours:,.1f}"
    # The worst cases name the records behind the findings.
    all_cells = {c.text for t in document.tables for r in t.rows for c in r.cells}
    if expected["some_case"]:
        assert expected["some_case"][0][1] in all_cells
    # Charts are embedded as pictures.
    assert len(document.inline_shapes) >= 2


def test_styles_name_an_east_asian_font(report):
    document = docx.Document(str(report))
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == DOCUMENT_EAST_ASIA_FONT


def test_filters_narrow_the_figures(demo_db, tmp_path):
    team = marts_figures(demo_db, date(2024, 6, 1))["team"]
    out = write_monthly_docx(demo_db, MONTH, tmp_path / "team.docx", filters=Filters(teams=(team,)))
    document = docx.Document(str(out))
    expected = marts_figures(demo_db, date(2024, 6, 1), team=team)
    assert headline_rows(document)["审批通过事项（件）"][0] == f"{expected['approved']:,}"
    assert f"团队：{team}" in document.paragraphs[1].text


def test_a_month_without_data_says_so(demo_db, tmp_path):
    out = write_monthly_docx(demo_db, "2019-01", tmp_path / "empty.docx")
    document = docx.Document(str(out))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "2019-01 在当前筛选条件下没有" in text
    assert headline_rows(document)["审批通过事项（件）"][0] == "0"


def test_english_report_and_bad_month(demo_db, tmp_path):
    out = write_monthly_docx(demo_db, MONTH, tmp_path / "en.docx", lang="en")
    assert "Headline figures" in "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    with pytest.raises(ValueError, match="YYYY-MM"):
        write_monthly_docx(demo_db, "June", tmp_path / "x.docx", lang="en")


def test_masked_report_hides_names(demo_db, tmp_path):
    con = duckdb.connect(str(demo_db), read_only=True)
    names = {r[0] for r in con.sql("SELECT name FROM staff WHERE length(name) >= 2").fetchall()}
    con.close()
    month = "2024-02"  # a demo month with substitutions, whose tables name people

    def cells(mask):
        out = write_monthly_docx(demo_db, month, tmp_path / f"{mask}.docx", mask=mask)
        document = docx.Document(str(out))
        return " ".join(c.text for t in document.tables for r in t.rows for c in r.cells)

    plain, by_id, by_initials = cells(None), cells("id"), cells("initials")
    assert [n for n in names if n in plain], "unmasked, the report names people"
    assert not [n for n in names if n in by_id]
    assert not [n for n in names if n in by_initials]



# ------------------------------------------------------------------------------------------ as an office files it
def captions(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == "Caption"]


def test_figures_and_tables_are_numbered_with_captions(report):
    document = docx.Document(str(report))
    caps = captions(document)
    figures = [c for c in caps if c.startswith("图")]
    tables = [c for c in caps if c.startswith("表")]
    assert [c.split("　")[0] for c in figures] == [f"图{i}" for i in range(1, len(figures) + 1)]
    assert [c.split("　")[0] for c in tables] == [f"表{i}" for i in range(1, len(tables) + 1)]
    assert len(figures) == len(document.inline_shapes) >= 2
    assert len(tables) == len(document.tables)
    assert tables[0] == "表1　主要指标与上月比较"
    # Word numbers them itself: SEQ fields, one per caption
    body = document.element.body
    seq = [i.text for i in body.iter(qn("w:instrText")) if "SEQ" in i.text]
    assert len(seq) == len(caps) and any("SEQ 图" in s for s in seq) and any("SEQ 表" in s for s in seq)


def test_table_headers_repeat_rows_never_split_and_numbers_are_right_aligned(report):
    document = docx.Document(str(report))
    for table in document.tables:
        header = table.rows[0]._tr.trPr
        assert header is not None and header.find(qn("w:tblHeader")) is not None
        assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in table.rows)
        # the header is kept with the first row: never alone at the foot of a page
        assert table.rows[0].cells[0].paragraphs[0].paragraph_format.keep_with_next is True
    headline = document.tables[0]
    for row in headline.rows[1:]:
        assert row.cells[0].paragraphs[0].alignment in (None, WD_ALIGN_PARAGRAPH.LEFT)
        assert all(c.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT for c in row.cells[1:])


def test_level_medians_are_a_sub_table_not_lines_under_the_escalation_rate(report):
    document = docx.Document(str(report))
    first = [row.cells[0].text for row in document.tables[0].rows]
    assert first[-2:] == ["局务会议议题上报率", "法定期限内结案率"]  # the last headline is a headline
    assert not [c for c in first if "其中" in c or c in {label("level", x) for x in ("TEAM_LEAD", "DEPUTY", "CHIEF")}]
    assert "各审批层级审批环节用时中位数" in captions(document)[1]
    assert document.tables[1].rows[0].cells[0].text == "审批层级"


def test_charts_print_at_text_width_unscaled_so_their_text_is_at_least_9pt(report):
    from pipelines.present.chart_export import PT_PER_PX, for_print, print_width_px

    document = docx.Document(str(report))
    for shape in document.inline_shapes:
        assert abs(shape.width.cm - 16.0) < 0.05
        image = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        blob = document.part.related_parts[image].blob
        width, _, dpi = png_info(blob)
        assert abs(width / dpi * 2.54 - 16.0) < 0.1, "placed at its own size: no shrinking of its text"
    spec = for_print({"mark": "bar", "data": {"values": []}, "width": "container"})
    assert spec["width"] == print_width_px(16.0) and spec["autosize"]["type"] == "fit-x"
    for part in ("axis", "legend"):
        assert spec["config"][part]["labelFontSize"] * PT_PER_PX >= 9


def test_the_font_table_names_our_fonts_with_song_and_hei_fallbacks(report):
    document = docx.Document(str(report))
    part = next(p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    text = part.blob.decode("utf-8")
    assert 'w:name="Noto Serif SC"><w:altName w:val="宋体"/>' in text
    assert 'w:name="Noto Sans SC"><w:altName w:val="黑体"/>' in text
    heading = document.styles["Heading 1"].element.rPr.find(qn("w:rFonts"))
    assert heading.get(qn("w:eastAsia")) == "Noto Sans SC" and heading.get(qn("w:asciiTheme")) is None


def png_info(png: bytes) -> tuple[int, int, float]:
    import struct

    width, height = struct.unpack(">II", png[16:24])
    at = png.index(b"pHYs")
    per_metre_x, _, unit = struct.unpack(">IIB", png[at + 4 : at + 13])
    assert unit == 1
    return width, height, per_metre_x * 0.0254


def test_the_statutory_clock_section_shows_the_months_closed_cases_and_the_overdue_open_ones(report, demo_db):
    document = docx.Document(str(report))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "六、法定执行期限" in text and "法释〔2000〕29号" in text and "六个月内执结" in text
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        closed, on_time = con.sql(
            "SELECT count(*), count(*) FILTER (WHERE closed_on <= deadline) FROM case_clock "
            "WHERE closed_on >= DATE '2024-06-01' AND closed_on < DATE '2024-07-01'").fetchall()[0]
        red, longest = con.sql(
            "SELECT count(*), max(-days_left) FROM case_clock WHERE closed_on IS NULL AND deadline < DATE '2024-06-30'"
        ).fetchall()[0]
    finally:
        con.close()
    rows = headline_rows(document)
    assert rows["法定期限内结案率"][0] == f"{100 * on_time / closed:.1f}%"
    clock = next(tb for tb in document.tables if tb.rows[1].cells[0].text == "结案（件）")
    assert [c.text for c in clock.rows[1].cells][1] == f"{closed:,}"
    assert [c.text for c in clock.rows[2].cells][1] == f"{on_time:,}"
    assert f"已超审限 {red} 件" in text
    overdue = next(tb for tb in document.tables if tb.rows[0].cells[-1].text == "已超期（天）")
    assert overdue.rows[1].cells[-1].text == f"{longest:,}"  # the longest overdue first


@pytest.fixture(scope="module")
def report_en(demo_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("monthly-en") / "report-en.docx"
    write_monthly_docx(demo_db, "2024-05", path, lang="en")
    return docx.Document(str(path))


def _shown(text: str) -> float:
    return float(text.replace(",", "").rstrip("%"))


def test_change_columns_agree_with_the_values_shown(report, report_en):
    """A change is the difference of the two values as printed (the report said "+0.2" beside 16.0 and 15.9,
    the difference of the unrounded values): never a change the reader cannot recompute from the table."""
    import re

    checked = 0
    for document in (docx.Document(str(report)), report_en):
        for table in document.tables:
            head = [c.text for c in table.rows[0].cells]
            if len(head) != 4 or not re.match(r"\d{4}-\d{2}$", head[1]):
                continue
            for row in table.rows[1:]:
                now, before, change = (c.text for c in row.cells[1:4])
                if "—" in (now, before):
                    continue
                diff = round(_shown(now) - _shown(before), 2)
                if change == "±0":
                    assert diff == 0, (now, before, change)
                else:
                    got = float(re.match(r"([+-][\d,.]+)", change).group(1).replace(",", ""))
                    assert got == pytest.approx(diff, abs=1e-9), (now, before, change)
                checked += 1
    assert checked > 10


def test_no_table_has_two_columns_of_one_title_and_english_headers_and_case_numbers_fit(report, report_en):
    """Every column title once per table; every English word of a header and every case number fits its
    column's width (Word broke "Escalations" and 执行案号 mid-way when they did not)."""
    from pipelines.present.monthly_report import CASE_NUMBER, TABLE_PT, _text_cm

    for document in (docx.Document(str(report)), report_en):
        for table in document.tables:
            head = [c.text for c in table.rows[0].cells]
            assert len(set(head)) == len(head), head
            widths = [c.width.cm for c in table.rows[0].cells]
            for text, width in zip(head, widths, strict=True):
                for word in text.split():
                    if word.isascii():
                        assert _text_cm(word, TABLE_PT) + 0.38 <= width, (word, width)
            for row in table.rows[1:]:
                for cell, width in zip(row.cells, widths, strict=True):
                    if CASE_NUMBER.match(cell.text):
                        assert _text_cm(cell.text) + 0.38 <= width, (cell.text, width)


def test_return_loops_and_conformance_are_in_the_report_as_the_query_layer_gives_them(report, demo_db):
    from pipelines import queries
    from pipelines.core.filters import Filters
    from pipelines.store.db import connect_readonly

    document = docx.Document(str(report))
    assert "退回与审批路径" in [p.text for p in document.paragraphs]
    con = connect_readonly(demo_db)
    try:
        f = Filters(date(2024, 6, 1), date(2024, 6, 1))
        loops, conf = queries.rework_by_level(con, f), queries.conformance(con, f)
    finally:
        con.close()
    assert loops["returns"].sum() > 0, "the demo month has return loops"
    tables = {t.rows[0].cells[0].text + "|" + t.rows[0].cells[1].text: t for t in document.tables}
    rework = tables["审批层级|退回次数"]
    got = {r.cells[0].text: r.cells[1].text for r in rework.rows[1:]}
    assert got == {label("level", r["level"]): f"{r['returns']:,}" for r in loops.iter_rows(named=True)}
    by_type = tables["审批事项|事项"]
    assert len(by_type.rows) - 1 == conf.height
    assert {r.cells[5].text for r in by_type.rows[1:]} >= {"副局长 → 局长"}  # the required route in words
