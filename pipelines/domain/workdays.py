"""Official working days of mainland China, as a calendar frame with cumulative counts.

Sources, per date: the user's holidays file (overrides everything), else the chinese-calendar package
(statutory holidays and the weekend days worked in lieu, 调休; it covers 2004–2026), else Monday–Friday.
A year that neither the package nor the file covers falls back to Monday–Friday and is reported
(`Calendar.coverage`, `Calendar.fallback_years`) so the pages and the report can say so.

Working days in the half-open range (a, b] = cum[b] − cum[a]: the calendar is built once per rebuild
and every row is answered by an index lookup (`workdays_between`), never by a per-row Python call.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.domain.errors import SettingsError

EPOCH = dt.date(1970, 1, 1)
KINDS = {"holiday": False, "workday": True, "假日": False, "休息日": False, "节假日": False, "工作日": True, "调休上班": True}


def package_days() -> tuple[dict[dt.date, bool], set[int]]:
    """chinese-calendar's exceptions to Mon–Fri: date -> is_workday, and the years it covers."""
    from chinese_calendar import constants

    days = {d: False for d in constants.holidays}
    days.update({d: True for d in constants.workdays})
    return days, {d.year for d in constants.holidays}


def _holiday_day(value: object, path: Path, line: int | None) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value).strip().replace("/", "-"))
        except ValueError:
            raise SettingsError("holidays.error.date", path=path, line=line, value=_quoted(value)) from None
    return day


def _holiday_kind(value: object, path: Path, line: int | None) -> bool:
    k = str(value if value is not None else "").strip().lower()
    if k not in KINDS:
        raise SettingsError("holidays.error.kind", path=path, line=line, value=_quoted(value))
    return KINDS[k]


def _quoted(value: object) -> str:
    return f"“{'' if value is None else value}”"


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SettingsError("settings.error.unreadable", path=path, reason=exc.strerror or str(exc)) from exc
    for encoding in ("utf-8-sig", "gb18030"):  # Excel saves CSV in the system's code page
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SettingsError("settings.error.encoding", path=path)


def _csv_rows(path: Path, text: str) -> list[tuple[int, object, object]]:
    reader = csv.reader(text.splitlines())
    header: list[str] | None = None
    rows: list[tuple[int, object, object]] = []
    try:
        for fields in reader:
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue
            if header is None:
                header = [f.strip().lower() for f in fields]
                if "date" not in header or "kind" not in header:
                    raise SettingsError("holidays.error.columns", path=path, line=line, value=",".join(fields))
                continue
            cells = dict(zip(header, fields))
            rows.append((line, cells.get("date"), cells.get("kind")))
    except csv.Error as exc:
        raise SettingsError("settings.error.syntax", path=path, line=reader.line_num, reason=str(exc)) from None
    return rows


def _toml_rows(path: Path, text: str) -> list[tuple[int | None, object, object]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"at line (\d+), column (\d+)", str(exc))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        if m:
            raise SettingsError("settings.error.syntax_at", path=path, line=int(m.group(1)), column=m.group(2),
                                reason=reason) from None
        raise SettingsError("settings.error.syntax", path=path, reason=reason) from None
    days = data.get("day", [])
    if set(data) - {"day"} or not isinstance(days, list) or not all(isinstance(d, dict) for d in days):
        raise SettingsError("holidays.error.entries", path=path)
    # The line of each [[day]] entry, for the messages.
    starts = [n for n, line in enumerate(text.splitlines(), start=1) if re.match(r"\s*\[\[\s*day\s*\]\]", line)]
    rows: list[tuple[int | None, object, object]] = []
    for i, d in enumerate(days):
        line = starts[i] if i < len(starts) else None
        unknown = set(d) - {"date", "kind", "name"}
        if unknown:
            raise SettingsError("holidays.error.entry_key", path=path, line=line, value=", ".join(sorted(unknown)))
        rows.append((line, d.get("date"), d.get("kind")))
    return rows


