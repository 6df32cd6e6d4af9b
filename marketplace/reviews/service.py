"""Review commands (officers and experts). Each: load → authorise → table step → audit → one commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update as sa_update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from marketplace.accounts.models import ExpertProfile
from marketplace.actor import Actor
from marketplace.audit import service as audit
from marketplace.bids.models import Bid
from marketplace.challenges import queries as challenge_queries
from marketplace.challenges.models import Challenge
from marketplace.challenges.models import ChallengeStatus as S
from marketplace.clock import to_shanghai, utcnow
from marketplace.db import use_case
from marketplace.errors import Conflict, Forbidden, NotFound, RuleViolation
from marketplace.notifications import service as notifications
from marketplace.notifications.models import Kind
from marketplace.reviews import affinity, assignment, coi, facts, pool, queries, scoring
from marketplace.reviews.flow import advance
from marketplace.reviews.models import (
    AssignmentStatus,
    ConflictDeclaration,
    ReviewAssignment,
    ReviewPanel,
    ReviewScore,
)


def _officer(actor: Actor) -> None:
    if not actor.is_officer:
        raise Forbidden("只有科技局工作人员可以管理专家评审")


def _challenge(session: Session, actor: Actor, challenge_id: int):
    _officer(actor)
    return challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)


def _in_review(challenge) -> None:
    if challenge.status != S.IN_REVIEW:
        raise Conflict("榜单不在专家评审阶段")


def _record(session: Session, actor: Actor, action: str, subject_type: str, subject_id: object,
            summary: dict) -> None:
    audit.record(session=session, actor=actor, action=action, subject_type=subject_type,
                 subject_id=subject_id, summary=summary)


# ---------------------------------------------------------------- panel
@dataclass
class PanelSpec:
    reviewers_per_bid: int = 3
    max_load: int = 5
    criteria: list[tuple[str, str]] | None = None  # (name, weight percent); None: the bureau's default
    scale: int = 10
    comment_below: int = 6
    blind: bool = False
    due_at: datetime | None = None


@use_case
def start_review(*, session: Session, actor: Actor, challenge_id: int, spec: PanelSpec) -> ReviewPanel:
    """Create the challenge's panel with its scorecard and move `closed` → `in_review`."""
    challenge = _challenge(session, actor, challenge_id)
    if not 1 <= spec.reviewers_per_bid <= 15 or not 1 <= spec.max_load <= 50:
        raise RuleViolation("每个方案评审专家数须为 1–15，每位专家评审上限须为 1–50")
    pairs = spec.criteria or [(c.name, str(c.weight)) for c in scoring.DEFAULT_SCORECARD.criteria]
    card = scoring.scorecard(pairs, scale=spec.scale, comment_below=spec.comment_below)
    if challenge.status == S.CLOSED and not queries.qualified_bids(session=session, challenge_id=challenge.id):
        raise RuleViolation("该榜单没有通过形式审查的方案，可宣布无中选方案")
    if challenge.status == S.CLOSED and session.exec(
            select(ReviewPanel.id).where(ReviewPanel.challenge_id == challenge.id)).first():
        raise Conflict("该榜单已组建评审组")
    panel = ReviewPanel(challenge_id=challenge.id, reviewers_per_bid=spec.reviewers_per_bid,
                        max_load=spec.max_load, scale=card.scale, comment_below=card.comment_below,
                        criteria=[{"name": c.name, "weight": str(c.weight)} for c in card.criteria],
                        blind=spec.blind, due_at=spec.due_at, created_by=actor.user_id)
    advance(session=session, challenge=challenge, action="start_review", actor=actor,
            summary={"reviewers_per_bid": panel.reviewers_per_bid, "max_load": panel.max_load,
                     "criteria": panel.criteria, "blind": panel.blind})
    session.add(panel)
    return panel


def _pool(session: Session) -> list[int]:
    """Active experts (the pool): account active and not deactivated by an officer (reviews/pool.py)."""
    return pool.active_expert_ids(session)


def _blocked(session: Session, challenge, bids: list[Bid], expert_ids: list[int]) -> frozenset:
    decl, waivers = facts.declarations(session, [b.id for b in bids])
    return coi.blocked_pairs(facts.experts(session, expert_ids), facts.bids(session, bids),
                             facts.company(session, challenge), queries.today(), decl, waivers)


