"""Visibility-filtered reads of the review stage. Loaders raise NotFound, never reveal existence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from marketplace.accounts.models import ExpertProfile, Organisation, TeamProfile, User
from marketplace.actor import Actor, Role
from marketplace.bids.models import Bid, BidStatus
from marketplace.challenges.models import Challenge
from marketplace.challenges.models import ChallengeStatus as S
from marketplace.challenges.stats import StatsFilter, scoped
from marketplace.clock import to_shanghai, utcnow
from marketplace.errors import NotFound
from marketplace.reviews import coi, facts, scoring
from marketplace.reviews.models import (
    AssignmentStatus,
    ConflictDeclaration,
    ReviewAssignment,
    ReviewPanel,
    ReviewScore,
)

REVIEW_STATES = (S.IN_REVIEW,)


def today(now: datetime | None = None):
    return to_shanghai(now or utcnow()).date()


def expert_of(*, session: Session, actor: Actor) -> ExpertProfile:
    if actor.role != Role.EXPERT or actor.user_id is None:
        raise NotFound("评审任务不存在")
    profile = session.exec(select(ExpertProfile).where(ExpertProfile.user_id == actor.user_id)).first()
    if profile is None:
        raise NotFound("评审任务不存在")
    return profile


def panel_of(*, session: Session, challenge_id: int) -> ReviewPanel:
    panel = session.exec(select(ReviewPanel).where(ReviewPanel.challenge_id == challenge_id)).first()
    if panel is None:
        raise NotFound("该榜单尚未组建评审组")
    return panel


def card_of(panel: ReviewPanel) -> scoring.Scorecard:
    return scoring.scorecard([(c["name"], c["weight"]) for c in panel.criteria], scale=panel.scale,
                             comment_below=panel.comment_below)


def qualified_bids(*, session: Session, challenge_id: int) -> list[Bid]:
    return list(session.exec(select(Bid).where(Bid.challenge_id == challenge_id,
                                               Bid.status == BidStatus.QUALIFIED).order_by(col(Bid.id))).all())


def active_assignments(*, session: Session, panel_id: int) -> list[ReviewAssignment]:
    return list(session.exec(select(ReviewAssignment).where(
        ReviewAssignment.panel_id == panel_id, ReviewAssignment.status == AssignmentStatus.ACTIVE)
        .order_by(col(ReviewAssignment.id))).all())


def assessment(*, session: Session, challenge: Challenge, bid: Bid, expert_id: int) -> coi.CoiResult:
    """The COI classification of one pair, from the database (declarations and waivers included)."""
    decl, waivers = facts.declarations(session, [bid.id])
    return coi.assess(facts.experts(session, [expert_id])[expert_id], facts.bids(session, [bid])[bid.id],
                      facts.company(session, challenge), today(),
                      declaration=decl.get((bid.id, expert_id)), waiver=waivers.get((bid.id, expert_id)))


@dataclass
class Opened:
    """A bid as an assigned expert may read it (identifying fields hidden under blind review)."""

    bid: Bid
    challenge: Challenge
    assignment: ReviewAssignment
    panel: ReviewPanel
    blind: bool


def assignment_of(*, session: Session, actor: Actor, bid_id: int) -> tuple[ReviewAssignment, Bid, Challenge]:
    """The actor's active assignment on a bid of a challenge in review, else NotFound."""
    expert = expert_of(session=session, actor=actor)
    row = session.exec(select(ReviewAssignment, Bid, Challenge)
                       .join(Bid, col(Bid.id) == ReviewAssignment.bid_id)
                       .join(Challenge, col(Challenge.id) == Bid.challenge_id)
                       .where(ReviewAssignment.bid_id == bid_id, ReviewAssignment.expert_id == expert.id,
                              ReviewAssignment.status == AssignmentStatus.ACTIVE)).first()
    if row is None or row[2].status not in REVIEW_STATES:
        raise NotFound("评审任务不存在")
    return row


def bid_for_expert(*, session: Session, actor: Actor, bid_id: int) -> Opened:
    """Assignment exists + declaration made + nothing blocking (coi) + challenge in review; else NotFound."""
    assignment, bid, challenge = assignment_of(session=session, actor=actor, bid_id=bid_id)
    if not assessment(session=session, challenge=challenge, bid=bid, expert_id=assignment.expert_id).may_open:
        raise NotFound("评审任务不存在或需先申报无利益冲突")
    panel = session.get(ReviewPanel, assignment.panel_id)
    return Opened(bid, challenge, assignment, panel, panel.blind)


def declaration(*, session: Session, bid_id: int, expert_id: int) -> ConflictDeclaration | None:
    return session.exec(select(ConflictDeclaration).where(ConflictDeclaration.bid_id == bid_id,
                                                          ConflictDeclaration.expert_id == expert_id)).first()


