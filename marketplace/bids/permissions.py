"""Who may read and act on a bid; each predicate returns (allowed, reason).

The sealing rule (招标投标法 第28条: 签收保存、不得开启) lives here and only here: a bid belongs to
its team (a lab), so before the deadline only that team's accounts read it — not the other labs of
the same university (SECURITY.md T31); once the challenge has closed, the company that posted it
and the bureau also read the submitted ones. Other teams never do.
"""

from __future__ import annotations

from datetime import datetime

from marketplace.accounts import permissions as account_permissions
from marketplace.actor import Actor, Role
from marketplace.bids.models import Bid, PartnerConfirmation
from marketplace.bids.models import BidStatus as B
from marketplace.challenges import permissions as challenge_permissions
from marketplace.challenges.models import Challenge
from marketplace.clock import as_utc

Decision = tuple[bool, str]
NOT_FOUND = "揭榜方案不存在"
# What the company and the bureau see once bidding closes: bids that were actually handed in.
OPENED_STATES = frozenset({B.SUBMITTED, B.QUALIFIED, B.DISQUALIFIED, B.SUPPLEMENTING, B.SUPPLEMENTED})
# Bids the formal review has decided on (the review and award stage works on these).
REVIEWED_STATES = frozenset({B.QUALIFIED, B.DISQUALIFIED})


def is_own(actor: Actor, bid: Bid) -> bool:
    """The actor is an account of the team that bids (its owner or a member it added)."""
    return account_permissions.is_team_member(actor, bid.team_id)


def may_open(actor: Actor, challenge: Challenge, now: datetime) -> bool:
    """The company or the bureau, once the challenge has closed — never a withdrawn or returned one (T32)."""
    if not challenge_permissions.has_closed(challenge, now):
        return False
    return actor.is_officer or challenge_permissions.is_owner(actor, challenge)


def is_sealed(bid: Bid, challenge: Challenge, now: datetime) -> bool:
    """A handed-in bid stays sealed until the challenge has closed; then the label "密封" goes."""
    return bid.status == B.SUBMITTED and not challenge_permissions.has_closed(challenge, now)


def can_read_bid(actor: Actor, bid: Bid, challenge: Challenge, now: datetime) -> Decision:
    """May the actor read this bid's content (and know that it exists)?"""
    if bid.challenge_id != challenge.id:
        return False, NOT_FOUND
    if is_own(actor, bid):
        return True, ""
    if bid.status in OPENED_STATES and may_open(actor, challenge, now):
        return True, ""
    return False, NOT_FOUND


def can_bid(actor: Actor, challenge: Challenge, now: datetime) -> Decision:
    """May the actor draft, edit or submit a bid on this challenge now?"""
    if actor.role != Role.TEAM:
        return False, "只有科研团队账号可以揭榜"
    if not actor.org_verified:
        return False, "单位尚未通过科技局认证，暂不能揭榜"
    if actor.organisation_id == challenge.organisation_id:
        return False, "不能揭本单位发布的榜单"
    if not challenge_permissions.bidding_open(challenge, now):
        return False, "揭榜已截止或榜单不在揭榜期内"
    return True, ""


def can_manage_bid(actor: Actor, bid: Bid) -> Decision:
    """Edit, submit, withdraw: the bidding team's accounts."""
    if is_own(actor, bid):
        return True, ""
    return False, "只能管理本团队的揭榜方案"


def can_withdraw(actor: Actor, bid: Bid, challenge: Challenge, now: datetime) -> Decision:
    """The team takes its bid back at any time before the bids open — also while the challenge is
    waiting for the bureau, so a bid never gets stuck with its team unable to act (T32)."""
    allowed, reason = can_manage_bid(actor, bid)
    if not allowed:
        return allowed, reason
    if bid.status not in (B.DRAFT, B.SUBMITTED):
        return False, "该揭榜方案当前不能撤回"
    if challenge_permissions.has_closed(challenge, now):
        return False, "揭榜已截止，不能撤回方案"
    return True, ""


def over_offered(bid: Bid, challenge: Challenge) -> bool:
    """The quote exceeds the challenge's amount (it was lowered after the bid): the team should revise."""
    return bid.status in (B.DRAFT, B.SUBMITTED) and bid.price_fen > challenge.offered_fen


def bid_actions(actor: Actor, bid: Bid, challenge: Challenge, now: datetime) -> set[str]:
    """The buttons a page shows for one bid (edit, submit, withdraw), from the same predicates the
    commands check; templates never re-derive them."""
    actions: set[str] = set()
    if can_manage_bid(actor, bid)[0] and challenge_permissions.bidding_open(challenge, now):
        if bid.status in (B.DRAFT, B.SUBMITTED):
            actions.add("edit")
        if bid.status == B.DRAFT:
            actions.add("submit")
    if can_withdraw(actor, bid, challenge, now)[0]:
        actions.add("withdraw")
    return actions


def can_review(actor: Actor, challenge: Challenge, now: datetime) -> Decision:
    """Formal review (形式审查) and export: the bureau, after the deadline."""
    if not actor.is_officer:
        return False, "只有科技局工作人员可以进行形式审查"
    if not challenge_permissions.has_closed(challenge, now):
        return False, "榜单尚未截止，揭榜方案仍处于密封状态"
    return True, ""


# ---------------------------------------------------------------- consortium partners (创新联合体)
PARTNER_ROLES = frozenset({Role.TEAM, Role.COMPANY})


def is_partner(actor: Actor, row: PartnerConfirmation) -> bool:
    """The actor is an account of the organisation named as this partner."""
    return actor.organisation_id is not None and actor.organisation_id == row.organisation_id \
        and actor.role in PARTNER_ROLES


def can_read_partner_request(actor: Actor, row: PartnerConfirmation, bid: Bid) -> Decision:
    """The partner organisation's accounts, the bidding team and the bureau see a partner's answer."""
    if is_partner(actor, row) or is_own(actor, bid) or actor.is_officer:
        return True, ""
    return False, "合作确认不存在"


def can_answer_partner(actor: Actor, row: PartnerConfirmation, bid: Bid) -> Decision:
    """Confirm or decline: an account of the partner organisation, verified, while the bid is handed in."""
    if not is_partner(actor, row):
        return False, "只有被列为合作单位的单位账号可以确认或拒绝"
    if not actor.org_verified:
        return False, "单位尚未通过科技局认证，暂不能确认"
    if bid.status not in OPENED_STATES:
        return False, "该揭榜方案已撤回，无需再确认"
    return True, ""


# ---------------------------------------------------------------- 补正 (supplementing documents)
SUPPLEMENT_CLOSED = "补正期限已过，不能再提交补正材料，请联系科技局"


def supplement_window_open(bid: Bid, now: datetime) -> bool:
    return bid.status == B.SUPPLEMENTING and bid.supplement_deadline is not None \
        and as_utc(now) < as_utc(bid.supplement_deadline)


def can_supplement(actor: Actor, bid: Bid, now: datetime) -> Decision:
    """Upload documents and hand the 补正 in: the bid's team, before the window closes."""
    allowed, reason = can_manage_bid(actor, bid)
    if not allowed:
        return allowed, reason
    if bid.status != B.SUPPLEMENTING:
        return False, "该揭榜方案当前不需要补正"
    if not supplement_window_open(bid, now):
        return False, SUPPLEMENT_CLOSED
    return True, ""
