"""The metric marts of DOMAIN.md §5 as polars transforms over the input tables.

Every function takes frames and returns a frame; `pipelines.marts.build` reads the store, calls them in
order and writes the results. No row loops: working days come from `workdays.Calendar` lookups.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from pipelines.core import contract
from pipelines.domain.settings import Settings
from pipelines.domain.workdays import Calendar

LEVEL_RANK = {code: contract.RANK[code] for code in contract.LEVEL_CODES}
RANK_LEVEL = {v: k for k, v in LEVEL_RANK.items()}
ABOVE_TEAM = ("CHIEF", "VP", "PRESIDENT", "COMMITTEE")  # posts with no team or division
ESCALATED = ("ESCALATED_LEADER", "ESCALATED_COMMITTEE")


@dataclass(frozen=True)
class Rate:
    """A figure that is `part` per `whole` (times `per`), undefined where there is no whole: None in Python,
    null in polars and SQL. Defined once here and evaluated where the figure is counted, which is in Python
    (a query's counts), polars (a mart) or SQL (a query's rows): each form is one IEEE division of two whole
    numbers, so the page, the report and the mart give the same figure to the last bit."""

    part: str  # the column (or key) counted
    whole: str  # the column (or key) it is a share of
    per: int = 1

    def of(self, part: int, whole: int | None) -> float | None:
        return self.per * part / whole if whole else None

    def expr(self, part: pl.Expr | None = None, whole: pl.Expr | None = None) -> pl.Expr:
        p = pl.col(self.part) if part is None else part
        w = pl.col(self.whole) if whole is None else whole
        return pl.when(w > 0).then(p * self.per / w)

    def sql(self, part: str | None = None, whole: str | None = None) -> str:
        p, w = part or self.part, whole or self.whole
        return f"CASE WHEN {w} > 0 THEN ({p})::DOUBLE * {self.per} / {w} END"


# Bureau meeting items escalated (to the court leader or the committee) and decided by the VP's tie-break.
ESCALATION_RATE = Rate("escalations", "items")
TIE_BREAK_RATE = Rate("tie_breaks", "items")
# Rule findings per 100 records judged (of the kinds the rules judge).
FINDINGS_PER_100 = Rate("findings", "records", per=100)


def month_of(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.Date).dt.truncate("1mo")


def hours(expr: pl.Expr) -> pl.Expr:
    """A duration in hours; whole hours exact (polars divides by multiplying with a reciprocal)."""
    us, per_hour = expr.dt.total_microseconds(), 3_600_000_000
    return (us // per_hour).cast(pl.Float64) + (us % per_hour) / per_hour


# --------------------------------------------------------------------------------------------------
# People and teams
# --------------------------------------------------------------------------------------------------


def team_divisions(staff: pl.DataFrame) -> pl.DataFrame:
    """team -> division, from the roster (the team leader's row first, then the most common value)."""
    return (
        staff.filter(pl.col("team").is_not_null() & pl.col("division").is_not_null())
        .group_by("team")
        .agg(
            pl.col("division")
            .sort_by([pl.col("post") != "TEAM_LEAD", pl.col("division")])
            .first()
        )
        .sort("team")
    )


def people(staff: pl.DataFrame) -> pl.DataFrame:
    """Roster with rank and the team/division each person belongs to (none above the deputies)."""
    td = team_divisions(staff).rename({"division": "team_division"})
    return (
        staff.join(td, on="team", how="left")
        .with_columns(
            rank=pl.col("post").replace_strict(contract.RANK, default=0, return_dtype=pl.Int8),
            team=pl.when(pl.col("post").is_in(ABOVE_TEAM)).then(None).otherwise(pl.col("team")),
            division=pl.when(pl.col("post").is_in(ABOVE_TEAM))
            .then(None)
            .otherwise(pl.coalesce("division", "team_division")),
            party_secretary=pl.col("party_secretary").fill_null(False),
        )
        .select("staff_id", "name", "post", "rank", "team", "division", "party_secretary")
    )


# --------------------------------------------------------------------------------------------------
# Approval steps
# --------------------------------------------------------------------------------------------------


# A matter's attributes (DOMAIN.md §5): those of its latest step by received_at, then step_no.
MATTER_ATTRIBUTES = ("case_id", "team", "matter_type", "submitted_at", "submitted_by")
LATEST_STEP = ("received_at", "step_no")


def matter_reading(approvals: pl.DataFrame) -> pl.DataFrame:
    """`approvals` (every stored step of each matter in it) in matter order, then by received_at and step_no,
    every step carrying its matter's attributes: those of its latest step (DOMAIN.md §5). The steps of a
    matter may disagree on them (a later load moved the matter to another team, re-typed it); which row a
    scan meets first must never decide a figure, so the steps are ordered by a total order (step_no is
    unique within a matter) and the last one's values are given to all. One sort and integer gathers: no
    hashing of the matter ids."""
    steps = approvals.sort("matter_id", *LATEST_STEP)
    run = steps["matter_id"].rle_id()
    last = steps.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_row"), run.alias("_run")).group_by(
        "_run", maintain_order=True).agg(pl.col("_row").last())["_row"]
    at = last.gather(run)
    return steps.with_columns(steps[c].gather(at).alias(c) for c in MATTER_ATTRIBUTES)


