"""Who may do what with accounts; each predicate returns (allowed, reason)."""

from __future__ import annotations

from marketplace.actor import Actor, Role

Decision = tuple[bool, str]


def can_verify_organisation(actor: Actor) -> Decision:
    if actor.has_role(Role.OFFICER, Role.ADMIN):
        return True, ""
    return False, "只有科技局工作人员可以认证单位"


def can_manage_users(actor: Actor) -> Decision:
    if actor.has_role(Role.ADMIN):
        return True, ""
    return False, "只有系统管理员可以管理账号"


def is_team_member(actor: Actor, team_id: int) -> bool:
    """The actor belongs to the team (its owner, or a user the owner added); other labs do not."""
    return actor.has_role(Role.TEAM) and team_id in actor.team_ids


def can_edit_team_profile(actor: Actor, *, team_id: int) -> Decision:
    """A profile is its team's: the team's own accounts edit it, not the organisation's other labs."""
    if is_team_member(actor, team_id):
        return True, ""
    return False, "只能编辑本团队的团队画像"


def can_manage_team_members(actor: Actor, *, owner_id: int) -> Decision:
    """Only the team's owner adds or removes the accounts that act for the team."""
    if actor.has_role(Role.TEAM) and actor.user_id == owner_id:
        return True, ""
    return False, "只有团队负责人账号可以管理团队成员"


def can_create_team_profile(actor: Actor) -> Decision:
    if actor.has_role(Role.TEAM) and actor.organisation_id is not None:
        return True, ""
    return False, "只有高校或科研院所的团队账号可以创建团队画像"


def can_decide_join(actor: Actor, *, organisation_id: int, applicant_id: int) -> Decision:
    """A join request is decided by a user of that organisation once it is verified, or by the bureau."""
    if actor.has_role(Role.OFFICER, Role.ADMIN):
        return True, ""
    if actor.has_role(Role.COMPANY, Role.TEAM) and actor.organisation_id == organisation_id \
            and actor.org_verified and actor.user_id != applicant_id:
        return True, ""
    return False, "只有本单位已认证的账号或科技局可以处理加入申请"
