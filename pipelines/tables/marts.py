"""The marts declared once, as `contract.py` declares the inputs.

For every mart: its grain (the columns that identify a row), its columns with their DuckDB types, which
must never be null and which hold codes of an enumeration, and which of the dashboard's shared filters
narrow it through which column (and, for the others, why they cannot). Every column name has one
display (label key, kind of number) in `DISPLAY`: a name means the same thing in every mart and query.

Who reads this: `pipelines.marts.build` checks every table it writes against it (`check_written`); the query
layer (`pipelines.queries`) builds its WHERE clauses and the captions' description of a figure's scope
from `MARTS[name].filters`; pages and exports take headers and number formats from `DISPLAY`; the
tests check grain, not-null columns and codes of every mart on real stores.

Adding a mart: one `Mart(...)` entry in `_DECLARED` below (its name, grain, columns, filters), a builder
in `pipelines.marts.build`, a reader in `pipelines.queries`, and a bump of `pipelines.marts.build.MARTS_VERSION` (stores built before
then rebuild their marts) or a store migration that builds the new mart from what is stored
(`pipelines.store.db`, e.g. v6 for `latency_steps`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from pipelines.core import contract, filters

# The dashboard's shared filters, in the order captions name them.
DIMENSIONS = filters.ALL_DIMENSIONS  # the period and the shared filters (pipelines.core.filters.DIMENSIONS)

# Why a filter cannot narrow a mart (message keys `scope.reason.<reason>`).
BUREAU_WIDE = "bureau_wide"  # meetings and their items belong to no team or division
NOW = "now"  # a figure of the snapshot's moment: no period applies
NOT_APPLICABLE = "not_applicable"  # the records have no such attribute (a substitution has no matter type)
WHOLE_STORE = "whole_store"  # a summary of everything loaded
REASONS = (BUREAU_WIDE, NOW, NOT_APPLICABLE, WHOLE_STORE, "between_levels")

# DuckDB column types as DESCRIBE names them.
TEXT, BIGINT, INT, TINYINT, DOUBLE = "VARCHAR", "BIGINT", "INTEGER", "TINYINT", "DOUBLE"
DATE, TIMESTAMP, BOOL, TEXT_LIST = "DATE", "TIMESTAMP", "BOOLEAN", "VARCHAR[]"


def _rule_ids() -> tuple[str, ...]:
    from pipelines.domain import rules

    return tuple(r.id for r in rules.RULES)


def _families() -> tuple[str, ...]:
    from pipelines.domain import rules

    return tuple(rules.FAMILIES)


def _record_kinds() -> tuple[str, ...]:
    from pipelines.domain import rules

    return tuple(dict.fromkeys(r.record_kind for r in rules.RULES))


# Codes a column may hold: a contract enumeration, a fixed tuple, or a function (rules are declared in
# pipelines.domain.rules, which may grow).
Codes = contract.Enum | tuple[str, ...] | Callable[[], tuple[str, ...]]

WARNING_TIERS = ("YELLOW", "RED")
DIRECTIONS = ("FORWARD", "EQUAL", "REVERSE")
SUBSTITUTION_SCOPES = ("TEAM", "DIVISION", "BUREAU")
MAJORITIES = ("FOR", "AGAINST")
CALENDAR_SOURCES = ("package", "file", "weekday_fallback")
CLOCK_TIERS = ("RED", "YELLOW")  # pipelines.domain.clock.TIERS
CLOCK_SOURCES = ("EXPORTED", "COMPUTED")  # pipelines.domain.clock.SOURCES


def codes_of(codes: Codes) -> tuple[str, ...]:
    if isinstance(codes, contract.Enum):
        return codes.codes
    if callable(codes):
        return tuple(codes())
    return tuple(codes)


@dataclass(frozen=True)
class Col:
    name: str
    type: str
    required: bool = False  # never null
    codes: Codes | None = None  # the values it may hold (nulls aside)


@dataclass(frozen=True)
class Mart:
    name: str
    grain: tuple[str, ...]  # unique per row (nulls count as a value)
    columns: tuple[Col, ...]
    filters: Mapping[str, str] = field(default_factory=dict)  # shared filter -> column that applies it
    unfiltered: Mapping[str, str] = field(default_factory=dict)  # shared filter -> why it cannot apply
    doc: str = ""

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        assert len(set(names)) == len(names), f"{self.name}: a column twice"
        assert set(self.grain) <= set(names), f"{self.name}: grain names unknown columns"
        assert set(self.filters.values()) <= set(names), f"{self.name}: a filter names an unknown column"
        assert set(self.filters) <= set(DIMENSIONS) and set(self.unfiltered) <= set(DIMENSIONS)
        assert not set(self.filters) & set(self.unfiltered), f"{self.name}: a filter both applies and not"
        assert set(self.unfiltered.values()) <= set(REASONS), f"{self.name}: unknown reason"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def types(self) -> dict[str, str]:
        return {c.name: c.type for c in self.columns}

    def reason(self, dimension: str) -> str | None:
        """Why `dimension` cannot narrow this mart (None when it can)."""
        if dimension in self.filters:
            return None
        return self.unfiltered.get(dimension, NOT_APPLICABLE)


def _c(spec: str, codes: Codes | None = None) -> Col:
    """`"name TYPE"` or `"name TYPE !"` (! = never null)."""
    parts = spec.split()
    return Col(parts[0], parts[1], required=parts[-1] == "!", codes=codes)


STEP_FILTERS = {"period": "month", "division": "division", "team": "team", "matter_type": "matter_type",
                "level": "level"}
ORG_FILTERS = {"period": "month", "division": "division", "team": "team"}
MEETINGS_UNFILTERED = {"division": BUREAU_WIDE, "team": BUREAU_WIDE}

_STEP_COLUMNS = (
    _c("matter_id VARCHAR !"), _c("step_no BIGINT !"), _c("case_id VARCHAR"), _c("team VARCHAR"),
    _c("division VARCHAR"), _c("matter_type VARCHAR !", contract.MATTER_TYPE), _c("submitted_at TIMESTAMP"),
    _c("submitted_by VARCHAR"), _c("level VARCHAR !", contract.LEVEL), _c("level_rank TINYINT !"),
    _c("approver_id VARCHAR !"), _c("approver_name VARCHAR"), _c("approver_post VARCHAR", contract.POST),
    _c("approver_rank TINYINT"), _c("approver_team VARCHAR"), _c("approver_division VARCHAR"),
    _c("acting_for VARCHAR"), _c("received_at TIMESTAMP !"), _c("decided_at TIMESTAMP"),
    _c("decision VARCHAR", contract.DECISION), _c("month DATE !"), _c("is_pending BOOLEAN !"),
    _c("latency_hours DOUBLE"), _c("latency_workdays INTEGER"), _c("limit_workdays DOUBLE"),
    _c("over_limit BOOLEAN"), _c("age_hours DOUBLE"), _c("age_workdays INTEGER"), _c("used_share DOUBLE"),
    _c("warning_tier VARCHAR", WARNING_TIERS), _c("ord_key BIGINT"),
)

# The columns of `latency_steps`: the decided steps' latency as the pages' figures read it (every shared
# filter's column, the approver, the step's key for tracing a figure to its steps). A copy of those columns
# of step_latency (whose big tables are Parquet files, see pipelines.tables.parts) in DuckDB's own storage: at 10M
# steps its scans are 2-3x faster than the Parquet files', and 14 of 31 columns keep it ~190 MB.
LATENCY_STEP_COLUMNS = (
    "matter_id", "step_no", "team", "division", "matter_type", "level", "level_rank", "approver_id",
    "approver_name", "month", "latency_hours", "latency_workdays", "limit_workdays", "over_limit",
)


def exact_hours_sum(col: str) -> str:
    """SQL: the sum of a column of hours, exact at a second's resolution (an integer sum of seconds). A
    floating sum over Parquet files read in parallel depends on the order the threads finish in (the same
    query gave mean_hours differing in the last digits run to run), an integer sum never does."""
    return f"(sum(round({col} * 3600)::HUGEINT)::DOUBLE / 3600)"


# The latency measures, one definition: every query of latency by level (dashboard, report, Word report)
# aggregates the decided steps (`latency_steps`) with them; the `level_latency` mart is merged from their
# value counts to the same last digit (pipelines.marts.build.level_latency, tested against these expressions).
# DuckDB's quantile_cont is linear interpolation (numpy's default).
LATENCY_MEASURES = {
    "steps": "count(*)",
    "median_hours": "quantile_cont(latency_hours, 0.5)",
    "p90_hours": "quantile_cont(latency_hours, 0.9)",
    "mean_hours": f"{exact_hours_sum('latency_hours')} / nullif(count(latency_hours), 0)",
    "max_hours": "max(latency_hours)",
    "median_workdays": "quantile_cont(latency_workdays::DOUBLE, 0.5)",
    "p90_workdays": "quantile_cont(latency_workdays::DOUBLE, 0.9)",
    "mean_workdays": "avg(latency_workdays::DOUBLE)",
    "limit_workdays": "max(limit_workdays)",  # one limit per level; max, not any_value: order-free
    "over_limit_steps": "coalesce(sum(over_limit::BIGINT), 0)::BIGINT",
    "over_limit_share": "avg(over_limit::DOUBLE)",
}
LATENCY_MEASURES_SQL = ",\n       ".join(f"{expr} AS {name}" for name, expr in LATENCY_MEASURES.items())
_MEASURE_TYPES = {"steps": BIGINT, "over_limit_steps": BIGINT}

# What `matters` says of a matter's way (pipelines.domain.metrics.matter_paths, rules.matter_extras).
MATTER_PATH_COLUMNS = (
    _c("route VARCHAR !"), _c("on_required_route BOOLEAN !"), _c("reached_mask SMALLINT !"),
    _c("returned_mask SMALLINT !"), _c("returns BIGINT !"), _c("two_level_approvers VARCHAR"),
    _c("conforms BOOLEAN"), _c("chief_approved BOOLEAN !"),
)

# `matter_levels`: a view over `matters` (no rows of its own to build or store), one row per level reached
# (bit 2 ** rank of `reached_mask`; `returned` from `returned_mask`).
MATTER_LEVELS_VIEW = """SELECT m.matter_id, l.level, l.level_rank, (m.returned_mask >> l.level_rank) & 1 = 1 AS returned,
       m.closed, m.team, m.division, m.matter_type, m.month
