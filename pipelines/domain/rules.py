"""The regulation's rules (DOMAIN.md §4), each declared once, evaluated as polars expressions.

A `Rule` carries its id, article, record kind, family and logic; its title, the article text it cites
and its finding texts live in the catalogue (`pipelines/core/messages/rules.py`) under `rule.<id>.*`.
`RULES` is the registry; the compliance page and the `rule_catalogue` mart list rules from it.

`evaluate(ctx)` returns the `violations` frame: one row per finding (rule id, article, record kind,
record id, detail in Chinese and English, month, team, division, people, occurred_at). Only records
dated on or after the effective date (a setting) are judged: matters by their final decision,
substitutions by their start, meetings and their items by the meeting day.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property

import polars as pl

from pipelines.core import contract, sql
from pipelines.core.i18n import CATALOGUE, t
from pipelines.domain.metrics import ESCALATED, FINDINGS_PER_100, month_of
from pipelines.domain.settings import Settings

RECORD_KINDS = ("matter", "substitution", "meeting", "meeting_item", "case", "month")

# A rule's family is the first letter of its id: its code (`Rule.family`, the marts' `family` column), and the
# word the charts and pages use (`family_of`), whose label is the catalogue's `family.<word>`. Defined here
# once, in Python, polars and SQL; any other first letter is the family "other".
FAMILIES = {"A": "approval", "S": "substitution", "M": "meeting"}
OTHER_FAMILY = "other"


def family_of(rule_id: str | None) -> str:
    """The family word of a rule id ("M5-RECORD" -> "meeting")."""
    return FAMILIES.get((rule_id or "?")[0], OTHER_FAMILY)


def family_expr(rule_col: str = "rule_id") -> pl.Expr:
    """`family_of` of a rule-id column, as a polars expression named `family`."""
    return pl.col(rule_col).str.slice(0, 1).replace_strict(FAMILIES, default=OTHER_FAMILY).alias("family")


def family_sql(rule_col: str) -> str:
    """`family_of` of a rule-id column, as an SQL expression."""
    whens = " ".join(f"WHEN {sql.literal(code)} THEN {sql.literal(word)}" for code, word in FAMILIES.items())
    return f"CASE left({rule_col}, 1) {whens} ELSE {sql.literal(OTHER_FAMILY)} END"


VIOLATION_SCHEMA = {
    "rule_id": pl.String,
    "article": pl.String,
    "record_kind": pl.String,
    "record_id": pl.String,
    "detail": pl.String,
    "detail_en": pl.String,
    "month": pl.Date,
    "team": pl.String,
    "division": pl.String,
    "people": pl.String,
    "occurred_at": pl.Datetime("us"),
}


# --------------------------------------------------------------------------------------------------
# Text as expressions: catalogue templates filled from columns (vectorised)
# --------------------------------------------------------------------------------------------------


def fmt(key: str, lang: str, **fields: pl.Expr) -> pl.Expr:
    """The catalogue message `key` in `lang`, with `{field}`s filled from expressions, per row."""
    zh, en = CATALOGUE[key]
    parts: list[pl.Expr] = []
    for literal, name, _spec, _conv in string.Formatter().parse(zh if lang == "zh" else en):
        if literal:
            parts.append(pl.lit(literal))
        if name is not None:
            parts.append(fields[name].cast(pl.String).fill_null("—"))
    return pl.concat_str(parts) if parts else pl.lit("")


def label_expr(kind: str, expr: pl.Expr, lang: str) -> pl.Expr:
    """Enum code -> its label in `lang` (unknown codes shown as they are)."""
    enum = contract.ENUMS[kind]
    mapping = {code: enum.label(code, lang) for code in enum.codes}
    return expr.replace_strict(mapping, default=expr.cast(pl.String), return_dtype=pl.String)


def msg_map_expr(prefix: str, codes: tuple[str, ...], expr: pl.Expr, lang: str) -> pl.Expr:
    mapping = {c: t(f"{prefix}.{c}", lang) for c in codes}
    return expr.replace_strict(mapping, default=expr.cast(pl.String), return_dtype=pl.String)


def person(id_col: str, name_col: str, lang: str) -> pl.Expr:
    return pl.when(pl.col(id_col).is_null()).then(pl.lit("—")).otherwise(
        fmt("rules.person", lang, name=pl.coalesce(name_col, id_col), id=pl.col(id_col))
    )


def yes_no(expr: pl.Expr, lang: str) -> pl.Expr:
    return pl.when(expr).then(pl.lit(t("rules.yes", lang))).otherwise(pl.lit(t("rules.no", lang)))


def num(expr: pl.Expr, digits: int = 1) -> pl.Expr:
    return expr.round(digits)


Params = Callable[[str], dict[str, pl.Expr]]

# What `emit` returns: the finding's own columns (evaluate adds the rule's and the month).
EMITTED_SCHEMA = {k: VIOLATION_SCHEMA[k] for k in ("record_id", "detail", "detail_en", "team", "division", "people",
                                                  "occurred_at")}


def emit(
    df: pl.DataFrame,
    *,
    record_id: pl.Expr,
    variants: list[tuple[pl.Expr | None, str]],
    params: Params,
    occurred_at: pl.Expr,
    people: list[pl.Expr],
    team: pl.Expr | None = None,
    division: pl.Expr | None = None,
) -> pl.DataFrame:
    """Finding rows from the offending records in `df`. `variants`: (condition, message key) in
    order; the first whose condition holds gives the detail (None = otherwise)."""

    def detail(lang: str) -> pl.Expr:
        p = params(lang)
        (cond0, key0), *rest = variants
        if cond0 is None:
            return fmt(key0, lang, **p)
        chain = pl.when(cond0).then(fmt(key0, lang, **p))
        for cond, key in rest:
            if cond is None:
                return chain.otherwise(fmt(key, lang, **p))
            chain = chain.when(cond).then(fmt(key, lang, **p))
        return chain.otherwise(pl.lit(None, pl.String))

    if df.is_empty():  # no offending records: skip building the messages (most rules, most loads)
        return pl.DataFrame(schema=EMITTED_SCHEMA)
    return df.select(
        record_id=record_id.cast(pl.String),
        detail=detail("zh"),
        detail_en=detail("en"),
        team=(team if team is not None else pl.lit(None)).cast(pl.String),
        division=(division if division is not None else pl.lit(None)).cast(pl.String),
        people=pl.concat_str([p.cast(pl.String) for p in people], separator=";", ignore_nulls=True),
        occurred_at=occurred_at.cast(pl.Datetime("us")),
    )


# --------------------------------------------------------------------------------------------------
# What the rules read: the prepared frames (from pipelines.domain.metrics) and the judged subsets
# --------------------------------------------------------------------------------------------------


def covers(at: pl.Expr) -> pl.Expr:
    """A substitution covers `at`: start ≤ at ≤ end, inclusive; no end covers everything after start."""
    return (pl.col("start_at") <= at) & (pl.col("end_at").is_null() | (at <= pl.col("end_at")))


@dataclass
class Context:
    settings: Settings
    people: pl.DataFrame  # metrics.people
    steps: pl.DataFrame  # metrics.step_latency
    matters: pl.DataFrame  # metrics.matters
    subs: pl.DataFrame  # metrics.substitution_facts
    meetings: pl.DataFrame  # metrics.meeting_facts
    items: pl.DataFrame  # metrics.meeting_item_facts
    snapshot: dt.datetime | None = None  # the data's "now" (the latest received_at or decided_at); None: no approvals
    # A7-PLAN's records: the major cases (case_id, team, division, judge_id, filed_on) and the PLAN matters of
    # cases (case_id, matter_id, chief_approved); None where a build does not judge cases (the matter batches)
    cases: pl.DataFrame | None = None
    plans: pl.DataFrame | None = None

    def _from_effective(self, expr: pl.Expr) -> pl.Expr:
        return expr.cast(pl.Date) >= pl.lit(self.settings.effective_date)

    @cached_property
    def judged_matters(self) -> pl.DataFrame:
        """Closed matters whose final decision falls on or after the effective date."""
        return self.matters.filter(pl.col("closed") & self._from_effective(pl.col("final_decided_at")))

    @cached_property
    def approved(self) -> pl.DataFrame:
        return self.judged_matters.filter(pl.col("final_decision") == "APPROVE")

    @cached_property
    def judged_subs(self) -> pl.DataFrame:
        return self.subs.filter(self._from_effective(pl.col("start_at")))

    @cached_property
    def judged_meetings(self) -> pl.DataFrame:
        return self.meetings.filter(self._from_effective(pl.col("held_on")))

    @cached_property
    def judged_items(self) -> pl.DataFrame:
        return self.items.filter(self._from_effective(pl.col("held_on")).fill_null(False))

    @cached_property
    def judged_cases(self) -> pl.DataFrame:
        """A7-PLAN's records: major cases filed on or after the effective date whose filing day + N days
        (setting) is before the snapshot date. No snapshot (no approvals) or no cases: none."""
        if self.cases is None or self.snapshot is None:
            return pl.DataFrame(schema={"case_id": pl.String, "team": pl.String, "division": pl.String,
                                        "judge_id": pl.String, "filed_on": pl.Date})
        due = pl.col("filed_on") + pl.duration(days=self.settings.major_case_plan_days)
        return self.cases.filter(self._from_effective(pl.col("filed_on")) & (due < pl.lit(self.snapshot.date())))

    @cached_property
    def meeting_months(self) -> pl.DataFrame:
        """M4-REGULAR's records: (month, meeting_type) for the months from the later of the effective date's
        month and the first meeting's month up to the month before the snapshot's, with `last_held` (the
        latest month up to it with a meeting of that type) and `interval` (the setting's N). None without
        meetings or a snapshot."""
        schema = {"month": pl.Date, "meeting_type": pl.String, "last_held": pl.Date, "interval": pl.Int64}
        if self.meetings.is_empty() or self.snapshot is None:
            return pl.DataFrame(schema=schema)
        first = self.meetings["held_on"].min().replace(day=1)
        start = max(first, self.settings.effective_date.replace(day=1))
        last = (self.snapshot.date().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        if start > last:
            return pl.DataFrame(schema=schema)
        months = pl.DataFrame({"month": pl.date_range(start, last, "1mo", eager=True)})
        types = pl.DataFrame({"meeting_type": list(contract.MEETING_TYPE.codes),
                              "interval": [self.settings.meeting_interval_months[m] for m in contract.MEETING_TYPE.codes]},
                             schema={"meeting_type": pl.String, "interval": pl.Int64})
        held = (self.meetings.select("meeting_type", last_held=month_of(pl.col("held_on"))).unique()
                .with_columns(month=pl.col("last_held")).sort("month"))
        grid = months.join(types, how="cross").sort("month")
        return grid.join_asof(held, on="month", by="meeting_type", strategy="backward", check_sortedness=False).select(list(schema)) \
            .sort("month", "meeting_type")

    def judged(self, kind: str) -> pl.DataFrame:
        """Records of `kind` judged, with their month, team and division (the denominator of compliance
        rates). Team and division are the ones the kind's findings carry: a matter's, a substitution's
        (the absent person's), a case's; meetings, meeting items and months have none (null: bureau-wide)."""
        none = pl.lit(None, pl.String)
        if kind == "month":
            return self.meeting_months.select("month", team=none, division=none)
        frame, date_col, org = {
            "case": (self.judged_cases, "filed_on", True),
            "matter": (self.judged_matters, "final_decided_at", True),
            "substitution": (self.judged_subs, "start_at", True),
            "meeting": (self.judged_meetings, "held_on", False),
            "meeting_item": (self.judged_items, "held_on", False),
        }[kind]
        return frame.select(
            month=month_of(pl.col(date_col)),
            team=pl.col("team").cast(pl.String) if org else none,
            division=pl.col("division").cast(pl.String) if org else none,
        )

    def covered_steps(self, steps: pl.DataFrame, *, authorized_only: bool) -> pl.DataFrame:
        """(matter_id, step_no) of steps whose `acting_for` person had a substitution naming the
        approver as substitute that covers the decision time."""
        subs = self.subs.select("absent_id", "substitute_id", "start_at", "end_at", "authorized")
        if authorized_only:
            subs = subs.filter(pl.col("authorized"))
        return (
            steps.filter(pl.col("acting_for").is_not_null())
            .select("matter_id", "step_no", "acting_for", "approver_id", "decided_at")
            .join(subs, left_on=["acting_for", "approver_id"], right_on=["absent_id", "substitute_id"])
            .filter(covers(pl.col("decided_at")))
            .select("matter_id", "step_no")
            .unique()
        )

    @cached_property
    def approved_steps(self) -> pl.DataFrame:
        """Decided steps of judged approved matters, with `ord` (decided_at then step_no as one integer) and
        `chief_level` (an APPROVE by the chief, or by a deputy authorised to act for the absent chief)."""
        s = self.steps.join(self.approved.select("matter_id"), on="matter_id", how="semi").filter(
            pl.col("decided_at").is_not_null()
        )
        chiefs = self.people.filter(pl.col("post") == "CHIEF").select(acting_for="staff_id")
        acting_cand = s.filter(
            (pl.col("decision") == "APPROVE") & (pl.col("approver_post") == "DEPUTY")
        ).join(chiefs, on="acting_for", how="semi")
        acting_ok = self.covered_steps(acting_cand, authorized_only=True).with_columns(acting_chief=pl.lit(True))
        s = (
            s.join(acting_ok, on=["matter_id", "step_no"], how="left")
            .with_columns(
                chief_level=(pl.col("decision") == "APPROVE")
                & ((pl.col("approver_post") == "CHIEF") | pl.col("acting_chief").fill_null(False))
            )
        )
        firsts = s.group_by("matter_id").agg(
            first_chief_ord=pl.col("ord_key").filter("chief_level").min(),
            first_chief_level_ord=pl.col("ord_key").filter(pl.col("level") == "CHIEF").min(),
        )
        return s.join(firsts, on="matter_id", how="left").rename({"ord_key": "ord"})

    @cached_property
    def chief_approved(self) -> pl.DataFrame:
        """(matter_id) of the PLAN matters of `steps` with a chief-level approval (§3) in any of their steps: an
        APPROVE by the chief, or by a deputy acting for a chief under an authorised substitution covering
        its decision time. Closed or not (A7-PLAN: "any step of it, at any time"). PLAN matters only: A7-PLAN
        is its one reader, and the other types' steps (97%) cost a batch ~0.1 s for nothing."""
        s = self.steps.filter(pl.col("matter_type").is_in(PLAN_CHIEF_TYPES) & (pl.col("decision") == "APPROVE")
                              & pl.col("approver_post").is_in(["CHIEF", "DEPUTY"]))
        chiefs = self.people.filter(pl.col("post") == "CHIEF").select(acting_for="staff_id")
        acting = self.covered_steps(
            s.filter(pl.col("approver_post") == "DEPUTY").join(chiefs, on="acting_for", how="semi"), authorized_only=True)
        by_chief = s.filter(pl.col("approver_post") == "CHIEF").select("matter_id")
        return pl.concat([by_chief, acting.select("matter_id")]).unique()

    @cached_property
    def matter_checks(self) -> pl.DataFrame:
        """Per judged approved matter: the facts the A-rules test."""
        approve = pl.col("decision") == "APPROVE"
        ord_ = pl.col("ord")
        checks = self.approved_steps.group_by("matter_id").agg(
            pl.col("chief_level").any().alias("has_chief_level"),
            pl.col("step_no").filter(ord_ == pl.col("first_chief_ord")).first().alias("chief_step_no"),
            pl.col("approver_id").filter(ord_ == pl.col("first_chief_ord")).first().alias("chief_approver_id"),
            pl.col("approver_name").filter(ord_ == pl.col("first_chief_ord")).first().alias("chief_approver_name"),
            (
                approve
                & (pl.col("approver_post") == "DEPUTY")
                & (pl.col("first_chief_ord").is_null() | (ord_ <= pl.col("first_chief_ord")))
            )
            .any()
            .alias("deputy_process_ok"),
            (approve & (pl.col("approver_rank") >= contract.RANK["DEPUTY"])).any().alias("deputy_rank_approve"),
            (approve & (pl.col("level_rank") >= contract.RANK["VP"])).any().alias("vp_approve"),
            (
                approve
                & (pl.col("level_rank") >= contract.RANK["VP"])
                & pl.col("first_chief_level_ord").is_not_null()
                & (ord_ > pl.col("first_chief_level_ord"))
            )
            .any()
            .alias("vp_after_chief"),
        )
        return self.approved.join(checks, on="matter_id", how="left")


# --------------------------------------------------------------------------------------------------
# The rules
# --------------------------------------------------------------------------------------------------


def _matter_params(lang: str) -> dict[str, pl.Expr]:
    return dict(_matter_param_exprs(lang))


@cache
def _matter_param_exprs(lang: str) -> dict[str, pl.Expr]:
    # Built once per language: the labels' mappings cost ~5 ms of Python per call, and the marts evaluate
    # the matter rules once per batch (18 calls each: 2 languages, 9 rules).
    return {
        "matter": pl.col("matter_id"),
        "type": label_expr("matter_type", pl.col("matter_type"), lang),
        "approver": person("final_approver_id", "final_approver_name", lang),
        "post": label_expr("post", pl.col("final_approver_post"), lang),
        "level": label_expr("level", pl.col("final_level"), lang),
        "decision": label_expr("decision", pl.col("final_decision"), lang),
        "team": pl.col("team"),
        "highest": label_expr("level", pl.col("highest_level"), lang),
        # Only on matter_checks rows (A9-PROCESS); an expression is evaluated only if its template uses it.
        "chief": person("chief_approver_id", "chief_approver_name", lang),
        "step": pl.col("chief_step_no"),
    }


def _matter_findings(df: pl.DataFrame, variants: list[tuple[pl.Expr | None, str]], params: Params = _matter_params,
                     extra_people: list[pl.Expr] | None = None) -> pl.DataFrame:
    return emit(
        df,
        record_id=pl.col("matter_id"),
        variants=variants,
        params=params,
        occurred_at=pl.col("final_decided_at"),
        people=[pl.col("final_approver_id"), *(extra_people or [])],
        team=pl.col("team"),
        division=pl.col("division"),
    )


def a7_chief(ctx: Context) -> pl.DataFrame:
    df = ctx.matter_checks.filter(
        pl.col("matter_type").is_in(contract.CHIEF_MATTERS) & ~pl.col("has_chief_level").fill_null(False)
    )
    return _matter_findings(df, [(None, "rule.A7-CHIEF.detail")])


def a9_process(ctx: Context) -> pl.DataFrame:
    df = ctx.matter_checks.filter(
        pl.col("matter_type").is_in(contract.PROCESS_MATTERS) & ~pl.col("deputy_process_ok").fill_null(False)
    )
    return _matter_findings(
        df,
        [(pl.col("has_chief_level"), "rule.A9-PROCESS.detail"), (None, "rule.A9-PROCESS.detail_no_chief")],
        extra_people=[pl.col("chief_approver_id")],
    )


def a9_deputy(ctx: Context) -> pl.DataFrame:
    df = ctx.matter_checks.filter(
        pl.col("matter_type").is_in(contract.DEPUTY_MATTERS) & ~pl.col("deputy_rank_approve").fill_null(False)
    )
    return _matter_findings(df, [(None, "rule.A9-DEPUTY.detail")])


def a9_division(ctx: Context) -> pl.DataFrame:
    """Art. 9(2) "分管部门、团队": a document approved at deputy rank, but not by its own division's deputy,
    nor by someone acting for that deputy under a covering substitution, nor by the chief or above."""
    approve = pl.col("decision") == "APPROVE"
    s = ctx.approved_steps.filter((pl.col("matter_type") == "DOCUMENT") & pl.col("division").is_not_null())
    deputies = ctx.people.filter(pl.col("post") == "DEPUTY").select(acting_for="staff_id", acting_division="division")
    for_deputy = s.filter(approve).join(deputies, on="acting_for").filter(pl.col("acting_division") == pl.col("division"))
    covered = ctx.covered_steps(for_deputy, authorized_only=False).with_columns(for_own_deputy=pl.lit(True))
    s = s.join(covered, on=["matter_id", "step_no"], how="left")
    deputy_rank = approve & (pl.col("approver_rank") >= contract.RANK["DEPUTY"]).fill_null(False)
    own = approve & (
        ((pl.col("approver_post") == "DEPUTY") & (pl.col("approver_division") == pl.col("division"))).fill_null(False)
        | pl.col("for_own_deputy").fill_null(False)
        | (pl.col("approver_rank") >= contract.RANK["CHIEF"]).fill_null(False)
    )
    checks = s.sort("ord").group_by("matter_id").agg(
        deputy_rank.any().alias("deputy_rank"),
        own.any().alias("own_division"),
        pl.col("approver_id").filter(deputy_rank).last().alias("other_id"),
        pl.col("approver_name").filter(deputy_rank).last().alias("other_name"),
        pl.col("approver_division").filter(deputy_rank).last().alias("other_division"),
    )
    df = ctx.approved.join(checks, on="matter_id").filter(pl.col("deputy_rank") & ~pl.col("own_division"))

    def params(lang: str) -> dict[str, pl.Expr]:
        return {
            **_matter_params(lang),
            "division": pl.col("division"),
            "other": person("other_id", "other_name", lang),
            "other_division": pl.col("other_division"),
        }

    return _matter_findings(
        df,
        [(pl.col("other_division").is_not_null(), "rule.A9-DIVISION.detail"), (None, "rule.A9-DIVISION.detail_no_division")],
        params,
        extra_people=[pl.col("other_id")],
    )


def a10_team(ctx: Context) -> pl.DataFrame:
    m = ctx.approved.filter(pl.col("matter_type") == "TEAM")
    leaders = ctx.people.filter(pl.col("post") == "TEAM_LEAD").select("staff_id", leader_team="team")
    # The final step, to test "acting for that leader under a covering substitution".
    final = m.select(
        "matter_id", step_no="final_step_no", acting_for="final_acting_for",
        approver_id="final_approver_id", decided_at="final_decided_at",
    )
    final_acting = final.join(leaders, left_on="acting_for", right_on="staff_id").join(
        m.select("matter_id", "team"), on="matter_id"
    ).filter(pl.col("leader_team") == pl.col("team"))
    covered = ctx.covered_steps(final_acting, authorized_only=False).select("matter_id", substitute_ok=pl.lit(True))
    df = (
        m.join(covered, on="matter_id", how="left")
        .filter(
            ~(
                ((pl.col("final_approver_post") == "TEAM_LEAD") & (pl.col("final_approver_team") == pl.col("team")))
                .fill_null(False)
                | pl.col("substitute_ok").fill_null(False)
                | (pl.col("final_approver_rank") >= contract.RANK["DEPUTY"]).fill_null(False)
            )
        )
    )
    return _matter_findings(df, [(None, "rule.A10-TEAM.detail")])


def _vp_rule(matter_type: str, key: str) -> Callable[[Context], pl.DataFrame]:
    def check(ctx: Context) -> pl.DataFrame:
        df = ctx.matter_checks.filter(
            (pl.col("matter_type") == matter_type) & ~pl.col("vp_after_chief").fill_null(False)
        )
        return _matter_findings(
            df, [(~pl.col("vp_approve").fill_null(False), f"rule.{key}.detail_no_vp"), (None, f"rule.{key}.detail_no_chief")]
        )

    return check


def a11_lastword(ctx: Context) -> pl.DataFrame:
    df = ctx.judged_matters.filter(pl.col("final_level_rank") < pl.col("highest_level_rank"))
    return _matter_findings(df, [(None, "rule.A11-LASTWORD.detail")])


def _sub_params(ctx: Context) -> Params:
    def params(lang: str) -> dict[str, pl.Expr]:
        return {
            "sub": pl.col("substitution_id"),
            "absent": person("absent_id", "absent_name", lang),
            "substitute": person("substitute_id", "substitute_name", lang),
            "decider": person("decided_by", "decider_name", lang),
            "absent_post": label_expr("post", pl.col("absent_post"), lang),
            "substitute_post": label_expr("post", pl.col("substitute_post"), lang),
            "decider_post": label_expr("post", pl.col("decider_post"), lang),
            "scope": msg_map_expr("metrics.scope", ("TEAM", "DIVISION", "BUREAU"), pl.col("scope"), lang),
            "days": num(pl.col("days")),
            "limit": pl.lit(ctx.settings.temporary_substitution_limit_days).round(1),
        }

    return params


def _sub_findings(ctx: Context, df: pl.DataFrame, variants: list[tuple[pl.Expr | None, str]]) -> pl.DataFrame:
    return emit(
        df,
        record_id=pl.col("substitution_id"),
        variants=variants,
        params=_sub_params(ctx),
        occurred_at=pl.col("start_at"),
        people=[pl.col("absent_id"), pl.col("substitute_id"), pl.col("decided_by")],
        team=pl.col("team"),
        division=pl.col("division"),
    )


def s12_reverse(ctx: Context) -> pl.DataFrame:
    higher = pl.col("substitute_rank") > pl.col("absent_rank")
    equal = pl.col("substitute_rank") == pl.col("absent_rank")
    bad = higher if ctx.settings.equal_rank_substitution_allowed else (higher | equal)
    df = ctx.judged_subs.filter(bad.fill_null(False))
    return _sub_findings(ctx, df, [(higher, "rule.S12-REVERSE.detail"), (None, "rule.S12-REVERSE.detail_equal")])


def s12_leadership(ctx: Context) -> pl.DataFrame:
    exempt = (
        (pl.col("absent_post") == "CHIEF") & (pl.col("substitute_post") == "DEPUTY") & pl.col("authorized")
    )
    df = ctx.judged_subs.filter(pl.col("absent_post").is_in(ctx.settings.leadership_posts) & ~exempt)
    return _sub_findings(ctx, df, [(None, "rule.S12-LEADERSHIP.detail")])


def s12_authority(ctx: Context) -> pl.DataFrame:
    chief_or_above = (pl.col("decider_rank") >= contract.RANK["CHIEF"]).fill_null(False)
    division_deputy = (
        (pl.col("decider_post") == "DEPUTY") & (pl.col("decider_division") == pl.col("scope_division"))
    ).fill_null(False)
    team_leader = (
        (pl.col("decider_post") == "TEAM_LEAD") & (pl.col("decider_team") == pl.col("scope_team"))
    ).fill_null(False)
    has_authority = (
        pl.when(pl.col("scope") == "TEAM")
        .then(team_leader | division_deputy | chief_or_above)
        .when(pl.col("scope") == "DIVISION")
        .then(division_deputy | chief_or_above)
        .otherwise(chief_or_above)
    )
    self_decided = pl.col("decided_by") == pl.col("substitute_id")
    df = ctx.judged_subs.filter(self_decided | ~has_authority)
    return _sub_findings(
        ctx, df, [(self_decided, "rule.S12-AUTHORITY.detail_self"), (None, "rule.S12-AUTHORITY.detail")]
    )


def s12_temporary(ctx: Context) -> pl.DataFrame:
    limit_h = ctx.settings.temporary_substitution_limit_days * 24
    no_end = pl.col("end_at").is_null()
    df = ctx.judged_subs.filter(no_end | (pl.col("days") * 24 > limit_h))
    return _sub_findings(ctx, df, [(no_end, "rule.S12-TEMPORARY.detail_open"), (None, "rule.S12-TEMPORARY.detail")])


def s12_unrecorded(ctx: Context) -> pl.DataFrame:
    """Art. 8.5, 12: a decided step "acting for" someone with no substitution on record that covers it
    (absent = that person, substitute = the approver; authorisation not needed). One finding per matter."""
    acting = ctx.steps.join(ctx.judged_matters.select("matter_id"), on="matter_id", how="semi").filter(
        pl.col("decided_at").is_not_null() & pl.col("acting_for").is_not_null()
    )
    covered = ctx.covered_steps(acting, authorized_only=False)
    names = ctx.people.select(acting_for="staff_id", acting_name="name")
    bare = (
        acting.join(covered, on=["matter_id", "step_no"], how="anti")
        .join(names, on="acting_for", how="left")
        .sort("ord_key")
        .group_by("matter_id")
        .agg(
            pl.col("step_no").first().alias("bare_step_no"),
            pl.col("approver_id").first().alias("bare_approver_id"),
            pl.col("approver_name").first().alias("bare_approver_name"),
            pl.col("acting_for").first().alias("bare_acting_for"),
            pl.col("acting_name").first().alias("bare_acting_name"),
            pl.col("decided_at").first().alias("bare_decided_at"),
            pl.len().alias("bare_steps"),
            pl.col("approver_id").append(pl.col("acting_for")).unique(maintain_order=True).str.join(";")
            .alias("bare_people"),
        )
    )
    df = ctx.judged_matters.join(bare, on="matter_id")

    def params(lang: str) -> dict[str, pl.Expr]:
        return {
            **_matter_params(lang),
            "step": pl.col("bare_step_no"),
            "approver": person("bare_approver_id", "bare_approver_name", lang),
            "acting": person("bare_acting_for", "bare_acting_name", lang),
            "at": pl.col("bare_decided_at").dt.strftime("%Y-%m-%d %H:%M"),
            "steps": pl.col("bare_steps"),
        }

    return emit(
        df,
        record_id=pl.col("matter_id"),
        variants=[(pl.col("bare_steps") > 1, "rule.S12-UNRECORDED.detail_many"), (None, "rule.S12-UNRECORDED.detail")],
        params=params,
        occurred_at=pl.col("final_decided_at"),
        people=[pl.col("bare_people")],
        team=pl.col("team"),
        division=pl.col("division"),
    )


def _meeting_findings(
    df: pl.DataFrame,
    variants: list[tuple[pl.Expr | None, str]],
    extra: Callable[[str], dict[str, pl.Expr]] | None = None,
    extra_people: list[pl.Expr] | None = None,
) -> pl.DataFrame:
    def params(lang: str) -> dict[str, pl.Expr]:
        return {
            **(extra(lang) if extra else {}),
            "meeting": pl.col("meeting_id"),
            "mtype": label_expr("meeting_type", pl.col("meeting_type"), lang),
            "held_on": pl.col("held_on"),
            "chair": person("chair_id", "chair_name", lang),
            "post": label_expr("post", pl.col("chair_post"), lang),
            "leads": pl.col("team_leads_attending"),
            "roster": pl.col("team_leads_on_roster"),
        }

    return emit(
        df,
        record_id=pl.col("meeting_id"),
        variants=variants,
        params=params,
        occurred_at=pl.col("held_on"),
        people=[pl.col("chair_id"), *(extra_people or [])],
    )


def m4_chair(ctx: Context) -> pl.DataFrame:
    ok = (pl.col("chair_post") == "CHIEF") | ((pl.col("chair_post") == "DEPUTY") & pl.col("chair_authorized"))
    df = ctx.judged_meetings.filter(~ok.fill_null(False))
    return _meeting_findings(
        df, [((pl.col("chair_post") == "DEPUTY").fill_null(False), "rule.M4-CHAIR.detail_unauthorised"), (None, "rule.M4-CHAIR.detail")]
    )


def m4_attend(ctx: Context) -> pl.DataFrame:
    bureau = pl.col("meeting_type") == "BUREAU"
    leads = pl.col("meeting_type") == "TEAM_LEADS"
    no_vp, no_chair = ~pl.col("vp_attends"), ~pl.col("chair_attends")
    short = 2 * pl.col("team_leads_attending") < pl.col("team_leads_on_roster")
    df = ctx.judged_meetings.filter((bureau & (no_vp | no_chair)) | (leads & short))
    return _meeting_findings(
        df,
        [
            (leads, "rule.M4-ATTEND.detail_leads"),
            (no_vp & no_chair, "rule.M4-ATTEND.detail_both"),
            (no_vp, "rule.M4-ATTEND.detail_vp"),
            (None, "rule.M4-ATTEND.detail_chair"),
        ],
    )


def m4_secretary(ctx: Context) -> pl.DataFrame:
    """Art. 4: the party-branch secretary attends the bureau meeting (when the roster names one)."""
    secretaries = ctx.people.filter(pl.col("party_secretary")).sort("staff_id")
    df = ctx.judged_meetings.filter(
        (pl.col("meeting_type") == "BUREAU") & (pl.col("secretaries_on_roster") > 0) & ~pl.col("secretary_attends")
    )

    def names(lang: str) -> dict[str, pl.Expr]:
        text = "、".join(t("rules.person", lang, name=n or i, id=i) for i, n in secretaries.select("staff_id", "name").rows())
        return {"secretary": pl.lit(text)}

    return _meeting_findings(
        df, [(None, "rule.M4-SECRETARY.detail")], names, [pl.lit(";".join(secretaries["staff_id"].to_list()))]
    )


def _item_findings(
    df: pl.DataFrame, variants: list[tuple[pl.Expr | None, str]], extra: Callable[[str], dict[str, pl.Expr]] | None = None
) -> pl.DataFrame:
    def params(lang: str) -> dict[str, pl.Expr]:
        return {
            **(extra(lang) if extra else {}),
            "item": pl.col("item_id"),
            "topic": pl.col("topic"),
            "meeting": pl.col("meeting_id"),
            "mtype": label_expr("meeting_type", pl.col("meeting_type"), lang),
            "outcome": label_expr("outcome", pl.col("outcome"), lang),
            "for": pl.col("votes_for"),
            "against": pl.col("votes_against"),
            "abstain": pl.col("votes_abstain"),
            "majority": pl.when(pl.col("majority").is_null())
            .then(pl.lit(t("rules.no_majority", lang)))
            .otherwise(label_expr("position", pl.col("majority"), lang)),
            "major": yes_no(pl.col("is_major"), lang),
            "dissent": yes_no(pl.col("vp_dissents") | pl.col("chief_dissents"), lang),
            "vp": label_expr("position", pl.col("vp_position"), lang),
            "chief": label_expr("position", pl.col("chief_position"), lang),
        }

    return emit(
        df,
        record_id=pl.col("item_id"),
        variants=variants,
        params=params,
        occurred_at=pl.col("held_on"),
        people=[pl.col("chair_id")],
    )


def m5_tiebreak(ctx: Context) -> pl.DataFrame:
    no_majority = pl.col("majority").is_null()
    vp_decided = pl.col("outcome") == "VP_DECIDED"
    df = ctx.judged_items.filter(
        (pl.col("meeting_type") == "BUREAU") & ((no_majority & ~vp_decided) | (~no_majority & vp_decided))
    )
    return _item_findings(df, [(no_majority, "rule.M5-TIEBREAK.detail_no_majority"), (None, "rule.M5-TIEBREAK.detail_majority")])


def escalation_grounded() -> pl.Expr:
    """Art. 5's grounds for sending a meeting item up: a major item, a majority formed, and the VP or the chief
    differing from it. An escalated item without them is an M5-ESCALATE finding."""
    return pl.col("is_major") & pl.col("majority").is_not_null() & (pl.col("vp_dissents") | pl.col("chief_dissents"))


ESCALATION_GROUNDS = {"is_major": pl.Boolean, "majority": pl.String, "vp_dissents": pl.Boolean, "chief_dissents": pl.Boolean}


def escalation_grounded_row(row: Mapping[str, object]) -> bool:
    """`escalation_grounded` of one meeting item (a row of `meeting_item_facts` as a dict; unknown is no)."""
    one = pl.DataFrame({c: [row.get(c)] for c in ESCALATION_GROUNDS}, schema=ESCALATION_GROUNDS)
    return bool(one.select(escalation_grounded().fill_null(False)).item())


def m5_escalate(ctx: Context) -> pl.DataFrame:
    df = ctx.judged_items.filter(pl.col("outcome").is_in(ESCALATED) & ~escalation_grounded())
    return _item_findings(df, [(None, "rule.M5-ESCALATE.detail")])


def m5_advisory(ctx: Context) -> pl.DataFrame:
    df = ctx.judged_items.filter((pl.col("meeting_type") == "TEAM_LEADS") & (pl.col("outcome") != "ADVISORY"))
    return _item_findings(df, [(None, "rule.M5-ADVISORY.detail")])


def m5_record(ctx: Context) -> pl.DataFrame:
    df = ctx.judged_items.filter(~pl.col("minuted"))
    return _item_findings(df, [(None, "rule.M5-RECORD.detail")])


def m5_vpabsent(ctx: Context) -> pl.DataFrame:
    """Art. 5: "the VP's opinion becomes the resolution" needs a VP opinion; an absent VP gave none."""
    df = ctx.judged_items.filter((pl.col("outcome") == "VP_DECIDED") & (pl.col("vp_position") == "ABSENT"))
    return _item_findings(df, [(None, "rule.M5-VPABSENT.detail")])


def m5_undecided(ctx: Context) -> pl.DataFrame:
    """Art. 5: an item escalated to the court leader or the committee and, more than the setting's days
    after the meeting (to the snapshot date), still without a recorded decision. No snapshot (no
    approvals): nothing to count to, no finding."""
    limit = ctx.settings.undecided_escalation_days
    snap = pl.lit(ctx.snapshot.date() if ctx.snapshot else None, dtype=pl.Date)
    waited = (snap - pl.col("held_on").cast(pl.Date)).dt.total_days()
    df = ctx.judged_items.with_columns(waited_days=waited).filter(
        pl.col("outcome").is_in(ESCALATED) & pl.col("decided_on").is_null() & (pl.col("waited_days") > limit)
    )
    return _item_findings(
        df,
        [(None, "rule.M5-UNDECIDED.detail")],
        lambda lang: {"held_on": pl.col("held_on"), "snapshot": snap, "days": pl.col("waited_days"), "limit": pl.lit(limit)},
    )


def m4_regular(ctx: Context) -> pl.DataFrame:
    """Art. 4 定期召开: a month in which no meeting of a type was held within the last N months (setting per
    type). Record id `YYYY-MM:TYPE`; dated by the month itself."""
    df = ctx.meeting_months.filter(
        pl.col("last_held").is_null()
        | (pl.col("last_held") < pl.col("month").dt.offset_by(pl.format("-{}mo", pl.col("interval") - 1)))
    )

    def params(lang: str) -> dict[str, pl.Expr]:
        return {
            "month": pl.col("month").dt.strftime("%Y-%m"),
            "mtype": label_expr("meeting_type", pl.col("meeting_type"), lang),
            "n": pl.col("interval"),
            "last": pl.col("last_held").dt.strftime("%Y-%m"),
        }

    return emit(
        df,
        record_id=pl.concat_str(pl.col("month").dt.strftime("%Y-%m"), pl.lit(":"), pl.col("meeting_type")),
        variants=[
            (pl.col("last_held").is_null() & (pl.col("interval") == 1), "rule.M4-REGULAR.detail_never"),
            (pl.col("last_held").is_null(), "rule.M4-REGULAR.detail_never_n"),
            (pl.col("interval") == 1, "rule.M4-REGULAR.detail"),
            (None, "rule.M4-REGULAR.detail_n"),
        ],
        params=params,
        occurred_at=pl.col("month").cast(pl.Datetime("us")),
        people=[pl.lit(None, pl.String)],
    )


def m4_deputies(ctx: Context) -> pl.DataFrame:
    """Art. 4: the deputies attend the team leaders' meeting. A TEAM_LEADS meeting no DEPUTY attends, while
    the roster has one (setting `deputies_attend_team_leads`, on by default)."""
    deputies = ctx.people.filter(pl.col("post") == "DEPUTY")
    if not ctx.settings.deputies_attend_team_leads or deputies.is_empty():
        return pl.DataFrame(schema=EMITTED_SCHEMA)
    leads = ctx.judged_meetings.filter(pl.col("meeting_type") == "TEAM_LEADS")
    present = (
        leads.select("meeting_id", staff_id=pl.col("attendee_ids")).explode("staff_id")
        .join(deputies.select("staff_id"), on="staff_id", how="semi").select("meeting_id").unique()
    )
    df = leads.join(present, on="meeting_id", how="anti")
    n = deputies.height
    return _meeting_findings(df, [(None, "rule.M4-DEPUTIES.detail")], lambda lang: {"deputies": pl.lit(n)})


def a7_plan(ctx: Context) -> pl.DataFrame:
    """Art. 6(3), 7(1): a major case (`is_major`) with no PLAN matter approved at chief level more than N days
    (setting) after filing. Record: the case; dated by its filing."""
    plans = ctx.plans if ctx.plans is not None else pl.DataFrame(
        schema={"case_id": pl.String, "matter_id": pl.String, "chief_approved": pl.Boolean})
    per_case = plans.group_by("case_id").agg(
        approved=pl.col("chief_approved").any(),
        plan_matters=pl.col("matter_id").sort().str.join("、"),
        plan_count=pl.len(),
    )
    days = ctx.settings.major_case_plan_days
    snap = pl.lit(ctx.snapshot.date() if ctx.snapshot else None, dtype=pl.Date)
    df = ctx.judged_cases.join(per_case, on="case_id", how="left").filter(~pl.col("approved").fill_null(False))

    def params(lang: str) -> dict[str, pl.Expr]:
        return {
            "case": pl.col("case_id"),
            "filed": pl.col("filed_on").dt.strftime("%Y-%m-%d"),
            "days": (snap - pl.col("filed_on")).dt.total_days(),
            "limit": pl.lit(days),
            "plans": pl.col("plan_matters"),
        }

    return emit(
        df,
        record_id=pl.col("case_id"),
        variants=[(pl.col("plan_count").is_null(), "rule.A7-PLAN.detail"), (None, "rule.A7-PLAN.detail_unapproved")],
        params=params,
        occurred_at=pl.col("filed_on").cast(pl.Datetime("us")),
        people=[pl.col("judge_id")],
        team=pl.col("team"),
        division=pl.col("division"),
    )


PLAN_CHIEF_TYPES = ("PLAN",)  # the matter types whose chief-level approval `matters.chief_approved` records


def matter_extras(ctx: Context, found: pl.DataFrame) -> pl.DataFrame:
    """Per matter of `ctx.matters`: `conforms` (a judged closed matter with no finding of a matter rule in
    `found`; null when not judged: open, or closed before the effective date) and `chief_approved` (§3;
    PLAN matters, false for the others)."""
    flagged = found.filter(pl.col("record_kind") == "matter").select(matter_id="record_id").unique()
    judged = pl.col("closed") & ctx._from_effective(pl.col("final_decided_at")).fill_null(False)
    return ctx.matters.select(
        "matter_id",
        conforms=pl.when(judged).then(~pl.col("matter_id").is_in(flagged["matter_id"].implode())),
        chief_approved=pl.col("matter_id").is_in(ctx.chief_approved["matter_id"].implode()),
    )


# --------------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    id: str
    article: str
    record_kind: str
    check: Callable[[Context], pl.DataFrame]

    @property
    def family(self) -> str:
        return self.id[0]

    def title(self, lang: str = "zh") -> str:
        return t(f"rule.{self.id}.title", lang)

    def cites(self, lang: str = "zh") -> str:
        """The article text the rule rests on (Chinese: quoted from the regulation)."""
        return t(f"rule.{self.id}.cites", lang)

    @property
    def title_zh(self) -> str:
        return self.title("zh")

    @property
    def title_en(self) -> str:
        return self.title("en")

    @property
    def cites_zh(self) -> str:
        return self.cites("zh")


RULES: tuple[Rule, ...] = (
    Rule("A7-CHIEF", "7, 8.5, 9.4", "matter", a7_chief),
    Rule("A7-PLAN", "6.3, 7.1", "case", a7_plan),
    Rule("A9-PROCESS", "9.1", "matter", a9_process),
    Rule("A9-DEPUTY", "9.2, 9.3", "matter", a9_deputy),
    Rule("A9-DIVISION", "9.2", "matter", a9_division),
    Rule("A10-TEAM", "10, 11", "matter", a10_team),
    Rule("A11-MAJOR", "11", "matter", _vp_rule("MAJOR", "A11-MAJOR")),
    Rule("A13-EXTERNAL", "13", "matter", _vp_rule("EXTERNAL", "A13-EXTERNAL")),
    Rule("A11-LASTWORD", "3, 11", "matter", a11_lastword),
    Rule("S12-REVERSE", "12", "substitution", s12_reverse),
    Rule("S12-LEADERSHIP", "12, 8.5", "substitution", s12_leadership),
    Rule("S12-AUTHORITY", "12", "substitution", s12_authority),
    Rule("S12-TEMPORARY", "12", "substitution", s12_temporary),
    Rule("S12-UNRECORDED", "8.5, 12", "matter", s12_unrecorded),
    Rule("M4-CHAIR", "4, 8.3", "meeting", m4_chair),
    Rule("M4-ATTEND", "4", "meeting", m4_attend),
    Rule("M4-SECRETARY", "4", "meeting", m4_secretary),
    Rule("M4-DEPUTIES", "4", "meeting", m4_deputies),
    Rule("M4-REGULAR", "4", "month", m4_regular),
    Rule("M5-TIEBREAK", "5", "meeting_item", m5_tiebreak),
    Rule("M5-VPABSENT", "5", "meeting_item", m5_vpabsent),
    Rule("M5-ESCALATE", "5", "meeting_item", m5_escalate),
    Rule("M5-UNDECIDED", "5", "meeting_item", m5_undecided),
    Rule("M5-ADVISORY", "5", "meeting_item", m5_advisory),
    Rule("M5-RECORD", "5", "meeting_item", m5_record),
)
RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


def evaluate(ctx: Context, rules: tuple[Rule, ...] = RULES) -> pl.DataFrame:
    """Every finding of every rule: the `violations` table."""
    parts = []
    for rule in rules:
        found = rule.check(ctx).with_columns(
            rule_id=pl.lit(rule.id), article=pl.lit(rule.article), record_kind=pl.lit(rule.record_kind)
        )
        parts.append(found.with_columns(month=month_of(pl.col("occurred_at"))).select(list(VIOLATION_SCHEMA)))
    out = pl.concat([p.cast(VIOLATION_SCHEMA) for p in parts]) if parts else pl.DataFrame(schema=VIOLATION_SCHEMA)
    return out.sort("rule_id", "record_id")


COMPLIANCE_ORDER = ["rule_id", "month", "division", "team"]


def compliance_monthly(ctx: Context, violations: pl.DataFrame) -> pl.DataFrame:
    """Findings per rule, month, team and division, per 100 records of the rule's kind judged there.

    Team and division are those of the judged records (null for meetings and meeting items, which
    are bureau-wide, and for records without one); summed over team and division, `findings` and
    `records` are the bureau's figures per rule and month."""
    keys = ["month", "team", "division"]
    found = violations.group_by("rule_id", *keys).agg(pl.len().cast(pl.Int64).alias("findings"))
    parts = []
    for kind in RECORD_KINDS:
        recs = ctx.judged(kind).group_by(keys).agg(pl.len().cast(pl.Int64).alias("records"))
        rules = pl.DataFrame(
            {
                "rule_id": [r.id for r in RULES if r.record_kind == kind],
                "article": [r.article for r in RULES if r.record_kind == kind],
                "family": [r.family for r in RULES if r.record_kind == kind],
            }
        )
        parts.append(rules.join(recs, how="cross").with_columns(record_kind=pl.lit(kind)))
    grid = pl.concat(parts)
    return (
        grid.join(found, on=["rule_id", *keys], how="left", nulls_equal=True)
        .with_columns(pl.col("findings").fill_null(0))
        .with_columns(per_100=FINDINGS_PER_100.expr())
        .select("rule_id", "article", "family", "record_kind", "month", "team", "division", "findings", "records", "per_100")
        .sort(COMPLIANCE_ORDER, nulls_last=True)
    )


def rule_catalogue() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "rule_id": [r.id for r in RULES],
            "article": [r.article for r in RULES],
            "record_kind": [r.record_kind for r in RULES],
            "family": [r.family for r in RULES],
            "title_zh": [r.title("zh") for r in RULES],
            "title_en": [r.title("en") for r in RULES],
            "cites_zh": [r.cites("zh") for r in RULES],
            "cites_en": [r.cites("en") for r in RULES],
            "position": list(range(1, len(RULES) + 1)),
        }
    )
