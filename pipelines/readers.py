"""Find the six tables in export files: CSV (encoding detected), .xlsx, Parquet.

A file names its table by its stem (`审批记录_2024-06.csv`), a workbook sheet by its sheet name. Every
row keeps where it came from: the source (file, sheet) and the row number as the user sees it in Excel
(header = row 1, first data row = 2). Frames come back as read: CSV and xlsx cells as text, Parquet with
its own types; `pipelines.validate` turns them into the contract's types.
"""

from __future__ import annotations

import csv
import hashlib
import re
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines import contract
from pipelines.settings import Settings

ROW = "__row"  # Excel row number of each row (header = 1)
NOTES_SHEETS = ("填写说明", "Notes")  # the import template's notes sheet (pipelines.template)

CSV_SUFFIXES = (".csv",)
XLSX_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
SUFFIXES = CSV_SUFFIXES + XLSX_SUFFIXES + PARQUET_SUFFIXES

Progress = Callable[[float, str], None]


@dataclass
class Source:
    """The rows of one table from one file (or one sheet of a workbook)."""

    table: str
    path: Path
    sheet: str | None
    frame: pl.DataFrame  # columns with the file's own headers, plus ROW
    encoding: str | None = None
    # Frame columns that repeat an earlier header (the reader renamed them) -> the header as written.
    repeated_headers: dict[str, str] = field(default_factory=dict)

    @property
    def file(self) -> str:
        return self.path.name

    @property
    def label(self) -> str:
        return f"{self.path.name} [{self.sheet}]" if self.sheet else self.path.name

    @property
    def rows(self) -> int:
        return self.frame.height


@dataclass
class FileInfo:
    path: Path
    sha256: str
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows read from this file


@dataclass
class Unreadable:
    path: Path
    sheet: str | None
    error: str
    kind: str = "unreadable"  # or "too_large": a workbook that would inflate beyond the limits
    params: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class Limits:
    """Bounds on work for hostile files (settings `load.*`): an .xlsx is a zip archive, checked before
    it is parsed."""

    xlsx_max_uncompressed_mb: float
    xlsx_max_ratio: float

    @classmethod
    def of(cls, settings: Settings | None = None) -> Limits:
        s = settings or Settings()
        return cls(s.xlsx_max_uncompressed_mb, s.xlsx_max_ratio)


class TooLarge(Exception):
    def __init__(self, **params: object) -> None:
        super().__init__(", ".join(f"{k}={v}" for k, v in params.items()))
        self.params = tuple(params.items())


@dataclass
class ReadResult:
    sources: list[Source]
    files: list[FileInfo]
    unrecognised: list[str]  # file names / "file [sheet]" that name no table
    unreadable: list[Unreadable]


