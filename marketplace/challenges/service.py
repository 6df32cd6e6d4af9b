"""Challenge commands. Each: load → authorise → check state → mutate → audit → notify → commit once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from marketplace.accounts import queries as account_queries
from marketplace.actor import Actor
from marketplace.audit import service as audit
from marketplace.challenges import bidding, documents, permissions, queries, states, versions
from marketplace.challenges.models import STATUS_LABELS, Challenge
from marketplace.challenges.models import ChallengeStatus as S
from marketplace.challenges.schemas import ChallengeIn, PublishIn, ReturnIn, WithdrawIn
from marketplace.clock import as_utc, from_shanghai_local, to_shanghai, utcnow
from marketplace.db import use_case
from marketplace.errors import Conflict, RuleViolation
from marketplace.money import format_yuan
from marketplace.notifications import service as notifications
from marketplace.notifications.models import Kind
from marketplace.states import Transition, require
from marketplace.states import apply as apply_transition

MIN_BIDDING_WINDOW = timedelta(days=1)


def move(*, session: Session, challenge: Challenge, action: str, actor: Actor, summary: dict | None = None,
         **changes: object) -> Transition:
    """Apply one transition with a conditional UPDATE (state and version must be unchanged); the
    actor's role decides, and the caller's use case commits or rolls back."""
    return apply_transition(session, challenge, states.MACHINE, action, actor=actor, summary=summary,
                            **changes)


def _deadline(data: ChallengeIn) -> datetime:
    return from_shanghai_local(data.bid_deadline)


# A deadline further away than this is a typo (9999-12-31), not a plan.
MAX_BIDDING_WINDOW = timedelta(days=2 * 366)
PUBLISH_AT_SLACK = timedelta(minutes=5)  # a scheduled time this far in the past is a mistake, not "now"


def _check_deadline(deadline: datetime, now: datetime) -> None:
    if deadline <= now + MIN_BIDDING_WINDOW:
        raise RuleViolation("揭榜截止时间必须晚于当前时间至少 1 天",
                            fields={"bid_deadline": "揭榜截止时间必须晚于当前时间至少 1 天"})
    if deadline > now + MAX_BIDDING_WINDOW:
        latest = to_shanghai(now + MAX_BIDDING_WINDOW).strftime("%Y-%m-%d")
        message = f"揭榜截止时间不能晚于两年之后（最晚 {latest}），请检查年份"
        raise RuleViolation(message, fields={"bid_deadline": message})


def _fields(data: ChallengeIn) -> dict:
    values = data.model_dump(exclude={"committed_funds_yuan", "offered_yuan", "bid_deadline"})
    values["indicators"] = [i.model_dump() for i in data.indicators]
    values["ip_terms"], values["award_mode"] = data.ip_terms.value, data.award_mode.value
    values["committed_funds_fen"], values["offered_fen"] = data.committed_funds_fen, data.offered_fen
    values["bid_deadline"] = _deadline(data)
    return values


@use_case
def create_draft(*, session: Session, actor: Actor, data: ChallengeIn) -> Challenge:
    """Draft a new challenge (发榜草稿) for the actor's company (before its verification too)."""
    require(permissions.can_draft(actor))
    _check_deadline(_deadline(data), utcnow())
    challenge = Challenge(organisation_id=actor.organisation_id, created_by=actor.user_id,
                          status=S.DRAFT, **_fields(data))
    session.add(challenge)
    session.flush()
    audit.record(session=session, actor=actor, action="challenge.created", subject_type="challenge",
                 subject_id=challenge.id, summary={"title": challenge.title, "after": S.DRAFT})
    return challenge


@use_case
def save(*, session: Session, actor: Actor, data: ChallengeIn, challenge_id: int | None = None,
         and_submit: bool = False) -> Challenge:
    """Create or edit a challenge and, when asked, submit a draft or returned one in the same
    transaction (save-and-submit is one commit, as for bids)."""
    if challenge_id is None:
        challenge = create_draft(session=session, actor=actor, data=data)
    else:
        challenge = update_challenge(session=session, actor=actor, challenge_id=challenge_id, data=data)
    if and_submit and challenge.status in (S.DRAFT, S.RETURNED):
        submit(session=session, actor=actor, challenge_id=challenge.id)
    return challenge


