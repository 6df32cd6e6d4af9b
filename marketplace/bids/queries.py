"""Visibility-filtered reads of bids: the ONE place the sealing rule is applied. No writes here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, and_, cast, false, or_
from sqlmodel import Session, col, func, select

from marketplace.accounts import queries as account_queries
from marketplace.accounts.models import Organisation, OrgStatus, TeamProfile
from marketplace.actor import Actor, Role
from marketplace.bids import permissions
from marketplace.bids.models import Bid, BidStatus, PartnerConfirmation
from marketplace.challenges import permissions as challenge_permissions
from marketplace.challenges.models import Challenge
from marketplace.challenges.models import ChallengeStatus as S
from marketplace.errors import NotFound


def get_for(*, session: Session, actor: Actor, bid_id: int, now: datetime) -> Bid:
    """A bid the actor may read, else NotFound (never reveal that it exists)."""
    bid = session.get(Bid, bid_id)
    challenge = session.get(Challenge, bid.challenge_id) if bid else None
    if bid is None or challenge is None or not permissions.can_read_bid(actor, bid, challenge, now)[0]:
        raise NotFound(permissions.NOT_FOUND)
    return bid


def with_challenge(*, session: Session, actor: Actor, bid_id: int, now: datetime) -> tuple[Bid, Challenge]:
    """A readable bid and its challenge."""
    bid = get_for(session=session, actor=actor, bid_id=bid_id, now=now)
    challenge = session.get(Challenge, bid.challenge_id)
    assert challenge is not None
    return bid, challenge


def visible_on_challenge(*, session: Session, actor: Actor, challenge: Challenge, now: datetime) -> list[Bid]:
    """The bids on a challenge this actor may read: its own, or all opened ones after the deadline."""
    stmt = select(Bid).where(Bid.challenge_id == challenge.id)
    if permissions.may_open(actor, challenge, now):
        stmt = stmt.where(col(Bid.status).in_(list(permissions.OPENED_STATES)))
    elif actor.role == Role.TEAM and actor.team_ids:
        stmt = stmt.where(col(Bid.team_id).in_(sorted(actor.team_ids)))
    else:
        return []
    bids = session.exec(stmt.order_by(col(Bid.submitted_at), col(Bid.id))).all()
    return [b for b in bids if permissions.can_read_bid(actor, b, challenge, now)[0]]


def mine(*, session: Session, actor: Actor) -> list[Bid]:
    """The bids of the actor's teams, newest first."""
    if actor.role != Role.TEAM or not actor.team_ids:
        return []
    return list(session.exec(select(Bid).where(col(Bid.team_id).in_(sorted(actor.team_ids)))
                             .order_by(col(Bid.updated_at).desc(), col(Bid.id).desc())).all())


def live_bid_of(*, session: Session, actor: Actor, challenge: Challenge) -> Bid | None:
    """The live (not withdrawn) bid of one of the actor's teams on a challenge, if any."""
    if actor.role != Role.TEAM or not actor.team_ids:
        return None
    return session.exec(select(Bid).where(
        Bid.challenge_id == challenge.id, col(Bid.team_id).in_(sorted(actor.team_ids)),
        col(Bid.live_slot).is_not(None)).order_by(col(Bid.id).desc())).first()


def last_withdrawn_of(*, session: Session, actor: Actor, challenge: Challenge) -> Bid | None:
    """The most recently withdrawn bid of one of the actor's teams on a challenge (to start again from)."""
    if actor.role != Role.TEAM or not actor.team_ids:
        return None
    return session.exec(select(Bid).where(
        Bid.challenge_id == challenge.id, col(Bid.team_id).in_(sorted(actor.team_ids)),
        Bid.status == BidStatus.WITHDRAWN).order_by(col(Bid.id).desc())).first()


def teams_of(*, session: Session, actor: Actor) -> list[TeamProfile]:
    """The team profiles the actor may bid as: the teams it belongs to."""
    if not actor.team_ids:
        return []
    return list(session.exec(select(TeamProfile).where(
        col(TeamProfile.id).in_(sorted(actor.team_ids))).order_by(col(TeamProfile.id))).all())


def partner_choices(*, session: Session, exclude: tuple[int | None, ...] = ()) -> list[Organisation]:
    """Verified organisations that may join a consortium."""
    return list(session.exec(select(Organisation).where(
        Organisation.status == OrgStatus.VERIFIED, col(Organisation.id).not_in([i or -1 for i in exclude]))
        .order_by(col(Organisation.name))).all())


def names(*, session: Session, model: type, ids: set[int]) -> dict[int, str]:
    """{id: name} for organisations or teams (labels on pages and in the export)."""
    rows = session.exec(select(model).where(col(model.id).in_(list(ids) or [-1]))).all()
    return {row.id: row.name for row in rows}