def find_files(paths: list[Path] | list[str]) -> list[Path]:
    """Files under `paths` (folders searched recursively, sorted). Hidden and Office lock files skipped."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file())
        else:
            found = [p]
        for f in found:
            if f.name.startswith((".", "~$")):
                continue
            if f not in out:
                out.append(f)
    return out


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def _csv_header(path: Path, encoding: str) -> list[str]:
    with open(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding, errors="replace", newline="") as fh:
        return next(csv.reader(fh), [])


def _repeated(columns: list[str], written: list[str]) -> dict[str, str]:
    """Columns whose header (as written, by position) already came earlier in the header row."""
    if len(columns) != len(written):
        return {}
    seen: set[str] = set()
    out: dict[str, str] = {}
    for col, header in zip(columns, written):
        if header in seen:
            out[col] = header
        seen.add(header)
    return out


def read_csv(path: Path) -> tuple[pl.DataFrame, str]:
    """A CSV file as text columns + ROW. Tries strict UTF-8 (a BOM is dropped), else GB18030 (⊃ GBK)."""
    options = {"infer_schema": False, "row_index_name": ROW, "row_index_offset": 2, "raise_if_empty": False}
    try:
        df, encoding = pl.read_csv(path, encoding="utf8", **options), "utf-8"
    except pl.exceptions.ComputeError as exc:
        if "utf-8" not in str(exc).lower() and "utf8" not in str(exc).lower():
            raise
        df, encoding = pl.read_csv(path, encoding="gb18030", **options), "gb18030"
    if df.columns and df.columns[0] != ROW:  # keep ROW first, whatever polars does
        df = df.select(ROW, pl.exclude(ROW))
    df = df.rename({c: c.lstrip("\ufeff") for c in df.columns if c.startswith("\ufeff")})
    return df.with_columns(pl.col(ROW).cast(pl.UInt32)), encoding


def _drop_blank_rows(df: pl.DataFrame) -> pl.DataFrame:
    data = [c for c in df.columns if c != ROW]
    if not data:
        return df
    return df.filter(~pl.all_horizontal(pl.col(data).is_null()))


def read_sheet(reader, sheet: str) -> pl.DataFrame:
    """One worksheet as text columns + ROW. Excel date cells come as `YYYY-MM-DD HH:MM:SS` text."""
    df = reader.load_sheet(sheet, dtypes="string").to_polars()
    df = df.with_row_index(ROW, offset=2)
    return _drop_blank_rows(df)


def _sheet_repeated(columns: list[str]) -> dict[str, str]:
    """fastexcel names a repeated header `姓名_1`, `姓名_2`…: those columns -> the header as written."""
    present = set(columns)
    out = {}
    for c in columns:
        m = re.fullmatch(r"(.+)_(\d+)", c)
        if m and m.group(1) in present:
            out[c] = m.group(1)
    return out


def check_archive(path: Path, limits: Limits) -> None:
    """Refuse a zip-based workbook that would inflate beyond the limits, before anything parses it.

    Sizes come from the archive's directory (no decompression), so a 10 MB file declaring 3 GB is refused
    at once. A file that is not a zip archive is left to the workbook reader, which reports it.
    """
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    inflated = sum(i.file_size for i in infos)
    packed = max(sum(i.compress_size for i in infos), path.stat().st_size, 1)
    mb, ratio = inflated / 2**20, inflated / packed
    if mb > limits.xlsx_max_uncompressed_mb or ratio > limits.xlsx_max_ratio:
        raise TooLarge(
            size_mb=f"{mb:,.0f}", ratio=f"{ratio:,.0f}", max_mb=f"{limits.xlsx_max_uncompressed_mb:,g}",
            max_ratio=f"{limits.xlsx_max_ratio:,g}",
        )


def read_parquet(path: Path) -> pl.DataFrame:
    df = pl.read_parquet(path).with_row_index(ROW, offset=2)
    return df


def _read_file(path: Path, limits: Limits) -> tuple[list[Source], list[str], list[Unreadable]]:
    suffix = path.suffix.lower()
    stem_table = contract.table_for_name(path.stem)
    if suffix in XLSX_SUFFIXES:
        import fastexcel

        check_archive(path, limits)
        reader = fastexcel.read_excel(path)
        # The template's notes and hidden list sheets are not data.
        names = [s for s in reader.sheet_names if not s.startswith("_") and s not in NOTES_SHEETS]
        by_sheet = {s: contract.table_for_name(s) for s in names}
        if any(by_sheet.values()):
            chosen = [(s, t) for s, t in by_sheet.items() if t]
            skipped = [f"{path.name} [{s}]" for s, t in by_sheet.items() if not t]
        elif stem_table and names:
            chosen, skipped = [(names[0], stem_table)], [f"{path.name} [{s}]" for s in names[1:]]
        else:
            return [], [path.name], []
        sources = []
        for sheet, table in chosen:
            df = read_sheet(reader, sheet)
            if df.width <= 1:  # an entirely empty sheet: nothing to load
                continue
            sources.append(Source(table, path, sheet, df, repeated_headers=_sheet_repeated(df.columns)))
        # Empty unrecognised sheets (a workbook's default "Sheet2") are not worth a mention.
        skipped = [s for s in skipped if _sheet_has_cells(reader, s.split(" [", 1)[1][:-1])]
        return sources, skipped, []
    if not stem_table:
        return [], [path.name], []
    if suffix in CSV_SUFFIXES:
        df, encoding = read_csv(path)
        if df.width <= 1:
            return [], [], [Unreadable(path, None, "empty")]
        repeated = _repeated([c for c in df.columns if c != ROW], _csv_header(path, encoding))
        return [Source(stem_table, path, None, df, encoding, repeated)], [], []
    if suffix in PARQUET_SUFFIXES:
        return [Source(stem_table, path, None, read_parquet(path))], [], []
    return [], [path.name], []


def _first_line(exc: Exception) -> str:
    """A reader's error in one line (polars adds paragraphs of hints that mean nothing to a user)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:300]}"


def _sheet_has_cells(reader, sheet: str) -> bool:
    try:
        return reader.load_sheet(sheet, dtypes="string", n_rows=1).width > 0
    except Exception:  # noqa: BLE001 - an unreadable unrecognised sheet is still worth listing
        return True


def read_paths(
    paths: list[Path] | list[str], progress: Progress | None = None, limits: Limits | None = None
) -> ReadResult:
    """Read every file under `paths`. Files that name no table are listed, never silently ignored."""
    limits = limits or Limits.of()
    files = find_files(paths)
    sizes = [max(f.stat().st_size, 1) for f in files]
    total = sum(sizes) or 1
    result = ReadResult([], [], [], [])
    done = 0
    with ThreadPoolExecutor(max_workers=1) as pool:  # hash while polars reads
        hashes = {f: pool.submit(sha256_of, f) for f in files if f.suffix.lower() in SUFFIXES}
        for f, size in zip(files, sizes):
            if progress:
                progress(done / total, f.name)
            if f.suffix.lower() not in SUFFIXES:
                result.unrecognised.append(f.name)
                done += size
                continue
            try:
                sources, skipped, unreadable = _read_file(f, limits)
            except TooLarge as exc:
                sources, skipped, unreadable = [], [], [Unreadable(f, None, str(exc), "too_large", exc.params)]
            except Exception as exc:  # noqa: BLE001 - any reader error is the user's file problem
                sources, skipped, unreadable = [], [], [Unreadable(f, None, _first_line(exc))]
            result.sources.extend(sources)
            result.unrecognised.extend(skipped)
            result.unreadable.extend(unreadable)
            if sources or unreadable:
                info = FileInfo(f, hashes[f].result())
                for s in sources:
                    info.rows[s.table] = info.rows.get(s.table, 0) + s.rows
                result.files.append(info)
            done += size
    if progress:
        progress(1.0, "")
    return result
