"""Who may do what with accounts; each predicate returns (allowed, reason)."""

from __future__ import annotations

from marketplace.accounts.models import Role
from marketplace.auth.actor import Actor

Decision = tuple[bool, str]


def can_verify_organisation(actor: Actor) -> Decision:
    if actor.has_role(Role.OFFICER, Role.ADMIN):
        return True, ""
    return False, "只有科技局工作人员可以认证单位"


def can_manage_users(actor: Actor) -> Decision:
    if actor.has_role(Role.ADMIN):
        return True, ""
    return False, "只有系统管理员可以管理账号"


def can_edit_team_profile(actor: Actor, *, owner_id: int, organisation_id: int) -> Decision:
    if actor.has_role(Role.TEAM) and (actor.user_id == owner_id or actor.organisation_id == organisation_id):
        return True, ""
    return False, "只能编辑本单位的团队画像"


def can_create_team_profile(actor: Actor) -> Decision:
    if actor.has_role(Role.TEAM) and actor.organisation_id is not None:
        return True, ""
    return False, "只有高校或科研院所的团队账号可以创建团队画像"