def sheet(*, session: Session, assignment_id: int) -> ReviewScore | None:
    return session.exec(select(ReviewScore).where(ReviewScore.assignment_id == assignment_id)).first()


def counted_sheets(*, session: Session, bid_ids: list[int]) -> list[tuple[ReviewAssignment, ReviewScore]]:
    """Submitted sheets that count: active assignments, not set aside."""
    return list(session.exec(select(ReviewAssignment, ReviewScore)
                             .join(ReviewScore, col(ReviewScore.assignment_id) == ReviewAssignment.id)
                             .where(col(ReviewAssignment.bid_id).in_(bid_ids or [-1]),
                                    ReviewAssignment.status == AssignmentStatus.ACTIVE,
                                    ReviewScore.set_aside == False)  # noqa: E712
                             .order_by(col(ReviewScore.id))).all())


def ranking(*, session: Session, challenge_id: int) -> tuple[scoring.RankedBid, ...]:
    """The computed ranking of the qualified bids that have at least one counted sheet."""
    bids = qualified_bids(session=session, challenge_id=challenge_id)
    rows = counted_sheets(session=session, bid_ids=[b.id for b in bids])
    results = []
    for b in bids:
        sheets = [scoring.ExpertSheet(Decimal(s.total), tuple(s.scores)) for a, s in rows if a.bid_id == b.id]
        if sheets:
            results.append(scoring.summarise(b.id, b.submitted_at or b.created_at, sheets))
    return scoring.rank(results)


def my_assignments(*, session: Session, actor: Actor) -> list[tuple[ReviewAssignment, Challenge, bool, bool]]:
    """The expert's active assignments in review: (assignment, challenge, declared, submitted)."""
    expert = expert_of(session=session, actor=actor)
    rows = session.exec(select(ReviewAssignment, Challenge)
                        .join(Bid, col(Bid.id) == ReviewAssignment.bid_id)
                        .join(Challenge, col(Challenge.id) == Bid.challenge_id)
                        .where(ReviewAssignment.expert_id == expert.id,
                               ReviewAssignment.status == AssignmentStatus.ACTIVE,
                               col(Challenge.status).in_(REVIEW_STATES))
                        .order_by(col(ReviewAssignment.id))).all()
    return [(a, c, declaration(session=session, bid_id=a.bid_id, expert_id=expert.id) is not None,
             sheet(session=session, assignment_id=a.id) is not None) for a, c in rows]


# ---------------------------------------------------------------- officer pages: labels, listing, panel
def expert_labels(*, session: Session, expert_ids) -> dict[int, str]:  # noqa: ANN001
    """Expert id → "name（title，organisation）", for officers' pages."""
    rows = session.exec(select(ExpertProfile, User).join(User, col(User.id) == ExpertProfile.user_id)
                        .where(col(ExpertProfile.id).in_(set(expert_ids) or {-1}))).all()
    orgs = dict(session.exec(select(Organisation.id, Organisation.name).where(
        col(Organisation.id).in_({u.organisation_id for _, u in rows if u.organisation_id} or {-1}))).all())
    found = {}
    for e, u in rows:
        where = f"，{orgs[u.organisation_id]}" if u.organisation_id in orgs else ""
        found[e.id] = f"{u.display_name}（{e.title or '专家'}{where}）"
    return found


def bid_labels(*, session: Session, bids) -> dict[int, str]:  # noqa: ANN001
    """Bid id → "team（organisation）", for officers' pages (two queries, whatever the number of bids)."""
    bids = list(bids)
    teams = dict(session.exec(select(TeamProfile.id, TeamProfile.name)
                              .where(col(TeamProfile.id).in_({b.team_id for b in bids} or {-1}))).all())
    orgs = dict(session.exec(select(Organisation.id, Organisation.name)
                             .where(col(Organisation.id).in_({b.organisation_id for b in bids} or {-1}))).all())
    return {b.id: f"{teams.get(b.team_id, '—')}（{orgs.get(b.organisation_id, '—')}）" for b in bids}


def status_counts(*, session: Session, statuses) -> dict[str, int]:  # noqa: ANN001
    """How many challenges are in each of `statuses` (every one present, zero when none)."""
    counts = dict.fromkeys(statuses, 0)
    counts.update(session.exec(select(Challenge.status, func.count()).where(col(Challenge.status).in_(statuses))
                               .group_by(Challenge.status)).all())
    return counts


def challenges_in(*, session: Session, status: str) -> list[Challenge]:
    """Challenges in one state, most recently changed first (the officers' review listing)."""
    return list(session.exec(select(Challenge).where(Challenge.status == status)
                             .order_by(col(Challenge.updated_at).desc())).all())


