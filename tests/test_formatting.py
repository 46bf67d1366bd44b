"""Tables as people read them: 是/否, blank for empty, dates without 00:00:00, divisions in natural order."""

from datetime import date, datetime

import polars as pl

from pipelines.core.ordering import cn_number, org_order, roster_org_order, sort_org
from pipelines.present.formatting import column_kinds, display_frame, format_share


def test_display_frame_reads_like_a_person_wrote_it():
    df = pl.DataFrame({
        "held_on": [datetime(2024, 6, 11), None],
        "received_at": [datetime(2024, 6, 11, 9, 30), datetime(2024, 6, 12)],
        "authorized": [True, None],
        "case_id": [None, "（2024）豫1302执1号"],
        "month": [date(2024, 6, 1), date(2024, 5, 1)],
        "steps": [1, 2],
    })
    zh = display_frame(df, "zh")
    assert zh["held_on"].dtype == pl.Date and zh["held_on"][0] == date(2024, 6, 11)  # no 00:00:00
    assert zh["received_at"].dtype == pl.Datetime  # a real time stays a time
    assert zh["authorized"].to_list() == ["是", ""]
    assert zh["case_id"].to_list() == ["", "（2024）豫1302执1号"]  # blank, not None
    assert zh["month"].to_list() == ["2024-06", "2024-05"]
    assert zh["steps"].dtype == pl.Int64
    assert display_frame(df, "en")["authorized"][0] == "Yes"


def test_column_kinds_and_shares():
    df = pl.DataFrame({"over_limit_share": [0.1], "escalation_rate": [0.2], "per_100": [1.5], "steps": [3],
                       "month": [date(2024, 6, 1)], "held_on": [date(2024, 6, 3)]})
    assert column_kinds(df) == {"over_limit_share": "share", "escalation_rate": "share", "per_100": "decimal",
                                "steps": "count", "month": "month", "held_on": "date"}
    assert format_share(0.02) == "2.0%" and format_share(None) == ""


def test_divisions_and_teams_sort_in_natural_chinese_order():
    assert [cn_number(x) for x in ("一", "十", "十二", "二十", "一百零五", "12")] == [1, 10, 12, 20, 105, 12]
    assert org_order(["执行三处", "执行一处", None, "执行二处"]) == ["执行一处", "执行二处", "执行三处", None]
    teams = ["执行十团队", "执行二团队", "执行十一团队", "执行九团队"]
    assert org_order(teams) == ["执行二团队", "执行九团队", "执行十团队", "执行十一团队"]
    # The roster's order wins where it is given (a bureau may list 综合处 first).
    assert org_order(["执行一处", "综合处"], roster=["综合处", "执行一处"]) == ["综合处", "执行一处"]
    df = pl.DataFrame({"division": ["执行三处", "执行一处", "执行二处", "执行一处"], "n": [1, 2, 3, 4]})
    assert sort_org(df, "division")["n"].to_list() == [2, 4, 3, 1]


def test_roster_order_comes_from_the_store(demo_db):
    import duckdb

    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        order = roster_org_order(con.sql("SELECT staff_id, division, team FROM staff").pl())
    finally:
        con.close()
    assert order["division"] == ["执行一处", "执行二处", "执行三处"]
    assert order["team"][:3] == ["执行一团队", "执行二团队", "执行三团队"]
