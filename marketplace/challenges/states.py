"""The challenge lifecycle (榜单状态机) as one transition table with the roles allowed for each step."""

from __future__ import annotations

from marketplace.actor import Role
from marketplace.challenges.models import STATUS_LABELS, Challenge
from marketplace.challenges.models import ChallengeStatus as S
from marketplace.states import Machine, Transition, actions_for, machine, step

COMPANY, OFFICER, ADMIN, SYSTEM = Role.COMPANY, Role.OFFICER, Role.ADMIN, "system"
BUREAU = (OFFICER, ADMIN)

TRANSITIONS = machine([
    # sources, action, target, roles, button label
    ((S.DRAFT, S.RETURNED), "edit", "same", (COMPANY,), "编辑"),
    # A published challenge is never taken back out of the hall by its company: an edit waits for
    # the bureau while the challenge, and every bid on it, stays where it is (T32).
    (S.PUBLISHED, "request_change", S.PUBLISHED, (COMPANY,), "修改榜单（需科技局批准）"),
    (S.PUBLISHED, "approve_change", S.PUBLISHED, BUREAU, "批准修改"),
    (S.PUBLISHED, "reject_change", S.PUBLISHED, BUREAU, "驳回修改"),
    ((S.DRAFT, S.RETURNED), "submit", S.SUBMITTED, (COMPANY,), "提交审核"),
    (S.SUBMITTED, "return", S.RETURNED, BUREAU, "退回修改"),
    (S.SUBMITTED, "publish", S.PUBLISHED, BUREAU, "审核通过并发布"),
    (S.SUBMITTED, "schedule", S.SCHEDULED, BUREAU, "审核通过，定时发布"),
    (S.SCHEDULED, "go_live", S.PUBLISHED, (SYSTEM,), "到点发布"),
    (S.PUBLISHED, "close", S.CLOSED, (SYSTEM,), "截止"),
    (S.PUBLISHED, "close_unfilled", S.UNFILLED, (SYSTEM,), "截止（无人揭榜，流榜）"),
    ((S.DRAFT, S.SUBMITTED, S.RETURNED, S.SCHEDULED), "withdraw", S.WITHDRAWN, (COMPANY, *BUREAU), "撤榜"),
    (S.PUBLISHED, "withdraw", S.WITHDRAWN, (COMPANY, *BUREAU), "撤榜"),
    (S.PUBLISHED, "request_withdrawal", S.PUBLISHED, (COMPANY,), "申请撤榜（已有揭榜方案）"),
    (S.PUBLISHED, "approve_withdrawal", S.WITHDRAWN, BUREAU, "批准撤榜"),
    (S.UNFILLED, "relist", S.UNFILLED, (COMPANY,), "重新发榜（生成新草稿）"),
    # Expert review, decision and 公示 (issue 10): marketplace/reviews and marketplace/awards.
    (S.CLOSED, "start_review", S.IN_REVIEW, BUREAU, "组建评审组，开始专家评审"),
    (S.IN_REVIEW, "decide", S.DECIDED, BUREAU, "确定中选方案"),
    ((S.CLOSED, S.IN_REVIEW), "declare_no_award", S.NO_AWARD, BUREAU, "无中选方案"),
    (S.DECIDED, "announce", S.ANNOUNCED, BUREAU, "发布公示"),
    (S.ANNOUNCED, "finalise", S.AWARDED, (SYSTEM,), "公示期满，确定揭榜方"),
    (S.ANNOUNCED, "reopen_review", S.IN_REVIEW, BUREAU, "异议成立，退回专家评审"),
    (S.ANNOUNCED, "reopen_decision", S.DECIDED, BUREAU, "异议成立，重新决定"),
    (S.NO_AWARD, "relist", S.NO_AWARD, (COMPANY,), "重新发榜（生成新草稿）"),
])


MACHINE = Machine("challenge", Challenge, TRANSITIONS, STATUS_LABELS,
                  conflict="榜单已被他人处理，请刷新页面查看最新状态")


def transition(*, state: str, action: str, role: str | None) -> Transition:
    """Look up one step of the machine, refusing anything not in the table."""
    return step(TRANSITIONS, state=state, action=action, role=role, labels=STATUS_LABELS)


def available(*, state: str, role: str | None) -> list[tuple[str, Transition]]:
    """Buttons for a role on a challenge in `state`."""
    return actions_for(TRANSITIONS, state=state, role=role)