FROM matters m JOIN (VALUES {levels}) AS l(level, level_rank) ON (m.reached_mask >> l.level_rank) & 1 = 1""".format(
    levels=", ".join(f"('{code}', {contract.RANK[code]}::TINYINT)" for code in contract.LEVEL_CODES))

_DECLARED = (
    Mart(
        "meta", ("key",), (_c("key VARCHAR !"), _c("value VARCHAR")),
        doc="key/value: snapshot_at, effective_date, calendar_fallback_years, settings, marts_version, …",
    ),
    Mart(
        "calendar_coverage", ("year",),
        (_c("year INTEGER !"), _c("source VARCHAR !", CALENDAR_SOURCES)),
        doc="where each year's working days come from",
    ),
    Mart("step_latency", ("matter_id", "step_no"), _STEP_COLUMNS, STEP_FILTERS, doc="one row per approval step"),
    Mart(
        "latency_steps", ("matter_id", "step_no"),
        tuple(c for c in _STEP_COLUMNS if c.name in LATENCY_STEP_COLUMNS),
        STEP_FILTERS,
        doc="the decided steps of step_latency, only the columns the latency figures read, in the catalogue "
            "(DuckDB's own storage): what the pages' latency figures are computed from",
    ),
    Mart(
        "level_latency", ("level",),
        (_c("level VARCHAR !", contract.LEVEL), _c("level_rank TINYINT !"),
         *(Col(name, _MEASURE_TYPES.get(name, DOUBLE), required=name != "limit_workdays") for name in LATENCY_MEASURES)),
        unfiltered=dict.fromkeys(DIMENSIONS, WHOLE_STORE),
        doc="latency of decided steps per level over the whole store (DATA_CONTRACT output)",
    ),
    Mart(
        "pending_steps", ("matter_id", "step_no"), _STEP_COLUMNS,
        {k: v for k, v in STEP_FILTERS.items() if k != "period"}, {"period": NOW},
        doc="steps waiting at the snapshot, most of their limit used first",
    ),
    Mart(
        "matters", ("matter_id",),
        (
            _c("matter_id VARCHAR !"), _c("case_id VARCHAR"), _c("team VARCHAR"), _c("division VARCHAR"),
            _c("matter_type VARCHAR !", contract.MATTER_TYPE), _c("submitted_at TIMESTAMP"),
            _c("submitted_by VARCHAR"), _c("steps BIGINT !"), _c("pending_steps BIGINT !"),
            _c("max_pending_step_no BIGINT"), _c("highest_level_rank TINYINT !"), _c("final_step_no BIGINT"),
            _c("final_decision VARCHAR", contract.DECISION), _c("final_level VARCHAR", contract.LEVEL),
            _c("final_approver_id VARCHAR"), _c("final_approver_name VARCHAR"),
            _c("final_approver_post VARCHAR", contract.POST), _c("final_approver_rank TINYINT"),
            _c("final_approver_team VARCHAR"), _c("final_acting_for VARCHAR"), _c("final_decided_at TIMESTAMP"),
            _c("closed BOOLEAN !"), _c("highest_level VARCHAR", contract.LEVEL), _c("final_level_rank TINYINT"),
            _c("lead_time_hours DOUBLE"), _c("lead_time_workdays INTEGER"), _c("month DATE !"),
            # its way (DOMAIN.md §5): route, return loops, the same person at two levels, conformance
            *MATTER_PATH_COLUMNS,
        ),
        {k: v for k, v in STEP_FILTERS.items() if k != "level"},
        doc="one row per matter: closed or not, its final decision and lead time, its route and conformance",
    ),
    Mart(
        "matter_levels", ("matter_id", "level"),
        (
            _c("matter_id VARCHAR !"), _c("level VARCHAR !", contract.LEVEL), _c("level_rank TINYINT !"),
            _c("returned BOOLEAN !"), _c("closed BOOLEAN !"), _c("team VARCHAR"), _c("division VARCHAR"),
            _c("matter_type VARCHAR !", contract.MATTER_TYPE), _c("month DATE !"),
        ),
        STEP_FILTERS,
        doc="a view over `matters`: one row per matter and level it reached, `returned` when a step there "
            "returned it (the share of matters that reached a level with a return there); month = the matter's",
    ),
    Mart(
        "rework_loops", ("matter_id", "step_no"),
        (
            _c("matter_id VARCHAR !"), _c("step_no BIGINT !"), _c("case_id VARCHAR"), _c("team VARCHAR"),
            _c("division VARCHAR"), _c("matter_type VARCHAR !", contract.MATTER_TYPE),
            _c("level VARCHAR !", contract.LEVEL), _c("level_rank TINYINT !"), _c("approver_id VARCHAR !"),
            _c("approver_name VARCHAR"), _c("month DATE !"), _c("returned_at TIMESTAMP !"),
            _c("back_step_no BIGINT"), _c("back_at TIMESTAMP"), _c("closed BOOLEAN !"), _c("rework_hours DOUBLE"),
            _c("rework_workdays INTEGER"),
        ),
        STEP_FILTERS,
        doc="one row per RETURN (a return loop, DOMAIN.md §5): the step that returned the matter, the step "
            "that brought it back to that level (closed) or none (open), rework time; month = of the return",
    ),
    Mart(
        "substitution_facts", ("substitution_id",),
        (
            _c("substitution_id VARCHAR !"), _c("absent_id VARCHAR !"), _c("substitute_id VARCHAR !"),
            _c("decided_by VARCHAR"), _c("start_at TIMESTAMP !"), _c("end_at TIMESTAMP"),
            _c("authorized BOOLEAN !"), _c("reason VARCHAR"),
            *(
                col
                for who in ("absent", "substitute", "decider")
                for col in (
                    _c(f"{who}_name VARCHAR"), _c(f"{who}_post VARCHAR", contract.POST), _c(f"{who}_rank TINYINT"),
                    _c(f"{who}_team VARCHAR"), _c(f"{who}_division VARCHAR"),
                )
            ),
            _c("scope VARCHAR !", SUBSTITUTION_SCOPES), _c("team VARCHAR"), _c("month DATE !"), _c("days DOUBLE"),
            _c("person_days BIGINT"), _c("direction VARCHAR", DIRECTIONS), _c("post_pair VARCHAR"),
            _c("scope_team VARCHAR"), _c("division VARCHAR"), _c("scope_division VARCHAR"),
        ),
        ORG_FILTERS,
        doc="one row per substitution; team and division are the absent person's",
    ),
    Mart(
        "acting_monthly", ("month", "level", "matter_type", "team", "division"),
        (
            _c("month DATE !"), _c("level VARCHAR !", contract.LEVEL), _c("level_rank TINYINT !"),
            _c("matter_type VARCHAR !", contract.MATTER_TYPE), _c("team VARCHAR"), _c("division VARCHAR"),
            _c("decided_steps BIGINT !"), _c("acting_steps BIGINT !"),
        ),
        STEP_FILTERS,
        doc="decided steps and those decided by someone acting for the approver, per cell of every filter",
    ),
    Mart(
        "meeting_facts", ("meeting_id",),
        (
            _c("meeting_id VARCHAR !"), _c("meeting_type VARCHAR !", contract.MEETING_TYPE), _c("held_on DATE !"),
            _c("chair_id VARCHAR !"), _c("chair_authorized BOOLEAN !"), _c("attendee_ids VARCHAR[]"),
            _c("vp_attends BOOLEAN !"), _c("secretary_attends BOOLEAN !"), _c("chair_attends BOOLEAN !"),
            _c("team_leads_attending BIGINT !"), _c("attendees BIGINT !"), _c("chair_name VARCHAR"),
            _c("chair_post VARCHAR", contract.POST), _c("team_leads_on_roster BIGINT !"),
            _c("secretaries_on_roster BIGINT !"), _c("month DATE !"),
        ),
        {"period": "month"}, MEETINGS_UNFILTERED,
        doc="one row per meeting: chair, attendance",
    ),
    Mart(
        "meeting_item_facts", ("item_id",),
        (
            _c("item_id VARCHAR !"), _c("meeting_id VARCHAR !"), _c("case_id VARCHAR"), _c("topic VARCHAR"),
            _c("is_major BOOLEAN !"), _c("votes_for BIGINT !"), _c("votes_against BIGINT !"),
            _c("votes_abstain BIGINT !"), _c("vp_position VARCHAR", contract.POSITION),
            _c("chief_position VARCHAR", contract.POSITION), _c("outcome VARCHAR !", contract.OUTCOME),
            _c("decided_on DATE"), _c("minuted BOOLEAN !"), _c("meeting_type VARCHAR", contract.MEETING_TYPE),
            _c("held_on DATE"), _c("chair_id VARCHAR"), _c("chair_name VARCHAR"), _c("month DATE"),
            _c("votes_cast BIGINT !"), _c("majority VARCHAR", MAJORITIES), _c("vp_dissents BOOLEAN !"),
            _c("chief_dissents BOOLEAN !"), _c("tie_break BOOLEAN !"), _c("escalated BOOLEAN !"),
            _c("days_to_decision BIGINT"),
        ),
        {"period": "month"}, MEETINGS_UNFILTERED,
        doc="one row per meeting item: votes, majority, tie-break, escalation",
    ),
    Mart(
        "meeting_monthly", ("month", "meeting_type"),
        (
            _c("month DATE"), _c("meeting_type VARCHAR", contract.MEETING_TYPE), _c("meetings BIGINT !"),
            _c("items BIGINT !"), _c("tie_breaks BIGINT !"), _c("escalations BIGINT !"),
            _c("tie_break_rate DOUBLE"), _c("escalation_rate DOUBLE"), _c("median_days_to_decision DOUBLE"),
        ),
        {"period": "month"}, MEETINGS_UNFILTERED,
        doc="meetings, items, tie-breaks and escalations per month and meeting type",
    ),
    Mart(
        "violations", ("rule_id", "record_id"),
        (
            _c("rule_id VARCHAR !", _rule_ids), _c("article VARCHAR !"), _c("record_kind VARCHAR !", _record_kinds),
            _c("record_id VARCHAR !"), _c("detail VARCHAR !"), _c("detail_en VARCHAR !"), _c("month DATE"),
            _c("team VARCHAR"), _c("division VARCHAR"), _c("people VARCHAR"), _c("occurred_at TIMESTAMP"),
        ),
        ORG_FILTERS,
        doc="one row per rule finding (DATA_CONTRACT output); meetings' findings have no team (bureau-wide)",
    ),
    Mart(
        "compliance_monthly", ("rule_id", "month", "team", "division"),
        (
            _c("rule_id VARCHAR !", _rule_ids), _c("article VARCHAR !"), _c("family VARCHAR !", _families),
            _c("record_kind VARCHAR !", _record_kinds), _c("month DATE !"), _c("team VARCHAR"),
            _c("division VARCHAR"), _c("findings BIGINT !"), _c("records BIGINT !"), _c("per_100 DOUBLE"),
        ),
        ORG_FILTERS,
        doc="findings and judged records per rule, month, team and division (null team: bureau-wide records, "
        "which count only while no division/team filter is set)",
    ),
    Mart(
        "rule_catalogue", ("rule_id",),
        (
            _c("rule_id VARCHAR !", _rule_ids), _c("article VARCHAR !"), _c("record_kind VARCHAR !", _record_kinds),
            _c("family VARCHAR !", _families), _c("title_zh VARCHAR !"), _c("title_en VARCHAR !"),
            _c("cites_zh VARCHAR"), _c("cites_en VARCHAR"), _c("position BIGINT !"),
        ),
        doc="every rule of DOMAIN.md §4",
    ),
)

_CLOCK = (
    Mart(
        "case_clock", ("case_id",),
        (
            _c("case_id VARCHAR !"), _c("team VARCHAR"), _c("division VARCHAR"), _c("judge_id VARCHAR"),
            _c("judge_name VARCHAR"), _c("case_kind VARCHAR"), _c("filed_on DATE"), _c("closed_on DATE"),
            _c("is_open BOOLEAN !"), _c("term_months TINYINT"), _c("computed_deadline DATE"), _c("deadline_on DATE"),
            _c("deadline DATE"), _c("deadline_source VARCHAR", CLOCK_SOURCES), _c("days_left BIGINT"),
            _c("tier VARCHAR", CLOCK_TIERS), _c("on_time BOOLEAN"), _c("days_to_close BIGINT"),
            _c("days_late BIGINT"), _c("month DATE"),
        ),
        ORG_FILTERS,
        doc="one row per case: its statutory deadline (DOMAIN §6), open or closed, on time or late; "
        "month = of closing",
    ),
    Mart(
        "clock_monthly", ("month", "team", "division"),
        (
            _c("month DATE !"), _c("team VARCHAR"), _c("division VARCHAR"), _c("closed BIGINT !"),
            _c("on_time BIGINT !"), _c("on_time_share DOUBLE"), _c("median_days_to_close DOUBLE"),
            _c("mean_days_to_close DOUBLE"),
        ),
        ORG_FILTERS,
        doc="cases closed per month, team and division, and the share closed within the statutory term",
    ),
)

MARTS: dict[str, Mart] = {m.name: m for m in (*_DECLARED, *_CLOCK)}
MART_NAMES: tuple[str, ...] = tuple(MARTS)
# Marts earlier versions built and nothing read; a rebuild drops them from older stores.
RETIRED = ("latency_by", "substitutions_monthly")


class MartSchemaError(RuntimeError):
    """A mart was written with other columns or types than its declaration: a bug, not bad input."""


def check_written(name: str, described: list[tuple[str, str]]) -> None:
    """Compare a written table's (column, type) pairs with the declaration of mart `name`."""
    want = list(MARTS[name].types.items())
    if list(described) != want:
        got = dict(described)
        diff = sorted(
            {f"{c}: {got.get(c, 'missing')} (declared {t})" for c, t in want if got.get(c) != t}
            | {f"{c}: not declared" for c in got if c not in MARTS[name].types}
        )
        order = "" if diff else " (same columns, another order)"
        raise MartSchemaError(f"mart {name} differs from pipelines.tables.marts{order}: " + "; ".join(diff))


