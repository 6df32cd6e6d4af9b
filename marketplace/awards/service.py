"""Award commands: company opinion, the decision (exactly once), 公示 batches, objections, finalising.

Each: load → authorise → table step (reviews.flow.advance) → audit → notify → one commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from marketplace import states
from marketplace.actor import SYSTEM, Actor
from marketplace.audit import service as audit
from marketplace.awards import queries
from marketplace.awards import states as award_states
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
from marketplace.challenges.models import AwardMode, Challenge
from marketplace.challenges.models import ChallengeStatus as S
from marketplace.clock import utcnow
from marketplace.credit import service as credit
from marketplace.credit.models import CreditKind
from marketplace.db import use_case
from marketplace.errors import Conflict, Forbidden, InvalidTransition, NotFound, RuleViolation
from marketplace.notifications import service as notifications
from marketplace.notifications.models import Kind
from marketplace.reviews import calendar, decision
from marketplace.reviews import queries as review_queries
from marketplace.reviews.flow import advance

MIN_TEXT = 10
REOPENABLE = {S.IN_REVIEW: "reopen_review", S.DECIDED: "reopen_decision"}


def _officer(actor: Actor) -> None:
    if not actor.is_officer:
        raise Forbidden("只有科技局工作人员可以执行此操作")


def _text(value: str, field: str, what: str, minimum: int = MIN_TEXT, maximum: int = 5000) -> str:
    value = (value or "").strip()
    if len("".join(value.split())) < minimum:
        raise RuleViolation(f"{what}须至少 {minimum} 个字", fields={field: f"请填写{what}"})
    if len(value) > maximum:
        raise RuleViolation(f"{what}不能超过 {maximum} 字", fields={field: f"{what}过长"})
    return value


def _round(session: Session, challenge_id: int) -> int:
    revoked = session.exec(select(func.count()).select_from(AwardDecision).where(
        AwardDecision.challenge_id == challenge_id, col(AwardDecision.revoked_at).is_not(None))).one()
    return revoked + 1


# ---------------------------------------------------------------- company opinion
@use_case
def give_opinion(*, session: Session, actor: Actor, challenge_id: int, preferred_bid_ids: Sequence[int],
                 opinion: str) -> CompanyOpinion:
    """The posting company's opinion on the ranked shortlist, once per round (scores unchanged)."""
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    if not permissions.can_manage(actor, challenge)[0]:
        raise Forbidden("只有发榜企业可以提出意见")
    if challenge.status != S.IN_REVIEW:
        raise Conflict("榜单不在专家评审阶段，不能提出意见")
    text = _text(opinion, "opinion", "企业意见", minimum=5)
    ranked = {r.bid_id for r in review_queries.ranking(session=session, challenge_id=challenge.id)}
    preferred = list(dict.fromkeys(int(i) for i in preferred_bid_ids))
    if any(i not in ranked for i in preferred):
        raise RuleViolation("只能从评审排名中的方案中选择", fields={"preferred_bid_ids": "方案不在排名中"})
    row = CompanyOpinion(challenge_id=challenge.id, round=_round(session, challenge.id),
                         preferred_bid_ids=preferred, opinion=text, given_by=actor.user_id)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("企业已对本轮评审结果提出意见") from None
    audit.record(session=session, actor=actor, action="award.opinion", subject_type="challenge",
                 subject_id=challenge.id, summary={"preferred_bid_ids": preferred, "opinion": text})
    return row


# ---------------------------------------------------------------- decision
@use_case
def decide(*, session: Session, actor: Actor, challenge_id: int, winning_bid_ids: Sequence[int],
           reason: str) -> AwardDecision:
    """Record the decision: UNIQUE (challenge, round) + conditional status UPDATE → exactly once."""
    _officer(actor)
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    if challenge.status != S.IN_REVIEW:
        raise Conflict("该榜单已作出决定或不在专家评审阶段")
    bids = {b.id: b.status == BidStatus.QUALIFIED for b in session.exec(select(Bid).where(
        Bid.challenge_id == challenge.id, col(Bid.status).in_(list(bid_permissions.REVIEWED_STATES)))).all()}
    ranking = review_queries.ranking(session=session, challenge_id=challenge.id)
    if not ranking:
        raise Conflict("尚无专家评分，不能作出决定")
    checked = decision.decide(winning_bid_ids=[int(i) for i in winning_bid_ids], reason=reason or "", bids=bids,
                              ranking=ranking, horse_race=challenge.award_mode == AwardMode.PARALLEL)
    if len(checked.reason) > 5000:
        raise RuleViolation("理由不能超过 5000 字", fields={"reason": "理由过长"})
    row = AwardDecision(challenge_id=challenge.id, round=_round(session, challenge.id),
                        winning_bid_ids=list(checked.winning_bid_ids), reason=checked.reason,
                        follows_ranking=checked.follows_ranking,
                        ranking=checked.audit_data()["computed_ranking"], decided_by=actor.user_id)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("该榜单已作出决定") from None
    advance(session=session, challenge=challenge, action="decide", actor=actor,
            summary={"decision_id": row.id, **checked.audit_data()})
    notifications.notify(session=session, kind=Kind.AWARD_DECIDED,
                         user_ids=challenge_queries.officer_user_ids(session=session),
                         title=f"“{challenge.title}”已作出评审决定", link=f"/challenges/{challenge.id}",
                         body="决定已记录，尚未公开；请与其他已决定的榜单一并发布公示。")
    return row