def read_holidays_file(path: str | Path) -> dict[dt.date, bool]:
    """The user's holidays file: CSV (header `date,kind`) or TOML (`[[day]] date = …, kind = "…"`).

    Anything wrong raises `SettingsError` naming the file and the line: the whole file is checked when the
    settings are read, before any load or rebuild runs.
    """
    path = Path(path)
    text = _read_text(path)
    rows = _toml_rows(path, text) if path.suffix.lower() == ".toml" else _csv_rows(path, text)
    out: dict[dt.date, bool] = {}
    seen: dict[dt.date, int | None] = {}
    for line, d, kind in rows:
        day = _holiday_day(d, path, line)
        is_workday = _holiday_kind(kind, path, line)
        if day in out and out[day] != is_workday:
            raise SettingsError("holidays.error.duplicate", path=path, line=line, value=day.isoformat(),
                                other=seen[day] or "?")
        out[day] = is_workday
        seen.setdefault(day, line)
    return out


@dataclass(frozen=True)
class Calendar:
    start: dt.date
    frame: pl.DataFrame  # date, is_workday, cum_workdays (working days in [start, date])
    coverage: pl.DataFrame  # year, source (package | file | weekday_fallback)

    @property
    def fallback_years(self) -> list[int]:
        return self.coverage.filter(pl.col("source") == "weekday_fallback")["year"].to_list()

    def cum(self, date_expr: pl.Expr) -> pl.Expr:
        """Cumulative working days at each date of `date_expr` (null outside the calendar)."""
        idx = date_expr.cast(pl.Date).cast(pl.Int32) - (self.start - EPOCH).days
        return pl.lit(self.frame["cum_workdays"]).gather(idx)

    def workdays_between(self, a: pl.Expr, b: pl.Expr) -> pl.Expr:
        """Working days in the half-open range (date of a, date of b]; same day = 0."""
        return self.cum(b) - self.cum(a)

    def next_workday(self, date_expr: pl.Expr) -> pl.Expr:
        """The first working day on or after each date of `date_expr` (null outside the calendar, or when
        no working day follows within it)."""
        following = self.frame.select(pl.when("is_workday").then(pl.col("date")).backward_fill())["date"]
        idx = date_expr.cast(pl.Date).cast(pl.Int32) - (self.start - EPOCH).days
        inside = (idx >= 0) & (idx < len(following))
        return pl.when(inside).then(pl.lit(following).gather(idx.clip(0, len(following) - 1)))

    def is_workday(self, day: dt.date) -> bool:
        return bool(self.frame["is_workday"][(day - self.start).days])


def build_calendar(start: dt.date, end: dt.date, holidays_file: str | Path | None = None) -> Calendar:
    """The calendar of every date from `start` to `end` (whole years, so coverage is per year)."""
    start, end = dt.date(start.year, 1, 1), dt.date(max(end, start).year, 12, 31)
    pkg, pkg_years = package_days()
    user = read_holidays_file(holidays_file) if holidays_file else {}
    user_years = {d.year for d in user}

    exceptions = {d: w for d, w in pkg.items() if start <= d <= end}
    exceptions.update({d: w for d, w in user.items() if start <= d <= end})
    exc = pl.DataFrame(
        {"date": list(exceptions), "exception": list(exceptions.values())},
        schema={"date": pl.Date, "exception": pl.Boolean},
    )
    frame = (
        pl.DataFrame({"date": pl.date_range(start, end, "1d", eager=True)})
        .join(exc, on="date", how="left")
        .with_columns(is_workday=pl.coalesce("exception", pl.col("date").dt.weekday() <= 5))
        .with_columns(cum_workdays=pl.col("is_workday").cast(pl.Int32).cum_sum())
        .select("date", "is_workday", "cum_workdays")
    )
    years = list(range(start.year, end.year + 1))
    coverage = pl.DataFrame(
        {
            "year": years,
            "source": [
                "package" if y in pkg_years else "file" if y in user_years else "weekday_fallback" for y in years
            ],
        },
        schema={"year": pl.Int32, "source": pl.String},
    )
    return Calendar(start=start, frame=frame, coverage=coverage)


def workdays(a: dt.date, b: dt.date, holidays_file: str | Path | None = None) -> int:
    """Working days in (a, b] — a convenience for tests and scripts; data goes through `Calendar`."""
    cal = build_calendar(min(a, b), max(a, b), holidays_file)
    df = pl.DataFrame({"a": [a], "b": [b]})
    return int(df.select(cal.workdays_between(pl.col("a"), pl.col("b")))[0, 0])
