"""The bid lifecycle (揭榜方案状态机); later stages (shortlisted, won, lost) come with the review issue."""

from __future__ import annotations

from marketplace.actor import Role
from marketplace.bids.models import BID_STATUS_LABELS, PARTNER_STATUS_LABELS, Bid, PartnerConfirmation
from marketplace.bids.models import BidStatus as B
from marketplace.bids.models import PartnerStatus as P
from marketplace.states import Machine, Transition, actions_for, machine, step

TEAM, OFFICER, ADMIN, COMPANY = Role.TEAM, Role.OFFICER, Role.ADMIN, Role.COMPANY

TRANSITIONS = machine([
    ((B.DRAFT, B.SUBMITTED), "edit", "same", (TEAM,), "编辑"),
    (B.DRAFT, "submit", B.SUBMITTED, (TEAM,), "提交（密封）"),
    (B.SUBMITTED, "resubmit", B.SUBMITTED, (TEAM,), "更新并重新提交"),
    ((B.DRAFT, B.SUBMITTED), "withdraw", B.WITHDRAWN, (TEAM,), "撤回"),
    (B.SUBMITTED, "qualify", B.QUALIFIED, (OFFICER, ADMIN), "形式审查通过"),
    (B.SUBMITTED, "disqualify", B.DISQUALIFIED, (OFFICER, ADMIN), "形式审查不通过"),
    # A formal-review conclusion corrected, with a reason, while the challenge has not gone to experts.
    (B.QUALIFIED, "correct_review", B.DISQUALIFIED, (OFFICER, ADMIN), "更正为不通过"),
    (B.DISQUALIFIED, "correct_review", B.QUALIFIED, (OFFICER, ADMIN), "更正为通过"),
    # 补正: a bid disqualified for missing documents gets a window; the team hands them in; the
    # officer reviews again (or, once the window has passed without them, disqualifies for good).
    (B.DISQUALIFIED, "request_supplement", B.SUPPLEMENTING, (OFFICER, ADMIN), "要求补正"),
    (B.SUPPLEMENTING, "supplement", B.SUPPLEMENTED, (TEAM,), "提交补正材料"),
    (B.SUPPLEMENTED, "qualify", B.QUALIFIED, (OFFICER, ADMIN), "形式审查通过"),
    ((B.SUPPLEMENTED, B.SUPPLEMENTING), "disqualify", B.DISQUALIFIED, (OFFICER, ADMIN), "形式审查不通过"),
])


LIVE_CONFLICT = "该团队已有一份有效的揭榜方案"
MACHINE = Machine("bid", Bid, TRANSITIONS, BID_STATUS_LABELS,
                  conflict="揭榜方案状态已变化或揭榜已截止，请刷新页面查看", duplicate=LIVE_CONFLICT)


def transition(*, state: str, action: str, role: str | None) -> Transition:
    """Look up one step of the bid machine."""
    return step(TRANSITIONS, state=state, action=action, role=role, labels=BID_STATUS_LABELS)


def available(*, state: str, role: str | None) -> list[tuple[str, Transition]]:
    return actions_for(TRANSITIONS, state=state, role=role)


# A consortium partner's answer: the partner organisation's accounts (a university's labs or a
# company) confirm or decline; a re-submission that changes its share asks it again (the bid's team).
PARTNER_TRANSITIONS = machine([
    (P.PENDING, "confirm", P.CONFIRMED, (TEAM, COMPANY), "确认参与"),
    (P.PENDING, "decline", P.DECLINED, (TEAM, COMPANY), "拒绝参与"),
    ((P.CONFIRMED, P.DECLINED), "reopen", P.PENDING, (TEAM,), "重新请求确认"),
])
PARTNER_MACHINE = Machine("bid_partner", PartnerConfirmation, PARTNER_TRANSITIONS, PARTNER_STATUS_LABELS,
                          conflict="该合作确认已被处理，请刷新页面查看")