@use_case
def declare_no_award(*, session: Session, actor: Actor, challenge_id: int, reason: str) -> NoAwardDecision:
    """No bid is good enough (无中选方案), with a written reason the company and the bidders see;
    the company may re-list. Exactly once: the conditional status UPDATE and UNIQUE (challenge)."""
    _officer(actor)
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    text = _text(reason, "reason", "理由")
    row = NoAwardDecision(challenge_id=challenge.id, reason=text, decided_by=actor.user_id)
    advance(session=session, challenge=challenge, action="declare_no_award", actor=actor, summary={"reason": text})
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("该榜单已宣布无中选方案") from None
    users = [*challenge_queries.company_user_ids(session=session, organisation_id=challenge.organisation_id),
             *bid_queries.bidder_user_ids(session=session, challenge_id=challenge.id)]
    notifications.notify(session=session, kind=Kind.AWARD_DECIDED, user_ids=users,
                         title=f"“{challenge.title}”无中选方案", body=f"理由：{text}",
                         link=f"/challenges/{challenge.id}/no-award")
    return row


# ---------------------------------------------------------------- 公示
@use_case
def publish(*, session: Session, actor: Actor, challenge_ids: Sequence[int],
            period_days: object = calendar.DEFAULT_DAYS,
            title: str = "", now: datetime | None = None) -> Announcement:
    """Publish several decided results together with one window of N working days."""
    _officer(actor)
    days = calendar.check_length(period_days)
    ids = list(dict.fromkeys(int(i) for i in challenge_ids))
    if not ids:
        raise RuleViolation("请至少选择一个已决定的榜单", fields={"challenge_ids": "请选择榜单"})
    challenges = [challenge_queries.get_for(session=session, actor=actor, challenge_id=i) for i in ids]
    undecided = [c.title for c in challenges if c.status != S.DECIDED]
    if undecided:
        raise Conflict("以下榜单不处于“已决定（待公示）”状态：" + "、".join(undecided))
    now = now or utcnow()
    window = calendar.window(calendar.publication_date(now), days)
    batch = Announcement(title=(title or "").strip()[:200] or f"揭榜挂帅项目评审结果公示（{window.published_on}）",
                         period_days=days, published_on=window.published_on, ends_on=window.ends_on,
                         provisional=window.provisional, published_by=actor.user_id, published_at=now)
    session.add(batch)
    session.flush()
    for c in challenges:
        current = queries.current_decision(session=session, challenge_id=c.id)
        session.add(AnnouncementItem(announcement_id=batch.id, challenge_id=c.id, decision_id=current.id))
        advance(session=session, challenge=c, action="announce", actor=actor,
                summary={"announcement_id": batch.id, "ends_on": window.ends_on.isoformat(),
                         "period_days": days, "provisional": window.provisional})
        notifications.notify(session=session, kind=Kind.AWARD_ANNOUNCED, user_ids=queries.involved_user_ids(
            session=session, challenge=c), title=f"“{c.title}”评审结果公示",
            body=f"公示期至 {window.ends_on.isoformat()}（北京时间 23:59:59），期间可提出异议。"
                 + (f" {window.notice}" if window.notice else ""), link="/announcements")
    return batch


@use_case
def lodge_objection(*, session: Session, actor: Actor, challenge_id: int, reasons: str,
                    now: datetime | None = None) -> Objection:
    """Any logged-in user, during the window (through 23:59:59 Beijing time on the last day)."""
    if actor.is_anonymous:
        raise Forbidden("请先登录")
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    item = queries.open_item(session=session, challenge_id=challenge.id)
    text = _text(reasons, "reasons", "异议理由")
    batch = session.get(Announcement, item.announcement_id)
    if challenge.status != S.ANNOUNCED or not queries.window_open(batch, now or utcnow()):
        raise Conflict("公示期已结束，不能再提出异议")
    row = Objection(item_id=item.id, challenge_id=challenge.id, user_id=actor.user_id, reasons=text,
                    lodged_at=now or utcnow())
    session.add(row)
    session.flush()
    audit.record(session=session, actor=actor, action="award.objection", subject_type="challenge",
                 subject_id=challenge.id, summary={"objection_id": row.id})
    notifications.notify(session=session, kind=Kind.AWARD_ANNOUNCED,
                         user_ids=challenge_queries.officer_user_ids(session=session),
                         title=f"“{challenge.title}”收到公示异议", body="请在公示期内答复。", link="/objections")
    return row