CHANGE_LABELS = {"title": "标题", "offered_fen": "揭榜金额", "committed_funds_fen": "企业投入资金",
                 "bid_deadline": "揭榜截止时间", "indicators": "技术指标", "period_months": "实施周期",
                 "deliverables": "交付成果", "requirements": "揭榜条件", "ip_terms": "知识产权约定",
                 "award_mode": "揭榜方式", "background": "需求背景", "bottleneck": "技术瓶颈",
                 "scenario": "应用场景", "trl_target": "目标技术成熟度", "industry": "产业领域",
                 "weak_link": "薄弱环节", "contact_name": "联系人", "contact_phone": "联系电话",
                 "contact_email": "联系邮箱", "confidential_annex": "保密资料"}


@use_case
def update_challenge(*, session: Session, actor: Actor, challenge_id: int, data: ChallengeIn) -> Challenge:
    """Edit a draft or returned challenge; an edit of a published one waits for the bureau's approval."""
    challenge = queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    require(permissions.can_edit(actor, challenge))
    now = utcnow()
    if challenge.status == S.PUBLISHED:
        return _request_change(session, actor, challenge, data, now)
    _check_deadline(_deadline(data), now)
    values = _fields(data)
    current = _stored({k: getattr(challenge, k) for k in values})
    changed = sorted(k for k, v in _stored(values).items() if current[k] != v)  # only what changed
    move(session=session, challenge=challenge, action="edit", actor=actor,
         summary={"fields": changed}, **values)
    return challenge


def _stored(values: dict) -> dict:
    """Column values as JSON (the deadline as an ISO string)."""
    return {k: as_utc(v).isoformat() if k == "bid_deadline" else v for k, v in values.items()}


def _loaded(change: dict) -> dict:
    return {k: datetime.fromisoformat(v) if k == "bid_deadline" else v for k, v in change.items()}


def _request_change(session: Session, actor: Actor, challenge: Challenge, data: ChallengeIn,
                    now: datetime) -> Challenge:
    """Keep a published challenge (and its bids) where it is; the edit waits for the bureau (T32).

    Taking it back to review would hide it, and every bid on it, from the teams, and let its company
    withdraw it without the bureau (edit → resubmit → withdraw); so the same request path holds
    whether bids exist or not, and the company cannot tell from it whether a draft bid exists.
    """
    if permissions.deadline_passed(challenge, now):
        raise Conflict("揭榜已截止，不能再修改榜单")
    _check_deadline(_deadline(data), now)
    current = _stored({k: getattr(challenge, k) for k in _fields(data)})
    change = {k: v for k, v in _stored(_fields(data)).items() if current[k] != v}
    if not change:
        raise RuleViolation("榜单内容没有变化")
    move(session=session, challenge=challenge, action="request_change", actor=actor,
         summary={"fields": sorted(change)}, pending_change=change, change_requested_at=now)
    notifications.notify(session=session, kind=Kind.CHALLENGE_CHANGED,
                         user_ids=queries.officer_user_ids(session=session),
                         title=f"榜单修改申请：{challenge.title}", body=f"修改内容：{_labels(change)}",
                         link=f"/challenges/{challenge.id}")
    return challenge


def _labels(change: dict) -> str:
    return "、".join(CHANGE_LABELS.get(k, k) for k in sorted(change)) or "—"


@use_case
def approve_change(*, session: Session, actor: Actor, challenge_id: int) -> Challenge:
    """Apply a pending change of a published challenge; every team with a bid on it is told."""
    challenge = queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    if challenge.pending_change is None:
        raise Conflict("该榜单没有待处理的修改申请")
    now = utcnow()
    if permissions.deadline_passed(challenge, now):
        raise Conflict("揭榜已截止，不能再修改榜单")
    values = _loaded(challenge.pending_change)
    if "bid_deadline" in values and values["bid_deadline"] <= now + MIN_BIDDING_WINDOW:
        raise Conflict("申请中的截止时间距今已不足 1 天，请驳回后由企业重新申请")
    move(session=session, challenge=challenge, action="approve_change", actor=actor,
         summary={"fields": sorted(values)}, pending_change=None, change_requested_at=None, **values)
    _tell_bidders_changed(session, challenge, sorted(values))
    notifications.notify(
        session=session, kind=Kind.CHALLENGE_CHANGED,
        user_ids=queries.company_user_ids(session=session, organisation_id=challenge.organisation_id),
        title=f"榜单修改已获批准：{challenge.title}", body=f"修改内容：{_labels(values)}",
        link=f"/challenges/{challenge.id}")
    documents.challenge_changed(session=session, challenge=challenge)
    return challenge


