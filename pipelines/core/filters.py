"""The dashboard's shared filters: one frozen dataclass, serialised to and from URL query parameters.

No streamlit here: `views/_state.py` (`setup`, which app.py calls on every run) reads `st.query_params` into
`Filters.from_query_params` on a session's first run and writes `Filters.to_query_params()` back whenever
they differ, so a view can be bookmarked and sent.
Months are `date` values on the first of the month (as in the marts).

`Filters.scope` (a `pipelines.core.scope.Scope`, None = the bureau) is who may see what: it never comes
from or goes to the URL, and the query layer's WHERE builder applies it to every figure (a filter value
outside it matches nothing; `within()` drops such values from the filters themselves).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import urlencode

from pipelines.core import contract
from pipelines.core.scope import Scope


@dataclass(frozen=True)
class Dimension:
    """One shared filter besides the period: every place that names filters reads this table (the Filters
    fields, the marts' declaration, the WHERE builder, the URL, the report's flags, captions and exports)."""

    name: str  # the marts' dimension (pipelines.tables.marts), the report JSON's `filters` key
    field: str  # the Filters attribute: a tuple of values, empty for all
    param: str  # the URL parameter (short, stable: bookmarks depend on it)
    flag: str  # the report's command-line flag (repeatable)
    option: str  # the key of its choices in queries.filter_options
    codes: str | None  # the contract enum whose codes the values are; None: names the store holds


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("division", "divisions", "division", "--division", "divisions", None),
    Dimension("team", "teams", "team", "--team", "teams", None),
    Dimension("matter_type", "matter_types", "type", "--type", "matter_types", "matter_type"),
    Dimension("level", "levels", "level", "--level", "levels", "level"),
)
BY_NAME: dict[str, Dimension] = {d.name: d for d in DIMENSIONS}

# URL parameter names (short, stable: bookmarks depend on them).
P_FROM, P_TO = "from", "to"
P_DIVISION, P_TEAM, P_TYPE, P_LEVEL = (d.param for d in DIMENSIONS)
FILTER_PARAMS = (P_FROM, P_TO, *(d.param for d in DIMENSIONS))

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(text: str | None) -> date | None:
    """`2024-06` -> date(2024, 6, 1); anything else -> None (a bad bookmark never breaks a page)."""
    if not text:
        return None
    m = _MONTH.match(text.strip())
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not (1 <= month <= 12 and 1900 <= year <= 2999):
        return None
    return date(year, month, 1)


def format_month(month: date | None) -> str:
    return "" if month is None else f"{month.year:04d}-{month.month:02d}"


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + (month.month - 1) + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(start: date, end: date) -> int:
    """Number of months from start to end inclusive (both firsts of months)."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _values(raw: object) -> tuple[str, ...]:
    """A query parameter's values: repeated keys (a list) or one comma-free value; empty ones dropped."""
    if raw is None:
        return ()
    items = list(raw) if isinstance(raw, list | tuple) else [raw]
    out: list[str] = []
    for item in items:
        text = str(item).strip()
        if text and text not in out:
            out.append(text)
    return tuple(out)


