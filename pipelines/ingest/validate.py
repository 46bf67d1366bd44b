"""Turn raw frames into the contract's types and collect every problem at once.

Each column is parsed with explicit formats in one vectorised pass (`strict=False`); a cell that was not
empty but parsed to null is a candidate problem. Only those few cells get the slower, more forgiving
second pass (whitespace, `/` dates, `年月日`, labels with half-width brackets…); what still fails is a
`Problem` naming file, sheet, Excel row, the column as the file spelled it, the value and what was
expected. Cross-row checks (duplicate keys, matter columns that disagree, references, columns out of
order) run on all sources of a table together, references also against what is already stored.

Every problem has a severity (`contract.SEVERITY`): errors refuse the load, warnings (a step decided
before it was received…) load and are reported and recorded with the load.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from pipelines.core import contract
from pipelines.core.faults import reraise_fault
from pipelines.core.i18n import t
from pipelines.core.sql import literal_list
from pipelines.store import db as store

if TYPE_CHECKING:
    from pipelines.ingest.readers import Source

ROW = "__row"
SRC = "__src"
MAX_PROBLEMS = 5000  # problems (and warnings) materialised for the report; the counts are always exact
# Rows of a source read, typed and checked at once: bounds a load's memory whatever the files' sizes
# (issue 9); each chunk is staged as Parquet and the checks across chunks and files run in DuckDB.
CHUNK_ROWS = 250_000
ROW_BYTES = 120  # about, of an exported row: for progress within a file
CHECK_MEMORY_LIMIT = "1GB"  # DuckDB's, for those checks (beyond it, it spills to the staging folder)

POLARS_TYPES: dict[str, pl.DataType] = {
    contract.TEXT: pl.String(),
    contract.TIMESTAMP: pl.Datetime("us"),
    contract.DATE: pl.Date(),
    contract.TIMESTAMP_OR_DATE: pl.Datetime("us"),
    contract.BOOL: pl.Boolean(),
    contract.INT: pl.Int64(),
    contract.DECIMAL: pl.Float64(),
    contract.ID_LIST: pl.List(pl.String),
}


def polars_type(col: contract.Column) -> pl.DataType:
    return pl.String() if col.enum else POLARS_TYPES[col.type]


# --------------------------------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as the user sees it."""

    kind: str  # loader.expected.<kind>
    file: str
    sheet: str | None = None
    row: int | None = None  # Excel row number (header = 1); None for file- or column-level problems
    column: str | None = None  # the header as the file spelled it
    value: str | None = None
    table: str | None = None
    column_name: str | None = None  # contract column
    other: str | None = None  # kind-specific detail (error text, first value, header of the condition…)
    other_file: str | None = None  # location of the row this one conflicts with
    other_row: int | None = None
    params: tuple[tuple[str, object], ...] = ()  # kind-specific message parameters
    record: str | None = None  # the record a warning is about (a matter whose attributes a load changes)

    @property
    def where(self) -> str:
        return f"{self.file} [{self.sheet}]" if self.sheet else self.file

    @property
    def severity(self) -> str:
        return contract.severity(self.kind)

    def expected(self, lang: str = "zh") -> str:
        """What the cell should hold (an error), or what is odd about it (a warning)."""
        if self.severity == contract.WARNING:
            return t(f"loader.warning.{self.kind}", lang, other=self.other or "", record=self.record or "")
        key = f"loader.expected.{self.kind}"
        params = dict(self.params)
        col = contract.TABLES[self.table].column(self.column_name) if self.table and self.column_name else None
        other_loc = (
            t("loader.location", lang, file=self.other_file, row=self.other_row) if self.other_file else ""
        )
        if self.kind == "enum" and col is not None:
            enum = col.enum
            sep = t("loader.report.and", lang)
            if lang == "zh":
                choices = sep.join(zh for zh, _ in enum.labels.values())
            else:
                choices = sep.join(f"{code} ({en})" for code, (_, en) in enum.labels.items())
            return t(key, lang, choices=choices)
        if self.kind == "int_min" and col is not None:
            return t(key, lang, min=col.min_value)
        if self.kind == "missing_column":
            return t(key, lang, header=self.column)
        if self.kind == "required_if" and col is not None:
            cond = col.required
            other_header = self.other or cond.column
            if cond.in_codes:
                enum = contract.TABLES[self.table].column(cond.column).enum
                labels = [enum.label(c, lang) if enum else c for c in cond.in_codes]
                condition = t("loader.report.and", lang).join(labels)
            else:
                condition = t("loader.condition.non_empty", lang)
            return t(key, lang, other=other_header, condition=condition)
        if self.kind == "duplicate_key":
            table = contract.TABLES[self.table]
            key_names = "+".join(table.column(k).header(lang) for k in table.key)
            return t(key, lang, key=key_names, other=other_loc)
        if self.kind == "inconsistent":
            return t(key, lang, other=other_loc, first=self.other or "")
        if self.kind == "reference":
            ref = next(r for r in contract.REFERENCES if r.table == self.table and r.column == self.column_name)
            target = contract.TABLES[ref.target_table]
            return t(key, lang, target=target.label(lang), target_column=target.column(ref.target_column).header(lang))
        if self.kind in ("unreadable", "unexpected"):
            return t(key, lang, detail=self.other or "")
        if self.kind == "column_type" and col is not None:
            kind = "enum" if col.enum else col.type
            return t(key, lang, found=self.other or "", expected=t(f"loader.expected.{kind}", lang, choices="…"))
        if self.kind in ("date_range", "too_large"):
            return t(key, lang, **params)
        return t(key, lang)

    def format(self, lang: str = "zh") -> str:
        expected = self.expected(lang)
        suffix = "_warning" if self.severity == contract.WARNING else ""
        if self.row is not None:
            value = "" if self.value is None else self.value
            return t(f"loader.report.problem_line{suffix}", lang, row=self.row, column=self.column, value=value,
                     expected=expected).strip()
        if self.column is not None:
            return t("loader.report.problem_line_norow", lang, column=self.column, expected=expected).strip()
        return t("loader.report.problem_line_file", lang, expected=expected).strip()


