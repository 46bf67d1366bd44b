"""The demo export set: deterministic, shaped like the bureau, valid against the contract, and with
breaches of every rule after the effective date.

The files are read back here with plain polars (an independent reading of the contract, not the
loader), then loaded with the real loader to check the round trip, and finally compared with the rules
engine's findings.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from pipelines.core import contract
from pipelines.demo.generate import END, generate
from pipelines.demo.write import write_demo_exports
from pipelines.domain.rules import RULES_BY_ID

SEED = 7
EFFECTIVE = dt.datetime(2023, 1, 1)
RANK = pl.col("post").replace_strict(contract.RANK, return_dtype=pl.Int64)


# -- reading the files back, independently of the loader ------------------------------------------


def _csv_text(path: Path) -> tuple[str, str]:
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("gb18030"), "gb18030"


def _raw_tables(paths: list[Path]) -> dict[str, list[pl.DataFrame]]:
    out: dict[str, list[pl.DataFrame]] = {}
    for path in paths:
        if path.suffix == ".xlsx":
            for sheet, df in pl.read_excel(path, sheet_id=0, infer_schema_length=0).items():
                out.setdefault(contract.table_for_name(sheet), []).append(df)
        else:
            text, _ = _csv_text(path)
            df = pl.read_csv(io.StringIO(text), infer_schema=False)
            out.setdefault(contract.table_for_name(path.stem), []).append(df)
    return out


def _ts(col: str) -> pl.Expr:
    e = pl.col(col)
    return pl.coalesce(e.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False),
                       e.str.to_datetime("%Y/%m/%d %H:%M", strict=False),
                       e.str.to_datetime("%Y-%m-%d %H:%M", strict=False))


def _date(col: str) -> pl.Expr:
    e = pl.col(col).str.slice(0, 10)
    cn = pl.concat_str([pl.col(col).str.extract(r"(\d{4})年", 1),
                        pl.col(col).str.extract(r"年(\d{1,2})月", 1).str.zfill(2),
                        pl.col(col).str.extract(r"月(\d{1,2})日", 1).str.zfill(2)], separator="-")
    return pl.coalesce(e.str.to_date("%Y-%m-%d", strict=False), e.str.to_date("%Y/%m/%d", strict=False),
                       cn.str.to_date("%Y-%m-%d", strict=False))


def _normalise(table: str, df: pl.DataFrame) -> pl.DataFrame:
    t = contract.TABLES[table]
    df = df.rename({h: t.header_lookup()[h] for h in df.columns if h in t.header_lookup()})
    df = df.select(t.column_names)
    exprs = []
    for c in t.columns:
        if c.enum:
            exprs.append(pl.col(c.name).replace_strict(c.enum.lookup(), default=None))
        elif c.type == contract.TIMESTAMP:
            exprs.append(_ts(c.name))
        elif c.type == contract.DATE:
            exprs.append(_date(c.name))
        elif c.type == contract.BOOL:
            exprs.append(pl.col(c.name).is_in(["是", "true", "1", "Y"]))
        elif c.type == contract.INT:
            exprs.append(pl.col(c.name).cast(pl.Float64).cast(pl.Int64))
        elif c.type == contract.DECIMAL:
            exprs.append(pl.col(c.name).cast(pl.Float64))
        elif c.type == contract.ID_LIST:
            exprs.append(pl.col(c.name).str.replace_all("[；,，、]", ";").str.split(";"))
        elif c.type == contract.TIMESTAMP_OR_DATE:
            end = c.name == "end_at"
            day = _date(c.name).cast(pl.Datetime("us"))
            exprs.append(pl.coalesce(pl.col(c.name).str.to_datetime("%Y-%m-%d %H:%M", strict=False),
                                     day + pl.duration(seconds=86399) if end else day))
        else:
            exprs.append(pl.col(c.name))
    return df.with_columns(exprs)


def read_tables(paths: list[Path]) -> dict[str, pl.DataFrame]:
    return {t: pl.concat([_normalise(t, df) for df in dfs]) for t, dfs in _raw_tables(paths).items()}


@pytest.fixture(scope="module")
def tables(demo_exports) -> dict[str, pl.DataFrame]:
    return read_tables(demo_exports)


def _matters(tables) -> pl.DataFrame:
    """Closed matters (every step decided) with their final step and the people who approved."""
    a = tables["approvals"].join(tables["staff"].select(approver_id="staff_id", post="post", approver_team="team"),
                                 on="approver_id", how="left").with_columns(rank=RANK)
    level_rank = pl.col("level").replace_strict(contract.RANK, return_dtype=pl.Int64)
    approve = pl.col("decision") == "APPROVE"
    return (a.sort("decided_at", "step_no").group_by("matter_id", maintain_order=True).agg(
        pl.first("matter_type", "submitted_at", "team"),
        closed=pl.col("decided_at").is_not_null().all(),
        final=pl.last("decision"), final_level=level_rank.last(), top_level=level_rank.max(),
        final_post=pl.last("post"), final_approver_team=pl.last("approver_team"),
        final_acting=pl.last("acting_for"),
        deputy_up_approved=(approve & (pl.col("rank") >= 3)).any(),
        deputy_approved=(approve & (pl.col("post") == "DEPUTY")).any(),
        chief_approved=(approve & ((pl.col("post") == "CHIEF") | pl.col("acting_for").is_not_null())
                        & (pl.col("level") == "CHIEF")).any(),
        vp_approved=(approve & (level_rank >= 5)).any(),
        chief_step=(pl.col("level") == "CHIEF").any(),
    )).filter("closed")


# -- determinism -------------------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path, demo_exports):
    again = write_demo_exports(tmp_path / "again", seed=SEED, scale=1)
    assert [p.name for p in again] == [p.name for p in demo_exports]
    for a, b in zip(again, demo_exports, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    other = {p.name: p for p in write_demo_exports(tmp_path / "other", seed=SEED + 1, scale=1)}
    for p in demo_exports:
        if p.suffix == ".csv":
            assert other[p.name].read_bytes() != p.read_bytes(), p.name


def test_rewriting_a_folder_removes_approval_files_of_other_years(tmp_path):
    (tmp_path / "审批记录_2009.csv").write_text("stale")
    (tmp_path / "审批记录_手工.csv").write_text("not ours")
    write_demo_exports(tmp_path, seed=SEED, scale=1)
    assert not (tmp_path / "审批记录_2009.csv").exists()
    assert (tmp_path / "审批记录_手工.csv").exists()


# -- files, formats, headers -------------------------------------------------------------------------


def test_files_use_court_formats_and_chinese_headers(demo_exports):
    names = {p.name for p in demo_exports}
    assert {"人员名册.xlsx", "案件.csv", "替补记录.csv", "会议记录.xlsx"} <= names
    assert {"审批记录_2022.csv", "审批记录_2023.csv", "审批记录_2024.csv"} <= names
    by_name = {p.name: p for p in demo_exports}
    assert _csv_text(by_name["案件.csv"])[1] == "gb18030"
    assert _csv_text(by_name["审批记录_2023.csv"])[1] == "utf-8-sig"
    assert _csv_text(by_name["替补记录.csv"])[1] == "utf-8"
    raw = _raw_tables(demo_exports)
    assert set(raw) == set(contract.TABLES)
    for table, frames in raw.items():
        zh = [c.zh for c in contract.TABLES[table].columns]
        for df in frames:
            extra = ["审批意见"] if table == "approvals" else []
            assert df.columns == zh + extra, table
    # Chinese labels in cells, with some codes mixed in (an older system's export, some roster rows).
    approvals = pl.concat(raw["approvals"])
    assert {"团队长", "副局长", "局长", "TEAM_LEAD"} <= set(approvals["审批层级"].unique())
    assert {"同意", "不同意", "退回"} == set(approvals["处理结果"].drop_nulls().unique())
    posts = set(raw["staff"][0]["岗位"])
    assert {"分管副院长", "执行法官", "书记员", "MEMBER"} <= posts
    stamps = approvals["提交时间"]
    assert stamps.str.contains("/").any() and stamps.str.contains("-").any()
    assert pl.concat(raw["cases"])["立案日期"].str.contains("年").any()
    starts = pl.concat(raw["substitutions"])["开始时间"]
    assert starts.str.contains(":").any() and starts.str.contains("年").any() and (starts.str.len_chars() == 10).any()


# -- the bureau's shape --------------------------------------------------------------------------------


def test_org_has_one_vp_one_chief_three_deputies_and_nine_teams_of_five_to_eight(tables):
    staff = tables["staff"]
    posts = staff["post"].value_counts().to_dicts()
    count = {d["post"]: d["count"] for d in posts}
    assert count["VP"] == 1 and count["CHIEF"] == 1 and count["DEPUTY"] == 3 and count["PRESIDENT"] == 1
    deputies = staff.filter(pl.col("post") == "DEPUTY")
    assert deputies["division"].n_unique() == 3
    teams = staff.filter(pl.col("team").is_not_null()).group_by("team").agg(
        size=pl.len(), leaders=(pl.col("post") == "TEAM_LEAD").sum(), divisions=pl.col("division").n_unique(),
        division=pl.first("division"))
    assert teams.height == 9
    assert teams["size"].min() >= 5 and teams["size"].max() <= 8
    assert (teams["leaders"] == 1).all() and (teams["divisions"] == 1).all()
    assert set(teams["division"]) == set(deputies["division"])
    assert staff["party_secretary"].sum() == 1
    assert staff["staff_id"].str.contains(r"^W\d{4}$").all()


def test_two_years_of_approvals_ending_on_the_fixed_date(tables):
    a = tables["approvals"]
    assert 15_000 <= a.height <= 20_000
    assert max(a["received_at"].max(), a["decided_at"].max()) == END
    assert a["submitted_at"].min().date() >= dt.date(2022, 7, 1)
    assert a["submitted_at"].min().date() < dt.date(2022, 7, 8)
    mix = a.unique("matter_id")["matter_type"].value_counts().sort("count", descending=True)["matter_type"]
    assert mix[0] == "DOCUMENT" and mix[1] == "TEAM" and set(mix) == set(contract.MATTER_TYPE.codes)
    # Mostly office hours.
    decided = a["decided_at"].drop_nulls()
    tod = decided.dt.hour().cast(pl.Int32) * 60 + decided.dt.minute().cast(pl.Int32)
    assert ((tod >= 510) & (tod <= 1080)).mean() > 0.9
    # A tail of pending steps, some older than every level's limit of working days.
    pending = a.filter(pl.col("decided_at").is_null())
    assert 5 <= pending.height <= 200
    age = np.busday_count(pending["received_at"].dt.date().to_numpy(), np.datetime64(END.date()))
    assert (age > 3).any()
    assert a.filter(pl.col("acting_for").is_not_null()).height > 0


def test_records_are_valid_against_the_contract(tables):
    staff = set(tables["staff"]["staff_id"])
    cases = set(tables["cases"]["case_id"])
    meetings = set(tables["meetings"]["meeting_id"])
    for name, df in tables.items():
        t = contract.TABLES[name]
        assert df.select(t.key).is_duplicated().sum() == 0, name
        for c in t.columns:
            if c.required is True:
                assert df[c.name].null_count() == 0, (name, c.name)
    for ref in contract.REFERENCES:
        col = tables[ref.table][ref.column]
        values = set(col.explode().drop_nulls()) if col.dtype == pl.List(pl.String) else set(col.drop_nulls())
        target = {"staff": staff, "cases": cases, "meetings": meetings}[ref.target_table]
        assert values <= target, (ref.table, ref.column, sorted(values - target)[:5])
    a = tables["approvals"]
    assert (a["received_at"] <= a["decided_at"]).all()
    assert (a["decided_at"].is_null() == a["decision"].is_null()).all()
    consistent = a.group_by("matter_id").agg(pl.col(c).n_unique() for c in contract.APPROVALS.consistent_within[1])
    assert (consistent.drop("matter_id").max_horizontal() == 1).all()
    s = tables["substitutions"]
    assert (s["start_at"] <= s["end_at"]).all()


def _uncovered_acting_steps(tables) -> pl.DataFrame:
    a = tables["approvals"].filter(pl.col("acting_for").is_not_null() & pl.col("decided_at").is_not_null())
    covered = a.join(tables["substitutions"], left_on=["acting_for", "approver_id"],
                     right_on=["absent_id", "substitute_id"]).filter(
        (pl.col("start_at") <= pl.col("decided_at")) & (pl.col("decided_at") <= pl.col("end_at")))
    return a.join(covered.select("matter_id", "step_no"), on=["matter_id", "step_no"], how="anti")


def test_every_acting_step_is_covered_by_a_substitution_except_the_planted_ones(tables):
    a = tables["approvals"].filter(pl.col("acting_for").is_not_null())
    bare = _uncovered_acting_steps(tables)
    assert a.height > 10 * bare.height > 0
    # the planted S12-UNRECORDED breaches: a team member takes the leader's step, no substitution behind it
    staff = tables["staff"].select("staff_id", "post")
    posts = bare.join(staff, left_on="approver_id", right_on="staff_id").join(
        staff.rename({"post": "for_post"}), left_on="acting_for", right_on="staff_id")
    assert set(posts["post"]) == {"MEMBER"} and set(posts["for_post"]) == {"TEAM_LEAD"}


# -- breaches of every rule, judged (after the effective date) ----------------------------------------


def _findings(tables) -> dict[str, pl.DataFrame]:
    """Simple, independent checks of each rule; each frame has a `when` column."""
    staff = tables["staff"]
    post = dict(zip(staff["staff_id"], staff["post"], strict=True))
    m = _matters(tables).filter(pl.col("final") == "APPROVE")
    every = _matters(tables).rename({"submitted_at": "when"})
    m = m.rename({"submitted_at": "when"})
    leaders = staff.filter(pl.col("post") == "TEAM_LEAD").select(team="team", leader="staff_id")
    s = tables["substitutions"].with_columns(
        absent_post=pl.col("absent_id").replace_strict(post), sub_post=pl.col("substitute_id").replace_strict(post),
    ).with_columns(
        absent_rank=pl.col("absent_post").replace_strict(contract.RANK, return_dtype=pl.Int64),
        sub_rank=pl.col("sub_post").replace_strict(contract.RANK, return_dtype=pl.Int64),
        when="start_at")
    mt = tables["meetings"].with_columns(chair_post=pl.col("chair_id").replace_strict(post),
                                         when=pl.col("held_on").cast(pl.Datetime("us")))
    vp = staff.filter(pl.col("post") == "VP")["staff_id"][0]
    items = tables["meeting_items"].join(mt.select("meeting_id", "meeting_type", "when"), on="meeting_id")
    cast = pl.col("votes_for") + pl.col("votes_against") + pl.col("votes_abstain")
    majority = (2 * pl.col("votes_for") > cast) | (2 * pl.col("votes_against") > cast)
    escalated = pl.col("outcome").is_in(["ESCALATED_LEADER", "ESCALATED_COMMITTEE"])
    team_of = m.join(tables["approvals"].select("matter_id", "case_id").unique("matter_id"), on="matter_id").join(
        tables["cases"].select("case_id", case_team="team"), on="case_id", how="left").with_columns(
        team=pl.coalesce("team", "case_team")).join(leaders, on="team", how="left")
    # A9-DIVISION: a deputy of a division other than the team's approved the document (no acting for
    # deputies and no chief on documents in the demo)
    team_div = staff.filter(pl.col("post") == "TEAM_LEAD").select("team", team_division="division")
    deputy_div = staff.filter(pl.col("post") == "DEPUTY").select(approver_id="staff_id", deputy_division="division")
    doc_deputies = tables["approvals"].filter(pl.col("decision") == "APPROVE").join(deputy_div, on="approver_id")
    doc_div = team_of.filter(pl.col("matter_type") == "DOCUMENT").join(team_div, on="team").join(
        doc_deputies.select("matter_id", "deputy_division"), on="matter_id").group_by("matter_id").agg(
        pl.first("when"), own=(pl.col("deputy_division") == pl.col("team_division")).any())
    unrecorded = every.join(_uncovered_acting_steps(tables).select("matter_id").unique(), on="matter_id")
    secretary = staff.filter(pl.col("party_secretary"))["staff_id"][0]
    snapshot = max(tables["approvals"]["received_at"].max(), tables["approvals"]["decided_at"].max()).date()
    return {
        "A7-CHIEF": m.filter(pl.col("matter_type").is_in(contract.CHIEF_MATTERS) & ~pl.col("chief_approved")),
        "A9-PROCESS": m.filter(pl.col("matter_type").is_in(contract.PROCESS_MATTERS) & pl.col("chief_approved")
                               & ~pl.col("deputy_approved")),
        "A9-DEPUTY": m.filter(pl.col("matter_type").is_in(contract.DEPUTY_MATTERS) & ~pl.col("deputy_up_approved")),
        "A10-TEAM": team_of.filter((pl.col("matter_type") == "TEAM") & (pl.col("final_post") == "TEAM_LEAD")
                                   & (pl.col("final_approver_team") != pl.col("team"))),
        "A11-MAJOR": m.filter((pl.col("matter_type") == "MAJOR") & ~(pl.col("vp_approved") & pl.col("chief_step"))),
        "A13-EXTERNAL": m.filter((pl.col("matter_type") == "EXTERNAL")
                                 & ~(pl.col("vp_approved") & pl.col("chief_step"))),
        "A11-LASTWORD": every.filter(pl.col("final_level") < pl.col("top_level")),
        "S12-REVERSE": s.filter(pl.col("sub_rank") > pl.col("absent_rank")),
        "S12-LEADERSHIP": s.filter(pl.col("absent_post").is_in(["CHIEF", "DEPUTY"]) & ~(
            (pl.col("absent_post") == "CHIEF") & (pl.col("sub_post") == "DEPUTY") & pl.col("authorized"))),
        "S12-AUTHORITY": s.filter(pl.col("decided_by") == pl.col("substitute_id")),
        "S12-TEMPORARY": s.filter(pl.col("end_at").is_null()
                                  | (pl.col("end_at") - pl.col("start_at") > pl.duration(days=30))),
        "M4-CHAIR": mt.filter((pl.col("chair_post") != "CHIEF")
                              & ~((pl.col("chair_post") == "DEPUTY") & pl.col("chair_authorized"))),
        "M4-ATTEND": mt.filter((pl.col("meeting_type") == "BUREAU") & ~pl.col("attendee_ids").list.contains(vp)),
        "A9-DIVISION": doc_div.filter(~pl.col("own")),
        "S12-UNRECORDED": unrecorded,
        "M4-SECRETARY": mt.filter((pl.col("meeting_type") == "BUREAU")
                                  & ~pl.col("attendee_ids").list.contains(secretary)),
        "M5-VPABSENT": items.filter((pl.col("outcome") == "VP_DECIDED") & (pl.col("vp_position") == "ABSENT")),
        "M5-UNDECIDED": items.filter(escalated & pl.col("decided_on").is_null()
                                     & (pl.col("when").dt.date() < pl.lit(snapshot) - pl.duration(days=30))),
        "M5-TIEBREAK": items.filter((pl.col("meeting_type") == "BUREAU")
                                    & (majority == (pl.col("outcome") == "VP_DECIDED"))),
        "M5-ESCALATE": items.filter(escalated & ~pl.col("is_major")),
        "M5-ADVISORY": items.filter((pl.col("meeting_type") == "TEAM_LEADS") & (pl.col("outcome") != "ADVISORY")),
        "M5-RECORD": items.filter(~pl.col("minuted")),
        # issue 27: a major case without a PLAN matter approved at the chief's level
        "A7-PLAN": tables["cases"].filter(
            pl.col("is_major") & (pl.col("filed_on") + pl.duration(days=30) < pl.lit(snapshot))
            & ~pl.col("case_id").is_in(tables["approvals"].filter(
                (pl.col("matter_type") == "PLAN") & (pl.col("decision") == "APPROVE")
                & (pl.col("level") == "CHIEF"))["case_id"].drop_nulls().implode())
        ).with_columns(when=pl.col("filed_on").cast(pl.Datetime("us"))),
        "M4-DEPUTIES": mt.filter((pl.col("meeting_type") == "TEAM_LEADS") & ~pl.col("attendee_ids").list.eval(
            pl.element().replace_strict(post, default="") == "DEPUTY").list.any()),
        "M4-REGULAR": _months_without_meetings(mt, snapshot),
    }


def _months_without_meetings(mt: pl.DataFrame, snapshot: dt.date) -> pl.DataFrame:
    """(month, meeting type) from the first meeting's month to the one before the snapshot's with no meeting."""
    months = pl.date_range(mt["held_on"].min().replace(day=1), snapshot.replace(day=1) - dt.timedelta(days=1), "1mo",
                           eager=True).dt.truncate("1mo").unique()
    grid = pl.DataFrame({"month": months}).join(pl.DataFrame({"meeting_type": ["BUREAU", "TEAM_LEADS"]}), how="cross")
    held = mt.select("meeting_type", month=pl.col("held_on").dt.truncate("1mo")).unique()
    return grid.join(held, on=["month", "meeting_type"], how="anti").with_columns(when=pl.col("month").cast(pl.Datetime("us")))


def test_every_rule_has_a_few_breaches_after_the_effective_date(tables):
    findings = _findings(tables)
    assert set(findings) == set(contract_rules())
    records = {"matter": tables["approvals"]["matter_id"].n_unique(), "substitution": tables["substitutions"].height,
               "meeting": tables["meetings"].height, "meeting_item": tables["meeting_items"].height,
               "case": tables["cases"].height, "month": 2 * 17}  # 2023-01 to 2024-05, two meeting types
    for rule, df in findings.items():
        judged = df.filter(pl.col("when") >= EFFECTIVE)
        assert judged.height >= 2, rule
        kind = RULES_BY_ID[rule].record_kind
        assert judged.height <= 0.06 * records[kind], (rule, judged.height)
        if rule != "M5-RECORD":  # unminuted items also happen earlier, to show unjudged records
            assert df.filter(pl.col("when") < EFFECTIVE).height == 0, rule


def contract_rules() -> list[str]:
    return ["A7-CHIEF", "A9-PROCESS", "A9-DEPUTY", "A9-DIVISION", "A10-TEAM", "A11-MAJOR", "A13-EXTERNAL",
            "A11-LASTWORD", "S12-REVERSE", "S12-LEADERSHIP", "S12-AUTHORITY", "S12-TEMPORARY", "S12-UNRECORDED",
            "M4-CHAIR", "M4-ATTEND", "M4-SECRETARY", "M5-TIEBREAK", "M5-VPABSENT", "M5-ESCALATE", "M5-UNDECIDED",
            "M5-ADVISORY", "M5-RECORD", "A7-PLAN", "M4-DEPUTIES", "M4-REGULAR"]


def test_cases_show_every_side_of_the_statutory_clock(tables, demo_db):
    c = tables["cases"]
    assert 0.03 < (c["case_kind"] == "非诉执行").mean() < 0.1
    exported = c.filter(pl.col("deadline_on").is_not_null())
    assert exported["filed_on"].min() >= dt.date(2023, 7, 1)
    assert exported.height == c.filter(pl.col("filed_on") >= dt.date(2023, 7, 1)).height
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        cc = con.sql("SELECT * FROM case_clock").pl()
    finally:
        con.close()
    assert cc.height == c.height
    # extensions: an exported deadline later than the computed one, and only for cases that needed longer
    extended = cc.filter(pl.col("deadline_on") > pl.col("computed_deadline"))
    assert extended.height > 10
    needed = extended.select(pl.coalesce("closed_on", pl.lit(END.date())) > pl.col("computed_deadline")).to_series()
    assert needed.all()
    # the other exported deadlines are the statutory ones, as the clock computes them
    same = cc.filter(pl.col("deadline_on").is_not_null() & (pl.col("deadline_on") <= pl.col("computed_deadline")))
    assert (same["deadline_on"] == same["computed_deadline"]).all()
    tiers = cc.filter("is_open")["tier"].value_counts()
    assert {"RED", "YELLOW"} <= set(tiers["tier"].drop_nulls()) and cc.filter("is_open")["tier"].null_count() > 0
    assert 0.6 < cc.filter(~pl.col("is_open"))["on_time"].mean() < 0.95


# -- scale ---------------------------------------------------------------------------------------------


def test_scale_two_doubles_teams_and_years():
    one, two = generate(SEED, 1), generate(SEED, 2)
    assert len(two.org.team_names) == 2 * len(one.org.team_names) == 18
    assert one.first == dt.date(2022, 7, 1) and two.first == dt.date(2020, 7, 1)
    assert two.approvals["submitted_at"].min().date() < dt.date(2020, 7, 8)
    assert two.approvals["decided_at"].max() == END
    assert 3.4 < two.approvals.height / one.approvals.height < 4.6  # twice the teams for twice the years


# -- round trip through the real loader, and the rules engine -------------------------------------------


def test_round_trip_through_the_loader_keeps_every_row(tmp_path, demo_exports, tables):
    from pipelines.ingest.loader import load_paths

    db = tmp_path / "warehouse.duckdb"
    report = load_paths(demo_exports, db)
    assert report.ok, report.format("en")
    assert report.rows == {t: df.height for t, df in tables.items()}
    assert ("审批记录_2023.csv", ["审批意见"]) in [(Path(f).name, cols) for f, cols in report.dropped_columns]
    con = duckdb.connect(str(db), read_only=True)
    try:
        for table, df in tables.items():
            stored = con.sql(f"select * from {table}").pl()
            assert stored.height == df.height, table
            key = list(contract.TABLES[table].key)
            sample = df.sort(key).gather_every(max(1, df.height // 50))
            got = stored.join(sample.select(key), on=key, how="semi").sort(key).select(sample.columns)
            assert got.height == sample.height, table
            for col in sample.columns:
                a, b = got[col], sample[col]
                if a.dtype == pl.Float64:
                    assert np.allclose(a.fill_null(0).to_numpy(), b.fill_null(0).to_numpy()), (table, col)
                else:
                    assert a.cast(b.dtype).to_list() == b.to_list(), (table, col)
    finally:
        con.close()


def test_rules_engine_finds_exactly_the_planted_breaches(demo_db):
    data = generate(SEED, 1)
    planted = pl.concat([
        data.approvals.filter(pl.col("planted") != "").select(rule_id="planted", record_id="matter_id").unique(),
        data.substitutions.filter(pl.col("planted") != "").select(rule_id="planted", record_id="substitution_id"),
        data.meetings.filter(pl.col("planted") != "").select(rule_id="planted", record_id="meeting_id"),
        data.meeting_items.filter(pl.col("planted") != "").select(rule_id="planted", record_id="item_id"),
        data.cases.filter(pl.col("planted") != "").select(rule_id="planted", record_id="case_id"),
        pl.DataFrame({"rule_id": "M4-REGULAR", "record_id": data.planted_months}),
    ]).sort("rule_id", "record_id")
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        found = con.sql("select rule_id, record_id from violations order by 1, 2").pl()
    finally:
        con.close()
    assert set(found["rule_id"]) == set(contract_rules())
    assert found.to_dicts() == planted.to_dicts()


def test_a_large_demo_keeps_its_dates_plausible_and_grows_by_teams():
    from pipelines.core.contract import EARLIEST_DATE
    from pipelines.demo.generate import END, span

    assert span(1) == (2, 9) and span(8) == (16, 72)  # the scales the tests and the bench use, as before
    for scale in range(1, 41):
        years, teams = span(scale)
        assert END.year - years - 2 >= EARLIEST_DATE.year  # cases are filed up to ~2 years before the first step
        assert years * teams >= 2 * scale * 9 * scale  # the records still grow as scale²