@dataclass(frozen=True)
class Filters:
    """What every page is filtered by. Empty tuples mean "all"."""

    start: date | None = None  # first month of the period (inclusive)
    end: date | None = None  # last month of the period (inclusive)
    divisions: tuple[str, ...] = field(default=())
    teams: tuple[str, ...] = field(default=())
    matter_types: tuple[str, ...] = field(default=())
    levels: tuple[str, ...] = field(default=())
    scope: Scope | None = None  # the signed-in person's scope (None: the bureau, names shown); never in a URL

    # ------------------------------------------------------------------ URL
    @classmethod
    def from_query_params(cls, params: Mapping[str, object]) -> Filters:
        """Read filters from query parameters; unknown codes and malformed months are ignored."""
        start = parse_month(next(iter(_values(params.get(P_FROM))), None))
        end = parse_month(next(iter(_values(params.get(P_TO))), None))
        if start and end and start > end:
            start, end = end, start
        values = {}
        for d in DIMENSIONS:
            given = _values(params.get(d.param))
            values[d.field] = given if d.codes is None else tuple(v for v in given if v in contract.ENUMS[d.codes].codes)
        return cls(start=start, end=end, **values)

    def to_query_params(self) -> dict[str, str | list[str]]:
        """The non-default filters as query parameters (lists become repeated keys)."""
        out: dict[str, str | list[str]] = {}
        if self.start:
            out[P_FROM] = format_month(self.start)
        if self.end:
            out[P_TO] = format_month(self.end)
        for d in DIMENSIONS:
            if values := self.values(d.name):
                out[d.param] = list(values)
        return out

    def values(self, dim: str) -> tuple[str, ...]:
        """The values set for dimension `dim` (a Dimension.name); empty for all."""
        return getattr(self, BY_NAME[dim].field)

    def with_values(self, values: Mapping[str, tuple[str, ...]]) -> Filters:
        """These filters with the dimensions named in `values` ({Dimension.name: values}) set."""
        return replace(self, **{BY_NAME[dim].field: tuple(v) for dim, v in values.items()})

    def query_string(self) -> str:
        return urlencode(self.to_query_params(), doseq=True)

    # ------------------------------------------------------------------ periods
    def clamp(self, first: date | None, last: date | None) -> Filters:
        """Fill a missing period from the data's month range (default: the last three months)."""
        if first is None or last is None:
            return self
        end = self.end or last
        start = self.start or max(first, add_months(end, -2))
        start = min(start, end)
        return replace(self, start=start, end=end)

    def previous(self) -> Filters | None:
        """The same filters over the period of equal length just before this one."""
        if not (self.start and self.end):
            return None
        n = months_between(self.start, self.end)
        return replace(self, start=add_months(self.start, -n), end=add_months(self.end, -n))

    def trend_window(self, months: int = 12) -> Filters:
        """The same filters over the `months` months ending with this period's end (for trend charts)."""
        if not self.end:
            return self
        start = add_months(self.end, -(months - 1))
        if self.start and self.start < start:
            start = self.start
        return replace(self, start=start)

    def within(self, scope: Scope | None) -> Filters:
        """These filters under `scope`: the scope attached, division/team choices outside it dropped, and
        the scope's own divisions/teams chosen when none is left (so a caption, an export's first line and
        `report --team` name what the figures cover). A value outside the scope is dropped, never obeyed."""
        if scope is None or scope.is_bureau:
            return replace(self, scope=scope)
        divisions, teams = self.divisions, self.teams
        if scope.divisions is not None:
            divisions = tuple(d for d in divisions if d in scope.divisions) or scope.divisions
        if scope.teams is not None:
            teams = tuple(x for x in teams if x in scope.teams) or scope.teams
        return replace(self, divisions=divisions, teams=teams, scope=scope)

    @property
    def is_filtered_by_org(self) -> bool:
        return bool(self.divisions or self.teams)


ALL_DIMENSIONS = ("period", *(d.name for d in DIMENSIONS))


def values_text(d: Dimension, values: tuple[str, ...], lang: str, sep: str, escape=None) -> str:
    """A dimension's values as people read them: names as they are (through `escape` when given), codes by
    their labels."""
    from pipelines.core.i18n import label

    if d.codes is not None:
        return sep.join(label(d.codes, c, lang) for c in values)
    return sep.join(escape(v) for v in values) if escape else sep.join(values)


def describe(f: Filters, lang: str, applies: tuple[str, ...] = ALL_DIMENSIONS, escape=None) -> str:
    """The filters in words, only those that apply to a figure (for chart captions and export titles).
    `escape`: applied to each division and team name (they come from the exports; pages pass Markdown's)."""
    from pipelines.core.i18n import t

    parts: list[str] = []
    if "period" in applies and f.start and f.end:
        if f.start == f.end:
            parts.append(t("describe.month", lang, month=format_month(f.start)))
        else:
            parts.append(t("describe.period", lang, start=format_month(f.start), end=format_month(f.end)))
    sep = "、" if lang == "zh" else ", "
    for d in DIMENSIONS:
        if d.name in applies and (values := f.values(d.name)):
            parts.append(t(f"describe.{d.name}", lang, values=values_text(d, values, lang, sep, escape)))
    if not parts:
        return t("describe.all", lang)
    return ("；" if lang == "zh" else "; ").join(parts)


# ------------------------------------------------------------------------------------------ period presets
PRESETS = ("last_month", "last_quarter", "this_year", "last_year")


def preset_period(name: str, snapshot_month: date, current: Filters | None = None) -> tuple[date, date]:
    """A quick period relative to the data's snapshot month (never the wall clock), as (first, last) month:

    - `last_month`: the month before the snapshot's month;
    - `last_quarter`: the calendar quarter before the snapshot's quarter;
    - `this_year`: January of the snapshot's year to the snapshot's month;
    - `last_year`: the current period twelve months earlier (the snapshot's month a year ago without one).
    """
    snap = snapshot_month.replace(day=1)
    if name == "last_month":
        m = add_months(snap, -1)
        return m, m
    if name == "last_quarter":
        quarter_start = date(snap.year, 3 * ((snap.month - 1) // 3) + 1, 1)
        return add_months(quarter_start, -3), add_months(quarter_start, -1)
    if name == "this_year":
        return date(snap.year, 1, 1), snap
    if name == "last_year":
        start = (current.start if current and current.start else snap)
        end = (current.end if current and current.end else snap)
        return add_months(start, -12), add_months(end, -12)
    raise ValueError(f"unknown period preset {name!r}")
