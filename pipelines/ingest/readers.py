"""Find the six tables in export files: CSV (encoding detected), .xlsx, Parquet.

A file names its table by its stem (`审批记录_2024-06.csv`), a workbook sheet by its sheet name. Every
row keeps where it came from: the source (file, sheet) and the row number as the user sees it in Excel
(header = row 1, first data row = 2). Frames come back as read: CSV and xlsx cells as text, Parquet with
its own types; `pipelines.ingest.validate` turns them into the contract's types.

`open_paths` finds the sources without reading their rows: each `Source.chunks(rows)` then reads a file
chunk by chunk (CSV and Parquet through polars' streaming reader, a GB18030 CSV transcoded to UTF-8 on
disk first; a workbook sheet at once, bounded by the `load.xlsx_*` limits), so a load's memory follows
the chunk, not the files (issue 9). `read_paths` reads every source whole (tests, small uploads).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.core import contract
from pipelines.core.faults import reraise_fault
from pipelines.core.progress import Progress
from pipelines.domain.settings import Settings

ROW = "__row"  # Excel row number of each row (header = 1)
NOTES_SHEETS = ("填写说明", "Notes")  # the import template's notes sheet (pipelines.ingest.template)

CSV_SUFFIXES = (".csv",)
XLSX_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
SUFFIXES = CSV_SUFFIXES + XLSX_SUFFIXES + PARQUET_SUFFIXES



class Empty(Exception):
    """A CSV file with no header row at all."""


@dataclass
class Source:
    """The rows of one table from one file (or one sheet of a workbook)."""

    table: str
    path: Path
    sheet: str | None
    # Columns with the file's own headers, plus ROW; None until read (`chunks` reads the file).
    frame: pl.DataFrame | None = None
    encoding: str | None = None
    # Frame columns that repeat an earlier header (the reader renamed them) -> the header as written.
    repeated_headers: dict[str, str] = field(default_factory=dict)
    rows_read: int = 0  # rows `chunks` has yielded (a source not held as `frame`)
    workdir: Path | None = None  # where a GB18030 file is transcoded (None: the system's temp folder)

    @property
    def file(self) -> str:
        return self.path.name

    @property
    def label(self) -> str:
        return f"{self.path.name} [{self.sheet}]" if self.sheet else self.path.name

    @property
    def rows(self) -> int:
        return self.frame.height if self.frame is not None else self.rows_read

    def chunks(self, rows: int) -> Iterator[pl.DataFrame]:
        """The source's rows, at most `rows` at a time, in file order (ROW counts on across chunks). The
        first chunk may have no rows (a header-only file) but has every column; an empty workbook sheet
        yields nothing. A reader error is raised from here: see `retry`, `unreadable_of`."""
        if self.frame is not None:
            for offset in range(0, max(self.frame.height, 1), rows):
                yield self.frame.slice(offset, rows)
            return
        self.rows_read = 0
        suffix = self.path.suffix.lower()
        chunks = (
            _csv_chunks(self, rows) if suffix in CSV_SUFFIXES
            else _parquet_chunks(self.path, rows) if suffix in PARQUET_SUFFIXES
            else _sheet_chunks(self, rows)
        )
        for chunk in chunks:
            self.rows_read += chunk.height
            yield chunk

    def retry(self, exc: BaseException) -> bool:
        """Whether to read the source again after `exc`: a CSV file that is not UTF-8 is read as GB18030."""
        if self.path.suffix.lower() in CSV_SUFFIXES and self.encoding != "gb18030" and _not_utf8(exc):
            self.encoding = "gb18030"
            return True
        return False

    def all_null(self, column: str) -> bool:
        """Whether every row of `column` is empty (a typed Parquet column that holds nothing is not refused)."""
        if self.frame is not None:
            return self.frame[column].null_count() == self.frame.height
        if self.path.suffix.lower() in PARQUET_SUFFIXES:
            lf = pl.scan_parquet(self.path)
            nulls, height = lf.select(pl.col(column).null_count(), pl.len()).collect().row(0)
            return nulls == height
        return False


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
    _hashing: dict[Path, Future] = field(default_factory=dict)  # FileInfo.sha256 still being computed

    def wait_hashes(self) -> None:
        """Fill each `FileInfo.sha256` (files are hashed in a thread while they are read)."""
        for info in self.files:
            future = self._hashing.get(info.path)
            if future is not None:
                info.sha256 = future.result()
        self._hashing = {}


def find_files(paths: list[Path] | list[str]) -> list[Path]:
    """Files under `paths` (folders searched recursively, sorted). Hidden and Office lock files skipped, and
    a store's lock file and load log."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file())
        else:
            found = [p]
        for f in found:
            # hidden and Office lock files; a store's own lock and load log (a store kept beside its exports)
            if f.name.startswith((".", "~$")) or f.name.endswith((".duckdb.lock", ".loads.log")):
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