@dataclass
class Suggestion:
    bid_id: int
    expert_id: int
    score: float
    terms: tuple[str, ...]


def suggestions(*, session: Session, actor: Actor, challenge_id: int, per_bid: int = 10) -> list[Suggestion]:
    """Experts ranked by affinity per qualified bid, explained by matched words; conflicted never offered."""
    challenge = _challenge(session, actor, challenge_id)
    bids, experts = queries.qualified_bids(session=session, challenge_id=challenge.id), _pool(session)
    blocked = _blocked(session, challenge, bids, experts)
    matches = affinity.for_bids(session=session, challenge=challenge, bids=bids, expert_ids=experts)
    found: list[Suggestion] = []
    for b in bids:
        ranked = sorted(((m.score, e) for (bb, e), m in matches.items() if bb == b.id and (b.id, e) not in blocked),
                        key=lambda p: (-p[0], p[1]))[:per_bid]
        found += [Suggestion(b.id, e, round(s, 4), matches[(b.id, e)].terms) for s, e in ranked]
    return found


def _notify_assigned(session: Session, expert_ids: set[int], challenge) -> None:
    users = session.exec(select(ExpertProfile.user_id).where(ExpertProfile.id.in_(expert_ids or {-1}))).all()
    notifications.notify(session=session, kind=Kind.REVIEW_ASSIGNED, user_ids=users,
                         title=f"评审任务：{challenge.title}", link="/review",
                         body="您被邀请评审该榜单的揭榜方案。打开方案前请逐一申报是否存在利益冲突。")


@use_case
def auto_assign(*, session: Session, actor: Actor, challenge_id: int) -> assignment.PanelAssignment:
    """Min-cost assignment (R per bid, at most L per expert) over conflict-free pairs; all or nothing."""
    challenge = _challenge(session, actor, challenge_id)
    _in_review(challenge)
    panel = queries.panel_of(session=session, challenge_id=challenge.id)
    if queries.active_assignments(session=session, panel_id=panel.id):
        raise Conflict("评审组已有分配，请逐一手动调整")
    bids, experts = queries.qualified_bids(session=session, challenge_id=challenge.id), _pool(session)
    blocked = _blocked(session, challenge, bids, experts)
    matches = affinity.for_bids(session=session, challenge=challenge, bids=bids, expert_ids=experts)
    result = assignment.assign([b.id for b in bids], experts, {k: m.score for k, m in matches.items()}, blocked,
                               reviewers_per_bid=panel.reviewers_per_bid, max_load=panel.max_load)
    result.require_complete()
    for bid_id, panel_experts in result.panels.items():
        for e in panel_experts:
            m = matches.get((bid_id, e))
            session.add(ReviewAssignment(panel_id=panel.id, bid_id=bid_id, expert_id=e,
                                         affinity_micro=round((m.score if m else 0) * assignment.UNITS)))
    _record(session, actor, "review.auto_assigned", "challenge", challenge.id,
            {"panels": {str(b): list(p) for b, p in result.panels.items()}, "total": str(result.total)})
    _notify_assigned(session, set(result.loads), challenge)
    return result


@use_case
def assign(*, session: Session, actor: Actor, challenge_id: int, bid_id: int, expert_id: int) -> ReviewAssignment:
    """Manual assignment; a conflicted expert is refused (409) with the reasons."""
    challenge = _challenge(session, actor, challenge_id)
    _in_review(challenge)
    return _assign_row(session, actor, challenge, bid_id, expert_id)


