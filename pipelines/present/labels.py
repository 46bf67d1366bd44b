"""Codes to words for tables shown to people (the pages and exports call these; queries return codes)."""

from __future__ import annotations

import polars as pl

from pipelines.core import contract
from pipelines.core.i18n import label, t
from pipelines.domain.rules import RECORD_KINDS
from pipelines.tables.marts import SUBSTITUTION_SCOPES

LABELLED = ("level", "matter_type", "meeting_type", "outcome", "decision", "absent_post", "substitute_post",
            "direction", "warning_tier", "tier", "family", "source", "target")
FINDING_COLUMNS = ("rule_id", "article", "record_id", "detail", "people", "occurred_at", "record_kind")
POSITION_COLUMNS = ("vp_position", "chief_position", "majority")  # a meeting item's positions (FOR, AGAINST, ...)


def labelled(df: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Replace enum-coded columns by their labels."""
    from pipelines.present import charts  # altair: imported only by those who label tables

    out = charts.with_labels(df, lang)
    for col in LABELLED:
        lab = "tier_label" if col in ("warning_tier", "tier") else f"{col}_label"
        if lab in out.columns and col in out.columns:
            out = out.with_columns(pl.col(lab).alias(col)).drop(lab)
    words = {
        **{col: {c: label("position", c, lang) for c in contract.ENUMS["position"].codes} for col in POSITION_COLUMNS},
        "final_level": {c: label("level", c, lang) for c in contract.LEVEL_CODES},
        "final_decision": {c: label("decision", c, lang) for c in contract.DECISION.codes},
        "scope": {c: t(f"scope.{c}", lang) for c in SUBSTITUTION_SCOPES},
    }
    exprs = [pl.col(col).replace_strict(mapping, default=pl.col(col), return_dtype=pl.String)
             for col, mapping in words.items() if col in out.columns and out.schema[col] in (pl.String, pl.Null)]
    return out.with_columns(exprs) if exprs else out


def findings_view(df: pl.DataFrame, lang: str) -> pl.DataFrame:
    """A page of findings as shown: the detail in the interface language, record kinds in words."""
    if df.is_empty():
        return df
    detail = "detail" if lang == "zh" else "detail_en"
    kinds = {k: t(f"kind.{k}", lang) for k in RECORD_KINDS}
    out = df.with_columns(
        pl.col(detail).fill_null(pl.col("detail")).alias("detail"),
        pl.col("record_kind").replace_strict(kinds, default=pl.col("record_kind")),
    ).drop("detail_en")
    # the rule, the record and what was found first (a table wider than the page scrolls), then where and when
    first = [c for c in FINDING_COLUMNS if c in out.columns]
    return out.select(first + [c for c in out.columns if c not in first])
