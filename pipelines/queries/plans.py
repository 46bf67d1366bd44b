"""What a page asks the query layer for a set of filters: (query function, *args) in the
page's order. The benchmark times these, the server runs the Overview's before its first visitor
(`views._store.warm`), and tests/test_pages.py holds each page to its plan."""

from __future__ import annotations

from datetime import date

from pipelines import queries
from pipelines.core.filters import Filters


def overview_plan(f: Filters, lang: str = "zh", first: date | None = None) -> list[tuple]:
    """The queries the Overview runs for filters `f` in `lang`: the page runs exactly these (views/overview.py
    unpacks their results in this order), so the benchmark and the server's warm-up run what it runs. `first`
    is the store's first month: no trend reaches before it."""
    window = f.trend_window(12, first)
    return [
        (queries.headline_periods, f),
        (queries.overdue_pending, f),
        (queries.open_cases_now, f),
        (queries.latency_by_level_periods, f),
        (queries.monthly_overview, window),
        (queries.findings_by_family_month, window),
        (queries.latency_by, window, "month", lang),
        (queries.rule_counts, f),
        (queries.slowest_approvers, f),
    ]


def latency_plan(f: Filters, first: date | None = None) -> list[tuple]:
    """The queries the Latency page runs for filters `f` in hours (views/latency.py; all its tabs draw)."""
    window = f.trend_window(12, first)
    return [
        (queries.latency_by_level, f),
        (queries.latency_quantiles, f, "hours"),
        (queries.latency_by, window, "month", "zh"),
        (queries.latency_by, f, "matter_type", "zh"),
        (queries.latency_by, f, "division", "zh"),
        (queries.latency_by, f, "team", "zh"),
    ]
