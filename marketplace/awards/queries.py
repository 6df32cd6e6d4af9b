"""Reads of the award stage: current decision, open 公示 items, public announcements, feedback."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, func, select

from marketplace.accounts.models import ExpertProfile, Organisation
from marketplace.actor import Actor
from marketplace.awards.models import (
    Announcement,
    AnnouncementItem,
    AwardDecision,
    CompanyOpinion,
    ItemStatus,
    NoAwardDecision,
    Objection,
    ObjectionStatus,
)
from marketplace.bids import permissions as bid_permissions
from marketplace.bids import queries as bid_queries
from marketplace.bids.models import Bid, BidStatus
from marketplace.challenges import permissions
from marketplace.challenges import queries as challenge_queries
from marketplace.challenges.models import Challenge
from marketplace.challenges.models import ChallengeStatus as S
from marketplace.clock import to_shanghai
from marketplace.errors import Conflict, Forbidden, NotFound
from marketplace.reviews import calendar, scoring
from marketplace.reviews import queries as review_queries
from marketplace.reviews.models import ReviewAssignment, ReviewPanel

ANNOUNCED_STATES = (S.ANNOUNCED, S.AWARDED)


def current_decision(*, session: Session, challenge_id: int) -> AwardDecision:
    row = session.exec(select(AwardDecision).where(AwardDecision.challenge_id == challenge_id,
                                                   col(AwardDecision.revoked_at).is_(None))
                       .order_by(col(AwardDecision.round).desc())).first()
    if row is None:
        raise NotFound("该榜单尚无决定")
    return row


def open_item(*, session: Session, challenge_id: int) -> AnnouncementItem:
    item = session.exec(select(AnnouncementItem).where(AnnouncementItem.challenge_id == challenge_id,
                                                       AnnouncementItem.status == ItemStatus.OPEN)).first()
    if item is None:
        raise Conflict("该榜单不在公示期内")
    return item


def window_open(batch: Announcement, now: datetime) -> bool:
    return batch.published_on <= to_shanghai(now).date() <= batch.ends_on


def due_item_ids(*, session: Session, now: datetime) -> list[int]:
    """Open items whose window ended (Beijing date past the last day) with no pending objection."""
    today: date = to_shanghai(now).date()
    pending = select(Objection.item_id).where(Objection.status == ObjectionStatus.PENDING)
    return list(session.exec(select(AnnouncementItem.id)
                             .join(Announcement, col(Announcement.id) == AnnouncementItem.announcement_id)
                             .join(Challenge, col(Challenge.id) == AnnouncementItem.challenge_id)
                             .where(AnnouncementItem.status == ItemStatus.OPEN, Announcement.ends_on < today,
                                    Challenge.status == S.ANNOUNCED, col(AnnouncementItem.id).not_in(pending))
                             .order_by(col(AnnouncementItem.id))).all())


def involved_user_ids(*, session: Session, challenge: Challenge) -> list[int]:
    """The company, every bidder and the panel's experts."""
    experts = session.exec(select(ExpertProfile.user_id)
                           .join(ReviewAssignment, col(ReviewAssignment.expert_id) == ExpertProfile.id)
                           .join(ReviewPanel, col(ReviewPanel.id) == ReviewAssignment.panel_id)
                           .where(ReviewPanel.challenge_id == challenge.id)).all()
    return sorted({*challenge_queries.company_user_ids(session=session, organisation_id=challenge.organisation_id),
                   *bid_queries.bidder_user_ids(session=session, challenge_id=challenge.id), *experts})


@dataclass
class PublicResult:
    announcement_id: int
    challenge_id: int
    challenge_title: str
    winning_organisations: list[str]
    offered_fen: int
    winning_price_fen: int
    published_on: date
    ends_on: date
    provisional: bool
    status: str  # open / awarded


def announcements(*, session: Session) -> list[PublicResult]:
    """Every published result still standing (public)."""
    rows = session.exec(select(AnnouncementItem, Announcement, Challenge, AwardDecision)
                        .join(Announcement, col(Announcement.id) == AnnouncementItem.announcement_id)
                        .join(Challenge, col(Challenge.id) == AnnouncementItem.challenge_id)
                        .join(AwardDecision, col(AwardDecision.id) == AnnouncementItem.decision_id)
                        .where(col(AnnouncementItem.status).in_([ItemStatus.OPEN, ItemStatus.AWARDED]))
                        .order_by(col(Announcement.published_at).desc(), col(AnnouncementItem.id))).all()
    bid_ids = {i for *_, d in rows for i in d.winning_bid_ids}
    bids = {b.id: b for b in session.exec(select(Bid).where(col(Bid.id).in_(bid_ids or {-1}))).all()}
    names = dict(session.exec(select(Organisation.id, Organisation.name).where(
        col(Organisation.id).in_({b.organisation_id for b in bids.values()} or {-1}))).all())
    return [PublicResult(a.id, c.id, c.title, [names.get(bids[i].organisation_id, "") for i in d.winning_bid_ids],
                         c.offered_fen, sum(bids[i].price_fen for i in d.winning_bid_ids),
                         a.published_on, a.ends_on, a.provisional, item.status)
            for item, a, c, d in rows]