@use_case
def reject_change(*, session: Session, actor: Actor, challenge_id: int, data: ReturnIn) -> Challenge:
    """Refuse a pending change; the challenge stays as published."""
    challenge = queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    if challenge.pending_change is None:
        raise Conflict("该榜单没有待处理的修改申请")
    move(session=session, challenge=challenge, action="reject_change", actor=actor,
         summary={"comment": data.comment, "fields": sorted(challenge.pending_change)},
         pending_change=None, change_requested_at=None, officer_comment=data.comment)
    notifications.notify(
        session=session, kind=Kind.CHALLENGE_CHANGED,
        user_ids=queries.company_user_ids(session=session, organisation_id=challenge.organisation_id),
        title=f"榜单修改申请未获批准：{challenge.title}", body=f"科技局意见：{data.comment}",
        link=f"/challenges/{challenge.id}")
    return challenge


def _tell_bidders_changed(session: Session, challenge: Challenge, fields: list[str]) -> None:
    """Every team with a live bid hears what changed; a quote above the new amount is named (revise it)."""
    for team_id, bid_id, price_fen in bidding.facts().live_bids(session=session, challenge_id=challenge.id):
        body = f"科技局已批准发榜企业修改：{_labels(dict.fromkeys(fields))}。请核对您的揭榜方案是否仍符合榜单要求。"
        if price_fen > challenge.offered_fen:
            body += (f"您的报价 {format_yuan(price_fen)} 已超过调整后的揭榜金额 {format_yuan(challenge.offered_fen)}，"
                     "请在截止前修改并重新提交方案。")
        notifications.notify(
            session=session, kind=Kind.CHALLENGE_CHANGED,
            user_ids=account_queries.team_member_ids(session=session, team_id=team_id),
            title=f"榜单“{challenge.title}”内容已调整", body=body, link=f"/bids/{bid_id}")


@use_case
def submit(*, session: Session, actor: Actor, challenge_id: int) -> Challenge:
    """Submit a draft (or a returned challenge) for the bureau's review."""
    challenge = queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    require(permissions.can_post(actor))
    require(permissions.can_manage(actor, challenge))
    _check_deadline(as_utc(challenge.bid_deadline), utcnow())
    move(session=session, challenge=challenge, action="submit", actor=actor)
    versions.snapshot(session=session, challenge=challenge, user_id=actor.user_id)
    return challenge


@use_case
def return_for_changes(*, session: Session, actor: Actor, challenge_id: int, data: ReturnIn) -> Challenge:
    """Return a submitted challenge to the company with the officer's comments (退回修改)."""
    challenge = queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    move(session=session, challenge=challenge, action="return", actor=actor,
         summary={"comment": data.comment}, officer_comment=data.comment)
    notifications.notify(
        session=session, kind=Kind.CHALLENGE_RETURNED,
        user_ids=queries.company_user_ids(session=session, organisation_id=challenge.organisation_id),
        title=f"榜单“{challenge.title}”被退回修改", body=f"科技局意见：{data.comment}",
        link=f"/challenges/{challenge.id}")
    return challenge


@use_case
def publish(*, session: Session, actor: Actor, challenge_id: int, data: PublishIn) -> Challenge:
    """Approve and publish now, or schedule publication (审核发布 / 定时发布)."""
    challenge = queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    now = utcnow()
    publish_at = from_shanghai_local(data.publish_at) if data.publish_at else None
    if publish_at and publish_at < now - PUBLISH_AT_SLACK:
        message = "定时发布时间已经过去；如要立即发布，请把定时发布时间留空"
        raise RuleViolation(message, fields={"publish_at": message})
    if publish_at and publish_at > now:
        if as_utc(challenge.bid_deadline) <= publish_at + MIN_BIDDING_WINDOW:
            raise RuleViolation("定时发布时间须早于揭榜截止时间至少 1 天",
                                fields={"publish_at": "定时发布时间须早于揭榜截止时间至少 1 天"})
        move(session=session, challenge=challenge, action="schedule", actor=actor,
             summary={"publish_at": publish_at.isoformat()}, publish_at=publish_at, officer_comment="")
        return challenge
    if permissions.deadline_passed(challenge, now):
        raise RuleViolation("揭榜截止时间已过，请退回企业修改截止时间")
    move(session=session, challenge=challenge, action="publish", actor=actor,
         published_at=now, officer_comment="")
    announce(session, challenge)
    return challenge


def announce(session: Session, challenge: Challenge) -> None:
    notifications.notify(
        session=session, kind=Kind.CHALLENGE_PUBLISHED,
        user_ids=queries.company_user_ids(session=session, organisation_id=challenge.organisation_id),
        title=f"榜单“{challenge.title}”已发布", link=f"/challenges/{challenge.id}",
        body="榜单已通过科技局审核并向社会公开发布。")
    documents.challenge_changed(session=session, challenge=challenge)