def _assign_row(session: Session, actor: Actor, challenge, bid_id: int, expert_id: int) -> ReviewAssignment:  # noqa: ANN001
    panel = queries.panel_of(session=session, challenge_id=challenge.id)
    bid = next((b for b in queries.qualified_bids(session=session, challenge_id=challenge.id) if b.id == bid_id), None)
    if bid is None:
        raise RuleViolation("该方案不是本榜单通过形式审查的方案", fields={"bid_id": "方案不可选"})
    if expert_id not in _pool(session):
        raise RuleViolation("该专家不在专家库中或已停用", fields={"expert_id": "专家不可选"})
    coi.ensure_assignable(queries.assessment(session=session, challenge=challenge, bid=bid, expert_id=expert_id))
    load = sum(1 for a in queries.active_assignments(session=session, panel_id=panel.id) if a.expert_id == expert_id)
    if load >= panel.max_load:
        raise RuleViolation(f"该专家已承担 {load} 个方案的评审，达到上限 {panel.max_load}",
                            fields={"expert_id": "该专家评审任务已满"})
    row = ReviewAssignment(panel_id=panel.id, bid_id=bid.id, expert_id=expert_id, assigned_by=actor.user_id)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("该专家已分配评审此方案（或曾被撤换）") from None
    _record(session, actor, "review.assigned", "bid", bid.id, {"expert_id": expert_id})
    _notify_assigned(session, {expert_id}, challenge)
    return row


@use_case
def replace(*, session: Session, actor: Actor, assignment_id: int, expert_id: int | None,
            reason: str) -> ReviewAssignment | None:
    """Withdraw one expert from a bid (with a reason) and, if named, assign another in the same commit.

    A withdrawn expert's sheet, if any, is set aside (kept for the record, not counted). Exactly once:
    the withdrawal is a conditional UPDATE, so a second simultaneous replace gets 409.
    """
    _officer(actor)
    old = session.get(ReviewAssignment, assignment_id)
    if old is None:
        raise NotFound("评审分配不存在")
    panel = session.get(ReviewPanel, old.panel_id)
    challenge = _challenge(session, actor, panel.challenge_id)
    _in_review(challenge)
    reason = (reason or "").strip()
    if len("".join(reason.split())) < 2:
        raise RuleViolation("撤换专家须填写原因", fields={"reason": "请填写撤换原因"})
    if len(reason) > 500:
        raise RuleViolation("原因不能超过 500 字", fields={"reason": "原因过长"})
    if expert_id is not None and expert_id == old.expert_id:
        raise RuleViolation("请选择另一位专家", fields={"expert_id": "不能换成同一位专家"})
    moved = session.execute(sa_update(ReviewAssignment)
                            .where(col(ReviewAssignment.id) == old.id,
                                   col(ReviewAssignment.status) == AssignmentStatus.ACTIVE)
                            .values(status=AssignmentStatus.WITHDRAWN, withdrawn_reason=reason)).rowcount
    if moved != 1:
        raise Conflict("该专家已被撤换，请刷新页面查看最新分配")
    session.execute(sa_update(ReviewScore).where(col(ReviewScore.assignment_id) == old.id)
                    .values(set_aside=True, set_aside_reason=f"专家被撤换：{reason}"[:500]))
    _record(session, actor, "review.withdrawn", "bid", old.bid_id,
            {"expert_id": old.expert_id, "reason": reason, "replaced_by": expert_id})
    row = None
    if expert_id is not None:
        row = _assign_row(session, actor, challenge, old.bid_id, expert_id)
    return row


@dataclass
class BlockedExpert:
    bid_id: int
    expert_id: int
    kind: str
    reasons: tuple[str, ...]


def conflicts(*, session: Session, actor: Actor, challenge_id: int) -> list[BlockedExpert]:
    """Every pool expert who must stay off a qualified bid, with the reasons (automatic or declared)."""
    challenge = _challenge(session, actor, challenge_id)
    bids = queries.qualified_bids(session=session, challenge_id=challenge.id)
    experts = facts.experts(session, _pool(session))
    bid_facts = facts.bids(session, bids)
    company = facts.company(session, challenge)
    decl, waivers = facts.declarations(session, [b.id for b in bids])
    found = []
    for b in bids:
        for e, ef in sorted(experts.items()):
            r = coi.assess(ef, bid_facts[b.id], company, queries.today(), declaration=decl.get((b.id, e)),
                           waiver=waivers.get((b.id, e)))
            if r.kind != coi.CoiKind.NONE:
                found.append(BlockedExpert(b.id, e, r.kind, r.reasons))
    return found


REMIND_BEFORE = timedelta(days=3)


