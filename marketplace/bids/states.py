"""The bid lifecycle (揭榜方案状态机); later stages (shortlisted, won, lost) come with the review issue."""

from __future__ import annotations

from marketplace.actor import Role
from marketplace.bids.models import BID_STATUS_LABELS, Bid
from marketplace.bids.models import BidStatus as B
from marketplace.states import Machine, Transition, actions_for, machine, step

TEAM, OFFICER, ADMIN = Role.TEAM, Role.OFFICER, Role.ADMIN

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
])


LIVE_CONFLICT = "该团队已有一份有效的揭榜方案"
MACHINE = Machine("bid", Bid, TRANSITIONS, BID_STATUS_LABELS,
                  conflict="揭榜方案状态已变化或揭榜已截止，请刷新页面查看", duplicate=LIVE_CONFLICT)


def transition(*, state: str, action: str, role: str | None) -> Transition:
    """Look up one step of the bid machine."""
    return step(TRANSITIONS, state=state, action=action, role=role, labels=BID_STATUS_LABELS)


def available(*, state: str, role: str | None) -> list[tuple[str, Transition]]:
    return actions_for(TRANSITIONS, state=state, role=role)
