"""The statutory clock of a case (DOMAIN.md §6), beside the regulation's internal latency.

The regulation sets no deadline for a case; the law does. 《最高人民法院关于严格执行案件审理期限制度的若干规定》
Art. 5: an enforcement case is concluded within six months of filing, a non-litigation one (非诉执行) within
three. A case's deadline is the exported `deadline_on` (审限届满日期: the case system's, extensions and
excluded periods included) when given, else `filed_on` + 6 (or 3) calendar months, the same day of the month
(the month's last day where that day does not exist), moved to the next working day when it falls on a
non-working day (the official calendar of `pipelines.domain.workdays`).

Pure polars: `case_clock(...)` gives one row per case, `clock_monthly(...)` the closing months. No row loops:
the next working day is an index lookup into the calendar, like working days in `workdays`.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines.domain.settings import Settings
from pipelines.domain.workdays import Calendar, build_calendar

STATUTORY_MONTHS = 6  # SPC rule on time limits, Art. 5: enforcement cases
NON_LITIGATION_MONTHS = 3  # … and non-litigation enforcement cases (非诉执行)
TIERS = ("RED", "YELLOW")  # open cases past their deadline; within the warning days of it
SOURCES = ("EXPORTED", "COMPUTED")  # where a case's deadline comes from

CASE_CLOCK_COLUMNS = (
    "case_id", "team", "division", "judge_id", "judge_name", "case_kind", "filed_on", "closed_on", "is_open",
    "term_months", "computed_deadline", "deadline_on", "deadline", "deadline_source", "days_left", "tier",
    "on_time", "days_to_close", "days_late", "month",
)


def calendar_span(cases: pl.DataFrame) -> tuple[dt.date, dt.date] | None:
    """The dates a calendar needs to compute every case's deadline (None: no cases)."""
    filed = cases["filed_on"].drop_nulls()
    if filed.is_empty():
        return None
    return span_of(filed.min(), filed.max())


def span_of(first_filed: dt.date, last_filed: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar's span for cases filed from `first_filed` to `last_filed`: the longest term plus room
    for the move past a holiday (the longest, Spring Festival, is ~9 days)."""
    return first_filed, last_filed + dt.timedelta(days=31 * STATUTORY_MONTHS + 31)


def _covers(cal: Calendar, span: tuple[dt.date, dt.date]) -> bool:
    return cal.start <= span[0] and cal.frame["date"][-1] >= span[1]


def computed_deadline(filed_on: pl.Expr, months: pl.Expr, cal: Calendar) -> pl.Expr:
    """`filed_on` + `months` calendar months (clamped to the month's end), moved to the next working day."""
    return cal.next_workday(filed_on.dt.offset_by(pl.format("{}mo", months)))


def case_clock(
    cases: pl.DataFrame,
    ppl: pl.DataFrame,
    teams: pl.DataFrame,
    settings: Settings,
    snapshot: dt.datetime | None,
    cal: Calendar | None = None,
) -> pl.DataFrame:
    """One row per case: its deadline and where it comes from; for open cases the days left at the
    snapshot date and the warning tier; for closed ones whether on time and the days to close.

    `cal` is used if it covers the cases' span, else a calendar is built for them (same holidays file).
    """
    span = calendar_span(cases)
    if span is not None and (cal is None or not _covers(cal, span)):
        cal = build_calendar(span[0], span[1], settings.holidays_file)
    today = pl.lit(snapshot.date() if snapshot else None, dtype=pl.Date)
    non_litigation = pl.col("case_kind").is_in(list(settings.non_litigation_kinds)).fill_null(False)
    judges = ppl.select(judge_id="staff_id", judge_name="name")
    df = (
        cases.join(teams, on="team", how="left")
        .join(judges, on="judge_id", how="left")
        .with_columns(
            is_open=pl.col("closed_on").is_null(),
            term_months=pl.when(non_litigation).then(NON_LITIGATION_MONTHS).otherwise(STATUTORY_MONTHS)
            .cast(pl.Int8),
        )
    )
    if cal is None:  # no cases
        df = df.with_columns(computed_deadline=pl.lit(None, pl.Date))
    else:
        df = df.with_columns(computed_deadline=computed_deadline(pl.col("filed_on"), pl.col("term_months"), cal))
    df = df.with_columns(
        deadline=pl.coalesce("deadline_on", "computed_deadline"),
        deadline_source=pl.when(pl.col("deadline_on").is_not_null()).then(pl.lit("EXPORTED"))
        .otherwise(pl.lit("COMPUTED")),
    ).with_columns(
        days_left=pl.when("is_open").then((pl.col("deadline") - today).dt.total_days()),
        on_time=pl.when(~pl.col("is_open")).then(pl.col("closed_on") <= pl.col("deadline")),
        days_to_close=(pl.col("closed_on") - pl.col("filed_on")).dt.total_days(),
        month=pl.col("closed_on").dt.truncate("1mo"),
    ).with_columns(
        tier=pl.when(pl.col("days_left") < 0)
        .then(pl.lit("RED"))
        .when(pl.col("days_left") <= settings.clock_yellow_days)
        .then(pl.lit("YELLOW")),
        days_late=pl.when(~pl.col("is_open") & ~pl.col("on_time"))
        .then((pl.col("closed_on") - pl.col("deadline")).dt.total_days()),
    )
    return df.select(CASE_CLOCK_COLUMNS).sort("case_id")


def clock_monthly(clock: pl.DataFrame, keys: tuple[str, ...] = ("team", "division")) -> pl.DataFrame:
    """Per month of closing (and `keys`): cases closed, closed on time, the share on time (法定期限内结案率),
    median and mean days from filing to closing (medians interpolate linearly, as everywhere)."""
    days = pl.col("days_to_close").cast(pl.Float64)
    return (
        clock.filter(~pl.col("is_open"))
        .group_by("month", *keys)
        .agg(
            pl.len().cast(pl.Int64).alias("closed"),
            pl.col("on_time").sum().cast(pl.Int64).alias("on_time"),
            days.quantile(0.5, interpolation="linear").alias("median_days_to_close"),
            days.mean().alias("mean_days_to_close"),
        )
        .with_columns(on_time_share=pl.col("on_time") / pl.col("closed"))
        .select("month", *keys, "closed", "on_time", "on_time_share", "median_days_to_close", "mean_days_to_close")
        .sort("month", *keys, nulls_last=True)
    )
