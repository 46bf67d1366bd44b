"""Names of divisions and teams in the order people expect: the roster's order, then natural order
(执行一处, 执行二处, 执行十处; never by code point). Used by the query layer and by everything that shows tables."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import polars as pl

CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMBER = re.compile(r"[0-9]+|[〇零一二两三四五六七八九十百]+")


def cn_number(text: str) -> int | None:
    """一 -> 1, 十 -> 10, 十二 -> 12, 二十 -> 20, 一百零五 -> 105, "12" -> 12; None if not a number."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def natural_key(name: str | None) -> tuple:
    """Sort key reading numbers in names as numbers, Chinese numerals too: 执行二处 < 执行十处 < 执行十一处.
    Empty names last."""
    if name is None or name == "":
        return (1, ())
    parts: list = []
    pos = 0
    for m in _NUMBER.finditer(name):
        value = cn_number(m.group())
        if value is None:
            continue
        parts += [(0, name[pos : m.start()]), (1, value)]
        pos = m.end()
    parts.append((0, name[pos:]))
    return (0, tuple(parts))


def org_order(names: Iterable[str | None], roster: Sequence[str] | None = None) -> list[str | None]:
    """Divisions or teams in the order people expect: the roster's order (first appearance) where given,
    then natural order (一处, 二处, 三处; never by code point as 一处, 三处, 二处), empty last."""
    rank = {n: i for i, n in enumerate(dict.fromkeys(roster or ()))}
    unique = list(dict.fromkeys(names))
    return sorted(unique, key=lambda n: (rank.get(n, len(rank)), natural_key(n)))


def roster_org_order(staff: pl.DataFrame) -> dict[str, list[str]]:
    """{"division": [...], "team": [...]} in roster order (by staff id), from a frame with staff_id,
    division, team (the store's `staff`)."""
    staff = staff.sort("staff_id")
    out = {}
    for col in ("division", "team"):
        seen = [n for n in staff[col].to_list() if n]
        out[col] = org_order(seen, seen)
    return out


def sort_org(df: pl.DataFrame, by: str | Sequence[str], roster: Mapping[str, Sequence[str]] | None = None) -> pl.DataFrame:
    """Rows sorted by division/team columns in org order (see org_order), stable for the rest."""
    cols = [by] if isinstance(by, str) else list(by)
    if df.is_empty():
        return df
    keys = []
    for col in cols:
        order = org_order(df[col].to_list(), (roster or {}).get(col))
        rank = {n: i for i, n in enumerate(order) if n is not None}
        keys.append(pl.col(col).replace_strict(rank, default=len(rank), return_dtype=pl.Int64))
    return df.sort(keys, maintain_order=True)
