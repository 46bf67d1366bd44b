"""The CJK font used for charts and reports: where it is, what it is called, how to register it.

The set-up installs `pylopdf-fonts-zh-cn` (a PyPI package shipping Noto Sans SC, SIL OFL 1.1), so a fresh
machine renders Chinese without any manual font install. System CJK fonts (Debian's fonts-noto-cjk,
fonts-wqy-microhei) are a fallback only. vl-convert needs the font's directory registered before the
first export, and the chart's font must name a family it knows: a family it lacks makes all text vanish.

- `cjk_font()`: the font found (family, file, source) or None.
- `font_family()`: the family to name in chart configs and documents.
- `font_stack()`: a CSS font list with that family first (browsers, SVG viewers on other machines).
- `DOCUMENT_*`: the fonts named in the monthly report's .docx styles (see their comment).
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path

# System fonts tried when the package is missing: (file, family vl-convert / fontconfig knows it by).
SYSTEM_FONTS: tuple[tuple[str, str], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "WenQuanYi Micro Hei"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "WenQuanYi Zen Hei"),
)

PACKAGE = "pylopdf_fonts_zh_cn"
PACKAGE_FILE = "NotoSansSC-Regular.otf"
PACKAGE_FAMILY = "Noto Sans SC"

# Fonts a reader's machine is likely to have, after ours, for text that is rendered elsewhere (SVG opened
# in a browser or Word on Windows/macOS/Kylin). Generic `sans-serif` last so nothing ever vanishes.
READER_FALLBACKS = ("Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "sans-serif")

# Text in a .docx is drawn by the reader's Word/WPS with the reader's fonts, not ours (charts are images and
# carry Noto Sans SC). The report is set the way a court office sets a report: a Song-style serif for the body
# and tables (宋体), a Hei-style sans for the title's headings and captions (黑体). The fonts named are the two
# the font package ships (SIL OFL 1.1; Noto Serif SC is Source Han Serif, 思源宋体), so a machine with the
# package (ours: the PDF conversion, the tests) draws exactly them. On a reader's machine without them, Word
# takes the font table's alternative: each is declared with `altName` 宋体 / 黑体, GB2312 charset and its
# family (roman / swiss), so Chinese Windows and WPS draw SimSun / SimHei, never an arbitrary font.
DOCUMENT_BODY_FONT = "Noto Serif SC"
DOCUMENT_BODY_ALT = "宋体"
DOCUMENT_HEADING_FONT = "Noto Sans SC"
DOCUMENT_HEADING_ALT = "黑体"
DOCUMENT_EAST_ASIA_FONT = DOCUMENT_BODY_FONT
DOCUMENT_LATIN_FONT = "Times New Roman"  # Latin letters and digits in the body, as official documents do
DOCUMENT_HEADING_LATIN_FONT = "Arial"
PACKAGE_SERIF_FILE = "NotoSerifSC-Regular.otf"
# family, alternative, font-table family class (roman = serif, swiss = sans) for the .docx font table
DOCUMENT_FONTS = (
    (DOCUMENT_BODY_FONT, DOCUMENT_BODY_ALT, "roman"),
    (DOCUMENT_HEADING_FONT, DOCUMENT_HEADING_ALT, "swiss"),
)


def document_font_files() -> dict[str, Path]:
    """The packaged files of the report's fonts (family -> file), for installing them where a converter looks."""
    out = {}
    for family, file in ((DOCUMENT_HEADING_FONT, PACKAGE_FILE), (DOCUMENT_BODY_FONT, PACKAGE_SERIF_FILE)):
        sans = _package_font()
        if sans is not None and (sans.parent / file).is_file():
            out[family] = sans.parent / file
    return out


@dataclass(frozen=True)
class CjkFont:
    family: str
    path: Path
    source: str  # "package" | "system"

    @property
    def directory(self) -> Path:
        return self.path.parent


def _package_font() -> Path | None:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location) / PACKAGE_FILE
        if path.is_file():
            return path
    return None


@functools.cache
def cjk_font() -> CjkFont | None:
    """The CJK font to use: the packaged Noto Sans SC, else a system CJK font, else None."""
    path = _package_font()
    if path is not None:
        return CjkFont(PACKAGE_FAMILY, path, "package")
    for file, family in SYSTEM_FONTS:
        if Path(file).is_file():
            return CjkFont(family, Path(file), "system")
    return None


def font_family() -> str:
    """The family name to put in chart configs: the registered CJK family, or `sans-serif`."""
    font = cjk_font()
    return font.family if font else "sans-serif"


def font_stack() -> str:
    """A CSS font-family list: our CJK family first, then fonts readers' machines have."""
    names = [font_family(), *READER_FALLBACKS]
    unique = list(dict.fromkeys(names))
    return ", ".join(f'"{n}"' if " " in n else n for n in unique)


@functools.cache
def register_for_vl_convert() -> CjkFont | None:
    """Register the CJK font's directory with vl-convert (once per process). Returns the font used."""
    import vl_convert

    font = cjk_font()
    if font is not None:
        vl_convert.register_font_directory(str(font.directory))
    return font
