"""Stable pseudonyms for people, applied to every figure's result when the scope asks for them (analysts).

A person's pseudonym is `P-` and five characters of a hash of their staff id: the same person has the
same pseudonym on every page, in every export and in every month's report, and two people of a roster
differ (a collision is numbered). Applied in the query layer (`_sql.figure`), so no page, export or
report can show a name the scope hides: every cell that is a roster person's name or staff id becomes
the pseudonym, roster names inside free text (a finding's detail, a topic, a reason) too, and the staff
ids of a `people` list.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import duckdb
import polars as pl

PREFIX = "P-"
TEXT_COLUMNS = ("detail", "detail_en", "topic", "reason", "escalation_reason", "title")
ID_LISTS = ("people",)


def pseudonym(staff_id: str) -> str:
    return PREFIX + hashlib.sha256(f"tierwatch/person/{staff_id}".encode()).hexdigest()[:5].upper()


def replacements(con) -> dict[str, str]:
    """name -> pseudonym and staff id -> pseudonym for everyone on the roster."""
    try:
        rows = con.sql("SELECT staff_id, name FROM staff WHERE staff_id IS NOT NULL ORDER BY staff_id").fetchall()
    except duckdb.Error:  # no roster loaded: nothing to replace
        return {}
    out: dict[str, str] = {}
    used: dict[str, int] = {}
    for staff_id, name in rows:
        p = pseudonym(str(staff_id))
        if p in used.values() and out.get(str(staff_id)) is None:
            p = f"{p}{sum(v == p for v in used.values()) + 1}"
        used[str(staff_id)] = p
        out[str(staff_id)] = p
        if name and str(name).strip():
            out.setdefault(str(name), p)
    return out


def apply(result, mapping: Mapping[str, str]):
    """`result` (a frame, a dict, a tuple or list of them, a scalar) with every person replaced."""
    if not mapping:
        return result
    if isinstance(result, pl.DataFrame):
        return _frame(result, mapping)
    if isinstance(result, dict):
        return {k: apply(v, mapping) for k, v in result.items()}
    if isinstance(result, tuple):
        return tuple(apply(v, mapping) for v in result)
    if isinstance(result, list):
        return [apply(v, mapping) for v in result]
    if isinstance(result, str):
        return mapping.get(result, result)
    return result


def _frame(df: pl.DataFrame, mapping: Mapping[str, str]) -> pl.DataFrame:
    names = sorted((k for k in mapping if len(k) >= 2), key=len, reverse=True)
    exprs = []
    for col, dtype in df.schema.items():
        if dtype != pl.String:
            continue
        e = pl.col(col).replace(dict(mapping))  # a cell that is a person's name or staff id
        if col in TEXT_COLUMNS and names:
            e = e.str.replace_many(names, [mapping[n] for n in names], leftmost=True)
        elif col in ID_LISTS:
            ids = sorted(mapping, key=len, reverse=True)
            e = e.str.replace_many(ids, [mapping[i] for i in ids], leftmost=True)
        exprs.append(e.alias(col))
    return df.with_columns(exprs) if exprs else df