def bid_challenge_ids(*, session: Session, actor: Actor, team_ids: set[int]) -> dict[int, set[int]]:
    """{team id: challenges it has a live bid on}, for the actor's own teams only (a sibling lab's bids
    stay its own business, T31): marks recommendations the team already answered (已揭榜)."""
    own = sorted(team_ids & set(actor.team_ids)) if actor.role == Role.TEAM else []
    found: dict[int, set[int]] = {t: set() for t in own}
    for team_id, challenge_id in session.exec(select(Bid.team_id, Bid.challenge_id).where(
            col(Bid.team_id).in_(own or [-1]), col(Bid.live_slot).is_not(None))).all():
        found[team_id].add(challenge_id)
    return found


def team_user_ids(*, session: Session, bid: Bid) -> list[int]:
    """The accounts of the bidding team (they hear about the review outcome); not its sibling labs."""
    return account_queries.team_member_ids(session=session, team_id=bid.team_id)


def readable_ids(*, actor: Actor, now: datetime):
    """SQL twin of permissions.can_read_bid: the ids (as text, like audit subjects) of the bids this
    actor may read. For views that cannot load each bid (the audit log); kept beside the predicate and
    checked against it in tests/bids/test_audit_sealing.py."""
    closed = or_(col(Challenge.status).in_(list(challenge_permissions.CLOSED_STATES)),
                 and_(Challenge.status == S.PUBLISHED, col(Challenge.bid_deadline) <= now))
    opened = and_(col(Bid.status).in_(list(permissions.OPENED_STATES)), closed)
    clauses = []
    if actor.role == Role.TEAM and actor.team_ids:
        clauses.append(col(Bid.team_id).in_(sorted(actor.team_ids)))
    if actor.is_officer:
        clauses.append(opened)
    elif actor.role == Role.COMPANY and actor.organisation_id is not None:
        clauses.append(and_(opened, Challenge.organisation_id == actor.organisation_id))
    return (select(cast(Bid.id, String)).join(Challenge, col(Challenge.id) == Bid.challenge_id)
            .where(or_(*clauses) if clauses else false()))


def readable_partner_ids(*, actor: Actor, now: datetime):
    """The consortium confirmations (as text, like audit subjects) whose bid the actor may read: their
    audit events follow the bid's sealing (bids.partners events name the bid and the partner)."""
    bids = select(Bid.id).where(cast(Bid.id, String).in_(readable_ids(actor=actor, now=now)))
    return select(cast(PartnerConfirmation.id, String)).where(col(PartnerConfirmation.bid_id).in_(bids))


# --- facts about the bids on a challenge, for the challenge commands and pages (challenges/bidding.py) ---

def submitted_count(*, session: Session, challenge_id: int) -> int:
    """How many sealed bids a challenge has received (never who; drafts do not count)."""
    return session.exec(select(func.count()).select_from(Bid).where(
        Bid.challenge_id == challenge_id, col(Bid.status).in_(list(permissions.OPENED_STATES)))).one()


def submitted_counts(*, session: Session, challenge_ids: list[int]) -> dict[int, int]:
    rows = session.exec(select(Bid.challenge_id, func.count()).where(
        col(Bid.challenge_id).in_(challenge_ids or [-1]), col(Bid.status).in_(list(permissions.OPENED_STATES)))
        .group_by(Bid.challenge_id)).all()
    return dict(rows)


def sealed_receipts(*, session: Session, challenge_id: int) -> list[dict]:
    """Receipt time and content hash of every submitted bid (for the opening record; no content)."""
    rows = session.exec(select(Bid.id, Bid.submitted_at, Bid.receipt_hash).where(
        Bid.challenge_id == challenge_id, col(Bid.status).in_(list(permissions.OPENED_STATES)))
        .order_by(col(Bid.id))).all()
    return [{"bid_id": i, "submitted_at": at.isoformat() if at else None, "receipt_hash": h} for i, at, h in rows]


def live_bids(*, session: Session, challenge_id: int) -> list[tuple[int, int, int]]:
    """(team_id, bid_id, price_fen) of every live bid, drafts included (their teams hear of changes)."""
    return [tuple(r) for r in session.exec(select(Bid.team_id, Bid.id, Bid.price_fen).where(
        Bid.challenge_id == challenge_id, col(Bid.live_slot).is_not(None)).order_by(col(Bid.id))).all()]


def bidder_user_ids(*, session: Session, challenge_id: int) -> list[int]:
    """The accounts of every team with a live bid on a challenge (owners and added members)."""
    users: list[int] = []
    for team_id in sorted({t for t, _, _ in live_bids(session=session, challenge_id=challenge_id)}):
        users += account_queries.team_member_ids(session=session, team_id=team_id)
    return sorted(set(users))