def organisation_names(*, session: Session, ids) -> dict[int, str]:  # noqa: ANN001
    """Organisation id → name, for the given ids."""
    return dict(session.exec(select(Organisation.id, Organisation.name)
                             .where(col(Organisation.id).in_(set(ids) or {-1}))).all())


def qualified_counts(*, session: Session, challenge_ids) -> dict[int, int]:  # noqa: ANN001
    """Challenge id → number of qualified bids (zero included), in one query."""
    counts = dict.fromkeys(challenge_ids, 0)
    counts.update(session.exec(select(Bid.challenge_id, func.count()).where(
        col(Bid.challenge_id).in_(set(challenge_ids) or {-1}), Bid.status == BidStatus.QUALIFIED)
        .group_by(Bid.challenge_id)).all())
    return counts


def panel_assignments(*, session: Session, panel_id: int) -> list[ReviewAssignment]:
    """Every assignment of a panel (active or not), oldest first."""
    return list(session.exec(select(ReviewAssignment).where(ReviewAssignment.panel_id == panel_id)
                             .order_by(col(ReviewAssignment.id))).all())


def sheets_by_assignment(*, session: Session, assignment_ids) -> dict[int, ReviewScore]:  # noqa: ANN001
    """Assignment id → its score sheet, for those that have one."""
    return {s.assignment_id: s for s in session.exec(select(ReviewScore).where(
        col(ReviewScore.assignment_id).in_(list(assignment_ids) or [-1]))).all()}


# —— dashboard aggregates (SQL only; the bureau's StatsFilter on the panel's challenge) —————————————————————


def _sheet_in():  # noqa: ANN202 — 1 when an assignment has a counted (not set aside) sheet
    return case((col(ReviewScore.id).is_not(None) & col(ReviewScore.set_aside).is_(False), 1), else_=0)


def panel_progress(session: Session, flt: StatsFilter, limit: int = 12) -> list[tuple[int, str, int, int]]:
    """Open panels (challenges in review): (challenge id, title, sheets in, sheets due), earliest due first.
    Counts of sheets only: never a score."""
    stmt = (scoped(select(Challenge.id, Challenge.title, func.sum(_sheet_in()), func.count(ReviewAssignment.id))
                   .select_from(ReviewPanel).join(Challenge, col(Challenge.id) == col(ReviewPanel.challenge_id))
                   .join(ReviewAssignment, (col(ReviewAssignment.panel_id) == col(ReviewPanel.id))
                         & (col(ReviewAssignment.status) == AssignmentStatus.ACTIVE))
                   .outerjoin(ReviewScore, col(ReviewScore.assignment_id) == col(ReviewAssignment.id)), flt)
            .where(col(Challenge.status).in_(REVIEW_STATES))
            .group_by(Challenge.id, Challenge.title, ReviewPanel.due_at, ReviewPanel.id)
            .order_by(col(ReviewPanel.due_at), col(ReviewPanel.id)).limit(limit))
    return [(int(i), str(t), int(n or 0), int(d or 0)) for i, t, n, d in session.exec(stmt).all()]


LOAD_BUCKETS = ("1–2 份", "3–4 份", "5–6 份", "7 份及以上")


def expert_load(session: Session, flt: StatsFilter) -> list[tuple[str, int, int]]:
    """Experts by how many active assignments they hold on open panels: (bucket, experts, sheets still due)."""
    per = (scoped(select(ReviewAssignment.expert_id.label("e"), func.count(ReviewAssignment.id).label("n"),
                         (func.count(ReviewAssignment.id) - func.sum(_sheet_in())).label("due"))
                  .select_from(ReviewAssignment)
                  .join(ReviewPanel, col(ReviewPanel.id) == col(ReviewAssignment.panel_id))
                  .join(Challenge, col(Challenge.id) == col(ReviewPanel.challenge_id))
                  .outerjoin(ReviewScore, col(ReviewScore.assignment_id) == col(ReviewAssignment.id)), flt)
           .where(col(Challenge.status).in_(REVIEW_STATES), col(ReviewAssignment.status) == AssignmentStatus.ACTIVE)
           .group_by(ReviewAssignment.expert_id).subquery())
    bucket = case((per.c.n >= 7, LOAD_BUCKETS[3]), (per.c.n >= 5, LOAD_BUCKETS[2]), (per.c.n >= 3, LOAD_BUCKETS[1]),
                  else_=LOAD_BUCKETS[0])
    found = {b: (int(n), int(d or 0)) for b, n, d in
             session.exec(select(bucket, func.count(), func.sum(per.c.due)).group_by(bucket)).all()}
    return [(b, *found.get(b, (0, 0))) for b in LOAD_BUCKETS]