# --------------------------------------------------------------------------------------------------
# Display: one label and kind of number per column name, in marts and query results alike.
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Display:
    label: str  # message key
    kind: str = "text"  # text, code, count, hours, workdays, days, share, rate100, date, datetime


_KINDS: dict[str, tuple[str, ...]] = {
    "count": (
        "steps", "pending", "red", "yellow", "findings", "records", "substitutions", "items", "tie_breaks",
        "escalations", "decided", "decided_steps", "acting_steps", "meetings", "rows", "over_limit_steps",
        "step_no", "year", "escalated", "closed", "on_time", "cases", "days_left", "votes_for", "votes_against",
        "votes_abstain", "waiting_days", "returns", "closed_loops", "open_loops", "matters", "reached",
        "returned_matters", "conforming", "back_step_no", "two_level_matters",
    ),
    "hours": (
        "median_hours", "p90_hours", "mean_hours", "max_hours", "max_age_hours", "age_hours", "wait_hours",
        "latency_hours", "lead_time_hours", "rework_hours", "median_rework_hours", "median_lead_time_hours",
    ),
    "workdays": (
        "median_workdays", "p90_workdays", "mean_workdays", "limit_workdays", "max_age_workdays", "age_workdays",
        "latency_workdays", "lead_time_workdays", "rework_workdays", "median_rework_workdays",
    ),
    "days": ("days", "days_to_decision", "person_days", "median_days_to_decision", "days_to_close", "days_late",
             "median_days_to_close", "mean_days_to_close"),
    "share": ("over_limit_share", "used_share", "cumulative_share", "acting_share", "escalation_rate",
              "tie_break_rate", "on_time_share", "return_share", "route_share", "conformance", "returned_share"),
    "rate100": ("per_100",),
    "code": ("final_decision", "level", "matter_type", "meeting_type", "outcome", "decision", "direction", "warning_tier", "tier",
             "record_kind", "family", "source", "target", "scope"),
    "date": ("month", "held_on", "decided_on", "filed_on", "closed_on", "deadline", "due_on"),
    "datetime": ("since", "received_at", "occurred_at", "start_at", "end_at", "submitted_at", "decided_at", "final_decided_at",
                 "returned_at", "back_at"),
}
_KIND_OF = {col: kind for kind, cols in _KINDS.items() for col in cols}
_SHOWN = (
    "level", "steps", "median_hours", "p90_hours", "mean_hours", "max_hours", "median_workdays", "p90_workdays",
    "limit_workdays", "over_limit_share", "key", "name", "approver_id", "approver_name", "pending", "red", "yellow",
    "max_age_hours", "max_age_workdays", "matter_id", "step_no", "case_id", "team", "division", "matter_type",
    "received_at", "age_hours", "age_workdays", "used_share", "warning_tier", "rule_id", "article", "record_kind",
    "record_id", "occurred_at", "month", "detail", "people", "findings", "records", "per_100", "title",
    "substitutions", "person_days", "post_pair", "absent_name", "substitute_name", "start_at", "end_at",
    "direction", "authorized", "scope", "days", "meeting_id", "held_on", "meeting_type", "items", "escalated",
    "tie_breaks", "item_id", "topic", "outcome", "decided_on", "days_to_decision", "decided", "source", "target",
    "wait_hours", "cumulative_share", "year", "source_kind", "table", "rows", "acting_share", "acting_steps",
    "decided_steps", "judge_name", "case_kind", "filed_on", "closed_on", "deadline", "deadline_source", "days_left",
    "closed", "on_time", "on_time_share", "median_days_to_close", "mean_days_to_close", "cases",
    # the records behind a figure (queries.records_page) and why a meeting item escalated
    "acting_for", "decided_at", "decision", "latency_hours", "latency_workdays", "over_limit", "submitted_at",
    "final_level", "final_approver_name", "final_acting_for", "final_decided_at", "lead_time_hours",
    "lead_time_workdays", "substitution_id", "absent_post", "substitute_post", "decider_name", "reason", "chair_name",
    "is_major", "votes_for", "votes_against", "votes_abstain", "majority", "vp_position", "chief_position",
    "vp_dissents", "chief_dissents", "tie_break", "escalation_reason", "mean_workdays", "over_limit_steps", "days_to_close", "days_late", "clock_tier",
    # the attention list (queries.attention_view)
    "attention_tier", "attention_kind", "attention_what", "who_name", "since", "waiting_days", "due_on", "link",
    # return loops, routes, conformance (issue 27)
    "returns", "closed_loops", "open_loops", "median_rework_hours", "median_rework_workdays", "reached",
    "returned_matters", "returned_share", "return_share", "route", "route_label", "matters", "route_share",
    "median_lead_time_hours", "on_required_route", "conformance", "conforming", "returned_at", "back_step_no",
    "back_at", "rework_hours", "rework_workdays", "two_level_approvers", "two_level_names", "conforms", "final_decision",
)
DISPLAY: dict[str, Display] = {col: Display(f"col.{col}", _KIND_OF.get(col, "text")) for col in _SHOWN}

# Streamlit/xlsx number formats per kind of number.
NUMBER_FORMATS = {"count": "%d", "hours": "%.1f", "workdays": "%.1f", "days": "%.1f", "share": "percent",
                  "rate100": "%.2f"}


def headers(lang: str, columns: tuple[str, ...] | list[str] | None = None) -> dict[str, str]:
    """Column name -> header in `lang`, for the columns that have a display (all of them by default)."""
    from pipelines.core.i18n import t

    names = DISPLAY if columns is None else [c for c in columns if c in DISPLAY]
    return {c: t(DISPLAY[c].label, lang) for c in names}


def kind(column: str) -> str:
    """The kind of number a column holds ("text" when it has no display)."""
    d = DISPLAY.get(column)
    return d.kind if d else "text"


def format_value(value, kind_: str) -> str:
    """A value as the report, the Word report and the pages print it ("—" for none)."""
    if value is None:
        return "—"
    if kind_ == "count":
        return f"{int(value):,}"
    if kind_ in ("hours", "workdays", "days"):
        return f"{value:,.1f}"
    if kind_ == "rate100":
        return f"{value:,.2f}"
    if kind_ == "share":
        return f"{100 * value:.1f}%"
    return str(value)
