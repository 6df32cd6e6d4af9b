"""Visibility-filtered reads of challenges. No writes here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, col, func, select

from marketplace.accounts.models import Organisation, Role, User
from marketplace.auth.actor import Actor
from marketplace.bids.models import Bid, BidStatus
from marketplace.challenges import permissions
from marketplace.challenges.models import (
    Attachment,
    Challenge,
    Clarification,
    ConfidentialityAcceptance,
)
from marketplace.challenges.models import (
    ChallengeStatus as S,
)
from marketplace.errors import NotFound

PAGE_SIZE = 10
SORTS = {
    "newest": (col(Challenge.published_at).desc(), col(Challenge.id).desc()),
    "deadline": (col(Challenge.bid_deadline).asc(), col(Challenge.id)),
    "amount": (col(Challenge.offered_fen).desc(), col(Challenge.id)),
}
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


def public_list(*, session: Session, flt: ChallengeFilter, now: datetime) -> tuple[list[Challenge], int]:
    """Public challenges matching the filters, one page, and the total count."""
    stmt = select(Challenge) if flt.any_state else select(Challenge).where(_public_clause())
    if flt.industry:
        stmt = stmt.where(Challenge.industry == flt.industry)
    if flt.weak_link:
        stmt = stmt.where(Challenge.weak_link == flt.weak_link)
    if flt.status:
        stmt = stmt.where(Challenge.status == flt.status)
    if flt.district:
        stmt = stmt.join(Organisation, col(Organisation.id) == Challenge.organisation_id).where(
            Organisation.district == flt.district)
    if flt.min_wan is not None:
        stmt = stmt.where(Challenge.offered_fen >= flt.min_wan * 1_000_000)
    if flt.max_wan is not None:
        stmt = stmt.where(Challenge.offered_fen <= flt.max_wan * 1_000_000)
    if flt.deadline_days is not None:
        from datetime import timedelta

        stmt = stmt.where(Challenge.bid_deadline >= now,
                          Challenge.bid_deadline <= now + timedelta(days=flt.deadline_days))
    if flt.ids is not None:
        stmt = stmt.where(col(Challenge.id).in_(flt.ids or [-1]))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    offset = (max(flt.page, 1) - 1) * PAGE_SIZE
    if flt.ids is not None and flt.sort == "relevance":
        rows = {c.id: c for c in session.exec(stmt).all()}
        ordered = [rows[i] for i in flt.ids if i in rows]
        return ordered[offset:offset + PAGE_SIZE], total
    order = SORTS.get(flt.sort, SORTS["newest"])
    return list(session.exec(stmt.order_by(*order).offset(offset).limit(PAGE_SIZE)).all()), total


def of_organisation(*, session: Session, organisation_id: int) -> list[Challenge]:
    """A company's own challenges, every state."""
    return list(session.exec(select(Challenge).where(Challenge.organisation_id == organisation_id)
                             .order_by(col(Challenge.updated_at).desc())).all())


def review_queue(*, session: Session, statuses: tuple[str, ...] = (S.SUBMITTED,)) -> list[Challenge]:
    """Challenges awaiting the bureau (officers)."""
    return list(session.exec(select(Challenge).where(col(Challenge.status).in_(statuses))
                             .order_by(col(Challenge.updated_at))).all())


def all_for_officer(*, session: Session) -> list[Challenge]:
    return list(session.exec(select(Challenge).order_by(col(Challenge.id).desc())).all())


def bid_count(*, session: Session, challenge_id: int) -> int:
    """How many sealed bids a challenge has received (never who)."""
    return session.exec(select(func.count()).select_from(Bid).where(
        Bid.challenge_id == challenge_id,
        col(Bid.status).in_([BidStatus.SUBMITTED, BidStatus.QUALIFIED, BidStatus.DISQUALIFIED]))).one()


def sealed_receipts(*, session: Session, challenge_id: int) -> list[dict]:
    """Receipt time and content hash of every submitted bid (for the opening record; no content)."""
    rows = session.exec(select(Bid.id, Bid.submitted_at, Bid.receipt_hash).where(
        Bid.challenge_id == challenge_id,
        col(Bid.status).in_([BidStatus.SUBMITTED, BidStatus.QUALIFIED, BidStatus.DISQUALIFIED]))
        .order_by(col(Bid.id))).all()
    return [{"bid_id": i, "submitted_at": at.isoformat() if at else None, "receipt_hash": h} for i, at, h in rows]


def bid_counts(*, session: Session, challenge_ids: list[int]) -> dict[int, int]:
    rows = session.exec(select(Bid.challenge_id, func.count()).where(
        col(Bid.challenge_id).in_(challenge_ids or [-1]),
        col(Bid.status).in_([BidStatus.SUBMITTED, BidStatus.QUALIFIED, BidStatus.DISQUALIFIED]))
        .group_by(Bid.challenge_id)).all()
    return dict(rows)


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


def live_bidder_user_ids(*, session: Session, challenge_id: int) -> list[int]:
    """The users who drafted or submitted a live bid on a challenge."""
    return list(session.exec(select(Bid.created_by).where(
        Bid.challenge_id == challenge_id, col(Bid.live_slot).is_not(None))).all())


def organisation_of(*, session: Session, challenge: Challenge) -> Organisation:
    org = session.get(Organisation, challenge.organisation_id)
    assert org is not None
    return org


def published_since(*, session: Session, limit: int = 50) -> list[Challenge]:
    """Newly published challenges for the Atom feed."""
    return list(session.exec(select(Challenge).where(_public_clause(),
                                                     col(Challenge.published_at).is_not(None))
                             .order_by(col(Challenge.published_at).desc()).limit(limit)).all())
