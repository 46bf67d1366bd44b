"""The shared filters survive a trip through the URL, and bad bookmarks never break a page."""

from datetime import date
from urllib.parse import parse_qs

from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.core import contract
from pipelines.core.filters import Filters, add_months, describe, parse_month


def test_round_trip_through_query_string():
    f = Filters(date(2024, 1, 1), date(2024, 6, 1), ("执行一处",), ("执行一团队", "执行二团队"), ("PLAN",), ("CHIEF", "DEPUTY"))
    params = parse_qs(f.query_string())
    assert params["from"] == ["2024-01"] and params["team"] == ["执行一团队", "执行二团队"]
    assert Filters.from_query_params(params) == f


# 150 examples: pure Python (no store), a few ms each; team names are any text, and it is in text that a URL round
# trip breaks (&, =, +, %, spaces, CJK), so more draws of it than hypothesis' default 100, for a second or two.
@settings(max_examples=150, deadline=None)
@given(
    st.dates(date(2000, 1, 1), date(2099, 12, 1)).map(lambda d: d.replace(day=1)),
    st.integers(0, 40),
    st.lists(st.text(min_size=1, max_size=8).map(str.strip).filter(bool), max_size=3, unique=True),
    st.lists(st.sampled_from(contract.LEVEL_CODES), max_size=3, unique=True),
)
def test_round_trip_property(start, months, teams, levels):
    f = Filters(start, add_months(start, months), teams=tuple(teams), levels=tuple(levels))
    assert Filters.from_query_params(parse_qs(f.query_string())) == f


def test_bad_values_are_ignored():
    f = Filters.from_query_params({"from": "2024-13", "to": "soon", "level": ["CHIEF", "KING"], "type": "NOPE"})
    assert f == Filters(levels=("CHIEF",))
    assert parse_month("2024-6") == date(2024, 6, 1)


def test_reversed_period_is_swapped_and_previous_period_has_equal_length():
    f = Filters.from_query_params({"from": "2024-06", "to": "2024-04"})
    assert (f.start, f.end) == (date(2024, 4, 1), date(2024, 6, 1))
    prev = f.previous()
    assert (prev.start, prev.end) == (date(2024, 1, 1), date(2024, 3, 1))


def test_clamp_defaults_to_the_last_three_months_of_data():
    f = Filters().clamp(date(2022, 7, 1), date(2024, 6, 1))
    assert (f.start, f.end) == (date(2024, 4, 1), date(2024, 6, 1))
    assert Filters().clamp(date(2024, 6, 1), date(2024, 6, 1)).start == date(2024, 6, 1)


def test_describe_names_only_the_filters_that_apply():
    f = Filters(date(2024, 4, 1), date(2024, 6, 1), divisions=("执行一处",), levels=("CHIEF",))
    assert describe(f, "zh") == "2024-04 至 2024-06；部门：执行一处；层级：局长"
    assert describe(f, "en", ("period",)) == "2024-04 to 2024-06"
    assert describe(Filters(), "en") == "all data"