# --------------------------------------------------------------------------------------------------
# Parsing: a fast primary expression per column, a forgiving fallback for the cells it rejects
# --------------------------------------------------------------------------------------------------

TS_FORMAT = "%Y-%m-%d %H:%M:%S"
TS_FALLBACK_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S%.f")
DATE_FORMAT = "%Y-%m-%d"
BOOL_MAP = {w: True for w in contract.TRUE_WORDS} | {w: False for w in contract.FALSE_WORDS}
BOOL_MAP_CASED = BOOL_MAP | {w.upper(): v for w, v in BOOL_MAP.items()} | {w.title(): v for w, v in BOOL_MAP.items()}
_WS = " \t\r\n\u3000\u00a0\ufeff"
NUL_SHOWN = "\\0"  # how a NUL byte is quoted back to the user


def _enum_key(s: str) -> str:
    return s.strip().lower().replace("(", "（").replace(")", "）").replace(" ", "").replace("\u3000", "")


def _enum_maps(enum: contract.Enum) -> tuple[dict[str, str], dict[str, str]]:
    exact = enum.lookup()
    loose = {_enum_key(k): v for k, v in exact.items()}
    return exact, loose


def _strip(s: pl.Expr) -> pl.Expr:
    return s.str.strip_chars(_WS)


def _empty_to_null(s: pl.Expr) -> pl.Expr:
    return pl.when(s.str.len_bytes() > 0).then(s)


def _is_end(col: contract.Column) -> bool:
    return col.name.startswith("end")


def _primary(col: contract.Column, dtype: pl.DataType) -> pl.Expr:
    """The fast parse of column `col` whose raw cells have `dtype`."""
    c = pl.col(col.name)
    target = polars_type(col)
    kind = "enum" if col.enum else col.type
    if dtype == pl.String:
        return _string_parse(col, c)
    # Typed cells (Parquet): take them as they are when the type fits.
    if kind == contract.TEXT or kind == "enum":
        if dtype.is_float():
            as_text = pl.when(c == c.floor()).then(c.cast(pl.Int64, strict=False).cast(pl.String))
            as_text = as_text.otherwise(c.cast(pl.String))
        else:
            as_text = c.cast(pl.String)
        return _string_parse(col, as_text)
    if kind in (contract.TIMESTAMP, contract.TIMESTAMP_OR_DATE) and isinstance(dtype, pl.Datetime):
        return c.dt.replace_time_zone(None).cast(target) if dtype.time_zone else c.cast(target)
    if kind == contract.TIMESTAMP_OR_DATE and dtype == pl.Date:
        ts = c.cast(pl.Datetime("us"))
        return ts + pl.duration(hours=23, minutes=59, seconds=59) if _is_end(col) else ts
    if kind == contract.DATE and dtype == pl.Date:
        return c
    if kind == contract.DATE and isinstance(dtype, pl.Datetime):
        return pl.when(c.dt.time() == pl.time(0)).then(c.dt.date())
    if kind == contract.BOOL and dtype == pl.Boolean:
        return c
    if kind == contract.BOOL and dtype.is_integer():
        return c.replace_strict({1: True, 0: False}, default=None, return_dtype=pl.Boolean)
    if kind == contract.INT and dtype.is_integer():
        return c.cast(pl.Int64, strict=False)  # a UInt64 beyond Int64 becomes a located cell problem
    if kind == contract.INT and dtype.is_float():
        return pl.when(c == c.floor()).then(c.cast(pl.Int64, strict=False))
    if kind == contract.DECIMAL and dtype.is_numeric():
        return c.cast(pl.Float64)
    if kind == contract.ID_LIST and isinstance(dtype, pl.List):
        return c.cast(pl.List(pl.String)).list.eval(_empty_to_null(_strip(pl.element()))).list.drop_nulls()
    # Any other cell type: read it as text and parse that.
    return _string_parse(col, c.cast(pl.String, strict=False))


def _string_parse(col: contract.Column, c: pl.Expr) -> pl.Expr:
    kind = "enum" if col.enum else col.type
    if kind == contract.TEXT:
        return _empty_to_null(_strip(c))
    if kind == "enum":
        return c.replace_strict(_enum_maps(col.enum)[0], default=None, return_dtype=pl.String)
    if kind in (contract.TIMESTAMP, contract.TIMESTAMP_OR_DATE):
        return c.str.strptime(pl.Datetime("us"), TS_FORMAT, strict=False)
    if kind == contract.DATE:
        return c.str.strptime(pl.Date, DATE_FORMAT, strict=False)
    if kind == contract.BOOL:
        return c.replace_strict(BOOL_MAP_CASED, default=None, return_dtype=pl.Boolean)
    if kind == contract.INT:
        return c.cast(pl.Int64, strict=False)
    if kind == contract.DECIMAL:
        return c.cast(pl.Float64, strict=False)
    parts = c.str.replace_all(f"[{contract.ID_LIST_SEPARATORS}\\s]+", ";").str.strip_chars(";").str.split(";")
    return pl.when(c.str.contains(f"[^{contract.ID_LIST_SEPARATORS}\\s]")).then(parts)


def _normalise_date_text(s: pl.Series) -> pl.Series:
    return (
        s.str.strip_chars(_WS)
        .str.replace_all(r"[/年月.]", "-")
        .str.replace_all("日", "", literal=True)
        .str.replace("T", " ", literal=True)
        .str.replace_all(r"\s+", " ")
    )


def _parse_timestamp_text(s: pl.Series) -> pl.Series:
    n = _normalise_date_text(s)
    out = pl.Series(s.name, [None] * len(s), dtype=pl.Datetime("us"))
    for fmt in TS_FALLBACK_FORMATS:
        out = out.fill_null(n.str.strptime(pl.Datetime("us"), fmt, strict=False))
    return out


def _parse_date_text(s: pl.Series) -> pl.Series:
    n = _normalise_date_text(s)
    out = n.str.strptime(pl.Date, DATE_FORMAT, strict=False)
    ts = _parse_timestamp_text(s)  # an Excel date cell read as text carries 00:00:00
    midnight = pl.select(pl.when(ts.dt.time() == pl.time(0)).then(ts.dt.date())).to_series()
    return out.fill_null(midnight)