@use_case
def withdraw(*, session: Session, actor: Actor, challenge_id: int, data: WithdrawIn) -> Challenge:
    """Withdraw (撤榜) before the deadline; once bids exist a company must ask the bureau instead."""
    challenge = queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    if not actor.is_officer:
        require(permissions.can_manage(actor, challenge))
    now = utcnow()
    if challenge.status == S.PUBLISHED and permissions.deadline_passed(challenge, now):
        raise Conflict("揭榜已截止，不能撤榜")
    # In every state, not only while published: a challenge sent back to review keeps its bids.
    # Submitted bids only: drafts are invisible to the company, so they must not change its answer.
    if not actor.is_officer and bidding.facts().submitted_count(session=session, challenge_id=challenge.id):
        raise Conflict("该榜单已有揭榜方案，撤榜需提交申请并经科技局批准")
    move(session=session, challenge=challenge, action="withdraw", actor=actor,
         summary={"reason": data.reason}, withdraw_reason=data.reason)
    _tell_bidders_withdrawn(session, challenge, data.reason)
    return challenge


@use_case
def request_withdrawal(*, session: Session, actor: Actor, challenge_id: int, data: WithdrawIn) -> Challenge:
    """Ask the bureau to approve a withdrawal of a challenge that already has bids."""
    challenge = queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    require(permissions.can_manage(actor, challenge))
    if permissions.deadline_passed(challenge, utcnow()):
        raise Conflict("揭榜已截止，不能撤榜")
    if challenge.withdrawal_requested_at is not None:
        raise Conflict("已提交撤榜申请，请等待科技局处理")
    move(session=session, challenge=challenge, action="request_withdrawal", actor=actor,
         summary={"reason": data.reason}, withdraw_reason=data.reason,
         withdrawal_requested_at=utcnow())
    notifications.notify(session=session, kind=Kind.CHALLENGE_WITHDRAWN,
                         user_ids=queries.officer_user_ids(session=session),
                         title=f"撤榜申请：{challenge.title}", body=f"企业申请撤榜，原因：{data.reason}",
                         link=f"/challenges/{challenge.id}")
    return challenge


@use_case
def approve_withdrawal(*, session: Session, actor: Actor, challenge_id: int) -> Challenge:
    """Approve a company's withdrawal request; the bidders are told."""
    challenge = queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    if challenge.withdrawal_requested_at is None:
        raise Conflict("该榜单没有待处理的撤榜申请")
    if permissions.has_closed(challenge, utcnow()):  # the bids are due to open: no withdrawal now
        raise Conflict("揭榜已截止，不能撤榜")
    move(session=session, challenge=challenge, action="approve_withdrawal", actor=actor,
         summary={"reason": challenge.withdraw_reason})
    _tell_bidders_withdrawn(session, challenge, challenge.withdraw_reason)
    return challenge


def _tell_bidders_withdrawn(session: Session, challenge: Challenge, reason: str) -> None:
    notifications.notify(
        session=session, kind=Kind.CHALLENGE_WITHDRAWN,
        user_ids=bidding.facts().bidder_user_ids(session=session, challenge_id=challenge.id),
        title=f"榜单“{challenge.title}”已撤榜", body=f"撤榜原因：{reason}", link=f"/challenges/{challenge.id}")
    documents.challenge_changed(session=session, challenge=challenge)


@use_case
def relist(*, session: Session, actor: Actor, challenge_id: int) -> Challenge:
    """Make a new draft from an unfilled challenge (流榜后重新发榜)."""
    old = queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    require(permissions.can_manage(actor, old))
    move(session=session, challenge=old, action="relist", actor=actor)
    copy = {k: v for k, v in old.model_dump().items() if k not in {
        "id", "key", "status", "version", "officer_comment", "publish_at", "published_at", "closed_at",
        "withdraw_reason", "withdrawal_requested_at", "created_at", "updated_at", "relisted_from_id",
        "created_by", "bid_deadline"}}
    draft = Challenge(**copy, status=S.DRAFT, relisted_from_id=old.id, created_by=actor.user_id,
                      bid_deadline=utcnow() + timedelta(days=30))
    session.add(draft)
    session.flush()
    audit.record(session=session, actor=actor, action="challenge.created", subject_type="challenge",
                 subject_id=draft.id, summary={"relisted_from": old.id, "after": S.DRAFT})
    return draft


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)
