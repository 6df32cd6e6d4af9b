"""Who may see and act on a challenge; each predicate returns (allowed, reason)."""

from __future__ import annotations

from datetime import datetime

from marketplace.accounts.models import Role
from marketplace.auth.actor import Actor
from marketplace.challenges.models import Challenge
from marketplace.challenges.models import ChallengeStatus as S
from marketplace.clock import as_utc

Decision = tuple[bool, str]
# After the deadline the challenge itself stays public through review and 公示 (its bids and scores do not).
PUBLIC_STATES = frozenset({S.PUBLISHED, S.CLOSED, S.UNFILLED, S.IN_REVIEW, S.DECIDED, S.ANNOUNCED,
                           S.AWARDED, S.NO_AWARD})


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


def bidding_open(challenge: Challenge, now: datetime) -> bool:
    return challenge.status == S.PUBLISHED and not deadline_passed(challenge, now)


def can_post(actor: Actor) -> Decision:
    if actor.role != Role.COMPANY:
        return False, "只有企业账号可以发榜"
    if not actor.org_verified:
        return False, "单位尚未通过科技局认证，暂不能发榜"
    return True, ""


def can_manage(actor: Actor, challenge: Challenge) -> Decision:
    """Edit, submit, withdraw: the company that posted it."""
    if is_owner(actor, challenge) and actor.org_verified:
        return True, ""
    return False, "只能管理本企业发布的榜单"


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


def visible_actions(actor: Actor, challenge: Challenge, *, has_bids: bool) -> set[str]:
    """The actions this actor may take on the challenge now — the buttons a page shows.

    Starts from the transition table and applies the rules that depend on more than the state:
    only the posting company edits; once bids exist a company must request a withdrawal instead
    of withdrawing; a request is made once and approved only while pending.
    """
    from marketplace.challenges import states

    if not (actor.is_officer or is_owner(actor, challenge)):
        return set()
    actions = {a for a, _ in states.available(state=challenge.status, role=actor.role)}
    if not is_owner(actor, challenge):
        actions.discard("edit")
    if challenge.status == S.PUBLISHED:
        pending = challenge.withdrawal_requested_at is not None
        if is_owner(actor, challenge) and has_bids:
            actions.discard("withdraw")
        if not has_bids or pending:
            actions.discard("request_withdrawal")
        if not pending:
            actions.discard("approve_withdrawal")
    return actions
