"""The demo export set: what a court's case system would export for the demo bureau.

`write_demo_exports(out_dir, seed, scale)` writes all six tables the way real exports arrive — Chinese
headers, Chinese enum labels (some codes), several file formats and encodings, several date forms — so
the demo also exercises every reader:

| file | table(s) | format |
|---|---|---|
| 人员名册.xlsx | staff | workbook, one sheet; post cells use aliases (执行法官, 书记员…) and some codes |
| 案件.csv | cases | GB18030; dates `YYYY-MM-DD`, some `YYYY年M月D日`, closed `YYYY/MM/DD`; 审限届满日期 only for cases filed since 2023-07 (a newer case system) |
| 审批记录_<year>.csv | approvals | UTF-8 with BOM, one file per year of submission; the oldest year as an older system exported it (`YYYY/MM/DD HH:MM`, codes); an extra free-text column 审批意见 that the loader drops |
| 替补记录.csv | substitutions | UTF-8; timestamps, date-only and `YYYY年M月D日` starts and ends |
| 会议记录.xlsx | meetings, meeting_items | one workbook, sheets 会议 and 会议议题; Excel date cells |

The records come from `pipelines.demo.generate.generate` (same seed → byte-identical files).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.core import contract
from pipelines.demo.generate import DemoData, generate

__all__ = ["write_demo_exports"]

XLSX_CREATED = dt.datetime(2024, 7, 1, 9, 0)  # fixed workbook metadata: identical bytes for a seed
OPINIONS = {"APPROVE": ("同意", "同意。", "拟同意，请领导审批", "同意，按程序办理"),
            "REJECT": ("不同意，请补充材料", "不同意"), "RETURN": ("退回补正", "退回，请核实财产线索")}


def write_demo_exports(out_dir: Path, seed: int = 7, scale: int = 1) -> list[Path]:
    """Write the demo export set for `seed` and `scale` into `out_dir`; return the files written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = generate(seed, scale)
    # A previous run with another scale left approval files for other years: a folder load would mix them in.
    for stale in out_dir.glob("审批记录_*.csv"):
        if re.fullmatch(r"审批记录_\d{4}\.csv", stale.name):
            stale.unlink()
    rng = np.random.default_rng([seed, 1])  # formatting choices, independent of the records
    return [
        _write_staff(data, out_dir / "人员名册.xlsx"),
        _write_cases(data, rng, out_dir / "案件.csv"),
        *_write_approvals(data, rng, out_dir),
        _write_substitutions(data, out_dir / "替补记录.csv"),
        _write_meetings(data, out_dir / "会议记录.xlsx"),
    ]


# -- helpers ---------------------------------------------------------------------------------------


