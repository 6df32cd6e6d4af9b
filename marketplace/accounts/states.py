"""The organisation verification machine (单位认证) as one transition table."""

from __future__ import annotations

from marketplace.accounts.models import ORG_STATUS_LABELS, Organisation
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
