"""Who may see and act on a challenge; each predicate returns (allowed, reason)."""

from __future__ import annotations

from datetime import datetime

from marketplace.actor import Actor, Role
from marketplace.challenges.models import Challenge
from marketplace.challenges.models import ChallengeStatus as S
from marketplace.clock import as_utc, utcnow

Decision = tuple[bool, str]
# After the deadline the challenge itself stays public through review and 公示 (its bids and scores do not).
PUBLIC_STATES = frozenset({S.PUBLISHED, S.CLOSED, S.UNFILLED, S.IN_REVIEW, S.DECIDED, S.ANNOUNCED,
                           S.AWARDED, S.NO_AWARD})
# Bids open on these and never on any other: not on a withdrawn, returned or resubmitted one. A challenge
# reaches them only through its deadline's `close` step, and keeps its bids opened through review.
CLOSED_STATES = frozenset({S.CLOSED, S.IN_REVIEW, S.DECIDED, S.ANNOUNCED, S.AWARDED, S.NO_AWARD})


def is_public(challenge: Challenge) -> bool:
    """Visible to everyone: published, closed, unfilled, or withdrawn after publication."""
    return challenge.status in PUBLIC_STATES or (
        challenge.status == S.WITHDRAWN and challenge.published_at is not None)


def is_owner(actor: Actor, challenge: Challenge) -> bool:
    return actor.role == Role.COMPANY and actor.organisation_id == challenge.organisation_id


def can_view(actor: Actor, challenge: Challenge) -> Decision:
    if is_public(challenge) or actor.is_officer or is_owner(actor, challenge):
        return True, ""
    return False, "榜单不存在"


def deadline_passed(challenge: Challenge, now: datetime) -> bool:
    """The server clock, not the stored status, decides (the tick may not have run yet)."""
    return now >= as_utc(challenge.bid_deadline)


def effective_status(challenge: Challenge, now: datetime) -> str:
    """The status a reader sees now, computed without writing: a published challenge whose
    deadline has passed reads as closed until the scheduler (marketplace/scheduler.py) closes it
    for real (or marks it unfilled) within its interval. Reads never run the transition."""
    if challenge.status == S.PUBLISHED and deadline_passed(challenge, now):
        return S.CLOSED
    return challenge.status


def bidding_open(challenge: Challenge, now: datetime) -> bool:
    return challenge.status == S.PUBLISHED and not deadline_passed(challenge, now)


def has_closed(challenge: Challenge, now: datetime) -> bool:
    """Bidding has ended for good, so the sealed bids may be opened (T32).

    True once the challenge has reached `closed`, or while it is still `published` past its deadline
    (the scheduler's close is due and nothing else can happen to it: withdrawal and edits are refused
    after the deadline). Never for a withdrawn, returned or submitted challenge, whatever the clock says.
    """
    if challenge.status in CLOSED_STATES:
        return True
    return challenge.status == S.PUBLISHED and deadline_passed(challenge, now)


def awaiting_verification(actor: Actor) -> bool:
    """A company whose organisation the bureau has not verified yet: told before it types a challenge."""
    return actor.role == Role.COMPANY and not actor.org_verified


def can_draft(actor: Actor) -> Decision:
    """Write a draft (起草): any company account. A company awaiting the bureau's verification keeps its
    work as a draft; submitting it for review (发榜) waits for the verification (`can_post`)."""
    if actor.role != Role.COMPANY:
        return False, "只有企业账号可以发榜"
    return True, ""


def can_post(actor: Actor) -> Decision:
    """Submit a challenge for the bureau's review (发榜): a verified company."""
    if actor.role != Role.COMPANY:
        return False, "只有企业账号可以发榜"
    if not actor.org_verified:
        return False, "单位尚未通过科技局认证，暂不能发榜（草稿可以保存，认证通过后再提交审核）"
    return True, ""


def can_manage(actor: Actor, challenge: Challenge) -> Decision:
    """Edit, submit, withdraw: the company that posted it."""
    if is_owner(actor, challenge) and actor.org_verified:
        return True, ""
    return False, "只能管理本企业发布的榜单"


def can_edit(actor: Actor, challenge: Challenge) -> Decision:
    """Change the content: the managing company, and its own drafts even before verification."""
    if is_owner(actor, challenge) and challenge.status == S.DRAFT:
        return True, ""
    return can_manage(actor, challenge)


UPLOAD_STATES = frozenset({S.DRAFT, S.RETURNED, S.PUBLISHED})


def can_upload(actor: Actor, challenge: Challenge) -> Decision:
    """Attachments: the posting company, while the challenge is being written or is taking bids."""
    if not can_edit(actor, challenge)[0]:
        return False, "只能为本企业的榜单上传附件"
    if challenge.status not in UPLOAD_STATES:
        return False, "榜单当前状态下不能上传附件"
    return True, ""


def can_see_recommendations(actor: Actor, challenge: Challenge) -> Decision:
    """Teams recommended for a challenge: its company and the bureau, once it is public."""
    if not (is_owner(actor, challenge) or actor.is_officer):
        return False, "只有发榜企业和科技局可以查看推荐团队"
    if not is_public(challenge):
        return False, "榜单发布后才会推荐揭榜团队"
    return True, ""


def can_ask(actor: Actor, challenge: Challenge, now: datetime) -> Decision:
    if actor.role != Role.TEAM:
        return False, "只有科研团队可以提问"
    if not bidding_open(challenge, now):
        return False, "榜单不在揭榜期内，不能提问"
    return True, ""


def can_read_annex(actor: Actor, challenge: Challenge, *, accepted: bool) -> Decision:
    """The confidential annex: the company, officers, and verified teams that accepted the terms."""
    if is_owner(actor, challenge) or actor.is_officer:
        return True, ""
    if actor.role == Role.TEAM and actor.org_verified and accepted:
        return True, ""
    return False, "仅对已认证并签署保密承诺的科研团队开放"


def can_accept_terms(actor: Actor, challenge: Challenge) -> Decision:
    if actor.role != Role.TEAM:
        return False, "只有科研团队需要签署保密承诺"
    if not actor.org_verified:
        return False, "单位尚未通过科技局认证"
    if not is_public(challenge) or challenge.status == S.WITHDRAWN:
        return False, "榜单不在揭榜期内"
    return True, ""


def visible_actions(actor: Actor, challenge: Challenge, *, has_bids: bool,
                    now: datetime | None = None) -> set[str]:
    """The actions this actor may take on the challenge now — the buttons a page shows.

    Starts from the transition table and applies the rules that depend on more than the state:
    only the posting company edits; once bids exist a company must request a withdrawal instead
    of withdrawing; a request is made once and approved only while pending; a change of a published
    challenge is approved or rejected only while one is pending.
    """
    from marketplace.challenges import states

    if not (actor.is_officer or is_owner(actor, challenge)):
        return set()
    state = effective_status(challenge, now or utcnow())
    actions = {a for a, _ in states.available(state=state, role=actor.role)}
    if not is_owner(actor, challenge):
        actions.discard("edit")
    if state == S.PUBLISHED:
        pending = challenge.withdrawal_requested_at is not None
        if is_owner(actor, challenge) and has_bids:
            actions.discard("withdraw")
        if not has_bids or pending:
            actions.discard("request_withdrawal")
        if not pending:
            actions.discard("approve_withdrawal")
        if challenge.pending_change is None:
            actions -= {"approve_change", "reject_change"}
    return actions
