"""公示 windows in Chinese working days (REVIEW.md §5, examples G1–G7).

A window of N working days starts the day after publication (the publication day never counts) and
ends at 23:59:59 Beijing time on the N-th working day. Working days follow the State Council's annual
holiday notice from `chinese-calendar`, plus entries the bureau makes for a year the library lacks (a
plain {date: is_working_day} mapping; any entry for a year means the bureau has entered that year's
notice). For a year nobody knows, Monday–Friday count and the end is "暂定" until the notice is entered;
a recomputed window never ends earlier than the end already announced. Never raises for a missing year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import chinese_calendar

from marketplace.clock import SHANGHAI, to_shanghai
from marketplace.errors import RuleViolation

DEFAULT_DAYS = 5
MAX_DAYS = 30
END_OF_DAY = time(23, 59, 59)

BureauDays = Mapping[date, bool]  # True: a working day (e.g. an adjusted weekend); False: a holiday


def check_length(days: object) -> int:
    """The 公示 period in working days: a whole number from 1 to 30."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        message = f"公示期须为 1 至 {MAX_DAYS} 个工作日"
        raise RuleViolation(message, fields={"period_days": message})
    return days


def _working(day: date, bureau: BureauDays) -> tuple[bool, bool]:
    """(is a working day, known from data); unknown years fall back to Monday–Friday."""
    if day in bureau:
        return bureau[day], True
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:  # the library has no data for this year
        known = any(d.year == day.year for d in bureau)
        return day.weekday() < 5, known


@dataclass(frozen=True)
class Window:
    published_on: date
    days: tuple[date, ...]          # the working days counted
    ends_on: date                   # the last day objections are accepted (Beijing date)
    missing_years: tuple[int, ...]  # years counted Monday–Friday for want of data
    held: bool = False              # a recomputation would end earlier: the announced end is kept

    @property
    def provisional(self) -> bool:
        """暂定: part of the window was counted Monday–Friday."""
        return bool(self.missing_years)

    @property
    def ends_at(self) -> datetime:
        """23:59:59 Beijing time on the last day (aware)."""
        return datetime.combine(self.ends_on, END_OF_DAY, SHANGHAI)

    @property
    def notice(self) -> str:
        """What to tell the officers when the end is provisional; empty otherwise."""
        if not self.provisional:
            return ""
        years = "、".join(str(y) for y in self.missing_years)
        return (f"{years} 年节假日安排尚未录入，公示截止日期按周一至周五暂定；"
                f"请录入国务院办公厅公布的 {years} 年节假日安排后重新计算")

    def is_open_at(self, instant: datetime) -> bool:
        """An objection lodged at this instant counts (through 23:59:59.999… of the last day)."""
        return self.published_on <= to_shanghai(instant).date() <= self.ends_on


def publication_date(instant: datetime) -> date:
    """The Beijing date of a publication instant."""
    return to_shanghai(instant).date()


def window(published_on: date, days: int = DEFAULT_DAYS, bureau: BureauDays | None = None) -> Window:
    """The 公示 window opened by a publication on `published_on` (a Beijing date)."""
    check_length(days)
    bureau = bureau or {}
    counted: list[date] = []
    missing: set[int] = set()
    day = published_on
    while len(counted) < days:
        day += timedelta(days=1)
        working, known = _working(day, bureau)
        if not known:
            missing.add(day.year)
        if working:
            counted.append(day)
    return Window(published_on, tuple(counted), counted[-1], tuple(sorted(missing)))


def recompute(published_on: date, days: int, bureau: BureauDays | None, announced_end: date) -> Window:
    """Recount after the bureau enters a year's notice; never end before the announced end."""
    fresh = window(published_on, days, bureau)
    if fresh.ends_on >= announced_end:
        return fresh
    return Window(fresh.published_on, fresh.days, announced_end, fresh.missing_years, held=True)