def step_latency(
    approvals: pl.DataFrame,
    cases: pl.DataFrame,
    ppl: pl.DataFrame,
    teams: pl.DataFrame,
    cal: Calendar,
    settings: Settings,
    snapshot: dt.datetime | None,
) -> pl.DataFrame:
    limits = {lv: float(settings.limit(lv)) for lv in contract.LEVEL_CODES}
    snap = pl.lit(snapshot, dtype=pl.Datetime("us"))
    approver = ppl.select(
        approver_id="staff_id",
        approver_name="name",
        approver_post="post",
        approver_rank="rank",
        approver_team="team",
        approver_division="division",
    )
    df = (
        matter_reading(approvals)
        .join(cases.select("case_id", case_team="team"), on="case_id", how="left")
        .with_columns(team=pl.coalesce("team", "case_team"))
        .join(teams, on="team", how="left")
        .join(approver, on="approver_id", how="left")
        .with_columns(
            is_pending=pl.col("decided_at").is_null(),
            # order of decided steps (decided_at, then step_no) as one sortable integer; null = pending
            ord_key=pl.col("decided_at").dt.epoch("s") * 1_000_000 + pl.col("step_no").clip(0, 999_999),
            level_rank=pl.col("level").replace_strict(LEVEL_RANK, default=0, return_dtype=pl.Int8),
            month=month_of(pl.coalesce("decided_at", "received_at")),
            latency_hours=hours(pl.col("decided_at") - pl.col("received_at")).clip(lower_bound=0),
            latency_workdays=cal.workdays_between(pl.col("received_at"), pl.col("decided_at")).clip(lower_bound=0),
            limit_workdays=pl.col("level").replace_strict(limits, default=None, return_dtype=pl.Float64),
            age_hours=pl.when(pl.col("decided_at").is_null())
            .then(hours(snap - pl.col("received_at")).clip(lower_bound=0)),
            age_workdays=pl.when(pl.col("decided_at").is_null())
            .then(cal.workdays_between(pl.col("received_at"), snap).clip(lower_bound=0)),
        )
        .with_columns(
            over_limit=pl.col("latency_workdays") > pl.col("limit_workdays"),
            used_share=pl.col("age_workdays") / pl.col("limit_workdays"),
        )
        .with_columns(
            warning_tier=pl.when(pl.col("age_workdays") > pl.col("limit_workdays"))
            .then(pl.lit("RED"))
            .when(pl.col("used_share") >= settings.yellow_share)
            .then(pl.lit("YELLOW"))
        )
    )
    return df.select(
        "matter_id", "step_no", "case_id", "team", "division", "matter_type", "submitted_at", "submitted_by",
        "level", "level_rank", "approver_id", "approver_name", "approver_post", "approver_rank", "approver_team",
        "approver_division", "acting_for", "received_at", "decided_at", "decision", "month", "is_pending",
        "latency_hours", "latency_workdays", "limit_workdays", "over_limit", "age_hours", "age_workdays",
        "used_share", "warning_tier", "ord_key",
    )


