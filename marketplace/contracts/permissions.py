"""Who may do what to a contract, as `(allowed, reason)` predicates (handed to templates as-is)."""

from __future__ import annotations

from collections.abc import Iterable

from marketplace.accounts.models import Role
from marketplace.actor import Actor
from marketplace.contracts.models import ENDED, EXECUTING, Contract, Milestone, PartyRole, Payment
from marketplace.contracts.models import ContractStatus as C
from marketplace.contracts.models import MilestoneStatus as M
from marketplace.contracts.models import PaymentStatus as P

Decision = tuple[bool, str]
OK: Decision = (True, "")
PAYABLE = (*EXECUTING, C.ACCEPTING, C.ACCEPTANCE_RECTIFYING)


def party_of(actor: Actor, contract: Contract, partner_org_ids: Iterable[int] = ()) -> str | None:
    """The party the actor signs and acts for, or None."""
    if actor.is_officer:
        return PartyRole.BUREAU
    if actor.role == Role.COMPANY and actor.organisation_id == contract.company_org_id:
        return PartyRole.COMPANY
    if actor.role == Role.TEAM and actor.organisation_id is not None:
        if actor.organisation_id == contract.team_org_id:
            return PartyRole.TEAM
        if actor.organisation_id in set(partner_org_ids):
            return f"{PartyRole.PARTNER}:{actor.organisation_id}"
    return None


def is_company(actor: Actor, contract: Contract) -> bool:
    return actor.role == Role.COMPANY and actor.organisation_id == contract.company_org_id


def is_lead_team(actor: Actor, contract: Contract) -> bool:
    return actor.role == Role.TEAM and actor.organisation_id == contract.team_org_id


def can_create(actor: Actor, *, challenge_status: str, owner: bool) -> Decision:
    if not (actor.is_officer or (actor.role == Role.COMPANY and owner)):
        return False, "只有发榜企业或科技局可以发起任务书"
    if challenge_status != "awarded":
        return False, "榜单确定揭榜方（公示期满）后才能签订任务书"
    return OK


def can_sign(actor: Actor, contract: Contract, *, party: str | None, signed: Iterable[str]) -> Decision:
    if party is None:
        return False, "您不是任务书的签约方"
    if contract.status not in (C.SIGNING, C.AMENDING):
        return False, "任务书当前不在签署阶段"
    if party in set(signed):
        return False, "本方已签署当前版本"
    return OK


def can_amend(actor: Actor, contract: Contract) -> Decision:
    if not (actor.is_officer or is_company(actor, contract)):
        return False, "只有发榜企业或科技局可以提出变更"
    if contract.status not in (C.SIGNED, C.RECTIFYING):
        return False, "任务书执行中才能提出变更"
    return OK


def can_report(actor: Actor, contract: Contract, milestone: Milestone) -> Decision:
    if not is_lead_team(actor, contract):
        return False, "只有揭榜牵头单位可以提交里程碑报告"
    if contract.status not in EXECUTING:
        return False, "任务书执行中才能提交里程碑报告"
    if milestone.status not in (M.PENDING, M.RETURNED):
        return False, "该里程碑已提交报告"
    return OK


def can_decide_report(actor: Actor, contract: Contract, milestone: Milestone) -> Decision:
    if not is_company(actor, contract):
        return False, "只有发榜企业可以确认或退回里程碑报告"
    if milestone.status != M.REPORTED:
        return False, "该里程碑没有待确认的报告"
    return OK


def can_record_payment(actor: Actor, contract: Contract) -> Decision:
    if not is_company(actor, contract):
        return False, "只有发榜企业可以登记付款"
    if contract.status not in PAYABLE:
        return False, "任务书签署后、结题前才能登记付款"
    return OK


def can_confirm_payment(actor: Actor, contract: Contract, payment: Payment) -> Decision:
    if not is_lead_team(actor, contract):
        return False, "只有揭榜牵头单位可以确认到账"
    if payment.status != P.RECORDED:
        return False, "该付款不在待确认状态"
    return OK


def can_check_payment(actor: Actor, payment: Payment) -> Decision:
    if not actor.is_officer:
        return False, "只有科技局可以核验付款"
    if payment.status != P.RECEIVED:
        return False, "团队确认到账后才能核验"
    return OK


def can_midterm(actor: Actor, contract: Contract) -> Decision:
    if not actor.is_officer:
        return False, "只有科技局可以进行中期检查"
    if contract.status not in (C.SIGNED, C.RECTIFYING):
        return False, "任务书执行中才能进行中期检查"
    return OK


def can_request_acceptance(actor: Actor, contract: Contract, milestones: Iterable[Milestone]) -> Decision:
    if not is_lead_team(actor, contract):
        return False, "只有揭榜牵头单位可以申请验收"
    if contract.status not in (C.SIGNED, C.ACCEPTANCE_RECTIFYING):
        return False, "当前状态不能申请验收"
    if any(m.status != M.CONFIRMED for m in milestones):
        return False, "全部里程碑经企业确认后才能申请验收"
    return OK


def can_manage_panel(actor: Actor, contract: Contract) -> Decision:
    if not actor.is_officer:
        return False, "只有科技局可以组建验收专家组"
    if contract.status != C.ACCEPTING:
        return False, "任务书不在验收中"
    return OK


def can_vote(actor: Actor, contract: Contract, *, panel_member: bool, voted: bool) -> Decision:
    if contract.status != C.ACCEPTING:
        return False, "任务书不在验收中"
    if not (is_company(actor, contract) or (actor.role == Role.EXPERT and panel_member)):
        return False, "只有验收专家组成员和发榜企业可以给出验收意见"
    if voted:
        return False, "您已提交验收意见"
    return OK


def can_conclude(actor: Actor, contract: Contract) -> Decision:
    if not actor.is_officer:
        return False, "只有科技局可以作出验收结论"
    if contract.status != C.ACCEPTING:
        return False, "任务书不在验收中"
    return OK


def is_ended(contract: Contract) -> bool:
    return contract.status in ENDED