def _fallback(col: contract.Column, raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Forgiving parse of the few cells the primary pass rejected: (values, was-empty)."""
    s = raw.cast(pl.String).str.strip_chars(_WS)
    empty = s.is_null() | (s.str.len_bytes() == 0)
    kind = "enum" if col.enum else col.type
    if kind == "enum":
        loose = _enum_maps(col.enum)[1]
        keys = s.str.to_lowercase().str.replace_all(r"[\s\u3000]", "").str.replace_all(r"\(", "（").str.replace_all(r"\)", "）")
        values = keys.replace_strict(loose, default=None, return_dtype=pl.String)
    elif kind == contract.TIMESTAMP:
        values = _parse_timestamp_text(s)
    elif kind == contract.TIMESTAMP_OR_DATE:
        values = _parse_timestamp_text(s)
        dates = _parse_date_text(s).cast(pl.Datetime("us"))
        if _is_end(col):
            dates = dates + timedelta(hours=23, minutes=59, seconds=59)
        # a bare date (no time part) means the whole day
        has_time = s.str.contains(r"\d[ T]\d")
        values = pl.select(pl.when(has_time).then(values).otherwise(dates)).to_series()
    elif kind == contract.DATE:
        values = _parse_date_text(s)
    elif kind == contract.BOOL:
        values = s.str.to_lowercase().replace_strict(BOOL_MAP, default=None, return_dtype=pl.Boolean)
    elif kind == contract.INT:
        f = s.str.replace_all(r"[,，\s]", "").cast(pl.Float64, strict=False)
        values = pl.select(pl.when(f == f.floor()).then(f.cast(pl.Int64, strict=False))).to_series()
    elif kind == contract.DECIMAL:
        values = s.str.replace_all(r"[,，\s¥￥]", "").cast(pl.Float64, strict=False)
    else:
        values = pl.Series(s.name, [None] * len(s), dtype=polars_type(col))
    return values.alias(raw.name), empty


# --------------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------------


@dataclass
class Validated:
    frames: dict[str, pl.DataFrame]  # table -> contract columns, stored types (without a staging folder)
    problems: list[Problem]  # errors (the first `max_problems`)
    problem_count: int
    dropped: list[tuple[str, list[str]]]  # (source label, headers not in the contract)
    rows: dict[str, int]
    warnings: list[Problem] = field(default_factory=list)  # the first `max_problems` warnings
    warning_count: int = 0
    warning_frame: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=WARNING_SCHEMA))  # all of them
    staged: dict[str, list[Path]] = field(default_factory=dict)  # table -> its rows as Parquet files, in order
    read: list[Source] = field(default_factory=list)  # the sources read whole (Source.rows: how many rows)
    unreadable: list[tuple[Source, BaseException]] = field(default_factory=list)  # reading failed midway
    empty: list[Source] = field(default_factory=list)  # sources with nothing in them (an empty sheet)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0


@dataclass
class _Prepared:
    index: int
    source: Source
    frame: pl.DataFrame  # SRC, ROW, contract columns (typed)
    headers: dict[str, str]  # contract column -> header text the file used (or would have used)
    raw: pl.DataFrame  # SRC, ROW + raw cells of columns present, for quoting values
    problems: list[pl.DataFrame] = field(default_factory=list)
    header_problems: list[Problem] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)  # contract columns whose (Parquet) type cannot be read


# Every warning of a load, located as the user sees it (recorded with the load: store.load_warnings).
WARNING_SCHEMA = {
    "kind": pl.String,
    "table_name": pl.String,
    "file": pl.String,
    "sheet": pl.String,
    "row": pl.UInt32,
    "column": pl.String,
    "value": pl.String,
    "other": pl.String,
    "record_id": pl.String,
}

_PROBLEM_SCHEMA = {
    SRC: pl.UInt32,
    ROW: pl.UInt32,
    "column_name": pl.String,
    "value": pl.String,
    "kind": pl.String,
    "other": pl.String,
    "other_src": pl.UInt32,
    "other_row": pl.UInt32,
    "table": pl.String,
    "record_id": pl.String,
}


def _lit_or_expr(x: object, dtype: pl.DataType) -> pl.Expr:
    return x.cast(dtype) if isinstance(x, pl.Expr) else pl.lit(x, dtype)


def _problem_frame(
    df: pl.DataFrame, table: str, column: str, kind: str, value: pl.Expr | None = None,
    other: object = None, other_src: object = None, other_row: object = None, record_id: object = None,
) -> pl.DataFrame:
    """Rows of `df` (with SRC, ROW) as problem records."""
    cols = {
        SRC: pl.col(SRC).cast(pl.UInt32),
        ROW: pl.col(ROW).cast(pl.UInt32),
        "column_name": pl.lit(column, pl.String),
        "value": _lit_or_expr(value, pl.String()),
        "kind": pl.lit(kind, pl.String),
        "other": _lit_or_expr(other, pl.String()),
        "other_src": _lit_or_expr(other_src, pl.UInt32()),
        "other_row": _lit_or_expr(other_row, pl.UInt32()),
        "table": pl.lit(table, pl.String),
        "record_id": _lit_or_expr(record_id, pl.String()),
    }
    return df.select(**cols)


def _display(name: str, dtype: pl.DataType) -> pl.Expr:
    """A cell as the user would read it."""
    c = pl.col(name)
    if isinstance(dtype, pl.Datetime):
        return c.dt.strftime("%Y-%m-%d %H:%M:%S")
    if dtype == pl.Date:
        return c.dt.strftime("%Y-%m-%d")
    if isinstance(dtype, pl.List):
        return c.cast(pl.List(pl.String)).list.join(";")
    return c.cast(pl.String)


def _type_fits(col: contract.Column, dtype: pl.DataType) -> bool:
    """Whether a typed (Parquet) column can be read as `col`; text cells always can."""
    if dtype in (pl.String, pl.Null, pl.Categorical) or isinstance(dtype, pl.Enum | pl.Categorical):
        return True
    kind = "enum" if col.enum else col.type
    if kind in (contract.TEXT, "enum"):
        return dtype.is_integer()  # a float id may already have lost digits: refused
    if kind in (contract.TIMESTAMP, contract.TIMESTAMP_OR_DATE, contract.DATE):
        return isinstance(dtype, pl.Datetime) or dtype == pl.Date
    if kind == contract.BOOL:
        return dtype == pl.Boolean or dtype.is_integer()
    if kind == contract.INT:
        return dtype.is_integer() or dtype.is_float()
    if kind == contract.DECIMAL:
        return dtype.is_numeric()
    if kind == contract.ID_LIST:
        return isinstance(dtype, pl.List) and (dtype.inner in (pl.String, pl.Null) or dtype.inner.is_integer())
    return False


@dataclass
class _Plan:
    """What a source's header row says, the same for each of its chunks."""

    index: int
    source: Source
    mapping: dict[str, str]  # raw header (frame column) -> contract column, in file order
    headers: dict[str, str]  # contract column -> header text the file used (or would have used)
    dropped: list[str]
    refused: set[str]
    header_problems: list[Problem]


def _plan(index: int, source: Source, first: pl.DataFrame) -> _Plan:
    """Map the source's headers (the columns of its first chunk) to the contract's columns."""
    table = contract.TABLES[source.table]
    lookup = table.header_lookup()
    mapping: dict[str, str] = {}  # raw header -> contract column
    headers: dict[str, str] = {}
    dropped: list[str] = []
    refused: set[str] = set()
    header_problems: list[Problem] = []

    def header_problem(kind: str, written: str, name: str | None, row: int | None = 1, other: str | None = None) -> None:
        header_problems.append(Problem(kind, source.file, source.sheet, row, written, written if row else None,
                                       table.name, name, other))

    for raw_name in first.columns:
        if raw_name == ROW:
            continue
        written = source.repeated_headers.get(raw_name, raw_name)
        key = written.strip(_WS)
        name = lookup.get(key) or lookup.get(key.lower())
        if "\x00" in written:
            header_problem("nul_byte", written.replace("\x00", NUL_SHOWN), name)
        elif name is None:
            dropped.append(written)
        elif name in headers or raw_name in source.repeated_headers:
            header_problem("duplicate_column", written, name)
        elif not _type_fits(table.column(name), first.schema[raw_name]) and not source.all_null(raw_name):
            header_problem("column_type", written, name, row=None, other=str(first.schema[raw_name]))
            headers[name] = written
            refused.add(name)
        else:
            mapping[raw_name] = name
            headers[name] = written
    chinese = any(headers[n] == table.column(n).zh for n in headers) or not headers
    for c in table.columns:
        if c.name not in headers:
            headers[c.name] = c.zh if chinese else c.name
            if c.required is True:
                header_problems.append(Problem("missing_column", source.file, source.sheet, None, headers[c.name], None, table.name, c.name))
    return _Plan(index, source, mapping, headers, dropped, refused, header_problems)


def _prepare(plan: _Plan, chunk: pl.DataFrame) -> _Prepared:
    """A chunk of the source's rows in the contract's columns and types (cells not yet checked)."""
    table = contract.TABLES[plan.source.table]
    mapping = plan.mapping
    df = chunk.select([pl.col(ROW).cast(pl.UInt32)] + [pl.col(r).alias(mapping[r]) for r in mapping])
    df = df.with_columns(pl.lit(plan.index, pl.UInt32).alias(SRC))
    schema = df.schema
    exprs = []
    for c in table.columns:
        if c.name in schema:
            exprs.append(_primary(c, schema[c.name]).cast(polars_type(c)).alias(c.name))
        else:
            exprs.append(pl.lit(None, polars_type(c)).alias(c.name))
    typed = df.select(pl.col(SRC), pl.col(ROW), *exprs)
    return _Prepared(plan.index, plan.source, typed, plan.headers, df, [], [], [], plan.refused)


def _check_cells(p: _Prepared) -> None:
    """Per-cell parse failures (after the forgiving fallback), required and minimum values."""
    table = contract.TABLES[p.source.table]
    typed, raw = p.frame, p.raw
    replaced: dict[str, pl.Series] = {}
    bad_masks: dict[str, pl.Series] = {}
    present = [c for c in table.columns if c.name in raw.columns]
    if not present:
        return
    failing = typed.select(
        [(pl.col(c.name).is_null() & raw[c.name].is_not_null()).sum().alias(c.name) for c in present]
    ).row(0, named=True)
    for c in present:
        if not failing[c.name]:
            continue
        fail = (typed[c.name].is_null() & raw[c.name].is_not_null())
        idx = fail.arg_true()
        values, empty = _fallback(c, raw[c.name].gather(idx))
        col = typed[c.name].clone()
        if col.dtype == values.dtype and not isinstance(col.dtype, pl.List):
            col = col.scatter(idx, values)
        still_bad = values.is_null() & ~empty
        bad = fail.scatter(idx, still_bad)
        replaced[c.name] = col
        bad_masks[c.name] = bad
    if replaced:
        typed = typed.with_columns(list(replaced.values()))
    for name, bad in bad_masks.items():
        if bad.any():
            c = table.column(name)
            kind = "enum" if c.enum else c.type
            rows = raw.filter(bad)
            p.problems.append(_problem_frame(rows, table.name, name, kind, _display(name, raw.schema[name])))
    # Required and required-if.
    checks = []
    for c in table.columns:
        is_empty = pl.col(c.name).is_null()
        if c.name in bad_masks:
            is_empty = is_empty & ~pl.lit(bad_masks[c.name])
        if c.required is True:
            if c.name in raw.columns:
                checks.append((c.name, "required", is_empty, None))
        elif isinstance(c.required, contract.RequiredIf) and not {c.name, c.required.column} & p.refused:
            cond = c.required
            other = pl.col(cond.column)
            when = other.is_in(list(cond.in_codes)) if cond.in_codes else other.is_not_null()
            checks.append((c.name, "required_if", is_empty & when, p.headers[cond.column]))
        if c.min_value is not None:
            checks.append((c.name, "int_min", pl.col(c.name) < c.min_value, None))
    if checks:
        counts = typed.select([m.sum().alias(f"{i}") for i, (_, _, m, _) in enumerate(checks)]).row(0)
        for (name, kind, mask, other), n in zip(checks, counts):
            if n:
                rows = typed.filter(mask)
                value = _display(name, typed.schema[name]) if kind == "int_min" else None
                p.problems.append(_problem_frame(rows, table.name, name, kind, value, other=other))
    # Defaults of optional columns.
    defaults = [pl.col(c.name).fill_null(c.default) for c in table.columns if c.default is not None]
    if defaults:
        typed = typed.with_columns(defaults)
    p.frame = typed


_TWO_DIGIT_YEAR = r"^[\s\u3000]*\d{1,2}[-/.年]"


def _check_plausible(p: _Prepared, today: dt.date) -> None:
    """Cells that parse but cannot be right: NUL bytes in text, dates outside [1990, a year after the
    load] (two-digit years among them, named as such), numbers that are not finite."""
    table = contract.TABLES[p.source.table]
    typed, raw = p.frame, p.raw
    earliest = contract.EARLIEST_DATE
    latest = today + timedelta(days=contract.LATEST_DAYS_AHEAD)
    checks: list[tuple[str, str, pl.Expr]] = []  # (column, kind, mask over a frame with raw + typed)
    for c in table.columns:
        if c.name not in raw.columns:
            continue
        raw_c, typed_c = pl.col(f"raw_{c.name}"), pl.col(c.name)
        if raw.schema[c.name] == pl.String:
            checks.append((c.name, "nul_byte", raw_c.str.contains("\x00", literal=True)))
        if c.type in (contract.DATE, contract.TIMESTAMP, contract.TIMESTAMP_OR_DATE):
            lo, hi = (earliest, latest) if c.type == contract.DATE else (
                dt.datetime.combine(earliest, dt.time()), dt.datetime.combine(latest, dt.time.max))
            out_of_range = (typed_c < lo) | (typed_c > hi)
            if raw.schema[c.name] == pl.String:
                two_digit = raw_c.str.contains(_TWO_DIGIT_YEAR)
                checks.append((c.name, "two_digit_year", out_of_range & two_digit))
                out_of_range = out_of_range & ~two_digit
            checks.append((c.name, "date_range", out_of_range))
        if c.type == contract.DECIMAL:
            checks.append((c.name, "non_finite", ~typed_c.is_finite()))
    if not checks:
        return
    both = typed.select(SRC, ROW, *[pl.col(n) for n in {n for n, _, _ in checks}]).with_columns(
        [raw[n].alias(f"raw_{n}") for n in {n for n, _, _ in checks}]
    )
    counts = both.select([m.fill_null(False).sum().alias(str(i)) for i, (_, _, m) in enumerate(checks)]).row(0)
    params = (("earliest", earliest.isoformat()), ("latest", latest.isoformat()))
    for (name, kind, mask), n in zip(checks, counts):
        if not n:
            continue
        rows = both.filter(mask.fill_null(False))
        shown = _display(f"raw_{name}", raw.schema[name])
        if raw.schema[name] == pl.String:
            shown = shown.str.replace_all("\x00", NUL_SHOWN, literal=True)
        p.problems.append(_problem_frame(rows, table.name, name, kind, shown,
                                         other=",".join(f"{k}={v}" for k, v in params) if kind == "date_range" else None))


def _check_ordered(table: str, df: pl.DataFrame) -> list[pl.DataFrame]:
    """Columns of a row out of order (contract.ORDER_CHECKS): warnings, located at the second column."""
    out = []
    for check in contract.ORDER_CHECKS:
        if check.table != table:
            continue
        mask = (pl.col(check.second) < pl.col(check.first)).fill_null(False)
        if df.select(mask.any()).item():
            rows = df.filter(mask)
            out.append(
                _problem_frame(rows, table, check.second, check.kind, _display(check.second, df.schema[check.second]),
                               other=_display(check.first, df.schema[check.first]))
            )
    return out


def _check_duplicates(table: contract.Table, df: pl.DataFrame) -> list[pl.DataFrame]:
    key = list(table.key)
    complete = pl.all_horizontal([pl.col(k).is_not_null() for k in key])
    h = df.select(pl.when(complete).then(pl.struct(key).hash())).to_series()
    cand = h.is_duplicated() & h.is_not_null()
    if not cand.any():
        return []
    sub = df.filter(cand).select(SRC, ROW, *key)
    sub = sub.with_columns(
        pl.col(SRC).first().over(key).alias("other_src"),
        pl.col(ROW).first().over(key).alias("other_row"),
    ).filter((pl.col(SRC) != pl.col("other_src")) | (pl.col(ROW) != pl.col("other_row")))
    if sub.is_empty():
        return []
    value = pl.concat_str([_display(k, df.schema[k]) for k in key], separator=" / ")
    return [_problem_frame(sub, table.name, key[-1], "duplicate_key", value,
                           other_src=pl.col("other_src"), other_row=pl.col("other_row"))]


def _check_consistent(table: contract.Table, df: pl.DataFrame) -> list[pl.DataFrame]:
    if not table.consistent_within:
        return []
    group, cols = table.consistent_within
    cols = list(cols)
    hashed = df.select(g=pl.col(group).hash(), v=pl.struct(cols).hash())
    spread = hashed.group_by("g").agg(pl.col("v").min().alias("lo"), pl.col("v").max().alias("hi"))
    groups = spread.filter(pl.col("lo") != pl.col("hi"))["g"]
    if groups.is_empty():
        return []
    sub = df.filter(hashed["g"].is_in(groups.implode())).sort(group, table.key[-1], SRC, ROW)
    out = []
    for c in cols:
        shown = _display(c, df.schema[c])
        rows = sub.with_columns(
            pl.col(SRC).first().over(group).alias("other_src"),
            pl.col(ROW).first().over(group).alias("other_row"),
            shown.first().over(group).alias("first_value"),
            pl.col(c).first().over(group).alias("__first"),
        ).filter(pl.col(c).ne_missing(pl.col("__first")))
        if rows.height:
            out.append(_problem_frame(rows, table.name, c, "inconsistent", shown, other=pl.col("first_value"),
                                      other_src=pl.col("other_src"), other_row=pl.col("other_row")))
    return out


# `not_stored(table, column, values)`: those of `values` (distinct, non-null text) that no stored row of
# `table.column` holds. For callers that hold the store elsewhere (tests); the loader names the store
# instead (`store_db`), and DuckDB anti-joins the incoming values against it directly.
NotStored = Callable[[str, str, pl.Series], pl.Series]


def _fetch(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame | None:
    """The rows of `sql` as a frame, or None when there are none (the usual case: no conversion then)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE __found AS {sql}")
    if not con.sql("SELECT count(*) FROM __found").fetchall()[0][0]:
        return None
    return con.sql("SELECT * FROM __found").pl()


def _check_staged(
    con: duckdb.DuckDBPyConnection, staged: dict[str, list[Path]], stored: bool, not_stored: NotStored | None,
) -> list[pl.DataFrame]:
    """The checks that span chunks and files, in DuckDB over the staged Parquet: a key twice, a matter's
    columns that disagree between rows, references to values neither this load nor the store holds. Only
    the rows concerned come back to polars, where the same checks as on one frame locate them."""
    for name, paths in staged.items():
        con.execute(f'CREATE OR REPLACE TEMP VIEW "incoming_{name}" AS SELECT * FROM read_parquet({literal_list(paths)})')
    out: list[pl.DataFrame] = []
    for name in staged:
        table = contract.TABLES[name]
        keys = ", ".join(f'"{k}"' for k in table.key)
        complete = " AND ".join(f'"{k}" IS NOT NULL' for k in table.key)
        dup = _fetch(con, f"""SELECT t."{SRC}", t."{ROW}", {", ".join(f't."{k}"' for k in table.key)}
            FROM "incoming_{name}" t SEMI JOIN (SELECT {keys} FROM "incoming_{name}" WHERE {complete}
                                                GROUP BY ALL HAVING count(*) > 1) d USING ({keys})
            ORDER BY t."{SRC}", t."{ROW}" """)
        if dup is not None:
            out += _check_duplicates(table, dup)
        if table.consistent_within:
            group, cols = table.consistent_within
            values = ", ".join(f"'{c}': \"{c}\"" for c in cols)
            columns = ", ".join(f't."{c}"' for c in dict.fromkeys((group, table.key[-1], *cols)))
            rows = _fetch(con, f"""SELECT t."{SRC}", t."{ROW}", {columns} FROM "incoming_{name}" t
                WHERE EXISTS (SELECT 1 FROM (SELECT "{group}" AS g FROM "incoming_{name}" GROUP BY "{group}"
                                             HAVING count(DISTINCT {{{values}}}) > 1) d
                              WHERE d.g IS NOT DISTINCT FROM t."{group}")
                ORDER BY t."{SRC}", t."{ROW}" """)
            if rows is not None:
                out += _check_consistent(table, rows)
    out += _check_references(con, staged, stored, not_stored)
    if stored and "approvals" in staged:
        out += _check_changed_matters(con)
    return out


def _shown_sql(column: str) -> str:
    """SQL: a stored cell as `_display` shows it (text; timestamps to the second)."""
    if contract.TABLES["approvals"].column(column).type == contract.TIMESTAMP:
        return f"""strftime("{column}", '%Y-%m-%d %H:%M:%S')"""
    return f'"{column}"::VARCHAR'


def _check_changed_matters(con: duckdb.DuckDBPyConnection) -> list[pl.DataFrame]:
    """Warnings for the load's matters that the store holds already with other attributes (DOMAIN.md §5: a
    matter's attributes are those of its latest step, by received_at, then step_no, in the store).

    `matter_changed`: the load changes the matter's reading (stored -> new), located at the load's latest
    step of the matter; `matter_kept`: the load's steps disagree with the matter's latest step, which stays
    the latest (an older step arrived late), so the matter keeps its values. Only the stored steps of the
    load's matters are read: their ids' range first, as constants, lets DuckDB skip the Parquet row groups
    outside it (the exports' ids follow time: a month's load reads a few row groups, not every step)."""
    _, attributes = contract.TABLES["approvals"].consistent_within
    cols = ", ".join(f'"{c}"' for c in attributes)
    con.execute('CREATE OR REPLACE TEMP TABLE __load_matters AS SELECT DISTINCT matter_id FROM "incoming_approvals"')
    lo, hi = con.sql("SELECT min(matter_id), max(matter_id) FROM __load_matters").fetchall()[0]
    if lo is None:
        return []
    latest = "QUALIFY row_number() OVER (PARTITION BY matter_id ORDER BY received_at DESC, step_no DESC) = 1"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE __stored_steps AS
        SELECT matter_id, step_no, received_at, {cols} FROM stored.approvals
        WHERE matter_id BETWEEN $lo AND $hi AND matter_id IN (SELECT matter_id FROM __load_matters)""",
                {"lo": lo, "hi": hi})
    if not con.sql("SELECT count(*) FROM __stored_steps").fetchall()[0][0]:
        return []  # new matters only: the usual month's load
    before = f"SELECT matter_id, {cols} FROM __stored_steps {latest}"
    after = f"""SELECT matter_id, {cols} FROM (
        SELECT matter_id, step_no, received_at, {cols} FROM __stored_steps s
        WHERE NOT EXISTS (SELECT 1 FROM "incoming_approvals" n WHERE n.matter_id = s.matter_id AND n.step_no = s.step_no)
        UNION ALL SELECT matter_id, step_no, received_at, {cols} FROM "incoming_approvals") {latest}"""
    mine = f'SELECT "{SRC}", "{ROW}", matter_id, {cols} FROM "incoming_approvals" {latest}'
    out = []
    for c in attributes:
        rows = _fetch(con, f"""SELECT m."{SRC}", m."{ROW}", m.matter_id,
                CASE WHEN b."{c}" IS DISTINCT FROM a."{c}" THEN 'matter_changed' ELSE 'matter_kept' END AS kind,
                {_shown_sql(c).replace(f'"{c}"', f'm."{c}"')} AS value,
                {_shown_sql(c).replace(f'"{c}"', f'b."{c}"')} AS before,
                {_shown_sql(c).replace(f'"{c}"', f'a."{c}"')} AS after
            FROM ({mine}) m JOIN ({before}) b USING (matter_id) JOIN ({after}) a USING (matter_id)
            WHERE b."{c}" IS DISTINCT FROM a."{c}" OR m."{c}" IS DISTINCT FROM a."{c}"
            ORDER BY m."{SRC}", m."{ROW}" """)
        if rows is None:
            continue
        for kind, value, other in (("matter_changed", "after", "before"), ("matter_kept", "value", "after")):
            of_kind = rows.filter(pl.col("kind") == kind)
            if of_kind.height:
                out.append(_problem_frame(of_kind, "approvals", c, kind, pl.col(value), other=pl.col(other),
                                          record_id=pl.col("matter_id")))
    return out


def _check_references(
    con: duckdb.DuckDBPyConnection, staged: dict[str, list[Path]], stored: bool, not_stored: NotStored | None,
) -> list[pl.DataFrame]:
    """Reference problems: values that neither this load nor the store (attached as `stored`, or asked
    through `not_stored`) holds."""

    def values_of(ref: contract.Reference) -> str:
        col = contract.TABLES[ref.table].column(ref.column)
        v = f'unnest("{ref.column}")' if col.type == contract.ID_LIST else f'"{ref.column}"'
        return f'SELECT "{SRC}", "{ROW}", {v} AS value FROM "incoming_{ref.table}"'

    refs = [r for r in contract.REFERENCES if r.table in staged]
    targets = list(dict.fromkeys((r.target_table, r.target_column) for r in refs))
    out = []
    for i, (table, column) in enumerate(targets):
        parts = " UNION ".join(f"SELECT value FROM ({values_of(r)}) WHERE value IS NOT NULL"
                               for r in refs if (r.target_table, r.target_column) == (table, column))
        unknown = f"__unknown_{i}"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {unknown} AS {parts}")
        if table in staged:
            con.execute(f'DELETE FROM {unknown} WHERE value IN (SELECT "{column}" FROM "incoming_{table}")')
        if stored:
            con.execute(f'DELETE FROM {unknown} WHERE value IN (SELECT "{column}" FROM stored."{table}")')
        elif not_stored is not None:
            rows = con.sql(f"SELECT value FROM {unknown}").fetchall()
            if rows:
                kept = not_stored(table, column, pl.Series("value", [r[0] for r in rows], pl.String))
                con.execute(f"DELETE FROM {unknown}")
                if kept.len():
                    con.executemany(f"INSERT INTO {unknown} VALUES (?)", [[v] for v in kept.to_list()])
        if not con.sql(f"SELECT count(*) FROM {unknown}").fetchall()[0][0]:
            continue
        for ref in refs:
            if (ref.target_table, ref.target_column) != (table, column):
                continue
            bad = _fetch(con, f"""SELECT "{SRC}", "{ROW}", value AS "{ref.column}" FROM ({values_of(ref)})
                                  WHERE value IN (SELECT value FROM {unknown}) ORDER BY "{SRC}", "{ROW}" """)
            if bad is not None:
                out.append(_problem_frame(bad, ref.table, ref.column, "reference", pl.col(ref.column)))
    return out


def _to_problems(
    frame: pl.DataFrame, sources: list[Source], prepared: dict[int, _Prepared], limit: int
) -> list[Problem]:
    out = []
    for r in frame.head(max(limit, 0)).iter_rows(named=True):
        src = sources[r[SRC]]
        p = prepared[r[SRC]]
        other_file = sources[r["other_src"]].label if r["other_src"] is not None else None
        other, params = r["other"], ()
        if r["kind"] == "date_range" and other:
            params, other = tuple(tuple(kv.split("=", 1)) for kv in other.split(",")), None
        out.append(
            Problem(
                r["kind"], src.file, src.sheet, r[ROW], p.headers.get(r["column_name"], r["column_name"]),
                r["value"], r["table"], r["column_name"], other, other_file, r["other_row"], params, r["record_id"],
            )
        )
    return out


def _located(frame: pl.DataFrame, sources: list[Source], prepared: list[_Prepared]) -> pl.DataFrame:
    """Problem records as WARNING_SCHEMA rows: file, sheet and the header as each file spelled it."""
    where = pl.DataFrame(
        {SRC: [p.index for p in prepared], "file": [sources[p.index].file for p in prepared],
         "sheet": [sources[p.index].sheet for p in prepared]},
        schema={SRC: pl.UInt32, "file": pl.String, "sheet": pl.String},
    )
    headers = pl.DataFrame(
        [(p.index, name, header) for p in prepared for name, header in p.headers.items()],
        schema={SRC: pl.UInt32, "column_name": pl.String, "column": pl.String}, orient="row",
    )
    return (
        frame.join(where, on=SRC, how="left")
        .join(headers, on=[SRC, "column_name"], how="left")
        .select(pl.col("kind"), pl.col("table").alias("table_name"), "file", "sheet", pl.col(ROW).alias("row"),
                "column", "value", "other", "record_id")
        .cast(WARNING_SCHEMA)
    )


def validate_sources(
    sources: list[Source],
    not_stored: NotStored | None = None,
    progress: Callable[[float, str], None] | None = None,
    lang: str = "zh",
    max_problems: int = MAX_PROBLEMS,
    today: dt.date | None = None,
    *,
    staging: Path | None = None,
    store_db: Path | None = None,
    chunk_rows: int | None = None,
) -> Validated:
    """Normalise every source and check everything, chunk by chunk; `not_stored(table, column, values)`
    says which of the values this load refers to the store lacks, or `store_db` names the store to check
    them against (neither: references within the load only).

    Each source is read `chunk_rows` rows at a time (default CHUNK_ROWS); each chunk is typed, its cells
    checked, and written as Parquet to `staging` (a folder; `Validated.staged` lists the files per table).
    The checks that span chunks and files then run in DuckDB over those files. Without `staging` the
    files go to a temporary folder and come back as `Validated.frames` (small inputs: tests, the Data page).

    `today` is the day of the load (dates more than a year after it are refused); default: today.
    """
    if staging is None:
        with tempfile.TemporaryDirectory(prefix="tierwatch-validate-") as tmp:
            v = validate_sources(sources, not_stored, progress, lang, max_problems, today, staging=Path(tmp),
                                 store_db=store_db, chunk_rows=chunk_rows)
            v.frames = {name: _read_staged(paths, name) for name, paths in v.staged.items()}
            v.staged = {}
            return v
    today = today or dt.date.today()
    chunk_rows = chunk_rows or CHUNK_ROWS
    plans: dict[int, _Plan] = {}
    fixed: list[Problem] = []
    dropped: list[tuple[str, list[str]]] = []
    problem_frames: list[pl.DataFrame] = []
    staged: dict[str, list[Path]] = {}
    rows: dict[str, int] = {}
    read: list[Source] = []
    unreadable: list[tuple[Source, BaseException]] = []
    empty: list[Source] = []
    n = max(len(sources), 1)
    for i, s in enumerate(sources):
        say = (lambda f, s=s, i=i: progress(0.8 * (i + f) / n, t("loader.progress.validate", lang, table=s.label))) if progress else None
        outcome = _validate_source(i, s, today, staging, chunk_rows, say)
        if isinstance(outcome, Problem):
            fixed.append(outcome)
            continue
        if isinstance(outcome, BaseException):
            unreadable.append((s, outcome))
            continue
        if outcome is None:  # an empty sheet: nothing to load
            empty.append(s)
            continue
        plan, frames, parts, height = outcome
        read.append(s)
        plans[i] = plan
        fixed.extend(plan.header_problems)
        if plan.dropped:
            dropped.append((s.label, plan.dropped))
        problem_frames += frames
        staged.setdefault(s.table, []).extend(parts)
        rows[s.table] = rows.get(s.table, 0) + height
    staged = {name: staged[name] for name in contract.LOAD_ORDER if name in staged}
    rows = {name: rows[name] for name in staged}
    if progress:
        progress(0.85, t("loader.progress.validate", lang, table=", ".join(contract.TABLES[n].label(lang) for n in staged)))
    if staged:
        con = store.quiet(duckdb.connect(":memory:", config={"memory_limit": CHECK_MEMORY_LIMIT,
                                                             "temp_directory": str(staging / "duckdb.tmp")}))
        try:
            stored = False
            if store_db is not None and Path(store_db).exists():
                store.attach(con, store_db, "stored")  # read as it is: validating writes nothing, not even a migration
                stored = True
            problem_frames += _check_staged(con, staged, stored, not_stored)
        finally:
            con.close()

    problems = list(fixed)
    count = len(fixed)
    warnings: list[Problem] = []
    warning_frame = pl.DataFrame(schema=WARNING_SCHEMA)
    if problem_frames:
        allp = pl.concat(problem_frames, how="vertical").sort(SRC, ROW, "column_name")
        is_warning = pl.col("kind").replace_strict(contract.SEVERITY, default=contract.ERROR, return_dtype=pl.String) == contract.WARNING
        errors, warned = allp.filter(~is_warning), allp.filter(is_warning)
        count += errors.height
        problems += _to_problems(errors, sources, plans, max_problems - len(fixed))
        warnings = _to_problems(warned, sources, plans, max_problems)
        warning_frame = _located(warned, sources, list(plans.values()))
    if progress:
        progress(1.0, "")
    return Validated({}, problems, count, dropped, rows, warnings, warning_frame.height, warning_frame,
                     staged=staged, read=read, unreadable=unreadable, empty=empty)


def _read_staged(paths: list[Path], name: str) -> pl.DataFrame:
    return pl.concat([pl.read_parquet(p) for p in paths], how="vertical").select(contract.TABLES[name].column_names)


def _validate_source(
    index: int, source: Source, today: dt.date, staging: Path, chunk_rows: int, say: Callable[[float], None] | None,
) -> tuple[_Plan, list[pl.DataFrame], list[Path], int] | Problem | BaseException | None:
    """Read, type and check one source chunk by chunk, staging each chunk's rows as Parquet. Returns its
    plan, problem records, staged files and rows; a Problem (a chunk polars cannot take: the source is
    refused, located by file); the reader's exception (the file is unreadable); None (nothing in it).
    Whatever failed leaves nothing staged."""
    table = contract.TABLES[source.table]
    folder = staging / source.table
    folder.mkdir(parents=True, exist_ok=True)
    size = max(source.path.stat().st_size, 1) if source.path.exists() else 1
    while True:
        plan: _Plan | None = None
        frames: list[pl.DataFrame] = []
        parts: list[Path] = []
        height = 0
        chunks = source.chunks(chunk_rows)
        try:
            for k, chunk in enumerate(_reading(chunks)):
                if say:  # about how far into the file (progress only)
                    say(min(0.99, height * ROW_BYTES / size))
                try:
                    if plan is None:
                        plan = _plan(index, source, chunk)
                    p = _prepare(plan, chunk)
                    _check_cells(p)
                    _check_plausible(p, today)
                    frames += p.problems
                    frames += _check_ordered(source.table, p.frame)
                    part = folder / f"part-{index:05d}-{k:05d}.parquet"
                    p.frame.select(SRC, ROW, *table.column_names).write_parquet(part, compression="lz4")
                    parts.append(part)
                    height += p.frame.height
                except Exception as exc:  # noqa: BLE001 - a file polars cannot take is refused, located by file
                    _unstage(parts)
                    reraise_fault(exc)  # ... but a full disk while staging is the machine's, not the file's
                    return Problem("unexpected", source.file, source.sheet, table=source.table,
                                   other=f"{type(exc).__name__}: " + (str(exc).strip().splitlines() or [""])[0][:300])
        except _ReadFailed as failed:
            _unstage(parts)
            if source.retry(failed.exc):
                continue
            return failed.exc
        if plan is None:
            return None
        return plan, frames, parts, height


class _ReadFailed(Exception):
    def __init__(self, exc: BaseException) -> None:
        super().__init__(str(exc))
        self.exc = exc


def _reading(chunks):
    """The chunks of a reader, its own errors raised as _ReadFailed (the file's), not the validation's."""
    while True:
        try:
            chunk = next(chunks)
        except StopIteration:
            return
        except Exception as exc:
            reraise_fault(exc)  # a full disk (a transcoded copy), a file that vanished: the machine's
            raise _ReadFailed(exc) from exc
        yield chunk


def _unstage(parts: list[Path]) -> None:
    for part in parts:
        part.unlink(missing_ok=True)