def _not_utf8(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, pl.exceptions.ComputeError) and ("utf-8" in text or "utf8" in text)


CSV_OPTIONS = {"infer_schema": False, "row_index_name": ROW, "row_index_offset": 2, "raise_if_empty": False}


def _csv_frame(df: pl.DataFrame) -> pl.DataFrame:
    """ROW first, as UInt32; a BOM never sticks to the first header."""
    if df.columns and df.columns[0] != ROW:  # keep ROW first, whatever polars does
        df = df.select(ROW, pl.exclude(ROW))
    df = df.rename({c: c.lstrip("\ufeff") for c in df.columns if c.startswith("\ufeff")})
    return df.with_columns(pl.col(ROW).cast(pl.UInt32))


def _transcode(path: Path, encoding: str, workdir: Path | None) -> Path:
    """A UTF-8 copy of text file `path` (decoded block by block), for polars' streaming reader."""
    fd, name = tempfile.mkstemp(prefix=".transcoded-", suffix=".csv", dir=workdir)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        with open(path, "rb") as src, os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            while block := src.read(1 << 22):
                out.write(decoder.decode(block))
            out.write(decoder.decode(b"", final=True))
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def _csv_chunks(source: Source, rows: int) -> Iterator[pl.DataFrame]:
    """A CSV file chunk by chunk, as text columns + ROW, in `source.encoding` (None: UTF-8)."""
    path, copy = source.path, None
    if source.encoding == "gb18030":
        try:
            path = copy = _transcode(source.path, "gb18030", source.workdir)
        except UnicodeDecodeError:
            pl.read_csv(source.path, encoding="gb18030", **CSV_OPTIONS)  # the reader's own error, as before
            raise
    else:
        source.encoding = "utf-8"
    try:
        lf = pl.scan_csv(path, encoding="utf8", **CSV_OPTIONS)
        columns = lf.collect_schema()
        if len(columns) <= 1:
            raise Empty("empty")
        first = True
        for chunk in lf.collect_batches(chunk_size=rows):
            chunk = _csv_frame(chunk)
            if first:
                source.repeated_headers = _repeated([c for c in chunk.columns if c != ROW],
                                                    _csv_header(source.path, source.encoding))
                first = False
            yield chunk
        if first:  # a header without rows
            empty = _csv_frame(pl.DataFrame(schema=columns))
            source.repeated_headers = _repeated([c for c in empty.columns if c != ROW],
                                                _csv_header(source.path, source.encoding))
            yield empty
    finally:
        if copy is not None:
            copy.unlink(missing_ok=True)


def _parquet_chunks(path: Path, rows: int) -> Iterator[pl.DataFrame]:
    lf = pl.scan_parquet(path, row_index_name=ROW, row_index_offset=2)
    first = True
    for chunk in lf.collect_batches(chunk_size=rows):
        first = False
        yield chunk
    if first:
        yield pl.DataFrame(schema=lf.collect_schema())


def _sheet_chunks(source: Source, rows: int) -> Iterator[pl.DataFrame]:
    """A workbook sheet (read at once: its size is bounded by the `load.xlsx_*` limits), in chunks. An
    entirely empty sheet yields nothing."""
    import fastexcel

    df = read_sheet(fastexcel.read_excel(source.path), source.sheet)
    if df.width <= 1:
        return
    source.repeated_headers = _sheet_repeated(df.columns)
    for offset in range(0, max(df.height, 1), rows):
        yield df.slice(offset, rows)


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


def _open_file(path: Path, limits: Limits) -> tuple[list[Source], list[str], list[Unreadable]]:
    """The sources of one file, not yet read (workbooks: their sheets are listed, not parsed)."""
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
        sources = [Source(table, path, sheet, repeated_headers={}) for sheet, table in chosen]
        # Empty unrecognised sheets (a workbook's default "Sheet2") are not worth a mention.
        skipped = [s for s in skipped if _sheet_has_cells(reader, s.split(" [", 1)[1][:-1])]
        return sources, skipped, []
    if not stem_table:
        return [], [path.name], []
    if suffix in CSV_SUFFIXES or suffix in PARQUET_SUFFIXES:
        return [Source(stem_table, path, None)], [], []
    return [], [path.name], []


def unreadable_of(source: Source, exc: BaseException) -> Unreadable:
    """A source whose reading failed with `exc`, as the problem the user reads."""
    if isinstance(exc, TooLarge):
        return Unreadable(source.path, None, str(exc), "too_large", exc.params)
    if isinstance(exc, Empty):
        return Unreadable(source.path, None, "empty")
    return Unreadable(source.path, None, _first_line(exc))


