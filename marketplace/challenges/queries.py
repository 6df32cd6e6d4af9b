"""Visibility-filtered reads of challenges. No writes here."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import and_, case, or_
from sqlmodel import Session, col, func, select

from marketplace import documents
from marketplace.accounts.models import Organisation, User
from marketplace.accounts.validators import GUANGZHOU_DISTRICTS
from marketplace.actor import Actor, Role
from marketplace.challenges import bidding, permissions, queries_memo
from marketplace.challenges.models import (
    Attachment,
    Challenge,
    Clarification,
    ConfidentialityAcceptance,
)
from marketplace.challenges.models import (
    ChallengeStatus as S,
)
from marketplace.clock import utcnow
from marketplace.errors import NotFound
from marketplace.industries import INDUSTRIES, WEAK_LINKS

PAGE_SIZE = 10
MAX_PAGE = 10_000
# The statuses the public list filters on (effective statuses: a passed deadline reads as closed).
FILTER_STATUSES = (S.PUBLISHED, S.CLOSED, S.UNFILLED, S.WITHDRAWN)
SORTS = {
    "newest": (col(Challenge.published_at).desc(), col(Challenge.id).desc()),
    "deadline": (col(Challenge.bid_deadline).asc(), col(Challenge.id)),
    "amount": (col(Challenge.offered_fen).desc(), col(Challenge.id)),
}


def _order(sort: str, now: datetime) -> tuple:
    """The ORDER BY of a sort. 即将截止: still-open deadlines first, soonest first; passed ones after
    them, the most recently closed first."""
    if sort != "deadline":
        return SORTS.get(sort, SORTS["newest"])
    passed = case((col(Challenge.bid_deadline) > now, 0), else_=1)
    open_deadline = case((col(Challenge.bid_deadline) > now, col(Challenge.bid_deadline)), else_=None)
    return (passed, open_deadline.asc(), col(Challenge.bid_deadline).desc(), col(Challenge.id))
SORT_LABELS = {"relevance": "相关度", "newest": "最新发布", "deadline": "即将截止", "amount": "揭榜金额"}


def get_for(*, session: Session, actor: Actor, challenge_id: int) -> Challenge:
    """A challenge the actor may see, else NotFound (never reveal that it exists)."""
    challenge = session.get(Challenge, challenge_id)
    if challenge is None or not permissions.can_view(actor, challenge)[0]:
        raise NotFound("榜单不存在")
    return challenge


def _public_clause():
    return or_(col(Challenge.status).in_(list(permissions.PUBLIC_STATES)),
               and_(Challenge.status == S.WITHDRAWN, col(Challenge.published_at).is_not(None)))


def _effective_status_is(status: str, now: datetime):
    """SQL for permissions.effective_status(challenge, now) == status."""
    past = col(Challenge.bid_deadline) <= now
    if status == S.PUBLISHED:
        return and_(Challenge.status == S.PUBLISHED, col(Challenge.bid_deadline) > now)
    if status == S.CLOSED:
        return or_(Challenge.status == S.CLOSED, and_(Challenge.status == S.PUBLISHED, past))
    return Challenge.status == status


NO_MATCH = "none"  # a status the visitor may not list matches nothing (it never widens the list)


def _status_choice(value: str, allowed) -> str:
    return value if not value or value in allowed else NO_MATCH


@dataclass
class ChallengeFilter:
    q: str = ""
    industry: str = ""
    weak_link: str = ""
    district: str = ""
    status: str = ""
    min_wan: int | None = None
    max_wan: int | None = None
    deadline_days: int | None = None
    sort: str = "newest"
    page: int = 1
    ids: list[int] | None = field(default=None)  # from the search index, in relevance order
    any_state: bool = False  # officers: every state, not only the public ones
    page_size: int = PAGE_SIZE

    @classmethod
    def from_params(cls, params: Mapping[str, str | None], *, any_state: bool = False) -> ChallengeFilter:
        """The filters from a query string (the hall's and the API's alike), clamping anything odd:
        unknown choices are dropped, numbers are held to their range, the query to 200 characters."""
        q = (params.get("q") or "").strip()[:200]
        sort = params.get("sort") or ("relevance" if q else "newest")
        if sort not in SORT_LABELS or (sort == "relevance" and not q):
            sort = "newest"

        def choice(name: str, allowed) -> str:
            value = params.get(name) or ""
            return value if value in allowed else ""

        return cls(q=q, industry=choice("industry", INDUSTRIES), weak_link=choice("weak_link", WEAK_LINKS),
                   district=choice("district", GUANGZHOU_DISTRICTS),
                   status=_status_choice(params.get("status") or "", tuple(S) if any_state else FILTER_STATUSES),
                   any_state=any_state,
                   min_wan=_clamped(params.get("min_wan"), 0, 1_000_000),
                   max_wan=_clamped(params.get("max_wan"), 0, 1_000_000),
                   deadline_days=_clamped(params.get("deadline_days"), 1, 3650), sort=sort,
                   page=_clamped(params.get("page"), 1, MAX_PAGE) or 1)


def _clamped(value: str | None, low: int, high: int) -> int | None:
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return None if number is None else max(low, min(high, number))


@dataclass
class PublicPage:
    """One page of the public list: the challenges in order, the total, each one's bid count and
    the names of the organisations that posted them."""

    items: list[Challenge]
    total: int
    page: int
    counts: dict[int, int]
    org_names: dict[int, str] = field(default_factory=dict)
    page_size: int = PAGE_SIZE
    requested_page: int | None = None  # set when a page past the last was asked for

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def notice(self) -> str:
        """A Chinese note when the page asked for does not exist (the last page is shown instead)."""
        if self.requested_page is None:
            return ""
        return f"没有第 {self.requested_page} 页，共 {self.pages} 页，已显示第 {self.page} 页。"


def search_public(*, session: Session, flt: ChallengeFilter, now: datetime) -> PublicPage:
    """The one listing query of public challenges (hall, home page, API): search, filters, sort, page.

    Cheap at 10,000 challenges (profiled with `make bench-web`): the count reads the status index as
    two disjoint ranges (an OR over the whole table would scan every entry); the order reads narrow
    columns (indexes of migration 2026-12-03_load_listing_indexes) and only the page's ten rows are
    loaded whole, with their organisation's name in the same query; a search reads the matching ids
    once (their number is the total); the bid counts come in one grouped query.
    """
    if flt.q and flt.ids is None:
        flt.ids = documents.matching_ids(session=session, kind="challenge", query=flt.q)
    extra = _public_conditions(flt, now, public=False)
    join_org = bool(flt.district)

    def narrow(*columns, public=None):  # noqa: ANN002, ANN202
        clause = [] if flt.any_state else [_public_clause() if public is None else public]
        stmt = select(*columns).select_from(Challenge).where(*clause, *extra)
        if join_org:
            stmt = stmt.join(Organisation, col(Organisation.id) == Challenge.organisation_id)
        return stmt

    size = flt.page_size
    if flt.ids is not None:  # at most the index's k ids: read them once, they are the total too
        matching = set(session.exec(narrow(col(Challenge.id))).all())
        total = len(matching)
    elif _clock_free(flt):  # the same for every request until a challenge changes (queries_memo.py)
        key = ("public_count", flt.any_state, flt.industry, flt.weak_link, flt.district, flt.status,
               flt.min_wan, flt.max_wan)
        matching = None
        total = queries_memo.remember(session, key, now,
                                      lambda: (_count(session, narrow, any_state=flt.any_state), None))
    else:
        matching, total = None, _count(session, narrow, any_state=flt.any_state)
    last = max(1, math.ceil(total / size))
    requested = None
    if flt.page > last:  # ?page=999 of 2: the last page, and a word about it
        requested, flt.page = flt.page, last
    offset = (flt.page - 1) * size
    if matching is not None and flt.sort == "relevance":
        ids = [i for i in flt.ids if i in matching][offset:offset + size]
    else:
        ids = list(session.exec(narrow(col(Challenge.id)).order_by(*_order(flt.sort, now))
                                .offset(offset).limit(size)).all())
    loaded = session.exec(select(Challenge, Organisation.name)
                          .join(Organisation, col(Organisation.id) == Challenge.organisation_id)
                          .where(col(Challenge.id).in_(ids or [-1]))).all()
    rows = {c.id: c for c, _ in loaded}
    return PublicPage(items=[rows[i] for i in ids if i in rows], total=total, page=flt.page,
                      counts=bidding.facts().submitted_counts(session=session, challenge_ids=ids),
                      org_names={c.organisation_id: name for c, name in loaded},
                      page_size=size, requested_page=requested)


def _clock_free(flt: ChallengeFilter) -> bool:
    """Whether the filter's count is independent of the clock (no deadline window, no status that a
    passing deadline changes)."""
    return flt.deadline_days is None and flt.status not in (S.PUBLISHED, S.CLOSED)


def _count(session: Session, narrow, *, any_state: bool) -> int:  # noqa: ANN001
    """How many rows match: the public clause is an OR of two disjoint status ranges, so it is
    counted as the sum of two index range counts (one scalar query)."""
    count = func.count()
    if any_state:
        return session.exec(narrow(count)).one()
    listed = narrow(count, public=col(Challenge.status).in_(sorted(permissions.PUBLIC_STATES))).scalar_subquery()
    withdrawn = narrow(count, public=and_(Challenge.status == S.WITHDRAWN,
                                          col(Challenge.published_at).is_not(None))).scalar_subquery()
    return session.exec(select(listed + withdrawn)).one()


def _public_conditions(flt: ChallengeFilter, now: datetime, *, public: bool = True) -> list:
    conditions = [] if flt.any_state or not public else [_public_clause()]
    if flt.industry:
        conditions.append(Challenge.industry == flt.industry)
    if flt.weak_link:
        conditions.append(Challenge.weak_link == flt.weak_link)
    if flt.status:
        conditions.append(_effective_status_is(flt.status, now))
    if flt.district:
        conditions.append(Organisation.district == flt.district)
    if flt.min_wan is not None:
        conditions.append(col(Challenge.offered_fen) >= flt.min_wan * 1_000_000)
    if flt.max_wan is not None:
        conditions.append(col(Challenge.offered_fen) <= flt.max_wan * 1_000_000)
    if flt.deadline_days is not None:
        conditions += [col(Challenge.bid_deadline) >= now,
                       col(Challenge.bid_deadline) <= now + timedelta(days=flt.deadline_days)]
    if flt.ids is not None:
        conditions.append(col(Challenge.id).in_(flt.ids or [-1]))
    return conditions


def of_organisation(*, session: Session, organisation_id: int, limit: int | None = None) -> list[Challenge]:
    """A company's own challenges, every state, most recently changed first (`limit`: only the first few).

    With a limit (the dashboard's eight) the order is read as ids and kept while nothing changes
    (queries_memo.py): a company with hundreds of challenges made SQLite sort all their whole rows by
    `updated_at` on every view (≈9 ms at the benchmark's 740). Only the page's rows are then loaded.
    """
    stmt = select(Challenge).where(Challenge.organisation_id == organisation_id)
    if limit is None:
        return list(session.exec(stmt.order_by(col(Challenge.updated_at).desc())).all())

    def recent_ids() -> tuple[list[int], None]:
        return list(session.exec(select(Challenge.id).where(Challenge.organisation_id == organisation_id)
                                 .order_by(col(Challenge.updated_at).desc(), col(Challenge.id).desc())
                                 .limit(limit)).all()), None

    ids = queries_memo.remember(session, ("org_recent", organisation_id, limit), utcnow(), recent_ids)
    rows = {c.id: c for c in session.exec(select(Challenge).where(col(Challenge.id).in_(ids or [-1]))).all()}
    return [rows[i] for i in ids if i in rows]


def review_queue(*, session: Session, statuses: tuple[str, ...] = (S.SUBMITTED,)) -> list[Challenge]:
    """Challenges awaiting the bureau (officers)."""
    return list(session.exec(select(Challenge).where(col(Challenge.status).in_(statuses))
                             .order_by(col(Challenge.updated_at))).all())


@dataclass
class OfficerQueues:
    """What awaits the bureau: submitted challenges, change requests, withdrawal requests."""

    submitted: list[Challenge]
    changes: list[Challenge]
    withdrawals: list[Challenge]


def officer_queues(*, session: Session) -> OfficerQueues:
    """The bureau's three queues, each one indexed query (small lists, not a scan of every challenge)."""
    return OfficerQueues(submitted=review_queue(session=session),
                         changes=_requested(session, Challenge.change_requested_at),
                         withdrawals=_requested(session, Challenge.withdrawal_requested_at))


def _requested(session: Session, column) -> list[Challenge]:  # noqa: ANN001
    """Published challenges with a request pending, oldest first.

    Selected by the request's own index and filtered by status here: with `status = 'published'` in
    the SQL, SQLite walked the status index over every published challenge (10,000 rows at the load
    test's scale) to find the handful with a request.
    """
    rows = session.exec(select(Challenge).where(col(column).is_not(None)).order_by(col(column))).all()
    return [c for c in rows if c.status == S.PUBLISHED]


def all_for_officer(*, session: Session) -> list[Challenge]:
    return list(session.exec(select(Challenge).order_by(col(Challenge.id).desc())).all())


def status_counts(*, session: Session, now: datetime) -> dict[str, int]:
    """How many challenges await review and how many are open for bids (the officer's figures).

    Counting the open ones reads every published row's deadline (≈15 ms at 10,000 challenges): kept
    while nothing changes (queries_memo.py) and until the next open deadline, when one of them closes.
    """
    def compute() -> tuple[dict[str, int], datetime | None]:
        count = func.count()
        submitted = session.exec(select(count).select_from(Challenge).where(Challenge.status == S.SUBMITTED)).one()
        published, next_deadline = session.exec(
            select(count, func.min(Challenge.bid_deadline)).select_from(Challenge)
            .where(_effective_status_is(S.PUBLISHED, now))).one()
        return {"submitted": submitted, "published": published}, next_deadline

    return dict(queries_memo.remember(session, ("status_counts",), now, compute))


def clarifications(*, session: Session, challenge: Challenge, actor: Actor) -> list[Clarification]:
    """Answered questions for everyone; the company and officers also see unanswered ones; a team its own."""
    stmt = select(Clarification).where(Clarification.challenge_id == challenge.id)
    if not (permissions.is_owner(actor, challenge) or actor.is_officer):
        stmt = stmt.where(or_(col(Clarification.answer).is_not(None),
                              Clarification.asked_by == (actor.user_id or -1)))
    return list(session.exec(stmt.order_by(col(Clarification.asked_at))).all())


def has_accepted_terms(*, session: Session, actor: Actor, challenge_id: int) -> bool:
    if actor.organisation_id is None:
        return False
    return session.exec(select(ConfidentialityAcceptance.id).where(
        ConfidentialityAcceptance.challenge_id == challenge_id,
        ConfidentialityAcceptance.organisation_id == actor.organisation_id)).first() is not None


def attachments(*, session: Session, challenge_id: int, include_confidential: bool) -> list[Attachment]:
    stmt = select(Attachment).where(Attachment.challenge_id == challenge_id)
    if not include_confidential:
        stmt = stmt.where(Attachment.confidential == False)  # noqa: E712
    return list(session.exec(stmt.order_by(col(Attachment.id))).all())


def company_user_ids(*, session: Session, organisation_id: int) -> list[int]:
    """The company accounts of an organisation (they receive its challenge notifications)."""
    return list(session.exec(select(User.id).where(User.organisation_id == organisation_id,
                                                   User.role == Role.COMPANY)).all())


def officer_user_ids(*, session: Session) -> list[int]:
    return list(session.exec(select(User.id).where(User.role == Role.OFFICER)).all())


def organisation_of(*, session: Session, challenge: Challenge) -> Organisation:
    org = session.get(Organisation, challenge.organisation_id)
    assert org is not None
    return org


FEED_SIZE = 50


def feed_filter(params: Mapping[str, str | None]) -> ChallengeFilter:
    """The Atom feed's filter: the hall's filters and query (the same search_public), open
    challenges only unless another status is asked for, newest first, fifty entries."""
    flt = ChallengeFilter.from_params(params)
    return replace(flt, status=flt.status or S.PUBLISHED, sort="newest", page=1, page_size=FEED_SIZE)


def titles_by_id(*, session: Session, ids: set[int]) -> dict[int, str]:
    """{challenge id: title} (the audit log names the challenge it speaks of)."""
    if not ids:
        return {}
    return dict(session.exec(select(Challenge.id, Challenge.title).where(col(Challenge.id).in_(ids))).all())
