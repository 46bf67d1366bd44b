"""How tables read to people: on a page, in an export, in the monthly report. No streamlit here.

    shown = display_frame(df, "zh")           # 是/否, blank for empty text, dates without 00:00:00
    kinds = column_kinds(df)                  # {"held_on": "date", "over_limit_share": "share", ...}
    df = sort_org(df, "division")             # 执行一处, 执行二处, 执行三处 (not by code point)
    text = format_share(0.02)                 # "2.0%"

A page maps `column_kinds` to its widgets' column formats (a share as a percentage, a month as YYYY-MM); the
exports (pipelines.exports) and the report use the same kinds, so a figure reads the same everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import polars as pl

from pipelines.i18n import t

# Columns holding a share (0..1), shown as a percentage. Any other column named *_share or *_rate is one too.
SHARE_COLUMNS = (
    "over_limit_share", "used_share", "cumulative_share", "acting_share", "escalation_rate", "tie_break_rate",
)  # fmt: skip
SHARE_SUFFIXES = ("_share", "_rate")
MONTH_COLUMNS = ("month",)  # first-of-month dates, shown as YYYY-MM

KINDS = ("text", "bool", "date", "datetime", "month", "share", "count", "decimal")


# ------------------------------------------------------------------------------------------ kinds
def is_share(name: str) -> bool:
    return name in SHARE_COLUMNS or name.endswith(SHARE_SUFFIXES)


def column_kinds(df: pl.DataFrame) -> dict[str, str]:
    """Each column's kind of value (one of KINDS), from its name and type."""
    out = {}
    for name, dtype in df.schema.items():
        if dtype == pl.Boolean:
            kind = "bool"
        elif name in MONTH_COLUMNS and dtype.is_temporal():
            kind = "month"
        elif dtype == pl.Date:
            kind = "date"
        elif isinstance(dtype, pl.Datetime):
            kind = "datetime"
        elif dtype.is_numeric() and is_share(name):
            kind = "share"
        elif dtype.is_integer():
            kind = "count"
        elif dtype.is_numeric():
            kind = "decimal"
        else:
            kind = "text"
        out[name] = kind
    return out


# ------------------------------------------------------------------------------------------ values
def format_share(value: float | None, digits: int = 1) -> str:
    """0.02 -> "2.0%"; None -> "" (blank)."""
    return "" if value is None else f"{100 * value:.{digits}f}%"


def yes_no(lang: str) -> tuple[str, str]:
    return t("format.yes", lang), t("format.no", lang)


def midnight_to_dates(df: pl.DataFrame) -> pl.DataFrame:
    """Datetime columns whose every value is at 00:00 become dates: a date is not "2024-06-11 00:00:00"."""
    exprs = []
    for name, dtype in df.schema.items():
        if isinstance(dtype, pl.Datetime) and df.height:
            col = df[name].drop_nulls()
            if col.len() and (col.dt.truncate("1d") == col).all():
                exprs.append(pl.col(name).dt.date())
    return df.with_columns(exprs) if exprs else df


def display_frame(df: pl.DataFrame, lang: str, *, text_months: bool = True, text_booleans: bool = True) -> pl.DataFrame:
    """A table as people read it: 是/否 (Yes/No) for booleans, blank for empty text (never "None"), dates
    without a midnight time, months as YYYY-MM. Numbers stay numbers (their format is the widget's job:
    see column_kinds)."""
    df = midnight_to_dates(df)
    yes, no = yes_no(lang)
    exprs = []
    for name, kind in column_kinds(df).items():
        if kind == "bool" and text_booleans:
            exprs.append(pl.when(pl.col(name)).then(pl.lit(yes)).when(pl.col(name).not_()).then(pl.lit(no))
                         .otherwise(pl.lit("")).alias(name))
        elif kind == "month" and text_months:
            exprs.append(pl.col(name).dt.strftime("%Y-%m").fill_null("").alias(name))
        elif kind == "text" and df.schema[name] in (pl.String, pl.Null):
            exprs.append(pl.col(name).cast(pl.String).fill_null("").alias(name))
    return df.with_columns(exprs) if exprs else df


# ------------------------------------------------------------------------------------------ org order
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