@use_case
def remind_due(*, session: Session, now: datetime | None = None) -> int:
    """Tell each expert with sheets still missing on a panel due within 3 days, once per (expert, panel):
    one message listing the bids, keyed so a second tick (or a second worker) sends nothing."""
    now = now or utcnow()
    rows = session.exec(select(ReviewAssignment, ReviewPanel, Challenge, ExpertProfile)
                        .join(ReviewPanel, col(ReviewPanel.id) == ReviewAssignment.panel_id)
                        .join(Challenge, col(Challenge.id) == ReviewPanel.challenge_id)
                        .join(ExpertProfile, col(ExpertProfile.id) == ReviewAssignment.expert_id)
                        .where(Challenge.status == S.IN_REVIEW, col(ReviewPanel.due_at).is_not(None),
                               col(ReviewPanel.due_at) > now, col(ReviewPanel.due_at) <= now + REMIND_BEFORE,
                               ReviewAssignment.status == AssignmentStatus.ACTIVE,
                               col(ReviewAssignment.id).not_in(select(ReviewScore.assignment_id)))
                        .order_by(col(ReviewAssignment.id))).all()
    missing: dict[tuple[int, int], list[int]] = {}
    about: dict[tuple[int, int], tuple] = {}
    for a, panel, challenge, expert in rows:
        key = (expert.user_id, panel.id)
        missing.setdefault(key, []).append(a.bid_id)
        about[key] = (panel, challenge)
    sent = 0
    for (user_id, panel_id), bid_ids in missing.items():
        panel, challenge = about[(user_id, panel_id)]
        listed = "、".join(f"#{b}" for b in bid_ids)
        sent += notifications.notify(
            session=session, kind=Kind.REVIEW_DUE, user_ids=[user_id], dedupe=f"review-due:{panel_id}",
            title=f"评审即将截止：{challenge.title}", link="/review",
            body=f"您尚有 {len(bid_ids)} 份方案（{listed}）未提交评分，评审将于 "
                 f"{to_shanghai(panel.due_at):%Y-%m-%d %H:%M}（北京时间）截止，请尽快提交。")
    return sent


# ---------------------------------------------------------------- expert
@use_case
def declare(*, session: Session, actor: Actor, bid_id: int, has_conflict: bool,
            statement: str = "") -> ConflictDeclaration:
    """The expert's per-bid declaration before opening it (once)."""
    a, bid, _ = queries.assignment_of(session=session, actor=actor, bid_id=bid_id)
    statement = statement.strip()
    if has_conflict and not statement:
        raise RuleViolation("申报利益冲突须说明具体情况", fields={"statement": "请说明利益冲突情况"})
    if len(statement) > 1000:
        raise RuleViolation("说明不能超过 1000 字", fields={"statement": "说明过长"})
    row = ConflictDeclaration(bid_id=bid.id, expert_id=a.expert_id, has_conflict=has_conflict, statement=statement)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("您已申报过此方案的利益冲突情况") from None
    _record(session, actor, "review.declared", "bid", bid.id,
            {"expert_id": a.expert_id, "has_conflict": has_conflict, "statement": statement})
    return row


@use_case
def waive(*, session: Session, actor: Actor, bid_id: int, expert_id: int, reason: str) -> ConflictDeclaration:
    """Waive a declared, non-automatic conflict with a written reason (audited)."""
    _officer(actor)
    bid = session.get(Bid, bid_id)
    if bid is None:
        raise NotFound("揭榜方案不存在")
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=bid.challenge_id)
    _in_review(challenge)
    row = queries.declaration(session=session, bid_id=bid_id, expert_id=expert_id)
    if row is None or not row.has_conflict:
        raise Conflict("专家未申报利益冲突，没有可豁免的回避")
    if row.waived_by is not None:
        raise Conflict("该回避已豁免")
    waiver = coi.Waiver(actor.user_id, reason.strip())
    coi.check_waiver_reason(waiver)
    decl = {(bid.id, expert_id): coi.Declaration(True, row.statement)}
    coi.assess(facts.experts(session, [expert_id])[expert_id], facts.bids(session, [bid])[bid.id],
               facts.company(session, challenge), queries.today(), declaration=decl[(bid.id, expert_id)],
               waiver=waiver)  # raises Conflict for an automatic conflict
    row.waived_by, row.waiver_reason, row.waived_at = actor.user_id, waiver.reason, utcnow()
    session.add(row)
    _record(session, actor, "review.waived", "bid", bid.id, {"expert_id": expert_id, "reason": waiver.reason})
    return row