# --------------------------------------------------------------------------------------------------
# Matters
# --------------------------------------------------------------------------------------------------


def matters(steps: pl.DataFrame, cal: Calendar) -> pl.DataFrame:
    """One row per matter: closed or not, final decision (last decided step by decided_at, step_no)."""
    dec = pl.col("decided_at").is_not_null()
    final_cols = (
        "step_no", "decision", "level", "approver_id", "approver_name", "approver_post", "approver_rank",
        "approver_team", "acting_for", "decided_at",
    )
    # One pass, no hashing of the matter ids: the steps in matter order (step_latency gives them so, after
    # matter_reading: then the sort is only a check), numbered per matter by run (rle_id), grouped by that
    # integer in order. Every step of a matter carries the matter's attributes (matter_reading), so `first`
    # is the same whichever step it takes. The last decided step of each
    # matter is the row of its largest ord_key (decided_at, then step_no; null while pending, which arg_max
    # skips; unique within a matter since step_no is part of the key), gathered once for all its columns.
    # At 382k steps: 0.14 s, against 0.55 s for a string group_by, a window max and a join on matter_id.
    if not steps["matter_id"].is_sorted():
        steps = steps.sort("matter_id", maintain_order=True)
    steps = steps.with_columns(_run=pl.col("matter_id").rle_id(), _row=pl.int_range(pl.len(), dtype=pl.UInt32))
    m = steps.group_by("_run", maintain_order=True).agg(
        pl.col("matter_id").first(),
        pl.col("case_id").first(),
        pl.col("team").first(),
        pl.col("division").first(),
        pl.col("matter_type").first(),
        pl.col("submitted_at").first(),
        pl.col("submitted_by").first(),
        pl.len().cast(pl.Int64).alias("steps"),
        pl.col("is_pending").sum().cast(pl.Int64).alias("pending_steps"),
        pl.col("step_no").filter(~dec).max().alias("max_pending_step_no"),
        pl.col("level_rank").max().alias("highest_level_rank"),
        _final=pl.col("_row").get(pl.col("ord_key").arg_max()),
    )
    finals = steps.select(pl.col(c).gather(m["_final"]).alias(f"final_{c}") for c in final_cols)
    m = pl.concat([m.drop("_run", "_final"), finals], how="horizontal")
    m = m.with_columns(
        closed=pl.col("final_step_no").is_not_null()
        & (pl.col("max_pending_step_no").is_null() | (pl.col("max_pending_step_no") < pl.col("final_step_no"))),
        highest_level=pl.col("highest_level_rank").replace_strict(RANK_LEVEL, default=None, return_dtype=pl.String),
        final_level_rank=pl.col("final_level").replace_strict(LEVEL_RANK, default=None, return_dtype=pl.Int8),
    ).with_columns(
        lead_time_hours=pl.when("closed").then(
            hours(pl.col("final_decided_at") - pl.col("submitted_at")).clip(lower_bound=0)
        ),
        lead_time_workdays=pl.when("closed").then(
            cal.workdays_between(pl.col("submitted_at"), pl.col("final_decided_at")).clip(lower_bound=0)
        ),
        month=month_of(pl.when("closed").then("final_decided_at").otherwise("submitted_at")),
    )
    return m  # in matter_id order: the groups' order


# --------------------------------------------------------------------------------------------------
# Routes, return loops, the same person at two levels (DOMAIN.md §5)
# --------------------------------------------------------------------------------------------------

