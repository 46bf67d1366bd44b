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
import tomllib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.settings import SettingsError

EPOCH = dt.date(1970, 1, 1)
KINDS = {"holiday": False, "workday": True, "假日": False, "休息日": False, "节假日": False, "工作日": True, "调休上班": True}


def package_days() -> tuple[dict[dt.date, bool], set[int]]:
    """chinese-calendar's exceptions to Mon–Fri: date -> is_workday, and the years it covers."""
    from chinese_calendar import constants

    days = {d: False for d in constants.holidays}
    days.update({d: True for d in constants.workdays})
    return days, {d.year for d in constants.holidays}


def read_holidays_file(path: str | Path) -> dict[dt.date, bool]:
    """The user's holidays file: CSV (header `date,kind`) or TOML (`[[day]] date = …, kind = "…"`)."""
    path = Path(path)
    rows: list[tuple[object, object]] = []
    try:
        if path.suffix.lower() == ".toml":
            with path.open("rb") as fh:
                data = tomllib.load(fh)
            rows = [(d.get("date"), d.get("kind")) for d in data.get("day", [])]
        else:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                reader = csv.DictReader(fh)
                rows = [(r.get("date"), r.get("kind")) for r in reader]
    except (OSError, tomllib.TOMLDecodeError, csv.Error, UnicodeDecodeError) as exc:
        raise SettingsError("settings.error.unreadable", path=str(path), reason=str(exc)) from exc
    out: dict[dt.date, bool] = {}
    for i, (d, kind) in enumerate(rows, start=2):
        try:
            day = d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d).strip().replace("/", "-"))
        except ValueError:
            raise SettingsError("settings.error.holiday_row", path=str(path), row=i, value=d) from None
        k = str(kind or "").strip().lower()
        if k not in KINDS:
            raise SettingsError("settings.error.holiday_row", path=str(path), row=i, value=kind)
        out[day] = KINDS[k]
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
