"""REVIEW.md §5: 公示 windows in Chinese working days — examples G1–G7 exactly."""

from datetime import UTC, date, datetime

import pytest

from marketplace.clock import SHANGHAI
from marketplace.errors import RuleViolation
from marketplace.reviews.calendar import check_length, publication_date, recompute, window

D = date.fromisoformat
NEW_YEAR_2027 = {D("2027-01-01"): False}

G = [
    ("G1", "2026-12-03", {}, ["2026-12-04", "2026-12-07", "2026-12-08", "2026-12-09", "2026-12-10"], False),
    ("G2", "2026-09-28", {}, ["2026-09-29", "2026-09-30", "2026-10-08", "2026-10-09", "2026-10-10"], False),
    ("G3", "2026-04-30", {}, ["2026-05-06", "2026-05-07", "2026-05-08", "2026-05-09", "2026-05-11"], False),
    ("G4", "2026-09-18", {}, ["2026-09-20", "2026-09-21", "2026-09-22", "2026-09-23", "2026-09-24"], False),
    ("G5", "2026-10-03", {}, ["2026-10-08", "2026-10-09", "2026-10-10", "2026-10-12", "2026-10-13"], False),
    ("G6", "2026-12-28", {}, ["2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01", "2027-01-04"], True),
    ("G7", "2026-12-28", NEW_YEAR_2027,
     ["2026-12-29", "2026-12-30", "2026-12-31", "2027-01-04", "2027-01-05"], False),
]


@pytest.mark.parametrize("row, published, bureau, counted, provisional", G, ids=[g[0] for g in G])
def test_publication_windows(row, published, bureau, counted, provisional):
    result = window(D(published), 5, bureau)
    assert result.days == tuple(D(d) for d in counted)
    assert result.ends_on == D(counted[-1])
    last = D(counted[-1])
    assert result.ends_at == datetime(last.year, last.month, last.day, 23, 59, 59, tzinfo=SHANGHAI)
    assert result.ends_at.astimezone(UTC) == datetime(last.year, last.month, last.day, 15, 59, 59, tzinfo=UTC)
    assert result.provisional is provisional
    assert ("暂定" in result.notice) is provisional


def test_g1_ends_at_15_59_59_utc():
    assert window(D("2026-12-03")).ends_at.astimezone(UTC) == datetime(2026, 12, 10, 15, 59, 59, tzinfo=UTC)


def test_g6_tells_the_officers_which_year_to_enter():
    result = window(D("2026-12-28"))
    assert result.missing_years == (2027,)
    assert "请录入国务院办公厅公布的 2027 年节假日安排" in result.notice


def test_g7_recomputing_after_the_bureau_enters_2027_ends_later_and_is_final():
    announced = window(D("2026-12-28")).ends_on
    result = recompute(D("2026-12-28"), 5, NEW_YEAR_2027, announced)
    assert result.ends_on == D("2027-01-05") and not result.provisional and not result.held


def test_a_recomputation_never_ends_before_the_announced_end():
    # Suppose the bureau's notice made Saturday 2 January 2027 a working day: the count would end on 01-02.
    bureau = {D("2027-01-02"): True}
    assert window(D("2026-12-28"), 5, bureau).ends_on == D("2027-01-02")
    result = recompute(D("2026-12-28"), 5, bureau, announced_end=D("2027-01-04"))
    assert result.ends_on == D("2027-01-04") and result.held and not result.provisional


def test_an_objection_at_23_59_59_beijing_time_on_the_last_day_still_counts():
    result = window(D("2026-12-03"))
    assert result.is_open_at(datetime(2026, 12, 10, 15, 59, 59, 999_999, tzinfo=UTC))
    assert not result.is_open_at(datetime(2026, 12, 10, 16, 0, 0, tzinfo=UTC))


def test_the_publication_date_is_the_beijing_date():
    assert publication_date(datetime(2026, 12, 2, 16, 30, tzinfo=UTC)) == D("2026-12-03")


def test_the_publication_day_never_counts_even_a_working_day():
    assert D("2026-12-03") not in window(D("2026-12-03")).days


@pytest.mark.parametrize("days", [0, 100, 31, -1, True, 5.0, "5"])
def test_a_bad_period_is_refused_in_chinese(days):
    with pytest.raises(RuleViolation, match="公示期须为 1 至 30 个工作日") as caught:
        check_length(days)
    assert "period_days" in caught.value.fields


@pytest.mark.parametrize("days", [1, 30])
def test_the_period_limits_are_inclusive(days):
    assert len(window(D("2026-12-03"), days).days) == days


def test_a_long_window_into_an_unknown_year_never_fails():
    result = window(D("2026-12-31"), 30)
    assert result.provisional and len(result.days) == 30
