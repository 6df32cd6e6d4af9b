"""Aggregates over challenges for the bureau's dashboard: SQL GROUP BY only, never counting rows in Python.

Every function takes a `StatsFilter` (year of posting, industry, district of the posting company) and returns
small lists of (label, number) the page turns into a chart and the table under it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String, case, cast
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import Select
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, func, select

from marketplace.accounts.models import Organisation
from marketplace.accounts.validators import GUANGZHOU_DISTRICTS
from marketplace.challenges.models import STATUS_LABELS, Challenge
from marketplace.challenges.models import ChallengeStatus as S
from marketplace.errors import RuleViolation
from marketplace.industries import INDUSTRIES, WEAK_LINKS

BEIJING = ZoneInfo("Asia/Shanghai")
FIRST_YEAR = 2022  # the action plan's first year (穗府办〔2022〕19号)
CHAIN_LEADER = "链主"
# Qualifications are stored as JSON text with ASCII escapes; match the escaped literal, backslashes verbatim.
_CHAIN_LEADER_JSON = json.dumps(CHAIN_LEADER)
# Posted = everything the bureau has seen (a draft is the company's private work).
POSTED_STATES = tuple(s for s in S if s != S.DRAFT)


@dataclass(frozen=True)
class StatsFilter:
    year: int | None = None
    industry: str | None = None
    district: str | None = None
    month: int | None = None  # only with a year: a monthly report
    start: date | None = None  # a range of days (Beijing calendar, both included), instead of a year
    end: date | None = None

    @property
    def period(self) -> tuple[datetime, datetime] | None:
        """[start, end) in UTC of the year, month or days chosen (Beijing calendar), or None for all time."""
        if self.start is not None and self.end is not None:
            first = datetime(self.start.year, self.start.month, self.start.day, tzinfo=BEIJING)
            last = datetime(self.end.year, self.end.month, self.end.day, tzinfo=BEIJING) + timedelta(days=1)
            return first.astimezone(UTC), last.astimezone(UTC)
        if self.year is None:
            return None
        if self.month is None:
            start, end = datetime(self.year, 1, 1, tzinfo=BEIJING), datetime(self.year + 1, 1, 1, tzinfo=BEIJING)
        else:
            start = datetime(self.year, self.month, 1, tzinfo=BEIJING)
            end = datetime(self.year + self.month // 12, self.month % 12 + 1, 1, tzinfo=BEIJING)
        return start.astimezone(UTC), end.astimezone(UTC)


def _parse_days(start: str, end: str, *, this_year: int, errors: dict[str, str]) -> tuple[date | None, date | None]:
    """A range of days (YYYY-MM-DD, both included): both given, in order, within the programme's years."""
    start, end = start.strip(), end.strip()
    if not start and not end:
        return None, None
    days = {}
    for name, text in (("start", start), ("end", end)):
        try:
            days[name] = date.fromisoformat(text) if text.isascii() and len(text) == 10 else None
        except ValueError:
            days[name] = None
        if not text:
            errors[name] = "请同时填写开始日期和结束日期"
        elif days[name] is None:
            errors[name] = "日期格式应为 YYYY-MM-DD"
        elif not FIRST_YEAR <= days[name].year <= this_year:
            errors[name] = f"日期应在 {FIRST_YEAR}–{this_year} 年之间"
    if "start" in errors or "end" in errors:
        return None, None
    if days["start"] > days["end"]:
        errors["end"] = "结束日期不能早于开始日期"
        return None, None
    return days["start"], days["end"]


def parse_filter(*, year: str = "", industry: str = "", district: str = "", month: str = "", start: str = "",
                 end: str = "", this_year: int) -> StatsFilter:
    """Validate the dashboard's filters; unknown values get a Chinese message per field (never a 500)."""
    errors: dict[str, str] = {}
    first, last = _parse_days(start, end, this_year=this_year, errors=errors)
    if (start.strip() or end.strip()) and (year.strip() or month.strip()):
        errors["start"] = "年份和日期范围只能选择一种"
    parsed_month = None
    if month.strip():
        if not (month.strip().isascii() and month.strip().isdigit() and 1 <= int(month) <= 12):
            errors["month"] = "月份应在 1–12 之间"
        elif not year.strip():
            errors["month"] = "选择月份时须同时选择年份"
        else:
            parsed_month = int(month)
    parsed_year = None
    if year.strip():
        if not year.strip().isascii() or not year.strip().isdigit() \
                or not FIRST_YEAR <= int(year) <= this_year:
            errors["year"] = f"年份应在 {FIRST_YEAR}–{this_year} 之间"
        else:
            parsed_year = int(year)
    if industry and industry not in INDUSTRIES:
        errors["industry"] = "没有这个产业领域"
    if district and district not in GUANGZHOU_DISTRICTS:
        errors["district"] = "没有这个区"
    if errors:
        raise RuleViolation("筛选条件有误：" + "；".join(errors.values()), fields=errors)
    return StatsFilter(year=parsed_year, industry=industry or None, district=district or None, month=parsed_month,
                       start=first, end=last)