@use_case
def answer_objection(*, session: Session, actor: Actor, objection_id: int, upheld: bool, answer: str,
                     reopens: str = "") -> Objection:
    """Upheld (reopens the named stage) or dismissed; the answer is shown to the objector."""
    _officer(actor)
    row = session.get(Objection, objection_id)
    if row is None:
        raise NotFound("异议不存在")
    if row.status != ObjectionStatus.PENDING:
        raise Conflict("该异议已答复")
    text = _text(answer, "answer", "答复")
    if upheld and reopens not in REOPENABLE:
        raise RuleViolation("异议成立须选择退回的阶段：in_review（重新评审）或 decided（重新决定）",
                            fields={"reopens": "请选择退回的阶段"})
    states.apply(session, row, award_states.OBJECTION, "uphold" if upheld else "dismiss", actor=actor,
                 summary={"reopens": reopens if upheld else ""}, answer=text, answered_by=actor.user_id,
                 answered_at=utcnow(), reopens=reopens if upheld else "")
    challenge = session.get(Challenge, row.challenge_id)
    if upheld:
        item = session.get(AnnouncementItem, row.item_id)
        if item.status != ItemStatus.OPEN:
            raise Conflict("该公示已结束，不能再改变结果")
        states.apply(session, item, award_states.ITEM, "reopen", actor=actor, summary={"objection_id": row.id})
        if reopens == S.IN_REVIEW:
            current = session.get(AwardDecision, item.decision_id)
            current.revoked_at, current.revoked_reason = utcnow(), text[:1000]
            session.add(current)
        advance(session=session, challenge=challenge, action=REOPENABLE[reopens], actor=actor,
                summary={"objection_id": row.id, "answer": text})
        winners = session.get(AwardDecision, item.decision_id).winning_bid_ids
        credit.remember(session=session, actor=actor, kind=CreditKind.OBJECTION_UPHELD,
                        organisation_ids=list(session.exec(select(Bid.organisation_id)
                                                           .where(col(Bid.id).in_(winners or [-1]))).all()),
                        note=f"{challenge.title}：对揭榜结果的异议成立。{text}", subject_type="challenge",
                        subject_id=challenge.id)
    else:
        audit.record(session=session, actor=actor, action="award.objection_dismissed", subject_type="challenge",
                     subject_id=challenge.id, summary={"objection_id": row.id, "answer": text})
    notifications.notify(session=session, kind=Kind.OBJECTION_ANSWERED, user_ids=[row.user_id],
                         title=f"您对“{challenge.title}”的异议已答复",
                         body=("异议成立。" if upheld else "异议不成立。") + f"答复：{text}", link="/objections")
    return row


# ---------------------------------------------------------------- finalising (scheduler)
def finalise_due(*, session: Session, now: datetime | None = None) -> list[int]:
    """Windows ended with no objection standing → `awarded`, exactly once (conditional UPDATE).
    One use case per item: a challenge someone else moved first is skipped, the others go on."""
    now = now or utcnow()
    done: list[int] = []
    for item_id in queries.due_item_ids(session=session, now=now):
        try:
            done.append(_finalise(session=session, item_id=item_id, now=now))
        except (Conflict, InvalidTransition):
            continue
    return done


@use_case
def _finalise(*, session: Session, item_id: int, now: datetime) -> int:
    item = session.get(AnnouncementItem, item_id)
    challenge = session.get(Challenge, item.challenge_id)
    advance(session=session, challenge=challenge, action="finalise", actor=SYSTEM,
            summary={"announcement_id": item.announcement_id, "decision_id": item.decision_id})
    states.apply(session, item, award_states.ITEM, "finalise", actor=SYSTEM, finalised_at=now)
    notifications.notify(session=session, kind=Kind.AWARDED,
                         user_ids=queries.involved_user_ids(session=session, challenge=challenge),
                         title=f"“{challenge.title}”公示期满，揭榜方已确定",
                         body="公示期内无异议成立，评审结果生效。", link=f"/challenges/{challenge.id}")
    return challenge.id
