"""The query layer: the only code that reads marts. Pages, `report`, the monthly Word report and the
exports all call these functions, so every figure has one definition.

Every function takes an open read-only DuckDB connection (`pipelines.store.db.connect_readonly`, or a cursor
of the dashboard's `pipelines.store.db.Reader`) and a `Filters`; none returns more than a few hundred rows
except the `*_page` functions, which page raw rows with LIMIT/OFFSET. Each figure is declared with
`@figure(mart, …)` (`_sql.py`): its WHERE clause and the caption's scope text (`scope(name, f)`,
`caption(name, f, lang)`) come from the marts' declaration in `pipelines.tables.marts`. Codes stay codes in
the figures; `pipelines.present.labels` turns them into words for tables.

Imports core, domain and tables (the marts' declaration); never what builds or writes the store.
"""

from pipelines.queries._sql import FIGURES, Figure, Scope, caption, figure, scope, tracing, where
from pipelines.queries.bottlenecks import (
    flow_edges,
    pareto_wait,
    pending_by_person,
    pending_count,
    pending_page,
    pending_summary,
    workload_speed,
)
from pipelines.queries.clock import (
    clock_summary,
    clock_view,
    closed_by_team,
    on_time_monthly,
    open_cases_by,
    open_cases_count,
    open_cases_now,
    open_cases_page,
)
from pipelines.queries.data import (
    calendar_coverage,
    input_row_counts,
    load_warning_kinds,
    load_warning_rows,
    loads,
)
from pipelines.queries.info import (
    INPUT_TABLES,
    StoreInfo,
    filter_options,
    meta,
    roster_names,
    store_info,
    tables,
)
from pipelines.queries.latency import (
    LATENCY_DIMENSIONS,
    latency_by,
    latency_by_level,
    latency_by_level_periods,
    latency_quantiles,
    median_hours,
    slowest_approvers,
)
from pipelines.queries.meetings import (
    bureau_meetings,
    escalated_items,
    items_per_meeting,
    meeting_monthly,
    meeting_rates,
    meetings_held,
    outcomes,
)
from pipelines.queries.overview import (
    FAMILY_SQL,
    findings_and_records,
    findings_by_family_month,
    headline,
    headline_periods,
    judged_records_sql,
    matter_summary,
    monthly_overview,
    overdue_pending,
    records_by_kind,
    rule_catalogue,
    rule_counts,
    rule_trend,
    violations_count,
    violations_page,
)
from pipelines.queries.records import RECORD_KINDS, records_count, records_page
from pipelines.queries.substitutions import (
    acting_monthly,
    acting_share,
    substitution_summary,
    substitution_timeline,
    substitutions_by,
    substitutions_monthly,
)
from pipelines.queries.summary import report_figures

__all__ = [
    "FAMILY_SQL",
    "FIGURES",
    "INPUT_TABLES",
    "LATENCY_DIMENSIONS",
    "RECORD_KINDS",
    "Figure",
    "Scope",
    "StoreInfo",
    "acting_monthly",
    "acting_share",
    "bureau_meetings",
    "calendar_coverage",
    "caption",
    "clock_summary",
    "clock_view",
    "closed_by_team",
    "escalated_items",
    "figure",
    "filter_options",
    "findings_and_records",
    "findings_by_family_month",
    "flow_edges",
    "headline",
    "headline_periods",
    "input_row_counts",
    "items_per_meeting",
    "judged_records_sql",
    "latency_by",
    "latency_by_level",
    "latency_by_level_periods",
    "latency_quantiles",
    "load_warning_kinds",
    "load_warning_rows",
    "loads",
    "matter_summary",
    "median_hours",
    "meeting_monthly",
    "meeting_rates",
    "meetings_held",
    "meta",
    "monthly_overview",
    "on_time_monthly",
    "open_cases_by",
    "open_cases_count",
    "open_cases_now",
    "open_cases_page",
    "outcomes",
    "overdue_pending",
    "pareto_wait",
    "pending_by_person",
    "pending_count",
    "pending_page",
    "pending_summary",
    "records_by_kind",
    "records_count",
    "records_page",
    "report_figures",
    "roster_names",
    "rule_catalogue",
    "rule_counts",
    "rule_trend",
    "scope",
    "slowest_approvers",
    "store_info",
    "substitution_summary",
    "substitution_timeline",
    "substitutions_by",
    "substitutions_monthly",
    "tables",
    "tracing",
    "violations_count",
    "violations_page",
    "where",
    "workload_speed",
]
