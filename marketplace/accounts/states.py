"""The organisation verification machine (单位认证) as one transition table."""

from __future__ import annotations

from marketplace.accounts.models import JOIN_STATUS_LABELS, ORG_STATUS_LABELS, JoinRequest, Organisation
from marketplace.accounts.models import JoinStatus as J
from marketplace.accounts.models import OrgStatus as O
from marketplace.actor import Role
from marketplace.states import Machine, machine

BUREAU = (Role.OFFICER, Role.ADMIN)

TRANSITIONS = machine([
    # sources, action, target, roles, button label
    ((O.PENDING, O.REJECTED), "verify", O.VERIFIED, BUREAU, "认证通过"),
    ((O.PENDING, O.REJECTED), "reject", O.REJECTED, BUREAU, "认证不通过"),
])

MACHINE = Machine("organisation", Organisation, TRANSITIONS, ORG_STATUS_LABELS,
                  conflict="该单位的认证状态已被他人更改，请刷新页面")

# A registration with an already-registered 统一社会信用代码 waits for the organisation (加入已注册单位):
# a user of that verified organisation, or the bureau, decides once (accounts.permissions.can_decide_join).
JOIN_MEMBERS = (Role.COMPANY, Role.TEAM, *BUREAU)
JOIN_TRANSITIONS = machine([
    (J.PENDING, "approve", J.APPROVED, JOIN_MEMBERS, "同意加入"),
    (J.PENDING, "reject", J.REJECTED, JOIN_MEMBERS, "拒绝"),
])
JOIN = Machine("join_request", JoinRequest, JOIN_TRANSITIONS, JOIN_STATUS_LABELS,
               conflict="该加入申请已被他人处理，请刷新页面")
