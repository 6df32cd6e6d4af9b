"""The subsidy machine: computed → checked → approved → paid, plus rejected and clawback; a failed or
terminated contract after a payment under a policy without clawback waits in `manual` for an officer's
decision: waive (keep what was paid, pay no more) or claw back anyway, each with a reason."""

from __future__ import annotations

from marketplace.accounts.models import Role
from marketplace.states import Machine, machine
from marketplace.subsidies.models import STATUS_LABELS, Subsidy
from marketplace.subsidies.models import SubsidyStatus as S

OFFICER, ADMIN, SYSTEM = Role.OFFICER, Role.ADMIN, "system"
BUREAU = (OFFICER, ADMIN)

TRANSITIONS = machine([
    # sources, action, target, roles, button label
    (S.COMPUTED, "check", S.CHECKED, BUREAU, "复核通过"),
    (S.CHECKED, "approve", S.APPROVED, BUREAU, "批准"),
    (S.CHECKED, "override_approve", S.APPROVED, BUREAU, "越权批准（须说明理由）"),
    ((S.COMPUTED, S.CHECKED, S.APPROVED), "reject", S.REJECTED, (*BUREAU, SYSTEM), "不予补助"),
    (S.APPROVED, "disburse", S.APPROVED, BUREAU, "拨付一期"),
    (S.APPROVED, "disburse_final", S.PAID, BUREAU, "拨付最后一期"),
    ((S.APPROVED, S.PAID), "clawback", S.CLAWBACK, (*BUREAU, SYSTEM),
     "合同失败或终止：追回已拨付款"),
    ((S.APPROVED, S.PAID), "hold", S.MANUAL, (SYSTEM,), "合同未完成且政策不追回：转人工决定"),
    (S.MANUAL, "waive", S.WAIVED, BUREAU, "免予追回，停止拨付"),
    (S.MANUAL, "clawback_anyway", S.CLAWBACK, BUREAU, "仍予追回已拨付款"),
])

MACHINE = Machine("subsidy", Subsidy, TRANSITIONS, STATUS_LABELS,
                  conflict="该补助已被他人处理，请刷新页面查看最新状态")
