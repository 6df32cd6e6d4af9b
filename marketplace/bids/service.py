"""Bid commands. Each: load → authorise → check state → mutate → audit → notify → commit once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import and_, not_, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from marketplace import states
from marketplace.accounts.models import Organisation, OrgKind, TeamProfile
from marketplace.actor import Actor
from marketplace.audit import service as audit
from marketplace.bids import files, partners, permissions, queries
from marketplace.bids import states as bid_states
from marketplace.bids.models import BID_STATUS_LABELS, Bid
from marketplace.bids.models import BidStatus as B
from marketplace.bids.schemas import BidIn, ReviewCorrectionIn, ReviewIn
from marketplace.challenges import permissions as challenge_permissions
from marketplace.challenges import queries as challenge_queries
from marketplace.challenges.files import Upload
from marketplace.challenges.models import Challenge, ChallengeStatus
from marketplace.clock import as_utc, utcnow
from marketplace.db import use_case
from marketplace.errors import Conflict, Forbidden, RuleViolation
from marketplace.money import format_yuan
from marketplace.notifications import service as notifications
from marketplace.notifications.models import Kind
from marketplace.states import require

CONTENT_FIELDS = ("challenge_id", "team_id", "organisation_id", "technical_route", "milestones",
                  "price_fen", "budget_company_fen", "budget_own_fen", "budget_subsidy_fen", "members",
                  "prior_results", "partners", "declare_no_double_funding", "declare_ownership",
                  "declare_conflicts")


def receipt_hash(bid: Bid | SimpleNamespace, attachments: Sequence[str] = ()) -> str:
    """SHA-256 of the canonical JSON of the bid content, its server receipt time (回执) and the SHA-256 of
    each file handed in with it (`attachments`, sorted: the order of upload does not matter, a changed,
    added or removed file does). A bid without files has no "attachments" key, so receipts issued before
    files were covered still verify."""
    content = {name: getattr(bid, name) for name in CONTENT_FIELDS}
    content["submitted_at"] = as_utc(bid.submitted_at).isoformat(timespec="microseconds") \
        if bid.submitted_at else None
    if attachments:
        content["attachments"] = sorted(attachments)
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def open_challenge(*, session: Session, actor: Actor, challenge_id: int, now: datetime) -> Challenge:
    """A challenge the actor may bid on now. One refusal for pages and API alike: a closed challenge
    is a conflict (409) for a team that could otherwise bid; anyone else is forbidden (403)."""
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    allowed, reason = permissions.can_bid(actor, challenge, now)
    if not allowed:
        closed = actor.role == "team" and actor.org_verified and \
            actor.organisation_id != challenge.organisation_id
        raise (Conflict if closed else Forbidden)(reason)
    return challenge


def _open_challenge(session: Session, actor: Actor, challenge_id: int, now: datetime) -> Challenge:
    return open_challenge(session=session, actor=actor, challenge_id=challenge_id, now=now)


def _check_team(session: Session, actor: Actor, team_id: int) -> None:
    """A bid is made as one of the actor's own teams, never as a sibling lab of the organisation."""
    team = session.get(TeamProfile, team_id)
    if team is None or team.organisation_id != actor.organisation_id or team.id not in actor.team_ids:
        raise RuleViolation("请选择您所在的团队", fields={"team_id": "请选择您所在的团队"})


def _check_plan(challenge: Challenge, data: BidIn) -> None:
    names = {i.get("name") for i in challenge.indicators}
    for n, milestone in enumerate(data.milestones):
        unknown = [i for i in milestone.indicators if i not in names]
        if unknown:
            raise RuleViolation(f"里程碑引用了榜单中不存在的指标：{'、'.join(unknown)}",
                                fields={f"milestones.{n}.indicators": "请从榜单的技术指标中选择"})
        if milestone.due_month > challenge.period_months:
            message = f"完成月份不能晚于榜单的实施周期（{challenge.period_months} 个月）"
            raise RuleViolation(message, fields={f"milestones.{n}.due_month": message})
    if data.price_fen > challenge.offered_fen:
        raise RuleViolation("揭榜报价不能超过榜单的揭榜金额", fields={"price_yuan": "揭榜报价不能超过榜单的揭榜金额"})
    _check_budget(data)


# The action plan's completion subsidy (seeds/policies/JB-COMPLETION.yaml, the bureau's default until the
# implementing rules fix it): 20 % of the enterprise's invested funds, at most 500万元 per project.
SUBSIDY_RATIO_PERCENT = 20
SUBSIDY_CAP_FEN = 5_000_000 * 100


