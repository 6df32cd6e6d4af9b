"""The contract, milestone and payment machines as data: (state, action) → target, roles, button label."""

from __future__ import annotations

from marketplace.accounts.models import Role
from marketplace.contracts.models import (
    CONTRACT_STATUS_LABELS,
    MILESTONE_LABELS,
    PAYMENT_LABELS,
    Contract,
    Milestone,
    Payment,
)
from marketplace.contracts.models import ContractStatus as C
from marketplace.contracts.models import MilestoneStatus as M
from marketplace.contracts.models import PaymentStatus as P
from marketplace.states import Machine, machine

COMPANY, TEAM, OFFICER, ADMIN, SYSTEM = Role.COMPANY, Role.TEAM, Role.OFFICER, Role.ADMIN, "system"
BUREAU = (OFFICER, ADMIN)
PARTIES = (COMPANY, TEAM, *BUREAU)
EXECUTING = (C.SIGNED, C.AMENDING, C.RECTIFYING)

CONTRACT = Machine("contract", Contract, machine([
    # The last signature completes the revision: whoever signs last moves the contract.
    (C.SIGNING, "sign_all", C.SIGNED, PARTIES, "签署"),
    ((C.SIGNED, C.RECTIFYING), "amend", C.AMENDING, (COMPANY, *BUREAU), "提出变更"),
    (C.AMENDING, "sign_amendment", C.SIGNED, PARTIES, "签署变更"),
    ((C.SIGNED, C.RECTIFYING), "midterm_continue", C.SIGNED, BUREAU, "中期检查：继续执行"),
    ((C.SIGNED, C.RECTIFYING), "midterm_rectify", C.RECTIFYING, BUREAU, "中期检查：限期整改"),
    ((C.SIGNED, C.RECTIFYING, C.AMENDING), "terminate", C.TERMINATED, BUREAU, "中期检查：终止"),
    ((C.SIGNED, C.ACCEPTANCE_RECTIFYING), "request_acceptance", C.ACCEPTING, (TEAM,), "申请验收"),
    (C.ACCEPTING, "pass", C.ACCEPTED, BUREAU, "验收结论：通过"),
    (C.ACCEPTING, "fail_rectifiable", C.ACCEPTANCE_RECTIFYING, BUREAU, "验收结论：不通过，限期整改"),
    (C.ACCEPTING, "fail", C.FAILED, BUREAU, "验收结论：不通过"),
    # The one rectification window lapsed without a re-acceptance request: only the scheduler tick.
    (C.ACCEPTANCE_RECTIFYING, "lapse", C.FAILED, (SYSTEM,), "整改期满未申请复验：验收不通过"),
]), CONTRACT_STATUS_LABELS, conflict="任务书已被他人处理，请刷新页面查看最新状态")

MILESTONE = Machine("milestone", Milestone, machine([
    ((M.PENDING, M.RETURNED), "report", M.REPORTED, (TEAM,), "提交里程碑报告"),
    (M.REPORTED, "confirm", M.CONFIRMED, (COMPANY,), "确认"),
    (M.REPORTED, "return", M.RETURNED, (COMPANY,), "退回"),
]), MILESTONE_LABELS, conflict="里程碑已被他人处理，请刷新页面查看最新状态")

PAYMENT = Machine("payment", Payment, machine([
    (P.RECORDED, "confirm_receipt", P.RECEIVED, (TEAM,), "确认到账"),
    (P.RECORDED, "dispute", P.REJECTED, (TEAM,), "未收到此款"),
    (P.RECEIVED, "check", P.CHECKED, BUREAU, "核验通过"),
    (P.RECEIVED, "reject", P.REJECTED, BUREAU, "核验不通过"),
]), PAYMENT_LABELS, conflict="付款记录已被他人处理，请刷新页面查看最新状态")