@use_case
def submit_score(*, session: Session, actor: Actor, bid_id: int, scores: dict[str, object],
                 comments: dict[str, str], overall_comment: str = "") -> ReviewScore:
    """One sheet per assignment, validated by the scorecard; nothing is written on bad input."""
    opened = queries.bid_for_expert(session=session, actor=actor, bid_id=bid_id)
    card = queries.card_of(opened.panel)
    total = scoring.expert_total(card, scores, comments)
    if len(overall_comment) > 5000 or any(len(v or "") > 2000 for v in comments.values()):
        raise RuleViolation("评审意见过长")
    row = ReviewScore(assignment_id=opened.assignment.id, total=f"{total:.2f}",
                      scores=[scores[c.name] for c in card.criteria],
                      comments=[(comments.get(c.name) or "").strip() for c in card.criteria],
                      overall_comment=overall_comment.strip())
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("您已提交过此方案的评分") from None
    _record(session, actor, "review.scored", "bid", bid_id, {"expert_id": opened.assignment.expert_id,
                                                            "total": row.total})
    return row


# ---------------------------------------------------------------- reads with rules
@dataclass
class SheetView:
    expert_id: int | None  # None when shown to another expert (no names)
    total: str
    scores: list[int]
    comments: list[str]
    overall_comment: str


def sheets_for_bid(*, session: Session, actor: Actor, bid_id: int) -> list[SheetView]:
    """Officers: every sheet. An expert: others' sheets only after submitting their own (unnamed)."""
    if actor.is_officer:
        bid = session.get(Bid, bid_id)
        if bid is None:
            raise NotFound("揭榜方案不存在")
        rows = queries.counted_sheets(session=session, bid_ids=[bid_id])
        return [SheetView(a.expert_id, s.total, s.scores, s.comments, s.overall_comment) for a, s in rows]
    opened = queries.bid_for_expert(session=session, actor=actor, bid_id=bid_id)
    if queries.sheet(session=session, assignment_id=opened.assignment.id) is None:
        raise Forbidden("提交本人评分后才能查看其他专家的评分")
    rows = queries.counted_sheets(session=session, bid_ids=[bid_id])
    return [SheetView(a.expert_id if a.id == opened.assignment.id else None, s.total, s.scores, s.comments,
                      s.overall_comment) for a, s in rows]


def ranking(*, session: Session, actor: Actor, challenge_id: int) -> tuple[scoring.RankedBid, ...]:
    challenge = _challenge(session, actor, challenge_id)
    return queries.ranking(session=session, challenge_id=challenge.id)


@dataclass
class Progress:
    by_bid: dict[int, tuple[int, int]]     # bid id → (sheets in, reviewers due)
    by_expert: dict[int, tuple[int, int]]  # expert id → (sheets in, bids due)
    conflicts_declared: list[tuple[int, int]]  # (bid, expert) pairs declared and not waived


def progress(*, session: Session, actor: Actor, challenge_id: int) -> Progress:
    challenge = _challenge(session, actor, challenge_id)
    panel = queries.panel_of(session=session, challenge_id=challenge.id)
    active = queries.active_assignments(session=session, panel_id=panel.id)
    submitted = {a.id for a, _ in queries.counted_sheets(session=session, bid_ids=[a.bid_id for a in active])}
    by_bid: dict[int, tuple[int, int]] = {b.id: (0, 0) for b in queries.qualified_bids(
        session=session, challenge_id=challenge.id)}
    by_expert: dict[int, tuple[int, int]] = {}
    for a in active:
        done = int(a.id in submitted)
        i, d = by_bid.get(a.bid_id, (0, 0))
        by_bid[a.bid_id] = (i + done, d + 1)
        i, d = by_expert.get(a.expert_id, (0, 0))
        by_expert[a.expert_id] = (i + done, d + 1)
    decl, waivers = facts.declarations(session, list(by_bid))
    declared = sorted(k for k, d in decl.items() if d.has_conflict and k not in waivers)
    return Progress(by_bid, by_expert, declared)
