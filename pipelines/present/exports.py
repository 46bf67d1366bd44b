"""Tables out of the dashboard: CSV (UTF-8 with BOM) and XLSX bytes, formula neutralisation, name masking.

    csv = table_to_csv_bytes(df, headers={"approver_name": "审批人"})
    xlsx = table_to_xlsx_bytes(mask_names(df, ["approver_name"], mode="id"), sheet_name="审批时长")

Both writers neutralise text cells that a spreadsheet would run as a formula (OWASP "CSV injection"):
a text cell starting with `=`, `+`, `-`, `@` (or their full-width forms `＝＋－＠`), tab or carriage return
gets a leading apostrophe. Number
columns are never touched (a negative number stays a number), and neither is text that is a plain number
such as "-12.5" (a spreadsheet reads it as that number, nothing runs).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl
import xlsxwriter

from pipelines.core.filters import Filters, format_month
from pipelines.core.i18n import t
from pipelines.present.chart_export import ALL_FILTERS, filters_text, snapshot_text
from pipelines.present.formatting import column_kinds, display_frame
from pipelines.tables.marts import NUMBER_FORMATS, kind

WIDE_CHARS = r"[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]"
# ASCII and full-width (＝＋－＠: a Chinese input method types them; spreadsheets in a Chinese locale may take
# them for the ASCII signs) formula starters, tab and carriage return.
FORMULA_START = r"^[=+\-@\t\r＝＋－＠]"
PLAIN_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?%?$"
EXCEL_MAX_ROWS = 1_048_575  # data rows under one header row
MAX_COL_WIDTH = 60
MIN_COL_WIDTH = 6
PIXELS_PER_CHAR = 8  # polars' column_widths are pixels; Excel's default font draws ~7-8 px per character

# Two-character surnames (复姓) kept whole when masking "initials".
COMPOUND_SURNAMES = (
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "澹台", "公羊", "闻人", "呼延", "申屠", "万俟", "钟离",
)  # fmt: skip


# ------------------------------------------------------------------------------------------ shaping
def _flatten(df: pl.DataFrame) -> pl.DataFrame:
    """Types a spreadsheet cell can hold: lists joined with ';', durations as hours, the rest as text."""
    exprs = []
    for name, dtype in df.schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.List | pl.Array):
            exprs.append(col.cast(pl.List(pl.String)).list.join(";").alias(name))
        elif isinstance(dtype, pl.Duration):
            exprs.append((col.dt.total_seconds(fractional=True) / 3600).alias(name))
        elif isinstance(dtype, pl.Categorical | pl.Enum | pl.Object | pl.Struct | pl.Binary | pl.Time):
            exprs.append(col.cast(pl.String) if not isinstance(dtype, pl.Struct | pl.Object) else
                         col.map_elements(str, return_dtype=pl.String))  # fmt: skip
        elif isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
            exprs.append(col.dt.replace_time_zone(None).alias(name))
    return df.with_columns(exprs) if exprs else df


def neutralize_formulas(df: pl.DataFrame) -> pl.DataFrame:
    """Prefix `'` to text cells a spreadsheet would evaluate (=, +, -, @, full-width ＝＋－＠, tab, CR first);
    numbers untouched."""
    risky = pl.col(pl.String).str.contains(FORMULA_START) & ~pl.col(pl.String).str.contains(PLAIN_NUMBER)
    return df.with_columns(
        pl.when(risky).then(pl.lit("'") + pl.col(pl.String)).otherwise(pl.col(pl.String)).name.keep()
    )


def _rename(df: pl.DataFrame, headers: Mapping[str, str] | None) -> pl.DataFrame:
    if not headers:
        return df
    mapping = {k: v for k, v in headers.items() if k in df.columns and v}
    names = [mapping.get(c, c) for c in df.columns]
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"headers map two columns to the same header: {dupes}")
    return df.rename(mapping)


def prepare(df: pl.DataFrame, headers: Mapping[str, str] | None = None) -> pl.DataFrame:
    """What both writers write: flattened types, formulas neutralised, display headers."""
    return _rename(neutralize_formulas(_flatten(df)), headers)


# ------------------------------------------------------------------------------------------ CSV
def table_to_csv_bytes(df: pl.DataFrame, headers: Mapping[str, str] | None = None) -> bytes:
    """CSV in UTF-8 with a BOM (Excel then reads Chinese correctly), ISO dates, formulas neutralised."""
    out = prepare(df, headers)
    buf = io.BytesIO()
    out.write_csv(buf, include_bom=True, datetime_format="%Y-%m-%d %H:%M:%S", date_format="%Y-%m-%d")
    return buf.getvalue()


# ------------------------------------------------------------------------------------------ XLSX
def _display_width(expr: pl.Expr) -> pl.Expr:
    """Characters wide as Excel draws them: CJK and full-width characters count double."""
    text = expr.cast(pl.String).fill_null("")
    return text.str.len_chars() + text.str.count_matches(WIDE_CHARS)


def _column_widths(df: pl.DataFrame) -> dict[str, int]:
    if df.width == 0:
        return {}
    sample = df.head(2000)
    widths = (
        sample.select(
            [
                _display_width(pl.col(c) if not sample.schema[c].is_temporal() else pl.col(c).cast(pl.String))
                .max()
                .alias(c)
                for c in sample.columns
            ]
        ).row(0)
        if sample.height
        else [0] * df.width
    )
    out: dict[str, int] = {}
    header_widths = pl.DataFrame({"h": df.columns}).select(_display_width(pl.col("h"))).to_series().to_list()
    for name, cell, header in zip(df.columns, widths, header_widths, strict=True):
        dtype = df.schema[name]
        if dtype == pl.Date:
            cell = 10
        elif isinstance(dtype, pl.Datetime):
            cell = 16
        elif dtype.is_numeric():
            cell = min(cell or 0, 18)
        out[name] = int(min(MAX_COL_WIDTH, max(MIN_COL_WIDTH, (cell or 0) + 2, header + 4)))
    return out


def table_to_xlsx_bytes(
    df: pl.DataFrame, sheet_name: str = "data", headers: Mapping[str, str] | None = None, lang: str = "zh"
) -> bytes:
    """An .xlsx with typed cells (numbers, Excel dates and times, booleans), display headers, a frozen
    header row with filters, and column widths that fit Chinese text. Formulas neutralised."""
    if df.height > EXCEL_MAX_ROWS:
        raise ValueError(t("export.too_many_rows", lang, rows=df.height, limit=EXCEL_MAX_ROWS))
    out = prepare(df, headers)
    sheet = _sheet_name(sheet_name)
    buf = io.BytesIO()
    out.write_excel(
        buf,
        worksheet=sheet,
        table_style="Table Style Light 9",
        column_formats=_column_formats(out),  # type: ignore[arg-type]
        header_format={"bold": True, "text_wrap": False},
        column_widths={c: w * PIXELS_PER_CHAR for c, w in _column_widths(out).items()},
        freeze_panes=(1, 0),
        autofilter=True,
    )
    return buf.getvalue()


def _column_formats(df: pl.DataFrame) -> dict[str, str]:
    """Excel number formats by type: integers plain, decimals with two places, dates ISO."""
    out = {}
    for name, dtype in df.schema.items():
        if dtype == pl.Date:
            out[name] = "yyyy-mm-dd"
        elif isinstance(dtype, pl.Datetime):
            out[name] = "yyyy-mm-dd hh:mm"
        elif dtype.is_integer():
            out[name] = "0"
        elif dtype.is_float() or isinstance(dtype, pl.Decimal):
            out[name] = "#,##0.00"
    return out


def _sheet_name(name: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in (name or "data")).strip("'") or "data"
    return cleaned[:31]


# ------------------------------------------------------------------------------------------ masking
def _initials(col: str) -> pl.Expr:
    """张三 -> 张某, 欧阳明 -> 欧阳某, 'John Smith' -> 'J.S.'; null stays null."""
    name = pl.col(col).cast(pl.String).str.strip_chars()
    latin = name.str.contains(r"^[A-Za-z]")
    surname = (
        pl.when(name.str.slice(0, 2).is_in(COMPOUND_SURNAMES))
        .then(name.str.slice(0, 2))
        .otherwise(name.str.slice(0, 1))
    )
    return (
        pl.when(name.is_null() | (name == ""))
        .then(name)
        .when(latin)
        .then(name.str.extract_all(r"\b[A-Za-z]").list.join(".") + ".")
        .otherwise(surname + "某")
    )


def default_id_columns(columns: Iterable[str], available: Sequence[str]) -> dict[str, str]:
    """Name column -> staff-id column by the marts' naming: `x_name` -> `x_id`, `name` -> `staff_id`."""
    out = {}
    for col in columns:
        candidates = [col[: -len("_name")] + "_id"] if col.endswith("_name") else []
        if col == "name":
            candidates.append("staff_id")
        for cand in candidates:
            if cand in available:
                out[col] = cand
                break
    return out