def objections_for(*, session: Session, actor: Actor) -> list[Objection]:
    """Officers see every objection; anyone else their own (with the answer)."""
    stmt = select(Objection).order_by(col(Objection.id).desc())
    if not actor.is_officer:
        stmt = stmt.where(Objection.user_id == (actor.user_id or -1))
    return list(session.exec(stmt).all())


@dataclass
class ShortlistEntry:
    rank: int
    of: int
    bid_id: int
    organisation: str


def shortlist(*, session: Session, actor: Actor,
              challenge_id: int) -> tuple[list[ShortlistEntry], list[CompanyOpinion]]:
    """The ranked shortlist for the company (order only: no scores, no comments) and officers."""
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    if not (actor.is_officer or permissions.is_owner(actor, challenge)):
        raise NotFound("榜单不存在")
    if challenge.status not in (S.IN_REVIEW, S.DECIDED, S.ANNOUNCED, S.AWARDED):
        raise Conflict("榜单尚未进入专家评审")
    ranked = review_queries.ranking(session=session, challenge_id=challenge.id)
    bids = {b.id: b for b in session.exec(select(Bid).where(Bid.challenge_id == challenge.id)).all()}
    names = dict(session.exec(select(Organisation.id, Organisation.name)).all())
    return [ShortlistEntry(r.rank, r.of, r.bid_id, names.get(bids[r.bid_id].organisation_id, ""))
            for r in ranked], opinions(session=session, challenge_id=challenge.id)


@dataclass
class Feedback:
    bid_id: int
    won: bool
    band: str | None
    rank: int | None
    of: int
    comments: list[str]


def feedback(*, session: Session, actor: Actor, challenge_id: int) -> Feedback:
    """After the announcement: the actor organisation's bid, its band, rank of N, comments without names."""
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    if challenge.status not in ANNOUNCED_STATES:
        raise Conflict("评审结果公示后才能查看反馈")
    bid = session.exec(select(Bid).where(Bid.challenge_id == challenge.id,
                                         Bid.organisation_id == (actor.organisation_id or -1),
                                         col(Bid.status).in_(list(bid_permissions.REVIEWED_STATES)))).first()
    if bid is None or actor.role != "team":
        raise Forbidden("只有揭榜团队可以查看本单位方案的评审反馈")
    won = bid.id in current_decision(session=session, challenge_id=challenge.id).winning_bid_ids
    ranked = {r.bid_id: r for r in review_queries.ranking(session=session, challenge_id=challenge.id)}
    mine = ranked.get(bid.id)
    sheets = review_queries.counted_sheets(session=session, bid_ids=[bid.id])
    comments = sorted({c for _, s in sheets for c in (*s.comments, s.overall_comment) if c.strip()})
    return Feedback(bid.id, won, scoring.band(mine.result.score) if mine else None, mine.rank if mine else None,
                    len(ranked), comments)


def window_of(batch: Announcement) -> calendar.Window:
    return calendar.window(batch.published_on, batch.period_days)


# ---------------------------------------------------------------- officer and public pages
def decision_bids(*, session: Session, challenge_id: int) -> list[Bid]:
    """The bids an officer weighs when deciding: qualified and disqualified, oldest first."""
    return list(session.exec(select(Bid).where(Bid.challenge_id == challenge_id,
                                               col(Bid.status).in_(list(bid_permissions.REVIEWED_STATES)))
                             .order_by(col(Bid.id))).all())


def opinions(*, session: Session, challenge_id: int) -> list[CompanyOpinion]:
    """The company's opinions on the shortlist, one per round, in round order."""
    return list(session.exec(select(CompanyOpinion).where(CompanyOpinion.challenge_id == challenge_id)
                             .order_by(col(CompanyOpinion.round))).all())


def current_round(*, session: Session, challenge_id: int) -> int:
    """The decision round now open: one more than the number of revoked decisions."""
    return 1 + session.exec(select(func.count()).select_from(AwardDecision).where(
        AwardDecision.challenge_id == challenge_id, col(AwardDecision.revoked_at).is_not(None))).one()


