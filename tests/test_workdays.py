"""Official working days of mainland China: statutory holidays, weekend days worked in lieu, fallback."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from storebuilder import make_store, read, step

from pipelines.domain.settings import SettingsError
from pipelines.domain.workdays import build_calendar, read_holidays_file, workdays

D = dt.date


def test_same_day_is_zero():
    assert workdays(D(2024, 3, 4), D(2024, 3, 4)) == 0
    assert workdays(D(2024, 2, 10), D(2024, 2, 10)) == 0  # a holiday, same day


def test_ordinary_week():
    # (Mon 4 Mar, Mon 11 Mar]: Tue–Fri + Mon = 5
    assert workdays(D(2024, 3, 4), D(2024, 3, 11)) == 5


def test_spring_festival_2024_with_worked_sundays():
    # 2024: holiday 10–17 Feb; Sunday 4 Feb and Sunday 18 Feb are worked in lieu (调休).
    assert workdays(D(2024, 2, 3), D(2024, 2, 4)) == 1  # Sunday 4 Feb counts
    assert workdays(D(2024, 2, 9), D(2024, 2, 17)) == 0  # the whole festival week is off
    assert workdays(D(2024, 2, 17), D(2024, 2, 18)) == 1  # Sunday 18 Feb counts
    # (Fri 2 Feb, Mon 19 Feb]: Sun 4, Mon 5–Fri 9 (New Year's Eve was a working day in 2024), Sun 18, Mon 19
    assert workdays(D(2024, 2, 2), D(2024, 2, 19)) == 8
    cal = build_calendar(D(2024, 1, 1), D(2024, 12, 31))
    assert cal.is_workday(D(2024, 2, 4)) and cal.is_workday(D(2024, 2, 18))
    assert not cal.is_workday(D(2024, 2, 12))  # a Monday inside the festival


def test_labour_day_2024():
    # 2024: 1–5 May off; Sunday 28 April and Saturday 11 May worked.
    assert workdays(D(2024, 4, 27), D(2024, 4, 28)) == 1
    assert workdays(D(2024, 4, 30), D(2024, 5, 5)) == 0
    assert workdays(D(2024, 4, 30), D(2024, 5, 6)) == 1
    assert workdays(D(2024, 5, 10), D(2024, 5, 11)) == 1


def test_year_missing_from_the_package_falls_back_to_weekdays_and_is_reported():
    cal = build_calendar(D(2030, 1, 1), D(2030, 12, 31))
    assert cal.fallback_years == [2030]
    # 1 Jan 2030 is a Tuesday and would be New Year's Day; without data it counts as a working day
    assert workdays(D(2029, 12, 31), D(2030, 1, 7)) == 5
    cov = build_calendar(D(2026, 6, 1), D(2027, 2, 1)).coverage
    assert dict(zip(cov["year"], cov["source"], strict=True)) == {2026: "package", 2027: "weekday_fallback"}


def test_holidays_file_extends_and_overrides(tmp_path):
    f = tmp_path / "holidays.csv"
    f.write_text(
        "date,kind\n2030-01-01,holiday\n2030-01-05,workday\n2024-03-05,holiday\n",
        encoding="utf-8",
    )
    cal = build_calendar(D(2024, 1, 1), D(2030, 12, 31), f)
    assert 2030 not in cal.fallback_years
    cov = dict(zip(cal.coverage["year"], cal.coverage["source"], strict=True))
    assert cov[2030] == "file" and cov[2024] == "package" and cov[2028] == "weekday_fallback"
    assert not cal.is_workday(D(2030, 1, 1)) and cal.is_workday(D(2030, 1, 5))  # Saturday worked
    assert not cal.is_workday(D(2024, 3, 5))  # overrides the package: a Tuesday off
    assert workdays(D(2024, 3, 4), D(2024, 3, 6), f) == 1


def test_holidays_file_toml_and_errors(tmp_path):
    f = tmp_path / "holidays.toml"
    f.write_text('[[day]]\ndate = 2031-10-01\nkind = "holiday"\n', encoding="utf-8")
    assert read_holidays_file(f) == {D(2031, 10, 1): False}
    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind\n2031-10-01,vacation\n", encoding="utf-8")
    with pytest.raises(SettingsError) as exc:
        read_holidays_file(bad)
    assert "line 2" in exc.value.format("en") and "第 2 行" in exc.value.format("zh")
    assert "vacation" in exc.value.format("en")


def test_step_latency_uses_the_calendar_in_the_store(tmp_path):
    db = make_store(
        tmp_path,
        approvals=[
            # received Thursday 8 Feb, decided on the worked Sunday after the festival: Fri 9 + Sun 18
            step("M", 1, "DEPUTY", "D1", "2024-02-08 17:00", "2024-02-18 09:00", submitted="2024-02-08 17:00"),
            step("N", 1, "DEPUTY", "D1", "2024-03-04 09:00", "2024-03-04 17:00", submitted="2024-03-04 09:00"),
        ],
    )
    s = read(db, "step_latency", order="matter_id")
    assert s["latency_workdays"].to_list() == [2, 0]
    assert s["latency_hours"].to_list() == [pytest.approx(232.0), pytest.approx(8.0)]
    cov = read(db, "calendar_coverage")
    assert cov.filter(pl.col("year") == 2024)["source"].to_list() == ["package"]
