"""The regulation's text, article by article: Chinese original and an English rendering (pipelines/domain/data/).

`articles(lang)` -> [Article(no, title, text)], `preamble(lang)`, `article(no, lang)`. No streamlit here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
_ZH_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_ZH_HEAD = re.compile(r"^##\s*第([一二三四五六七八九十]+)条【(.+?)】\s*$")
_EN_HEAD = re.compile(r"^##\s*Article\s+(\d+)\s*\[(.+?)\]\s*$")


@dataclass(frozen=True)
class Article:
    no: int
    title: str
    text: str


def zh_number(text: str) -> int:
    """一 -> 1, 十 -> 10, 十五 -> 15, 二十一 -> 21."""
    if "十" not in text:
        return _ZH_NUM[text]
    tens, _, ones = text.partition("十")
    return (_ZH_NUM[tens] if tens else 1) * 10 + (_ZH_NUM[ones] if ones else 0)


@cache
def _parse(lang: str) -> tuple[str, tuple[Article, ...]]:
    path = DATA / ("regulation_zh.md" if lang == "zh" else "regulation_en.md")
    head = _ZH_HEAD if lang == "zh" else _EN_HEAD
    pre: list[str] = []
    arts: list[tuple[int, str, list[str]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = head.match(line)
        if m:
            no = zh_number(m.group(1)) if lang == "zh" else int(m.group(1))
            arts.append((no, m.group(2), []))
        elif arts:
            arts[-1][2].append(line)
        else:
            pre.append(line)
    # The preamble is the last paragraph before the first article (the transcription note comes first).
    paragraphs = [p.strip() for p in "\n".join(pre).split("\n\n") if p.strip()]
    paragraphs = [p for p in paragraphs if not p.startswith(("#", "("))]
    out = tuple(Article(no, title, "\n".join(body).strip()) for no, title, body in arts)
    return (paragraphs[-1] if paragraphs else ""), out


def articles(lang: str = "zh") -> tuple[Article, ...]:
    return _parse("zh" if lang == "zh" else "en")[1]


def preamble(lang: str = "zh") -> str:
    return _parse("zh" if lang == "zh" else "en")[0]


def article(no: int, lang: str = "zh") -> Article | None:
    return next((a for a in articles(lang) if a.no == no), None)


def article_numbers(cited: str | None) -> tuple[int, ...]:
    """Main article numbers a rule cites: '7, 8.5, 9.4' -> (7, 8, 9); '14–15' -> (14, 15)."""
    if not cited:
        return ()
    nums: list[int] = []
    for part in re.split(r"[,，、;；\s]+", str(cited)):
        m = re.match(r"^(\d+)(?:[–-](\d+))?", part)
        if not m:
            continue
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) else lo
        for n in range(lo, hi + 1):
            if n not in nums:
                nums.append(n)
    return tuple(nums)


def zh_numeral(n: int) -> str:
    """1 -> 一, 10 -> 十, 15 -> 十五, 21 -> 二十一 (article numbers as the regulation writes them)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def number_text(n: int, lang: str = "zh") -> str:
    return zh_numeral(n) if lang == "zh" else str(n)
