"""What a page asks the query layer for a set of filters: (function of `pipelines.queries`, *args) in the
page's order. The benchmark times these, the server runs the Overview's before its first visitor
(`views._store.warm`), and tests/test_pages.py holds each page to its plan."""

from __future__ import annotations

from datetime import date

from pipelines.core.filters import Filters


def overview_plan(f: Filters, lang: str = "zh", first: date | None = None) -> list[tuple]:
    """The queries the Overview runs for filters `f` in `lang`: the page runs exactly these (views/overview.py
    unpacks their results in this order), so the benchmark and the server's warm-up run what it runs. `first`
    is the store's first month: no trend reaches before it."""
    window = f.trend_window(12, first)
    return [
        ("headline_periods", f),
        ("overdue_pending", f),
        ("open_cases_now", f),
        ("latency_by_level_periods", f),
        ("monthly_overview", window),
        ("findings_by_family_month", window),
        ("latency_by", window, "month", lang),
        ("rule_counts", f),
        ("slowest_approvers", f),
    ]


def latency_plan(f: Filters, first: date | None = None) -> list[tuple]:
    """The queries the Latency page runs for filters `f` in hours (views/latency.py; all its tabs draw)."""
    window = f.trend_window(12, first)
    return [
        ("latency_by_level", f),
        ("latency_quantiles", f, "hours"),
        ("latency_by", window, "month", "zh"),
        ("latency_by", f, "matter_type", "zh"),
        ("latency_by", f, "division", "zh"),
        ("latency_by", f, "team", "zh"),
    ]