def mask_names(
    df: pl.DataFrame,
    columns: Iterable[str],
    mode: str = "id",
    id_column_map: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """Replace people's names in `columns` so exports don't show them.

    mode "id": each name becomes the person's staff id (工号), taken from the paired id column
      (`id_column_map`, default by naming: `approver_name` -> `approver_id`, `name` -> `staff_id`).
    mode "initials": Chinese names become surname + 某 (张三 -> 张某, 欧阳明 -> 欧阳某), Latin names their
      initials (J.S.). Different people who would get the same mask (张三, 张伟) are numbered 张某1,
      张某2 (in order of their staff id, or name when no id column) so a chart never merges two people.
    """
    columns = [c for c in columns if c in df.columns]
    if mode not in ("id", "initials"):
        raise ValueError(f"mask mode must be 'id' or 'initials', not {mode!r}")
    id_map = dict(default_id_columns(columns, df.columns))
    id_map.update({k: v for k, v in (id_column_map or {}).items() if k in columns})
    exprs = []
    for col in columns:
        id_col = id_map.get(col)
        if id_col is not None and id_col not in df.columns:
            raise ValueError(f"id column {id_col!r} for {col!r} is not in the table")
        if mode == "id":
            if id_col is None:
                raise ValueError(f"no staff-id column for {col!r}: pass id_column_map")
            exprs.append(
                pl.when(pl.col(col).is_null()).then(None).otherwise(pl.col(id_col).cast(pl.String)).alias(col)
            )
            continue
        base = _initials(col)
        who = pl.col(id_col).cast(pl.String) if id_col else pl.col(col).cast(pl.String)
        who = pl.when(pl.col(col).is_null()).then(None).otherwise(who)
        people = who.n_unique().over(base) - who.is_null().any().over(base).cast(pl.UInt32)
        number = who.rank("dense").over(base).cast(pl.Int64).cast(pl.String)
        exprs.append(pl.when(people > 1).then(base + number).otherwise(base).alias(col))
    return df.with_columns(exprs) if exprs else df


def name_replacements(roster: pl.DataFrame, mode: str = "id") -> dict[str, str]:
    """name -> mask for every person of a roster (columns `staff_id`, `name`), for masking free text."""
    masked = mask_names(roster.select("staff_id", "name").unique(), ["name"], mode=mode)
    pairs = roster.select("staff_id", "name").unique().join(masked.rename({"name": "masked"}), on="staff_id")
    pairs = pairs.filter(pl.col("name").is_not_null() & (pl.col("name").str.len_chars() > 0))
    return dict(zip(pairs["name"].to_list(), pairs["masked"].to_list(), strict=True))


def mask_text(df: pl.DataFrame, columns: Iterable[str], replacements: Mapping[str, str]) -> pl.DataFrame:
    """Replace every roster name inside free-text `columns` (e.g. a finding's detail), longest names first."""
    if not replacements:
        return df
    names = sorted(replacements, key=len, reverse=True)
    masks = [replacements[n] for n in names]
    cols = [c for c in columns if c in df.columns]
    return df.with_columns(pl.col(c).str.replace_many(names, masks, leftmost=True) for c in cols)


# ------------------------------------------------------------------------------------------ whole tables
# What the dashboard's download buttons call: the whole filtered table (a frame, or a fetch function that pages
# through the query), a first line saying what, where and when, shares as percentages, months as YYYY-MM,
# 是/否 for booleans, and sheet and file names in the interface language.
#
#     info = ExportInfo(title="各层级审批用时", filters=f, snapshot="2024-06-30 23:59", lang="zh")
#     data = export_xlsx(lambda limit, offset: queries.pending_page(con, f, limit, offset), info, headers)
#     name = export_file_name(info, "xlsx")      # 各层级审批用时_2024-04至2024-06.xlsx

Fetch = Callable[[int, int], pl.DataFrame]  # (limit, offset) -> one page of rows, in a stable order
PAGE_ROWS = 50_000


@dataclass(frozen=True)
class ExportInfo:
    """What a table export says about itself: its title (sheet and file name), the filters behind it, the
    data's snapshot time, the language, and which filters apply to it (a figure's
    `pipelines.queries.scope(...).applied`; all of them by default)."""

    title: str = ""
    filters: Filters | None = None
    snapshot: datetime | date | str | None = None
    lang: str = "zh"
    applies: tuple[str, ...] = ALL_FILTERS

    @property
    def name(self) -> str:
        return self.title or t("export.default_title", self.lang)


def first_line(info: ExportInfo) -> str:
    """'各层级审批用时｜期间：2024-04 至 2024-06；全局｜数据截至 2024-06-30 23:59'."""
    return t(
        "export.first_line",
        info.lang,
        title=info.name,
        filters=filters_text(info.filters, info.lang, info.applies),
        snapshot=snapshot_text(info.snapshot, info.lang) or "—",
    )


def _safe_name(text: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", text).strip("._") or "export"


def export_file_name(info: ExportInfo, ext: str) -> str:
    """'<title>_<period>.<ext>' in the interface language, safe on Windows (no \\/:*?"<>|)."""
    f = info.filters or Filters()
    period = ""
    if "period" in info.applies and (f.start or f.end):
        start, end = format_month(f.start or f.end), format_month(f.end or f.start)
        period = start if start == end else t("export.file_period", info.lang, start=start, end=end)
    stem = _safe_name(info.name + (f"_{period}" if period else ""))
    return f"{stem}.{ext}"


def export_sheet_name(info: ExportInfo) -> str:
    return _sheet_name(info.name)


def iter_pages(source: pl.DataFrame | Fetch, page_rows: int = PAGE_ROWS, limit: int | None = None) -> Iterator[pl.DataFrame]:
    """The rows of `source`, page by page: a frame in slices, or `fetch(limit, offset)` until a short page."""
    if isinstance(source, pl.DataFrame):
        for offset in range(0, max(source.height, 1), page_rows):
            yield source.slice(offset, page_rows)
        return
    offset = 0
    while True:
        want = page_rows if limit is None else min(page_rows, limit - offset)
        if want <= 0:
            return
        page = source(want, offset)
        yield page
        offset += page.height
        if page.height < want:
            return


def collect(source: pl.DataFrame | Fetch, page_rows: int = PAGE_ROWS, limit: int | None = None) -> pl.DataFrame:
    """The whole table of `source` in one frame (pages stacked; a column all-null on one page still stacks)."""
    if isinstance(source, pl.DataFrame):
        return source if limit is None else source.head(limit)
    pages = [p for p in iter_pages(source, page_rows, limit)]
    pages = [p for p in pages if p.height] or pages[:1]
    return pl.concat(pages, how="vertical_relaxed") if len(pages) > 1 else pages[0]


def decimals(column: str, dtype) -> int | None:
    """How many decimals the page shows of a number column (marts_spec.NUMBER_FORMATS by its declared kind,
    one for other decimals, as views._widgets.column_config does); None for a share or a non-number."""
    if not dtype.is_numeric() or column_kinds(pl.DataFrame(schema={column: dtype}))[column] == "share":
        return None
    declared = NUMBER_FORMATS.get(kind(column))
    if declared and declared.startswith("%."):
        return int(declared[2])
    if declared == "%d" or dtype.is_integer():
        return 0
    return 1


def _fixed(column: str, digits: int) -> pl.Expr:
    """A number as text with exactly `digits` decimals (15.94 -> "15.9", 3.1 -> "3.10"), blank when empty."""
    if digits == 0:
        return pl.col(column).round(0).cast(pl.Int64).cast(pl.String).fill_null("").alias(column)
    scaled = (pl.col(column) * 10**digits).round(0).cast(pl.Int64)
    sign = pl.when(scaled < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    whole = (scaled.abs() // 10**digits).cast(pl.String)
    frac = (scaled.abs() % 10**digits).cast(pl.String).str.zfill(digits)
    return (sign + whole + pl.lit(".") + frac).fill_null("").alias(column)


def for_export(df: pl.DataFrame, lang: str, *, typed: bool) -> pl.DataFrame:
    """Display formatting for a file: 是/否 for booleans, dates without midnight times; for text files
    (`typed=False`) also numbers as the page shows them (15.9 hours, not 15.94166…), shares as '2.0%',
    months as 'YYYY-MM', and a time at midnight as its date alone (a column mixing a meeting's day and an
    approval's minute); a spreadsheet keeps full precision under number formats (see export_xlsx)."""
    out = display_frame(df, lang, text_months=not typed)
    if not typed:
        fixed = []
        for name, dtype in out.schema.items():
            digits = decimals(name, dtype)
            if digits is not None and not dtype.is_integer():
                fixed.append(_fixed(name, digits))
            elif isinstance(dtype, pl.Datetime):
                fixed.append(pl.when(pl.col(name).dt.truncate("1d") == pl.col(name))
                             .then(pl.col(name).dt.strftime("%Y-%m-%d"))
                             .otherwise(pl.col(name).dt.strftime("%Y-%m-%d %H:%M")).fill_null("").alias(name))
        if fixed:
            out = out.with_columns(fixed)
        kinds = column_kinds(df)
        shares = [c for c, k in kinds.items() if k == "share"]
        if shares:
            out = out.with_columns(
                pl.when(pl.col(c).is_null()).then(pl.lit("")).otherwise(
                    (pl.col(c) * 100).round(1).cast(pl.String).str.replace(r"^(-?\d+)$", "$1.0") + "%"
                ).alias(c)
                for c in shares
            )
    return out


def _prepared_pages(source, transform, lang: str, typed: bool, limit: int | None = None) -> Iterator[pl.DataFrame]:
    for page in iter_pages(source, limit=limit):
        if transform is not None:
            page = transform(page)
        yield for_export(page, lang, typed=typed)


def export_csv(
    source: pl.DataFrame | Fetch,
    info: ExportInfo,
    headers: Mapping[str, str] | None = None,
    transform: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
) -> bytes:
    """The whole table as CSV (UTF-8 with BOM): line 1 says what, where and when; line 2 the headers.
    `transform` runs on every page before formatting (e.g. name masking)."""
    buf = io.BytesIO()
    buf.write("\ufeff".encode())
    line = pl.DataFrame({"x": [first_line(info)]})
    line.write_csv(buf, include_header=False)
    for i, page in enumerate(_prepared_pages(source, transform, info.lang, typed=False)):
        out = prepare(page, headers)
        if i > 0 and out.height == 0:
            continue
        out.write_csv(buf, include_header=(i == 0), datetime_format="%Y-%m-%d %H:%M", date_format="%Y-%m-%d")
    return buf.getvalue()


def export_xlsx(
    source: pl.DataFrame | Fetch,
    info: ExportInfo,
    headers: Mapping[str, str] | None = None,
    transform: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
) -> bytes:
    """The whole table as .xlsx: a sheet named after the table in the interface language, row 1 says what,
    where and when, row 2 the headers (frozen, with filters), typed cells: shares as 0.0 %, months as
    yyyy-mm, dates as yyyy-mm-dd. Refuses more rows than Excel holds (say so; CSV has no limit)."""
    pages = list(_prepared_pages(source, transform, info.lang, typed=True, limit=EXCEL_MAX_ROWS + 1))
    pages = [p for p in pages if p.height] or pages[:1]
    df = pl.concat(pages, how="vertical_relaxed") if len(pages) > 1 else pages[0]
    if df.height > EXCEL_MAX_ROWS:
        raise ValueError(t("export.too_many_rows", info.lang, rows=f"{df.height - 1:,}+", limit=EXCEL_MAX_ROWS))
    kinds = column_kinds(df)
    out = prepare(df, headers)
    display = {c: (headers or {}).get(c) or c for c in df.columns}
    formats: dict[str, object] = dict(_column_formats(out))
    for col, kind_ in kinds.items():
        digits = decimals(col, df.schema[col])
        if kind_ == "share":
            formats[display[col]] = "0.0%"
        elif kind_ == "month":
            formats[display[col]] = "yyyy-mm"
        elif digits is not None:  # full precision kept, shown as the page shows it
            formats[display[col]] = "#,##0" + ("." + "0" * digits if digits else "")
    widths = _column_widths(out)
    for col, width in widths.items():  # text wider than its column wraps inside it, top-aligned
        if out.schema[col] == pl.String and width >= MAX_COL_WIDTH:
            formats[col] = {"text_wrap": True, "valign": "top"}
    buf = io.BytesIO()
    workbook = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = workbook.add_worksheet(export_sheet_name(info))
    sheet.write_string(0, 0, first_line(info), workbook.add_format({"italic": True, "font_color": "#555555"}))
    out.write_excel(
        workbook=workbook,
        worksheet=sheet,
        position=(1, 0),
        table_style="Table Style Light 9",
        column_formats=formats,  # type: ignore[arg-type]
        header_format={"bold": True, "text_wrap": False},
        column_widths={c: w * PIXELS_PER_CHAR for c, w in widths.items()},
        freeze_panes=(2, 0),
        autofilter=True,
    )
    print_setup(sheet, sum(widths.values()))
    workbook.close()
    return buf.getvalue()


LANDSCAPE_CHARS = 110  # wider than this (in characters of the sheet's columns) prints landscape


def print_setup(sheet, width_chars: int) -> None:
    """Print as a court files a table: A4, one page wide (as many pages long as it takes), landscape when the
    columns are wide, the title line and the header row on every page, centred, page numbers below."""
    sheet.set_paper(9)  # A4
    if width_chars > LANDSCAPE_CHARS:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0, 1)
    sheet.center_horizontally()
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.set_footer("&C&P / &N")
