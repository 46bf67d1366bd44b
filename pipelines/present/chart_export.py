"""PNG and SVG of altair charts, rendered offline by vl-convert with a real CJK font.

    png = chart_to_png(with_title(chart, what, filters_text(f, "zh"), snapshot_text(snap, "zh")))

The CJK font (pipelines.present.fonts) is registered with vl-convert before the first export and named first in
the chart's font config, so Chinese never renders as boxes and text never vanishes. PNGs are drawn at
`scale` times the chart's size and say so in their pHYs chunk (96 dpi x scale: 288 dpi by default), so Word
inserts them at the chart's on-screen size in print quality.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import altair as alt
import vl_convert as vlc

from pipelines.core.filters import ALL_DIMENSIONS, DIMENSIONS, Filters, format_month, values_text
from pipelines.core.i18n import t
from pipelines.present import fonts

SCREEN_DPI = 96  # CSS pixels per inch: a chart's width in px / 96 = its width on paper in inches
VL_BASE_PPI = 72  # vl-convert's reference: pixel scale = scale * ppi / 72

EXPORT_WIDTH = 640  # px for charts sized to their container on a page (6.7 in at 96 dpi: an A4 text width)

ALL_FILTERS = ALL_DIMENSIONS


def _spec(chart: alt.TopLevelMixin | dict) -> dict[str, Any]:
    """The chart's Vega-Lite spec with the registered CJK font as default for every text."""
    fonts.register_for_vl_convert()
    spec = copy.deepcopy(chart) if isinstance(chart, dict) else chart.to_dict()
    spec = json.loads(json.dumps(spec, default=_json_value))  # Decimal (DuckDB sums), dates -> JSON
    _fix_container_width(spec)
    config = spec.setdefault("config", {})
    config["font"] = fonts.font_stack()
    return spec


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot put {type(value).__name__} in a chart spec")


def _fix_container_width(node: Any) -> None:
    """A page's `width: "container"` has no container offline: give it a fixed export width."""
    if isinstance(node, dict):
        if node.get("width") == "container":
            node["width"] = EXPORT_WIDTH
        for key, value in node.items():
            if key not in ("data", "datasets"):
                _fix_container_width(value)
    elif isinstance(node, list):
        for value in node:
            _fix_container_width(value)


def _locales(lang: str) -> dict[str, str]:
    return {"format_locale": "zh-CN", "time_format_locale": "zh-CN"} if lang == "zh" else {}


def chart_to_png(chart: alt.TopLevelMixin | dict, scale: float = 3.0, lang: str = "zh") -> bytes:
    """PNG bytes of `chart` at `scale` times its size (3.0 -> 288 dpi when printed at screen size)."""
    return svg_to_png(chart_to_svg(chart, lang), scale)


def svg_to_png(svg: str, scale: float = 3.0) -> bytes:
    """PNG bytes of a chart's SVG (`chart_to_svg`) at `scale` times its size: the same bytes as vl-convert's
    PNG of the chart, which draws that SVG too. A page that offers both formats draws the chart once."""
    fonts.register_for_vl_convert()
    ppi = SCREEN_DPI * scale
    return vlc.svg_to_png(svg, scale=scale * VL_BASE_PPI / ppi, ppi=ppi)


def chart_to_svg(chart: alt.TopLevelMixin | dict, lang: str = "zh") -> str:
    """SVG text of `chart`; text stays text, with a font list that readers' machines have."""
    return vlc.vegalite_to_svg(_spec(chart), **_locales(lang))


# ------------------------------------------------------------------------------------------ titles
def with_title(
    chart: alt.TopLevelMixin, what: str | None, filters_text: str | None = None, snapshot: str | None = None
) -> alt.TopLevelMixin:
    """The chart with a title saying what it shows, and a subtitle saying where (filters) and when (snapshot)."""
    text = what
    if text is None:
        current = getattr(chart, "title", alt.Undefined)
        text = current if isinstance(current, str) else ""
    subtitle = [line for line in (filters_text, snapshot) if line]
    params: dict[str, Any] = {"text": text, "anchor": "start", "fontSize": 15}
    if subtitle:
        params.update(subtitle=subtitle, subtitleFontSize=11, subtitleColor="#555555")
    return chart.properties(title=alt.TitleParams(**params))