# The levels §3 requires on a matter's way, per matter type (chief-level, deputy's process approval, VP
# after the chief...). A route is on the required route when its levels only ever go up (no return to a
# lower level) and include every one of them: lower levels before and higher ones after are allowed.
REQUIRED_LEVELS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(contract.PROCESS_MATTERS, ("DEPUTY", "CHIEF")),
    **dict.fromkeys(("FORCE", "OTHER_CHIEF"), ("CHIEF",)),
    **dict.fromkeys(contract.DEPUTY_MATTERS, ("DEPUTY",)),
    "TEAM": ("TEAM_LEAD",),
    **dict.fromkeys(("MAJOR", "EXTERNAL"), ("CHIEF", "VP")),
}
assert set(REQUIRED_LEVELS) == set(contract.MATTER_TYPE.codes)
ROUTE_SEP = ">"
RETURN = "RETURN"


def _in_step_order(steps: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """The steps of each matter in step order: decided ones by decided_at then step_no (`ord_key`), the
    pending ones after them by step_no; with `_run` (the matter as an integer: grouping by it is ~7x faster
    than by the id's text) and `_new_level` (the first step of a run of one level)."""
    s = steps.select(columns).sort(["matter_id", "ord_key", "step_no"], nulls_last=True)
    s = s.with_columns(_run=pl.col("matter_id").rle_id())
    first = pl.col("_run") != pl.col("_run").shift(1)
    return s.with_columns(_new_level=(first | (pl.col("level") != pl.col("level").shift(1))).fill_null(True))


def matter_paths(steps: pl.DataFrame) -> pl.DataFrame:
    """Per matter (`step_latency` rows), in matter_id order: `route` (its levels in step order, consecutive
    repeats collapsed, joined by ">"), `on_required_route` (REQUIRED_LEVELS), `reached_mask` and
    `returned_mask` (the levels with a step, with a RETURN: bit 2 ** rank of each; small integers, where lists
    of the levels' text cost the Parquet files and the batches ~10% of a rebuild), `returns` (RETURN
    decisions) and `two_level_approvers` (`;`-joined ids of approvers who decided steps at two different
    levels, null if none: a notice, the regulation has no article on it)."""
    s = _in_step_order(steps, ["matter_id", "matter_type", "step_no", "level", "level_rank", "approver_id",
                               "decided_at", "decision", "ord_key"])
    returned = pl.col("decision") == RETURN
    # the route: one row per run of a level; a step down is a run at or below the one before in the matter
    runs = s.filter("_new_level").with_columns(
        _down=(pl.col("_run") == pl.col("_run").shift(1)) & (pl.col("level_rank") <= pl.col("level_rank").shift(1)))
    route = _routes(runs)
    bit = pl.lit(2, pl.Int16).pow(pl.col("level_rank"))  # a level's bit in a mask: 2 ** its rank
    paths = s.group_by("_run", maintain_order=True).agg(
        pl.col("matter_id").first(),
        pl.col("matter_type").first(),
        reached_mask=bit.bitwise_or(),
        returned_mask=bit.filter(returned).bitwise_or().fill_null(0),
        returns=returned.sum().cast(pl.Int64),
    )
    paths = pl.concat([paths, route.drop("_run")], how="horizontal")  # both in _run order, one row per matter
    required = pl.lit(True)
    for level in contract.LEVEL_CODES:
        needs = [t for t, levels in REQUIRED_LEVELS.items() if level in levels]
        if needs:
            reached = (pl.col("reached_mask") & (1 << LEVEL_RANK[level])) != 0
            required = required & (~pl.col("matter_type").is_in(needs) | reached)
    two = (
        s.filter(pl.col("decided_at").is_not_null())
        .group_by("_run", "approver_id")
        .agg(pl.col("level_rank").n_unique().alias("_levels"))
        .filter(pl.col("_levels") > 1)
        .group_by("_run")
        .agg(two_level_approvers=pl.col("approver_id").sort().str.join(";"))
    )
    return (
        paths.with_columns(on_required_route=pl.col("ascending") & required)
        .join(two, on="_run", how="left", maintain_order="left")
        .select("matter_id", "route", "on_required_route", "reached_mask", "returned_mask", "returns",
                "two_level_approvers")
    )


_RADIX = 8  # level ranks are 2..7: one base-8 digit each
_MAX_DIGITS = 21  # 7 * 8**20 < 2**63


def _routes(runs: pl.DataFrame) -> pl.DataFrame:
    """Per matter (`_run` order): `route` and `ascending` from its runs of a level. The route is summed as a
    base-8 number of level ranks (integer sums per group: ~15x faster than joining the levels' text per group),
    then each distinct number, a few dozen in a bureau, written out once."""
    if runs.is_empty():
        return pl.DataFrame(schema={"_run": pl.UInt32, "route": pl.String, "ascending": pl.Boolean})
    n = runs.group_by("_run", maintain_order=True).agg(_n=pl.len())["_n"]
    if n.max() is not None and n.max() > _MAX_DIGITS:  # a route of more than 21 runs: join the text instead
        return runs.group_by("_run", maintain_order=True).agg(
            route=pl.col("level").str.join(ROUTE_SEP), ascending=~pl.col("_down").any())
    coded = runs.with_columns(_i=pl.int_range(pl.len(), dtype=pl.Int64)).with_columns(
        _i=pl.col("_i") - pl.col("_i").min().over("_run")).group_by("_run", maintain_order=True).agg(
        _code=(pl.col("level_rank").cast(pl.Int64) * pl.lit(_RADIX, pl.Int64).pow(pl.col("_i"))).sum(),
        ascending=~pl.col("_down").any())
    words = {code: ROUTE_SEP.join(RANK_LEVEL[(code // _RADIX**k) % _RADIX] for k in range(_MAX_DIGITS)
                                  if code // _RADIX**k)
             for code in coded["_code"].unique().to_list()}
    return coded.select("_run", route=pl.col("_code").replace_strict(words, return_dtype=pl.String), ascending="ascending")


def rework_loops(steps: pl.DataFrame, cal: Calendar) -> pl.DataFrame:
    """One row per RETURN (DOMAIN.md §5 "Return loops"): a decided step whose decision is RETURN, at level L,
    opens a loop; it closes at the matter's next step in step order at level L (`back_step_no`,
    `back_at` = that step's received_at); rework time = back_at − the RETURN's decided_at, in hours and
    working days (0 when negative). No later step at L: open (`closed` false, no rework time). `month`: of
    the RETURN's decision."""
    columns = ["matter_id", "step_no", "case_id", "team", "division", "matter_type", "level", "level_rank",
               "approver_id", "approver_name", "received_at", "decided_at", "decision", "month", "ord_key"]
    with_return = steps.filter(pl.col("decision") == RETURN).select("matter_id").unique()
    s = _in_step_order(steps.join(with_return, on="matter_id", how="semi"), columns)
    nxt = ["_run", "level_rank"]
    s = s.with_columns(
        back_step_no=pl.col("step_no").shift(-1).over(nxt),
        back_at=pl.col("received_at").shift(-1).over(nxt),
    ).filter(pl.col("decision") == RETURN)
    return s.select(
        "matter_id", "step_no", "case_id", "team", "division", "matter_type", "level", "level_rank", "approver_id",
        "approver_name", "month", returned_at=pl.col("decided_at"), back_step_no=pl.col("back_step_no"),
        back_at=pl.col("back_at"), closed=pl.col("back_at").is_not_null(),
        rework_hours=hours(pl.col("back_at") - pl.col("decided_at")).clip(lower_bound=0),
        rework_workdays=cal.workdays_between(pl.col("decided_at"), pl.col("back_at")).clip(lower_bound=0),
    ).sort("matter_id", "step_no")


# --------------------------------------------------------------------------------------------------
# Substitutions
# --------------------------------------------------------------------------------------------------


def substitution_facts(
    subs: pl.DataFrame, ppl: pl.DataFrame, teams: pl.DataFrame, snapshot: dt.datetime | None, settings: Settings
) -> pl.DataFrame:
    def role(prefix: str) -> pl.DataFrame:
        return ppl.select(
            pl.col("staff_id").alias(f"{prefix}_id"),
            *[pl.col(c).alias(f"{prefix}_{c}") for c in ("name", "post", "rank", "team", "division")],
        )

    decider = role("decider").rename({"decider_id": "decided_by"})
    end_eff = pl.coalesce("end_at", pl.lit(snapshot, dtype=pl.Datetime("us")))
    same_team = (
        pl.col("absent_team").is_not_null()
        & pl.col("substitute_team").is_not_null()
        & (pl.col("absent_team") == pl.col("substitute_team"))
    )
    same_div = (
        pl.col("absent_division").is_not_null()
        & pl.col("substitute_division").is_not_null()
        & (pl.col("absent_division") == pl.col("substitute_division"))
    )
    df = (
        subs.join(role("absent"), on="absent_id", how="left")
        .join(role("substitute"), on="substitute_id", how="left")
        .join(decider, on="decided_by", how="left")
        .with_columns(
            authorized=pl.col("authorized").fill_null(False),
            scope=pl.when(same_team).then(pl.lit("TEAM")).when(same_div).then(pl.lit("DIVISION")).otherwise(pl.lit("BUREAU")),
            team=pl.col("absent_team"),
            month=month_of(pl.col("start_at")),
            days=hours(pl.col("end_at") - pl.col("start_at")) / 24,
            person_days=(
                (end_eff.cast(pl.Date) - pl.col("start_at").cast(pl.Date)).dt.total_days() + 1
            ).clip(lower_bound=0),
            direction=pl.when(pl.col("substitute_rank") > pl.col("absent_rank"))
            .then(pl.lit("REVERSE"))
            .when(pl.col("substitute_rank") == pl.col("absent_rank"))
            .then(pl.lit("EQUAL"))
            .otherwise(pl.lit("FORWARD")),
            post_pair=pl.concat_str(pl.col("absent_post"), pl.lit("→"), pl.col("substitute_post")),
        )
        .with_columns(
            scope_team=pl.when(pl.col("scope") == "TEAM").then("absent_team"),
            division=pl.col("absent_division"),
            scope_division=pl.when(pl.col("scope") == "TEAM")
            .then(pl.coalesce("absent_division", "substitute_division"))
            .when(pl.col("scope") == "DIVISION")
            .then("absent_division"),
        )
    )
    return df.sort("substitution_id")


# --------------------------------------------------------------------------------------------------
# Meetings
# --------------------------------------------------------------------------------------------------


def meeting_facts(meetings: pl.DataFrame, ppl: pl.DataFrame) -> pl.DataFrame:
    """One row per meeting, with who chaired and who attended (counts by post)."""
    att = (
        meetings.select("meeting_id", "chair_id", attendee_id=pl.col("attendee_ids"))
        .explode("attendee_id")
        .filter(pl.col("attendee_id").is_not_null())
        .unique(["meeting_id", "attendee_id"])
        .join(
            ppl.select(attendee_id="staff_id", attendee_post="post", attendee_secretary="party_secretary"),
            on="attendee_id",
            how="left",
        )
        .group_by("meeting_id")
        .agg(
            (pl.col("attendee_post") == "VP").any().alias("vp_attends"),
            pl.col("attendee_secretary").fill_null(False).any().alias("secretary_attends"),
            (pl.col("attendee_id") == pl.col("chair_id")).any().alias("chair_attends"),
            (pl.col("attendee_post") == "TEAM_LEAD").sum().cast(pl.Int64).alias("team_leads_attending"),
            pl.len().cast(pl.Int64).alias("attendees"),
        )
    )
    roster_leads = int((ppl["post"] == "TEAM_LEAD").sum()) if not ppl.is_empty() else 0
    roster_secretaries = int(ppl["party_secretary"].sum()) if not ppl.is_empty() else 0
    chair = ppl.select(chair_id="staff_id", chair_name="name", chair_post="post")
    return (
        meetings.join(att, on="meeting_id", how="left")
        .join(chair, on="chair_id", how="left")
        .with_columns(
            pl.col("vp_attends").fill_null(False),
            pl.col("secretary_attends").fill_null(False),
            pl.col("chair_attends").fill_null(False),
            pl.col("team_leads_attending").fill_null(0),
            pl.col("attendees").fill_null(0),
            chair_authorized=pl.col("chair_authorized").fill_null(False),
            team_leads_on_roster=pl.lit(roster_leads, dtype=pl.Int64),
            secretaries_on_roster=pl.lit(roster_secretaries, dtype=pl.Int64),
            month=month_of(pl.col("held_on")),
        )
        .sort("meeting_id")
    )


def meeting_item_facts(items: pl.DataFrame, mfacts: pl.DataFrame) -> pl.DataFrame:
    cast = pl.col("votes_for") + pl.col("votes_against") + pl.col("votes_abstain")
    majority = (
        pl.when(2 * pl.col("votes_for") > pl.col("votes_cast"))
        .then(pl.lit("FOR"))
        .when(2 * pl.col("votes_against") > pl.col("votes_cast"))
        .then(pl.lit("AGAINST"))
    )

    def dissents(col: str) -> pl.Expr:
        return (
            pl.col("majority").is_not_null()
            & pl.col(col).is_in(["FOR", "AGAINST"])
            & (pl.col(col) != pl.col("majority"))
        ).fill_null(False)

    return (
        items.join(
            mfacts.select("meeting_id", "meeting_type", "held_on", "chair_id", "chair_name", "month"),
            on="meeting_id",
            how="left",
        )
        .with_columns(
            is_major=pl.col("is_major").fill_null(False),
            minuted=pl.col("minuted").fill_null(False),
            votes_cast=cast,
        )
        .with_columns(majority=majority)
        .with_columns(
            vp_dissents=dissents("vp_position"),
            chief_dissents=dissents("chief_position"),
            tie_break=pl.col("outcome") == "VP_DECIDED",
            escalated=pl.col("outcome").is_in(ESCALATED),
        )
        .with_columns(
            days_to_decision=pl.when("escalated").then((pl.col("decided_on") - pl.col("held_on")).dt.total_days())
        )
        .sort("item_id")
    )


def meeting_monthly(mfacts: pl.DataFrame, ifacts: pl.DataFrame) -> pl.DataFrame:
    keys = ["month", "meeting_type"]
    m = mfacts.group_by(keys).agg(pl.len().cast(pl.Int64).alias("meetings"))
    i = ifacts.filter(pl.col("month").is_not_null()).group_by(keys).agg(
        pl.len().cast(pl.Int64).alias("items"),
        pl.col("tie_break").sum().cast(pl.Int64).alias("tie_breaks"),
        pl.col("escalated").sum().cast(pl.Int64).alias("escalations"),
        pl.col("days_to_decision").cast(pl.Float64).quantile(0.5, interpolation="linear").alias("median_days_to_decision"),
    )
    return (
        m.join(i, on=keys, how="full", coalesce=True)
        .with_columns(
            pl.col("meetings").fill_null(0),
            pl.col("items").fill_null(0),
            pl.col("tie_breaks").fill_null(0),
            pl.col("escalations").fill_null(0),
        )
        .with_columns(
            tie_break_rate=TIE_BREAK_RATE.expr(),
            escalation_rate=ESCALATION_RATE.expr(),
        )
        .select(
            "month", "meeting_type", "meetings", "items", "tie_breaks", "escalations",
            "tie_break_rate", "escalation_rate", "median_days_to_decision",
        )
        .sort(keys)
    )