def _check_budget(data: BidIn) -> None:
    """The budget stays within the price (the company's funds are what it pays for the bid) and the
    expected subsidy within the plan's ratio of the company's funds and its per-project cap."""
    budget = data.budget_fen()
    company, subsidy = budget["budget_company_fen"], budget["budget_subsidy_fen"]
    if company > data.price_fen:
        message = (f"企业出资 {format_yuan(company)} 超过了揭榜报价 {format_yuan(data.price_fen)}："
                   "企业出资即发榜企业为本方案支付的金额，不能多于报价")
        raise RuleViolation(message, fields={"budget_company_yuan": message})
    limit = min(company * SUBSIDY_RATIO_PERCENT // 100, SUBSIDY_CAP_FEN)
    if subsidy > limit:
        message = (f"预期补助不能超过企业出资的 {SUBSIDY_RATIO_PERCENT}%"
                   f"（单个项目最多 {format_yuan(SUBSIDY_CAP_FEN)}），本方案最多 {format_yuan(limit)}")
        raise RuleViolation(message, fields={"budget_subsidy_yuan": message})


def _check_partners(session: Session, actor: Actor, challenge: Challenge, data: BidIn) -> None:
    for n, partner in enumerate(data.partners):
        org = session.get(Organisation, partner.organisation_id)
        if org is not None and org.kind == OrgKind.BUREAU:
            message = f"{org.name}是科技主管部门，不能作为联合体合作单位"
            raise RuleViolation(message, fields={f"partners.{n}.organisation_id": message})
        bad = org is None or not org.is_verified or org.id in (actor.organisation_id, challenge.organisation_id)
        if bad:
            message = "合作单位须为其他已认证单位（不能是牵头单位或发榜企业）"
            raise RuleViolation(message, fields={f"partners.{n}.organisation_id": message})


def _columns(data: BidIn) -> dict:
    return {"team_id": data.team_id, "technical_route": data.technical_route,
            "milestones": [m.model_dump() for m in data.milestones], "price_fen": data.price_fen,
            **data.budget_fen(), "members": [m.model_dump() for m in data.members],
            "prior_results": data.prior_results, "partners": [p.model_dump() for p in data.partners],
            "declare_no_double_funding": data.declare_no_double_funding,
            "declare_ownership": data.declare_ownership, "declare_conflicts": data.declare_conflicts}


def _validate(session: Session, actor: Actor, challenge: Challenge, data: BidIn) -> dict:
    _check_team(session, actor, data.team_id)
    _check_plan(challenge, data)
    _check_partners(session, actor, challenge, data)
    return _columns(data)


def _check_complete(bid: Bid | SimpleNamespace) -> None:
    """What a submission needs beyond a draft: a route, a plan, a team and the two declarations."""
    fields = {}
    if not bid.technical_route.strip():
        fields["technical_route"] = "提交前请填写技术路线"
    if not bid.milestones:
        fields["milestones"] = "提交前请至少填写一个里程碑"
    if not bid.members:
        fields["members"] = "提交前请至少填写一名团队成员"
    if not bid.declare_no_double_funding:
        fields["declare_no_double_funding"] = "提交前须声明同一内容未重复获得财政资金支持"
    if not bid.declare_ownership:
        fields["declare_ownership"] = "提交前须声明对投入成果拥有合法权属"
    if fields:
        raise RuleViolation("揭榜方案尚不完整，不能提交", fields=fields)


def _still_open(challenge_id: int, now: datetime):
    """SQL condition: the challenge is still taking bids at `now` (checked inside the UPDATE)."""
    return col(Bid.challenge_id).in_(select(Challenge.id).where(
        Challenge.id == challenge_id, Challenge.status == ChallengeStatus.PUBLISHED,
        col(Challenge.bid_deadline) > now))


def _move(session: Session, bid: Bid, *, action: str, actor: Actor, now: datetime,
          open_at: datetime | None = None, summary: dict | None = None, where: object = None,
          **changes: object) -> str:
    """Apply one transition (states.apply), guarded by the deadline for teams; the owner hears of it."""
    conditions = [c for c in (_still_open(bid.challenge_id, open_at) if open_at else None, where) if c is not None]
    states.apply(session, bid, bid_states.MACHINE, action, actor=actor, where=conditions, now=now,
                        summary={"challenge_id": bid.challenge_id, **(summary or {})}, **changes)
    if action in CHANGE_LABELS:
        _tell_owner(session, actor, bid, action)
    return bid.status


CHANGE_LABELS = {"created": "新建了草稿", "edit": "修改了草稿", "submit": "提交了方案",
                 "resubmit": "修改并重新提交了方案", "withdraw": "撤回了方案"}


def _tell_owner(session: Session, actor: Actor, bid: Bid, change: str) -> None:
    """The team's owner hears of every change to its bid made by another account (T31)."""
    team = session.get(TeamProfile, bid.team_id)
    if team is None or team.owner_id == actor.user_id:
        return
    challenge = session.get(Challenge, bid.challenge_id)
    notifications.notify(
        session=session, kind=Kind.BID_CHANGED, user_ids=[team.owner_id],
        title=f"{actor.display_name}{CHANGE_LABELS.get(change, change)}：揭榜方案 #{bid.id}",
        body=f"榜单“{challenge.title if challenge else ''}”，团队“{team.name}”。如非本团队授权，请立即联系科技局。",
        link=f"/bids/{bid.id}")


def _create(session: Session, actor: Actor, challenge: Challenge, values: dict, now: datetime) -> Bid:
    bid = Bid(challenge_id=challenge.id, organisation_id=actor.organisation_id, created_by=actor.user_id,
              status=B.DRAFT, live_slot=1, created_at=now, updated_at=now, **values)
    session.add(bid)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(bid_states.LIVE_CONFLICT) from exc
    audit.record(session=session, actor=actor, action="bid.created", subject_type="bid", subject_id=bid.id,
                 summary={"after": B.DRAFT, "challenge_id": challenge.id, "team_id": bid.team_id})
    _tell_owner(session, actor, bid, "created")
    return bid


def _seal(session: Session, actor: Actor, bid: Bid, challenge: Challenge, now: datetime,
          values: dict | None = None) -> None:
    """Submit (or re-submit) with a fresh receipt; the company hears that a bid arrived, never whose."""
    values = values or {}
    sealed = SimpleNamespace(**{**bid.model_dump(), **values, "submitted_at": now})
    _check_complete(sealed)
    first = bid.status == B.DRAFT
    digest = receipt_hash(sealed, files.sealed_digests(session=session, bid=bid))
    _move(session, bid, action="submit" if first else "resubmit", actor=actor, now=now, open_at=now,
          summary={"receipt_hash": digest}, submitted_at=now, receipt_hash=digest, **values)
    partners.sync(session, actor, bid, now)  # the named partners are asked to confirm (创新联合体)
    if first:
        notifications.notify(
            session=session, kind=Kind.BID_RECEIVED, title="榜单收到一份新的揭榜方案",
            user_ids=challenge_queries.company_user_ids(session=session,
                                                        organisation_id=challenge.organisation_id),
            body=f"榜单“{challenge.title}”收到一份新的揭榜方案。方案在揭榜截止前保持密封。",
            link=f"/challenges/{challenge.id}")


@use_case
def save(*, session: Session, actor: Actor, challenge_id: int, data: BidIn, submit: bool = False,
         bid_id: int | None = None, attach: Callable[[Bid], object] | None = None) -> Bid:
    """Create or edit the actor's bid on a challenge; optionally submit it in the same transaction.
    `attach` stores the files handed in with the form before the bid is sealed (the receipt covers them)."""
    now = utcnow()
    challenge = _open_challenge(session, actor, challenge_id, now)
    values = _validate(session, actor, challenge, data)
    if bid_id is None:
        bid = _create(session, actor, challenge, values, now)
        if attach:
            attach(bid)
    else:
        bid = queries.get_for(session=session, actor=actor, bid_id=bid_id, now=now)
        if bid.challenge_id != challenge.id:
            raise Conflict("揭榜方案与榜单不符")
        require(permissions.can_manage_bid(actor, bid))
        if attach:
            attach(bid)
        if bid.status != B.DRAFT:  # a submitted bid changes only by re-submission, with a new receipt
            _seal(session, actor, bid, challenge, now, values)
            submit = False
        else:
            _move(session, bid, action="edit", actor=actor, now=now, open_at=now, **values)
    if submit:
        _seal(session, actor, bid, challenge, now)
    return bid


def save_with_files(*, session: Session, actor: Actor, challenge_id: int, data: BidIn, submit: bool = False,
                    bid_id: int | None = None, uploads: Sequence[Upload] = (), uploads_dir: Path,
                    max_bytes: int) -> Bid:
    """`save` with the files attached in the creation (or edit) form: one transaction, all or nothing."""
    def work(store) -> Bid:  # noqa: ANN001
        attach = (lambda bid: store(actor, bid, False)) if uploads else None
        return save(session=session, actor=actor, challenge_id=challenge_id, data=data, submit=submit,
                    bid_id=bid_id, attach=attach)

    return files.with_files(session, uploads_dir, uploads, max_bytes, work)


def create_draft(*, session: Session, actor: Actor, challenge_id: int, data: BidIn) -> Bid:
    """Draft a new bid (揭榜方案草稿) for one of the actor organisation's teams."""
    return save(session=session, actor=actor, challenge_id=challenge_id, data=data)


def update_bid(*, session: Session, actor: Actor, bid_id: int, data: BidIn) -> Bid:
    """Edit a draft; editing a submitted bid re-submits it with a new receipt."""
    bid = queries.get_for(session=session, actor=actor, bid_id=bid_id, now=utcnow())
    return save(session=session, actor=actor, challenge_id=bid.challenge_id, data=data, bid_id=bid.id)


@use_case
def submit(*, session: Session, actor: Actor, bid_id: int) -> Bid:
    """Submit a draft bid, sealed until the deadline; returns it with its receipt."""
    now = utcnow()
    bid = queries.get_for(session=session, actor=actor, bid_id=bid_id, now=now)
    require(permissions.can_manage_bid(actor, bid))
    challenge = _open_challenge(session, actor, bid.challenge_id, now)
    if bid.status != B.DRAFT:
        bid_states.transition(state=bid.status, action="submit", role=actor.role)
    _seal(session, actor, bid, challenge, now)
    return bid


def _not_opened(challenge_id: int, now: datetime):
    """SQL condition: the bids on the challenge have not opened at `now` (see permissions.can_withdraw)."""
    opened = or_(col(Challenge.status).in_(list(challenge_permissions.CLOSED_STATES)),
                 and_(Challenge.status == ChallengeStatus.PUBLISHED, col(Challenge.bid_deadline) <= now))
    return col(Bid.challenge_id).in_(select(Challenge.id).where(Challenge.id == challenge_id, not_(opened)))


@use_case
def withdraw(*, session: Session, actor: Actor, bid_id: int) -> Bid:
    """Withdraw a bid before the bids open (also while its challenge waits for the bureau)."""
    now = utcnow()
    bid, challenge = queries.with_challenge(session=session, actor=actor, bid_id=bid_id, now=now)
    allowed, reason = permissions.can_withdraw(actor, bid, challenge, now)
    if not allowed:
        raise (Conflict if permissions.is_own(actor, bid) else Forbidden)(reason)
    _move(session, bid, action="withdraw", actor=actor, now=now, where=_not_opened(bid.challenge_id, now),
          live_slot=None, withdrawn_at=now)
    return bid


@use_case
def review(*, session: Session, actor: Actor, bid_id: int, data: ReviewIn) -> Bid:
    """Record the formal review (形式审查) of a submitted bid and tell the team."""
    now = utcnow()
    bid, challenge = queries.with_challenge(session=session, actor=actor, bid_id=bid_id, now=now)
    require(permissions.can_review(actor, challenge, now))
    action = "qualify" if data.qualified else "disqualify"
    target = _move(session, bid, action=action, actor=actor, now=now, summary={"reason": data.reason},
                   review_reason=data.reason, reviewed_by=actor.user_id, reviewed_at=now)
    label = BID_STATUS_LABELS.get(target, target)
    notifications.notify(session=session, kind=Kind.REVIEW_OUTCOME,
                         user_ids=queries.team_user_ids(session=session, bid=bid),
                         title=f"揭榜方案{label}：{challenge.title}",
                         body=f"审查意见：{data.reason}" if data.reason else "", link=f"/bids/{bid.id}")
    return bid


@use_case
def correct_review(*, session: Session, actor: Actor, bid_id: int, data: ReviewCorrectionIn) -> Bid:
    """Correct a formal-review conclusion with a reason (audited as bid.correct_review), while the challenge is
    still closed — once expert review has started the conclusion stands. The team is told."""
    now = utcnow()
    bid, challenge = queries.with_challenge(session=session, actor=actor, bid_id=bid_id, now=now)
    require(permissions.can_review(actor, challenge, now))
    if challenge.status not in (ChallengeStatus.PUBLISHED, ChallengeStatus.CLOSED):  # past the deadline (above)
        raise Conflict("该榜单已进入专家评审，形式审查结论不能再更正")
    if bid.status not in permissions.REVIEWED_STATES:
        raise Conflict("该方案尚未作出形式审查结论")
    if (bid.status == B.QUALIFIED) == data.qualified:
        raise Conflict("新的结论与原结论相同，无需更正")
    before = bid.status
    target = _move(session, bid, action="correct_review", actor=actor, now=now,
                   summary={"reason": data.reason, "previous_reason": bid.review_reason},
                   review_reason=data.reason, reviewed_by=actor.user_id,
                   reviewed_at=now)
    notifications.notify(session=session, kind=Kind.REVIEW_OUTCOME,
                         user_ids=queries.team_user_ids(session=session, bid=bid),
                         title=f"形式审查结论已更正：{challenge.title}",
                         body=f"结论由“{BID_STATUS_LABELS[before]}”更正为“{BID_STATUS_LABELS[target]}”。"
                              f"更正理由：{data.reason}", link=f"/bids/{bid.id}")
    return bid