def read_source(source: Source, rows: int = 1 << 62) -> pl.DataFrame | None:
    """The whole of `source` as one frame (None: an empty sheet), retrying another encoding if need be."""
    while True:
        try:
            parts = list(source.chunks(rows))
        except Exception as exc:
            if source.retry(exc):
                continue
            raise
        if not parts:
            return None
        return pl.concat(parts, how="vertical") if len(parts) > 1 else parts[0]


def _first_line(exc: Exception) -> str:
    """A reader's error in one line (polars adds paragraphs of hints that mean nothing to a user)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:300]}"


def _sheet_has_cells(reader, sheet: str) -> bool:
    try:
        return reader.load_sheet(sheet, dtypes="string", n_rows=1).width > 0
    except Exception:  # noqa: BLE001 - an unreadable unrecognised sheet is still worth listing
        return True


def open_paths(
    paths: list[Path] | list[str], progress: Progress | None = None, limits: Limits | None = None,
    workdir: Path | None = None,
) -> ReadResult:
    """Find every source under `paths` without reading its rows (`Source.chunks` reads them). Files that
    name no table are listed, never silently ignored. `FileInfo.rows` is filled by `count_rows` once the
    sources were read."""
    limits = limits or Limits.of()
    files = find_files(paths)
    result = ReadResult([], [], [], [])
    pool = ThreadPoolExecutor(max_workers=1)  # hash while the files are read (wait_hashes)
    try:
        result._hashing = {f: pool.submit(sha256_of, f) for f in files if f.suffix.lower() in SUFFIXES}
        for i, f in enumerate(files):
            if progress:
                progress(i / max(len(files), 1), f.name)
            if f.suffix.lower() not in SUFFIXES:
                result.unrecognised.append(f.name)
                continue
            try:
                sources, skipped, unreadable = _open_file(f, limits)
            except TooLarge as exc:
                sources, skipped, unreadable = [], [], [Unreadable(f, None, str(exc), "too_large", exc.params)]
            except Exception as exc:  # noqa: BLE001 - any reader error is the user's file problem
                reraise_fault(exc)  # ... but a full disk or a vanished file is the machine's
                sources, skipped, unreadable = [], [], [Unreadable(f, None, _first_line(exc))]
            for s in sources:
                s.workdir = workdir
            result.sources.extend(sources)
            result.unrecognised.extend(skipped)
            result.unreadable.extend(unreadable)
            if sources or unreadable:
                result.files.append(FileInfo(f, ""))
    finally:
        pool.shutdown(wait=False)
    if progress:
        progress(1.0, "")
    return result


def count_rows(result: ReadResult, read: list[Source]) -> None:
    """Fill `result.files[*].rows` from the sources that were read (`read`: those that were, whole)."""
    by_path = {f.path: f for f in result.files}
    for info in result.files:
        info.rows = {}
    for s in read:
        info = by_path[s.path]
        info.rows[s.table] = info.rows.get(s.table, 0) + s.rows


def read_paths(
    paths: list[Path] | list[str], progress: Progress | None = None, limits: Limits | None = None
) -> ReadResult:
    """Read every file under `paths`, each source whole (`Source.frame`). Files that name no table are
    listed, never silently ignored."""
    result = open_paths(paths, None, limits)
    files = {f.path for f in result.files}
    sizes = {f: max(f.stat().st_size, 1) for f in files}
    total, done = sum(sizes.values()) or 1, 0
    sources: list[Source] = []
    failed: set[Path] = set()
    seen: set[Path] = set()
    for s in result.sources:
        if progress and s.path not in seen:
            progress(done / total, s.path.name)
            done += sizes[s.path]
            seen.add(s.path)
        if s.path in failed:
            continue
        try:
            s.frame = read_source(s)
        except Exception as exc:  # noqa: BLE001 - any reader error is the user's file problem
            reraise_fault(exc)  # ... but a full disk or a vanished file is the machine's
            result.unreadable.append(unreadable_of(s, exc))
            failed.add(s.path)
            continue
        if s.frame is not None:
            sources.append(s)
    result.sources = [s for s in sources if s.path not in failed]
    order = {f.path: i for i, f in enumerate(result.files)}
    result.unreadable.sort(key=lambda u: order.get(u.path, -1))
    kept = {s.path for s in result.sources} | {u.path for u in result.unreadable}
    result.files = [f for f in result.files if f.path in kept]
    count_rows(result, result.sources)
    result.wait_hashes()
    if progress:
        progress(1.0, "")
    return result