def decided_with_winners(*, session: Session) -> list[tuple[Challenge, AwardDecision, list[Bid]]]:
    """Challenges decided but not yet published, each with its current decision and winning bids
    (three queries, whatever the number of challenges)."""
    decided = list(session.exec(select(Challenge).where(Challenge.status == S.DECIDED)
                                .order_by(col(Challenge.id))).all())
    current: dict[int, AwardDecision] = {}
    for d in session.exec(select(AwardDecision).where(col(AwardDecision.challenge_id).in_([c.id for c in decided]
                                                                                          or [-1]),
                                                      col(AwardDecision.revoked_at).is_(None))
                          .order_by(col(AwardDecision.round).desc())).all():
        current.setdefault(d.challenge_id, d)
    missing = [c.id for c in decided if c.id not in current]
    if missing:
        raise NotFound("该榜单尚无决定")
    bids = {b.id: b for b in session.exec(select(Bid).where(
        col(Bid.id).in_({i for d in current.values() for i in d.winning_bid_ids or []} or {-1}))).all()}
    return [(c, current[c.id], [bids[i] for i in current[c.id].winning_bid_ids or [] if i in bids])
            for c in decided]


def challenge_titles(*, session: Session, challenge_ids) -> dict[int, str]:  # noqa: ANN001
    """Challenge id → title, for the given ids."""
    return dict(session.exec(select(Challenge.id, Challenge.title)
                             .where(col(Challenge.id).in_(set(challenge_ids) or {-1}))).all())


def announcement_item(*, session: Session, announcement_id: int, challenge_id: int) -> AnnouncementItem | None:
    """The item of one challenge in one 公示 batch."""
    return session.exec(select(AnnouncementItem).where(AnnouncementItem.challenge_id == challenge_id,
                                                       AnnouncementItem.announcement_id == announcement_id)).first()


def bid_counts(*, session: Session, challenge_id: int) -> tuple[int, int]:
    """(bids received — drafts and withdrawn ones excepted, bids qualified) on a challenge."""
    counts = dict(session.exec(select(Bid.status, func.count()).where(Bid.challenge_id == challenge_id)
                               .group_by(Bid.status)).all())
    received = sum(v for k, v in counts.items() if k not in (BidStatus.DRAFT, BidStatus.WITHDRAWN))
    return received, counts.get(BidStatus.QUALIFIED, 0)


@dataclass
class PublicAward:
    """What the 公示 made public of one challenge's award (open data): winners by name and USCC, the winning
    price total, the 公示 date and whether it is final."""

    winners: list[tuple[str, str]]  # (name, USCC)
    amount_fen: int
    published_on: date
    final: bool


def public_awards(*, session: Session, challenge_ids: list[int]) -> dict[int, PublicAward]:
    """challenge id → its standing published award (an item in its 公示 window or finalised), in 3 queries."""
    if not challenge_ids:
        return {}
    rows = session.exec(select(AnnouncementItem, Announcement, AwardDecision)
                        .join(Announcement, col(Announcement.id) == AnnouncementItem.announcement_id)
                        .join(AwardDecision, col(AwardDecision.id) == AnnouncementItem.decision_id)
                        .where(col(AnnouncementItem.challenge_id).in_(challenge_ids),
                               col(AnnouncementItem.status).in_([ItemStatus.OPEN, ItemStatus.AWARDED]))
                        .order_by(col(AnnouncementItem.id))).all()
    bid_ids = {i for *_, d in rows for i in d.winning_bid_ids or []}
    bids = {b.id: b for b in session.exec(select(Bid).where(col(Bid.id).in_(bid_ids or {-1}))).all()}
    orgs = {o.id: (o.name, o.uscc) for o in session.exec(select(Organisation).where(
        col(Organisation.id).in_({b.organisation_id for b in bids.values()} or {-1}))).all()}
    out: dict[int, PublicAward] = {}
    for item, a, d in rows:
        won = [bids[i] for i in d.winning_bid_ids or [] if i in bids]
        out[item.challenge_id] = PublicAward(winners=[orgs.get(b.organisation_id, ("", "")) for b in won],
                                             amount_fen=sum(b.price_fen for b in won), published_on=a.published_on,
                                             final=item.status == ItemStatus.AWARDED)
    return out


def no_award(*, session: Session, actor: Actor, challenge_id: int) -> tuple[Challenge, NoAwardDecision]:
    """The no-award decision with its reason: officers, the posting company and the bidders only."""
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    row = session.exec(select(NoAwardDecision).where(NoAwardDecision.challenge_id == challenge.id)).first()
    allowed = actor.is_officer or permissions.is_owner(actor, challenge) or (
        actor.user_id is not None and actor.user_id in bid_queries.bidder_user_ids(session=session,
                                                                                    challenge_id=challenge.id))
    if row is None or not allowed:
        raise NotFound("该榜单没有无中选方案的决定")
    return challenge, row