def scoped(stmt: Select, flt: StatsFilter, *, join_company: bool = False) -> Select:
    """Restrict a statement over Challenge to the filter. The posting company is joined only when the filter
    or the grouping needs it (district, chain leader): the join costs every aggregate a lookup per row."""
    if join_company or flt.district:
        stmt = stmt.join(Organisation, col(Organisation.id) == col(Challenge.organisation_id))
    if flt.period is not None:
        start, end = flt.period
        stmt = stmt.where(col(Challenge.created_at) >= start, col(Challenge.created_at) < end)
    if flt.industry:
        stmt = stmt.where(col(Challenge.industry) == flt.industry)
    if flt.district:
        stmt = stmt.where(col(Organisation.district) == flt.district)
    return stmt


def _is_chain_leader():  # a SQL expression
    return cast(Organisation.qualifications, String).like(f"%{_CHAIN_LEADER_JSON}%", escape="/")


PAST_CLOSING = (S.CLOSED, S.IN_REVIEW, S.DECIDED, S.ANNOUNCED, S.AWARDED, S.NO_AWARD)
DECIDED_STATES = (S.DECIDED, S.ANNOUNCED, S.AWARDED)


def overview(session: Session, flt: StatsFilter) -> dict:
    """`by_status`, `pipeline` and `funds` from one GROUP BY status (≤ 13 rows, summed here): the dashboard
    read the same index three times before. Each group carries (challenges, published, committed and offered
    fen of the published ones), so every total below is a sum of SQL aggregates, never a count of rows."""
    published = col(Challenge.published_at).is_not(None)
    rows = session.exec(scoped(select(
        Challenge.status, func.count(), func.sum(case((published, 1), else_=0)),
        func.sum(case((published, Challenge.committed_funds_fen), else_=0)),
        func.sum(case((published, Challenge.offered_fen), else_=0)),
    ), flt).group_by(Challenge.status)).all()
    groups = {str(status): tuple(int(v or 0) for v in figures) for status, *figures in rows}

    def total(index: int, states=POSTED_STATES) -> int:  # noqa: ANN001
        return sum(groups.get(s.value, (0, 0, 0, 0))[index] for s in states)

    every = tuple(S)
    return {
        "by_status": [(s.value, STATUS_LABELS[s], groups.get(s.value, (0,))[0]) for s in POSTED_STATES],
        # The funnel's challenge stages: posted → published → closed with bids (or later) → decided (a winner
        # chosen, in 公示 or awarded). The contract and subsidy stages are added by their own domains.
        "pipeline": [("已提交", total(0)), ("已发布", total(1)), ("已截止并收到方案", total(0, PAST_CLOSING)),
                     ("已确定揭榜方", total(0, DECIDED_STATES))],
        # Company funds committed and amounts offered, in fen, over challenges that were published.
        "funds": {"committed_fen": total(2, every), "offered_fen": total(3, every), "published": total(1, every)},
    }


def by_status(session: Session, flt: StatsFilter) -> list[tuple[str, str, int]]:
    """(state, label, count) for every state a posted challenge can be in, zeros included."""
    return overview(session, flt)["by_status"]


def pipeline(session: Session, flt: StatsFilter) -> list[tuple[str, int]]:
    """The funnel's challenge stages (see `overview`)."""
    return overview(session, flt)["pipeline"]


def funds(session: Session, flt: StatsFilter) -> dict[str, int]:
    """Company funds committed and amounts offered, in fen, over challenges that were published."""
    return overview(session, flt)["funds"]


def by_company(session: Session, flt: StatsFilter) -> dict[str, list[tuple[str, int, int]]]:
    """`by_dimension` for district and chain leader together: challenges are first counted per posting company
    on the covering index (a few hundred groups), and only those groups look up the company's district and
    qualifications (10k lookups and JSON LIKEs before, one per challenge)."""
    per = scoped(select(Challenge.organisation_id.label("org"), func.count().label("n"),
                        func.sum(case((col(Challenge.published_at).is_not(None), 1), else_=0)).label("p")), flt) \
        .where(col(Challenge.status).in_(POSTED_STATES)).group_by(Challenge.organisation_id).subquery()
    leader = case((_is_chain_leader(), "链主企业"), else_="其他企业")
    rows = session.exec(select(Organisation.district, leader, func.sum(per.c.n), func.sum(per.c.p))
                        .join(per, per.c.org == col(Organisation.id))
                        .group_by(Organisation.district, leader)).all()
    groups = [(str(d), str(c), int(n or 0), int(p or 0)) for d, c, n, p in rows]

    def rollup(order, index: int) -> list[tuple[str, int, int]]:  # noqa: ANN001
        return [(label, sum(g[2] for g in groups if g[index] == label), sum(g[3] for g in groups if g[index] == label))
                for label in order]

    return {"district": rollup(GUANGZHOU_DISTRICTS, 0), "chain": rollup(("链主企业", "其他企业"), 1)}


