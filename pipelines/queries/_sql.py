"""The one filter-to-SQL builder, and the scope of every figure.

A figure is a query function decorated with `@figure(mart, ...)`: it names the marts it reads and the
shared filters it deliberately leaves out (`drop`, with a reason). Inside it, `where(f, mart)` builds the
WHERE clause from the mart's declaration (`pipelines.tables.marts.MARTS[mart].filters`) minus those drops,
and `scope(name, f)` describes the same thing in words for the caption: which of the filters set narrow
the figure, and which cannot (and why). Both come from one declaration, so a caption can never name a
filter the figure ignores, nor hide one it ignores.

`where()` is also the one place the signed-in person's scope (`Filters.scope`) is enforced: every mart
with a division or team column is narrowed to the scope's divisions and teams, whatever the figure drops
and whatever the filters ask for. Marts without those columns (meetings: bureau-wide; the rule catalogue)
are not narrowed, and their captions say so (`Scope.of` counts the scope's dimensions as set).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date

import polars as pl

from pipelines.core.filters import Filters, describe
from pipelines.core.i18n import t
from pipelines.core.sql import literal
from pipelines.queries import _pseudonyms
from pipelines.tables.marts import DIMENSIONS, MARTS

# An approver's level in a list of people: the level of most of their steps; on a tie the first code, never
# the first row a scan met (DuckDB's mode without ORDER BY returns whichever tied value it hashed first).
APPROVER_LEVEL = "mode(level ORDER BY level)"


@dataclass(frozen=True)
class Figure:
    name: str
    marts: tuple[str, ...]
    drop: Mapping[str, str] = field(default_factory=dict)  # shared filter -> reason it is left out
    keys: Mapping[str, str] = field(default_factory=dict)  # result key/column -> mart (multi-mart figures)

    def mart_for(self, key: str | None) -> str:
        if key is not None and key in self.keys:
            return self.keys[key]
        if key is None and len(self.marts) > 1 and self.keys:
            raise KeyError(f"{self.name} reads several marts: name the figure's key ({', '.join(self.keys)})")
        return self.marts[0]


FIGURES: dict[str, Figure] = {}
_current: ContextVar[Figure | None] = ContextVar("tierwatch_figure", default=None)
_trace: ContextVar[list | None] = ContextVar("tierwatch_trace", default=None)


def figure(*marts: str, drop: Mapping[str, str] | None = None, keys: Mapping[str, str] | None = None):
    """Declare a query function as a figure over `marts` (see the module docstring)."""
    for m in marts:
        assert m in MARTS, m

    def deco(fn: Callable) -> Callable:
        fig = Figure(fn.__name__, tuple(marts), dict(drop or {}), dict(keys or {}))
        assert set(fig.keys.values()) <= set(marts), fig
        FIGURES[fig.name] = fig

        @functools.wraps(fn)
        def run(*args, **kwargs):
            token = _current.set(fig)
            try:
                result = fn(*args, **kwargs)
            finally:
                _current.reset(token)
            if _pseudonymised(args, kwargs):  # the scope hides names: no figure returns one
                result = _pseudonyms.apply(result, _pseudonyms.replacements(args[0]))
            return result

        run.figure = fig
        return run

    return deco


@dataclass(frozen=True)
class Scope:
    """What narrows a figure under filters `f`: the filters set that apply, and those set that cannot."""

    mart: str
    applied: tuple[str, ...]
    ignored: tuple[tuple[str, str], ...]  # (filter, reason)

    @classmethod
    def of(cls, mart: str, f: Filters, drop: Mapping[str, str] | None = None) -> Scope:
        spec, drop = MARTS[mart], drop or {}
        applied, ignored = [], []
        for dim in DIMENSIONS:
            if not is_set(f, dim):
                continue
            if dim in spec.filters and dim not in drop:
                applied.append(dim)
            else:
                ignored.append((dim, drop.get(dim) or spec.reason(dim)))
        return cls(mart, tuple(applied), tuple(ignored))

    @property
    def ignored_filters(self) -> tuple[str, ...]:
        return tuple(d for d, _ in self.ignored)

    def describe(self, f: Filters, lang: str, escape=None) -> str:
        """The filters that narrow the figure in words, then those that cannot, with why (`escape`: applied
        to division and team names)."""
        text = describe(f, lang, self.applied, escape)
        note = self.note(lang)
        return f"{text}{t('scope.separator', lang)}{note}" if note else text

    def note(self, lang: str) -> str:
        """'not narrowed by team (meetings are bureau-wide)', or '' when every filter set applies."""
        if not self.ignored:
            return ""
        by_reason: dict[str, list[str]] = {}
        for dim, reason in self.ignored:
            by_reason.setdefault(reason, []).append(t(f"scope.filter.{dim}", lang))
        sep = t("scope.list_sep", lang)
        return t("scope.separator", lang).join(
            t("scope.not_narrowed", lang, filters=sep.join(dims), reason=t(f"scope.reason.{reason}", lang))
            for reason, dims in by_reason.items()
        )


def _pseudonymised(args: tuple, kwargs: dict) -> bool:
    return any(isinstance(a, Filters) and a.scope is not None and a.scope.pseudonyms
               for a in (*args, *kwargs.values()))


def is_set(f: Filters, dim: str) -> bool:
    """Whether `dim` narrows what `f` covers: a filter chosen, or the scope restricting it."""
    if f.scope is not None and ((dim == "division" and f.scope.divisions is not None)
                                or (dim == "team" and f.scope.teams is not None)):
        return True
    return _chosen(f, dim)


def _chosen(f: Filters, dim: str) -> bool:
    return bool(f.start or f.end) if dim == "period" else bool(f.values(dim))


def scope(name: str, f: Filters, key: str | None = None) -> Scope:
    """The scope of figure `name` (a query function) under `f`; `key` picks one figure of a multi-mart one."""
    fig = FIGURES[name]
    return Scope.of(fig.mart_for(key), f, fig.drop)


def caption(name: str, f: Filters, lang: str, key: str | None = None, escape=None) -> str:
    return scope(name, f, key).describe(f, lang, escape)


def where(f: Filters, mart: str, *extra: str, alias: str | None = None) -> tuple[str, list]:
    """`WHERE …` (or "") and its parameters: the filters of `f` that the mart's declaration applies,
    less those the running figure drops, and `extra` conditions."""
    fig = _current.get()
    if fig is not None and mart not in fig.marts:
        raise AssertionError(f"figure {fig.name} reads {mart}, which it does not declare")
    spec = MARTS[mart]
    drop = fig.drop if fig is not None else {}
    prefix = f"{alias}." if alias else ""
    parts, params, applied = list(extra), [], []
    for dim in DIMENSIONS:
        column = spec.filters.get(dim)
        if column is None or dim in drop or not _chosen(f, dim):
            continue
        applied.append(dim)
        col = f'{prefix}"{column}"'
        if dim == "period":
            if f.start:
                parts.append(f"{col} >= ?")
                params.append(f.start)
            if f.end:
                parts.append(f"{col} <= ?")
                params.append(f.end)
        else:
            values = f.values(dim)
            parts.append(f"{col} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
    scoped = _access(f, spec, prefix, params)
    parts.extend(scoped)
    trace = _trace.get()
    if trace is not None:
        entry = (fig.name if fig else None, mart, tuple(applied))
        trace.append((*entry, len(scoped)) if getattr(trace, "with_scope", False) else entry)
    return ("WHERE " + " AND ".join(parts)) if parts else "", params


def _access(f: Filters, spec, prefix: str, params: list) -> list[str]:
    """The scope's conditions on a mart: its division and team columns within the scope's (an empty scope
    matches nothing). Applied whatever the figure drops: a scope is never dropped."""
    s = f.scope
    if s is None or s.is_bureau:
        return []
    out = []
    for dim, values in (("division", s.divisions), ("team", s.teams)):
        column = spec.filters.get(dim)
        if values is None or column is None:
            continue
        if not values:
            out.append("false")
            continue
        out.append(f'{prefix}"{column}" IN ({", ".join("?" for _ in values)})')
        params.extend(values)
    return out


def periods_of(f: Filters) -> list[Filters]:
    """`f`, then the period of equal length just before it when `f` has one (the Overview's comparison)."""
    prev = f.previous()
    return [f] if prev is None else [f, prev]


def where_periods(fs: Sequence[Filters], mart: str, *extra: str, alias: str | None = None) -> tuple[str, list, list[str]]:
    """Several periods in one query. `fs` differ in their period only; returns `WHERE …` and its parameters
    over the rows of all of them (`where()` of the filters from the earliest start to the latest end), and
    per filter an SQL condition that keeps its own period's rows: `agg(…) FILTER (WHERE cond)` is then
    `agg(…)` of `where(fs[i], mart)`. The condition is "true" where the period does not narrow the mart."""
    base = fs[0]
    assert all(replace(g, start=base.start, end=base.end) == base for g in fs), "filters differ beyond the period"
    starts, ends = [g.start for g in fs], [g.end for g in fs]
    hull = replace(base, start=None if None in starts else min(starts), end=None if None in ends else max(ends))
    w, p = where(hull, mart, *extra, alias=alias)
    fig = _current.get()
    column = MARTS[mart].filters.get("period")
    if fig is not None and "period" in fig.drop:
        column = None
    conds = []
    for g in fs:
        parts = []
        if column is not None:
            col = f'{alias + "." if alias else ""}"{column}"'
            for op, month in ((">=", g.start), ("<=", g.end)):
                if month is not None:
                    assert type(month) is date, month  # a literal of a date only: nothing else gets inlined
                    parts.append(f"{col} {op} DATE {literal(month.isoformat())}")
        conds.append(" AND ".join(parts) or "true")
    return w, p, conds


class _Calls(list):
    with_scope = False


class tracing:
    """`with tracing() as calls:` records (figure, mart, filters applied) of every where() inside; with
    `scope=True` also how many of the scope's conditions it added."""

    def __init__(self, scope: bool = False) -> None:
        self.scope = scope

    def __enter__(self) -> list:
        self.calls: list = _Calls()
        self.calls.with_scope = self.scope
        self.token = _trace.set(self.calls)
        return self.calls

    def __exit__(self, *exc) -> None:
        _trace.reset(self.token)


def q(con, sql: str, params: list | None = None) -> pl.DataFrame:
    return con.sql(sql, params=params or None).pl()


def scalar(con, sql: str, params: list | None = None):
    rows = con.sql(sql, params=params or None).fetchall()
    return rows[0][0] if rows else None


def row(con, sql: str, params: list | None = None) -> tuple:
    rows = con.sql(sql, params=params or None).fetchall()
    return rows[0] if rows else ()


def in_list(column: str, values: tuple[str, ...], params: list) -> str:
    params.extend(values)
    return f"{column} IN ({', '.join('?' for _ in values)})"
