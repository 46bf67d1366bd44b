"""Chart export: PNG at print resolution with real Chinese glyphs, well-formed SVG, titles that say
what, where and when."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from datetime import date, datetime

import altair as alt
import polars as pl
import pytest

from pipelines.core.filters import Filters
from pipelines.present import fonts
from pipelines.present.chart_export import chart_to_png, chart_to_svg, filters_text, snapshot_text, with_title

MISSING_GLYPH = "\ue000"  # private use area: no font has it, so it renders as the missing-glyph box


def text_chart(text: str) -> alt.Chart:
    df = pl.DataFrame({"text": [text]})
    return alt.Chart(df).mark_text(fontSize=36).encode(text="text:N").properties(width=220, height=70)


def png_info(png: bytes) -> tuple[int, int, float]:
    """Width, height and dots per inch (from the pHYs chunk) of a PNG."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    at = png.index(b"pHYs")
    per_metre_x, _, unit = struct.unpack(">IIB", png[at + 4 : at + 13])
    assert unit == 1  # metres
    return width, height, per_metre_x * 0.0254


def test_the_cjk_font_comes_from_the_installed_package():
    font = fonts.cjk_font()
    assert font is not None
    assert font.source == "package", "the set-up must install the font package; a system font hides a gap"
    assert font.path.is_file() and font.path.stat().st_size > 1_000_000
    assert fonts.font_family() == "Noto Sans SC"
    assert fonts.font_stack().startswith('"Noto Sans SC"')


def test_png_of_two_chinese_strings_differ_and_neither_is_missing_glyph_boxes():
    a = chart_to_png(text_chart("审批时长"), scale=1)
    b = chart_to_png(text_chart("层级负责"), scale=1)
    boxes = chart_to_png(text_chart(MISSING_GLYPH * 4), scale=1)
    blank = chart_to_png(text_chart(" "), scale=1)
    assert a != b
    # Were the CJK glyphs missing, each string would draw as four identical boxes.
    assert a != boxes and b != boxes
    # Were the font unknown to vl-convert, the text would vanish.
    assert a != blank and b != blank


def test_png_is_print_resolution():
    chart = text_chart("执行局").properties(width=400, height=200)
    width1, height1, _ = png_info(chart_to_png(chart, scale=1))
    width3, height3, dpi = png_info(chart_to_png(chart, scale=3))
    assert (width3, height3) == (3 * width1, 3 * height1)
    assert dpi == pytest.approx(288, abs=1)  # 96 dpi screen size x 3: prints at screen size, sharp


def test_svg_is_well_formed_and_keeps_the_text_with_a_cjk_font():
    chart = with_title(
        text_chart("团队长审批"), "各层级审批时长", "期间：2024-06", "数据截至 2024-06-30 17:00"
    )
    svg = chart_to_svg(chart)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    texts = "".join(root.itertext())
    assert "团队长审批" in texts and "各层级审批时长" in texts and "数据截至 2024-06-30 17:00" in texts
    assert "Noto Sans SC" in svg and "sans-serif" in svg


def test_the_exported_title_says_what_where_and_when():
    f = Filters(start=date(2024, 4, 1), end=date(2024, 6, 1), teams=("执行一团队",), levels=("CHIEF",))
    where = filters_text(f, "zh")
    when = snapshot_text(datetime(2024, 6, 30, 17, 5), "zh")
    assert where == "期间：2024-04 至 2024-06；团队：执行一团队；审批层级：局长"
    assert when == "数据截至 2024-06-30 17:05"
    spec = with_title(text_chart("x"), "审批时长", where, when).to_dict()
    assert spec["title"]["text"] == "审批时长"
    assert spec["title"]["subtitle"] == [where, when]
    assert (
        filters_text(Filters(start=date(2024, 6, 1), end=date(2024, 6, 1)), "en")
        == "Period: 2024-06; Whole bureau"
    )


def test_the_chart_keeps_its_own_title_when_none_is_given():
    chart = text_chart("x").properties(title="待办")
    assert with_title(chart, None, "全局").to_dict()["title"]["text"] == "待办"