def by_dimension(session: Session, flt: StatsFilter, dimension: str) -> list[tuple[str, int, int]]:
    """(label, posted, published-or-later) grouped by industry, weak link, district or chain leader."""
    if dimension in ("district", "chain"):
        return by_company(session, flt)[dimension]
    published = func.sum(case((col(Challenge.published_at).is_not(None), 1), else_=0))
    key = {"industry": col(Challenge.industry),
           "weak_link": func.coalesce(col(Challenge.weak_link), "未标注")}[dimension]
    order = {"industry": INDUSTRIES, "weak_link": (*WEAK_LINKS, "未标注")}[dimension]
    stmt = scoped(select(key.label("k"), func.count(), published), flt) \
        .where(col(Challenge.status).in_(POSTED_STATES)).group_by(key)
    found = {k: (int(n), int(p or 0)) for k, n, p in session.exec(stmt).all()}
    # Every weak link, district and group is shown (zeros tell too); industries only where there is something.
    return [(label, *found.get(label, (0, 0))) for label in order if dimension != "industry" or label in found]


class shanghai_month(FunctionElement):  # noqa: N801 — a SQL function
    """'YYYY-MM' of a UTC timestamp in Beijing time (UTC+8 all year: China has no daylight saving)."""

    type = String()
    inherit_cache = True


@compiles(shanghai_month, "sqlite")
def _shanghai_month_sqlite(element, compiler, **kw):  # noqa: ANN001, ANN202
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)}, '+8 hours')"


@compiles(shanghai_month, "postgresql")
def _shanghai_month_pg(element, compiler, **kw):  # noqa: ANN001, ANN202
    return f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"


def monthly(session: Session, flt: StatsFilter) -> list[tuple[str, int, int]]:
    """(YYYY-MM, posted, published) by the Beijing month a challenge was created, oldest first
    (a challenge posted at 01:00 on 1 February in Guangzhou counts for February, not January's UTC evening)."""
    month = shanghai_month(Challenge.created_at)
    published = func.sum(case((col(Challenge.published_at).is_not(None), 1), else_=0))
    stmt = scoped(select(month.label("m"), func.count(), published), flt) \
        .where(col(Challenge.status).in_(POSTED_STATES)).group_by(month).order_by(month)
    return [(str(m), int(n), int(p or 0)) for m, n, p in session.exec(stmt).all()]


PUBLIC_RECORD_STATES = (S.PUBLISHED, S.CLOSED, S.UNFILLED, S.WITHDRAWN, S.IN_REVIEW, S.DECIDED, S.ANNOUNCED,
                        S.AWARDED, S.NO_AWARD)


def public_records(session: Session, *, offset: int, limit: int) -> tuple[list[tuple], int]:
    """Published challenges for open data: (challenge fields…, company name, USCC, district), oldest first.

    Only what the hall already shows publicly; a withdrawn challenge appears only if it had been published.
    """
    where = (col(Challenge.status).in_(PUBLIC_RECORD_STATES), col(Challenge.published_at).is_not(None))
    total = session.exec(select(func.count()).select_from(Challenge).where(*where)).one()
    rows = session.exec(
        select(Challenge.id, Challenge.title, Challenge.industry, Challenge.weak_link, Challenge.status,
               Challenge.published_at, Challenge.bid_deadline, Challenge.closed_at, Challenge.committed_funds_fen,
               Challenge.offered_fen, Challenge.award_mode, Organisation.name, Organisation.uscc,
               Organisation.district)
        .join(Organisation, col(Organisation.id) == col(Challenge.organisation_id))
        .where(*where).order_by(col(Challenge.published_at), col(Challenge.id)).offset(offset).limit(limit)).all()
    return list(rows), int(total)


def last_change(session: Session) -> datetime | None:
    """When public challenge data last changed (the open data's update date)."""
    return session.exec(select(func.max(Challenge.updated_at))
                        .where(col(Challenge.status).in_(PUBLIC_RECORD_STATES))).one()


def published_in(session: Session, flt: StatsFilter, limit: int = 500) -> list[tuple]:
    """Challenges published in the filter's period: (id, title, company, industry, offered_fen, status)."""
    stmt = select(Challenge.id, Challenge.title, Organisation.name, Challenge.industry, Challenge.offered_fen,
                  Challenge.status).join(Organisation, col(Organisation.id) == col(Challenge.organisation_id)) \
        .where(col(Challenge.published_at).is_not(None))
    if flt.period is not None:
        start, end = flt.period
        stmt = stmt.where(col(Challenge.published_at) >= start, col(Challenge.published_at) < end)
    if flt.industry:
        stmt = stmt.where(col(Challenge.industry) == flt.industry)
    if flt.district:
        stmt = stmt.where(col(Organisation.district) == flt.district)
    return list(session.exec(stmt.order_by(col(Challenge.published_at), col(Challenge.id)).limit(limit)).all())
