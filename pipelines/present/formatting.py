"""How tables read to people: on a page, in an export, in the monthly report. No streamlit here.

    shown = display_frame(df, "zh")           # 是/否, blank for empty text, dates without 00:00:00
    kinds = column_kinds(df)                  # {"held_on": "date", "over_limit_share": "share", ...}
    text = format_share(0.02)                 # "2.0%"

A page maps `column_kinds` to its widgets' column formats (a share as a percentage, a month as YYYY-MM); the
exports (pipelines.present.exports) and the report use the same kinds, so a figure reads the same everywhere.
"""

from __future__ import annotations

import polars as pl

from pipelines.core.i18n import t
from pipelines.tables import marts

# Columns holding a share (0..1), shown as a percentage: those the column declarations say are (kind "share",
# pipelines.tables.marts), and any other column named *_share or *_rate.
SHARE_SUFFIXES = ("_share", "_rate")
MONTH_COLUMNS = ("month",)  # first-of-month dates, shown as YYYY-MM

KINDS = ("text", "bool", "date", "datetime", "month", "share", "count", "decimal")


# ------------------------------------------------------------------------------------------ kinds
def is_share(name: str) -> bool:
    return marts.kind(name) == "share" or name.endswith(SHARE_SUFFIXES)


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