def _zh(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Contract columns in contract order with their Chinese headers (extra columns kept at the end)."""
    t = contract.TABLES[table]
    extra = [c for c in frame.columns if c not in t.column_names]
    return frame.select(*t.column_names, *extra).rename({c.name: c.zh for c in t.columns})


def _labels(col: str, kind: str) -> pl.Expr:
    enum = contract.ENUMS[kind]
    return pl.col(col).replace_strict({code: zh for code, (zh, _) in enum.labels.items()}, default=pl.col(col))


def _yes_no(col: str) -> pl.Expr:
    return pl.when(pl.col(col)).then(pl.lit("是")).otherwise(pl.lit("否"))


def _cn_date(expr: pl.Expr) -> pl.Expr:
    return pl.format("{}年{}月{}日", expr.dt.year(), expr.dt.month(), expr.dt.day())


def _workbook(path: Path):
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": XLSX_CREATED, "author": "执行局", "title": path.stem})
    return wb


def _write_sheet(wb, name: str, frame: pl.DataFrame, date_cols: tuple[str, ...] = ()) -> None:
    ws = wb.add_worksheet(name)
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, frame.columns, head)
    for j, col in enumerate(frame.columns):
        values = frame[col].to_list()
        width = max([len(str(col))] + [len(str(v)) for v in values[:200] if v is not None])
        ws.set_column(j, j, min(2 + width * 1.6, 60))
        for i, v in enumerate(values, start=1):
            if v is None:
                continue
            if col in date_cols:
                ws.write_datetime(i, j, dt.datetime.combine(v, dt.time()), date_fmt)
            else:
                ws.write(i, j, v)
    ws.freeze_panes(1, 0)


# -- tables ----------------------------------------------------------------------------------------


def _write_staff(data: DemoData, path: Path) -> Path:
    staff = data.org.staff.with_columns(post=pl.col("post_cell"), party_secretary=_yes_no("party_secretary"))
    wb = _workbook(path)
    _write_sheet(wb, "人员名册", _zh("staff", staff.drop("post_cell")))
    wb.close()
    return path


def _write_cases(data: DemoData, rng: np.random.Generator, path: Path) -> Path:
    c = data.cases
    cn = pl.Series(rng.random(c.height) < 0.04)
    out = c.select(
        "case_id", "team", "judge_id",
        filed_on=pl.when(cn).then(_cn_date(pl.col("filed_on"))).otherwise(pl.col("filed_on").dt.strftime("%Y-%m-%d")),
        closed_on=pl.col("closed_on").dt.strftime("%Y/%m/%d"),
        case_kind="case_kind",
        amount_yuan=pl.col("amount_yuan").round(2).cast(pl.String),
        is_major=_yes_no("is_major"),
        deadline_on=pl.col("deadline_on").dt.strftime("%Y-%m-%d"),
    )
    path.write_bytes(_zh("cases", out).write_csv().encode("gb18030"))
    return path


def _write_approvals(data: DemoData, rng: np.random.Generator, out_dir: Path) -> list[Path]:
    a = data.approvals
    pick = pl.Series(rng.integers(0, 4, a.height))
    opinion = pl.lit(None, dtype=pl.String)
    for decision, phrases in OPINIONS.items():
        choice = pl.lit(phrases[0])
        for k in range(1, len(phrases)):
            choice = pl.when(pick % len(phrases) == k).then(pl.lit(phrases[k])).otherwise(choice)
        opinion = pl.when(pl.col("decision") == decision).then(choice).otherwise(opinion)
    a = a.with_columns(审批意见=opinion, year=pl.col("submitted_at").dt.year())
    years = sorted(a["year"].unique().to_list())
    paths = []
    for year in years:
        part = a.filter(pl.col("year") == year)
        old = year == years[0]  # the oldest year as an older system exported it: codes, minutes only
        ts = "%Y/%m/%d %H:%M" if old else "%Y-%m-%d %H:%M:%S"
        part = part.with_columns(
            pl.col("submitted_at", "received_at", "decided_at").dt.strftime(ts),
            matter_type=pl.col("matter_type") if old else _labels("matter_type", "matter_type"),
            level=pl.col("level") if old else _labels("level", "level"),
            decision=_labels("decision", "decision"),
        )
        path = out_dir / f"审批记录_{year}.csv"
        _zh("approvals", part.drop("planted", "team_idx", "year")).write_csv(path, include_bom=True)
        paths.append(path)
    return paths


def _write_substitutions(data: DemoData, path: Path) -> Path:
    s = data.substitutions
    last_day = pl.col("start_day") + pl.duration(days=pl.col("days") - 1)
    form = pl.col("form")

    def cell(ts: pl.Expr, day: pl.Expr) -> pl.Expr:
        return (pl.when(form == "ts").then(ts.dt.strftime("%Y-%m-%d %H:%M"))
                .when(form == "cn").then(_cn_date(day)).otherwise(day.dt.strftime("%Y-%m-%d")))

    out = s.select(
        "substitution_id", "absent_id", "substitute_id", "decided_by",
        start_at=cell(pl.col("start_at"), pl.col("start_day")),
        end_at=pl.when(pl.col("open_end")).then(None).otherwise(cell(pl.col("end_at"), last_day)),
        authorized=_yes_no("authorized"), reason="reason",
    )
    _zh("substitutions", out).write_csv(path)
    return path


def _write_meetings(data: DemoData, path: Path) -> Path:
    m = data.meetings.with_columns(
        meeting_type=_labels("meeting_type", "meeting_type"),
        chair_authorized=_yes_no("chair_authorized"),
        attendee_ids=pl.when(pl.col("meeting_type") == "BUREAU").then(pl.col("attendee_ids").list.join("、"))
        .otherwise(pl.col("attendee_ids").list.join("；")),
    ).drop("planted")
    items = data.meeting_items.with_columns(
        vp_position=_labels("vp_position", "position"), chief_position=_labels("chief_position", "position"),
        outcome=_labels("outcome", "outcome"), is_major=_yes_no("is_major"), minuted=_yes_no("minuted"),
        decided_on=_cn_date(pl.col("decided_on")),
    ).drop("planted")
    wb = _workbook(path)
    _write_sheet(wb, "会议", _zh("meetings", m), date_cols=(contract.MEETINGS.column("held_on").zh,))
    _write_sheet(wb, "会议议题", _zh("meeting_items", items))
    wb.close()
    return path