def filters_text(f: Filters | None, lang: str = "zh", applies: Iterable[str] = ALL_FILTERS) -> str:
    """One line naming the period and the organisational filters that apply to a figure ("all" if none)."""
    f = f or Filters()
    applies = tuple(applies)
    sep = t("export.list_sep", lang)
    parts: list[str] = []
    if "period" in applies and (f.start or f.end):
        start, end = format_month(f.start or f.end), format_month(f.end or f.start)
        period = start if start == end else t("export.period_range", lang, start=start, end=end)
        parts.append(t("export.filter_period", lang, value=period))
    for d in DIMENSIONS:
        if d.name in applies and (values := f.values(d.name)):
            parts.append(t(f"export.filter_{d.name}", lang, value=values_text(d, values, lang, sep)))
    if not (f.divisions or f.teams):
        parts.append(t("export.whole_bureau", lang))
    return t("export.part_sep", lang).join(parts)


def snapshot_text(snapshot: datetime | date | str | None, lang: str = "zh") -> str:
    """'数据截至 2024-06-30 17:00' (the data's snapshot time, never the wall clock)."""
    if snapshot is None or snapshot == "":
        return ""
    if isinstance(snapshot, str):
        try:
            snapshot = datetime.fromisoformat(snapshot)
        except ValueError:
            return t("export.snapshot", lang, when=snapshot)
    when = snapshot.strftime("%Y-%m-%d %H:%M") if isinstance(snapshot, datetime) else snapshot.isoformat()
    return t("export.snapshot", lang, when=when)


# ------------------------------------------------------------------------------------------ print
PT_PER_PX = 0.75  # 1 CSS px = 1/96 in = 0.75 pt


def print_width_px(width_cm: float) -> int:
    """The chart width in CSS px that prints at exactly `width_cm` (96 px an inch)."""
    return round(width_cm / 2.54 * SCREEN_DPI)


def for_print(chart: alt.TopLevelMixin | dict, width_cm: float = 16.0, min_font_pt: float = 9.5) -> dict[str, Any]:
    """The chart's spec laid out for a page `width_cm` wide (A4's text width: 16 cm): its whole width, axes and
    legend included ("fit-x"), is that width, and every text is at least `min_font_pt` when printed there.
    Placed in a document at `width_cm` the image is not scaled, so 9.5 pt stays 9.5 pt (a page chart
    exported at 640 px plus its legend, then shrunk to 16 cm, printed its labels at about 6 pt)."""
    spec = _spec(chart)
    spec["width"] = print_width_px(width_cm)
    for layer in spec.get("layer", ()):
        if layer.get("width") is not None:
            layer["width"] = spec["width"]
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    px = round(min_font_pt / PT_PER_PX + 0.49)
    config = spec.setdefault("config", {})
    for part in ("axis", "legend"):
        config.setdefault(part, {}).update({"labelFontSize": px, "titleFontSize": px})
    config["legend"].update({"symbolSize": 120})
    config.setdefault("title", {}).update({"fontSize": px + 2, "subtitleFontSize": px})
    config.setdefault("text", {}).update({"fontSize": px})
    _raise_mark_fonts(spec, px)
    return spec


def _raise_mark_fonts(node: Any, px: int) -> None:
    """Text marks that set their own font size (the flow matrix's numbers) get at least `px`."""
    if isinstance(node, dict):
        mark = node.get("mark")
        if isinstance(mark, dict) and mark.get("type") == "text" and mark.get("fontSize", px) < px:
            mark["fontSize"] = px
        for key, value in node.items():
            if key not in ("data", "datasets"):
                _raise_mark_fonts(value, px)
    elif isinstance(node, list):
        for value in node:
            _raise_mark_fonts(value, px)


def print_png(chart: alt.TopLevelMixin | dict, width_cm: float = 16.0, lang: str = "zh", scale: float = 3.0) -> bytes:
    """PNG of `chart` laid out for print (see for_print), at 288 dpi: inserted `width_cm` wide it is unscaled."""
    return chart_to_png(for_print(chart, width_cm), scale=scale, lang=lang)
