"""Account commands. Each: authorise → check → mutate → audit → commit once."""

from __future__ import annotations

from sqlmodel import Session, func, select

from marketplace import states
from marketplace.accounts import documents, permissions, queries
from marketplace.accounts.models import (
    ExpertProfile,
    JoinRequest,
    JoinStatus,
    Organisation,
    OrgKind,
    OrgStatus,
    TeamMember,
    TeamProfile,
    User,
)
from marketplace.accounts.passwords import hash_password, verify_password
from marketplace.accounts.schemas import (
    PasswordChangeIn,
    RegistrationIn,
    TeamProfileIn,
    UserCreateIn,
    VerificationIn,
)
from marketplace.accounts.sessions import sessions as auth_sessions
from marketplace.accounts.states import JOIN, MACHINE
from marketplace.actor import SYSTEM, Actor, Role
from marketplace.audit import service as audit
from marketplace.clock import utcnow
from marketplace.db import serialize_writers, use_case
from marketplace.errors import Conflict, NotFound, RuleViolation
from marketplace.states import require

_ADMINS_LOCK = 0x4A42_0002
LAST_ADMIN = "不能停用或降级最后一位有效的系统管理员，否则将无人能管理账号"


def _keep_an_admin(session: Session, user: User, *, role: str, active: bool) -> None:
    """Refuse a change that would leave no active admin (the platform could no longer be managed)."""
    if not (user.role == Role.ADMIN and user.is_active) or (role == Role.ADMIN and active):
        return
    serialize_writers(session, _ADMINS_LOCK)  # two admins demoting each other at once: one wins
    others = session.exec(select(func.count()).select_from(User).where(
        User.role == Role.ADMIN, User.is_active == True, User.id != user.id)).one()  # noqa: E712
    if others == 0:
        raise Conflict(LAST_ADMIN)


def _check_contact_free(*, session: Session, email: str | None, mobile: str | None) -> None:
    fields = {}
    if email and session.exec(select(User.id).where(func.lower(User.email) == email.lower())).first():
        fields["email"] = "该邮箱已注册"
    if mobile and session.exec(select(User.id).where(User.mobile == mobile)).first():
        fields["mobile"] = "该手机号已注册"
    if fields:
        raise Conflict("账号信息与已有账号重复", fields=fields)


def register(*, session: Session, data: RegistrationIn, address: str | None = None) -> User:
    """Self-registration: a pending organisation and its first user (company or team).

    `address` is the client's network address for requests from the web and API (rate-limited there, see
    `auth.service.note_registration`); the demo loader and the CLI pass none. The password is hashed before the
    duplicate checks so that "already registered" takes as long as a registration.
    """
    if address is not None:  # its own use case: the count is committed even when the registration fails
        auth_sessions().note_registration(session=session, address=address)
    return _register(session=session, data=data)


@use_case
def _register(*, session: Session, data: RegistrationIn) -> User:
    password_hash = hash_password(data.password)
    existing = session.exec(select(Organisation).where(Organisation.uscc == data.uscc)).first()
    if existing is not None:
        return _request_to_join(session, existing, data, password_hash)
    _check_contact_free(session=session, email=data.email, mobile=data.mobile)
    org = Organisation(
        kind=data.org_kind, name=data.org_name, uscc=data.uscc, district=data.district,
        region=data.region,
        qualifications=data.qualifications if data.org_kind == OrgKind.ENTERPRISE else [],
        industries=data.industries, status=OrgStatus.PENDING, legal_representative=data.legal_representative,
    )
    session.add(org)
    session.flush()
    role = Role.COMPANY if data.org_kind == OrgKind.ENTERPRISE else Role.TEAM
    user = User(email=data.email, mobile=data.mobile, display_name=data.display_name,
                password_hash=password_hash, role=role, organisation_id=org.id)
    session.add(user)
    session.flush()
    audit.record(session=session, actor=Actor(user.id, role, org.id, user.display_name),
                 action="account.registered", subject_type="organisation", subject_id=org.id,
                 summary={"org": org.name, "kind": org.kind, "user_id": user.id, "role": role})
    return user


def _request_to_join(session: Session, org: Organisation, data: RegistrationIn, password_hash: str) -> User:
    """A registration with an already-registered 统一社会信用代码 (a second lab of a university): the
    account is made inactive, with a join request the organisation's users (or the bureau) decide."""
    if org.kind == OrgKind.BUREAU or (org.kind == OrgKind.ENTERPRISE) != (data.org_kind == OrgKind.ENTERPRISE):
        message = "该统一社会信用代码已由其他类型的单位注册，请核对单位类型或联系科技局"
        raise Conflict(message, fields={"uscc": message})
    _check_contact_free(session=session, email=data.email, mobile=data.mobile)
    role = Role.COMPANY if org.kind == OrgKind.ENTERPRISE else Role.TEAM
    user = User(email=data.email, mobile=data.mobile, display_name=data.display_name,
                password_hash=password_hash, role=role, organisation_id=org.id, is_active=False)
    session.add(user)
    session.flush()
    request = JoinRequest(organisation_id=org.id, user_id=user.id, note=data.org_name[:200])
    session.add(request)
    session.flush()
    audit.record(session=session, actor=Actor(user.id, role, None, user.display_name),
                 action="join_request.requested", subject_type="organisation", subject_id=org.id,
                 summary={"join_request_id": request.id, "user_id": user.id, "role": role})
    return user


def pending_join(*, session: Session, user_id: int) -> JoinRequest | None:
    """The user's join request while it waits."""
    return session.exec(select(JoinRequest).where(JoinRequest.user_id == user_id,
                                                  JoinRequest.status == JoinStatus.PENDING)).first()


@use_case
def decide_join(*, session: Session, actor: Actor, request_id: int, approve: bool, reason: str = "") -> JoinRequest:
    """Approve (the account becomes active) or reject a join request; only one decision counts."""
    request = session.get(JoinRequest, request_id)
    if request is None:
        raise NotFound("加入申请不存在")
    require(permissions.can_decide_join(actor, organisation_id=request.organisation_id,
                                        applicant_id=request.user_id))
    reason = " ".join(reason.split())[:200]
    if not approve and not reason:
        raise RuleViolation("请填写拒绝的理由", fields={"reason": "请填写拒绝的理由"})
    states.apply(session, request, JOIN, "approve" if approve else "reject", actor=actor,
                 summary={"user_id": request.user_id, "organisation_id": request.organisation_id,
                          **({"reason": reason} if reason else {})},
                 decided_by=actor.user_id, decided_at=utcnow(), reason=reason)
    if approve:
        user = session.get(User, request.user_id)
        user.is_active = True
        session.add(user)
        session.flush()
    return request


def verify_organisation(*, session: Session, actor: Actor, organisation_id: int,
                        data: VerificationIn) -> Organisation:
    """Verify (or reject) a pending organisation (科技局认证)."""
    require(permissions.can_verify_organisation(actor))
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("单位不存在")
    if org.status == OrgStatus.VERIFIED:
        raise Conflict("该单位已认证")
    region_before = org.region
    region = {"region": data.region} if data.region is not None else {}
    states.apply(session, org, MACHINE, "verify" if data.approve else "reject", actor=actor,
                 summary={"comment": data.comment,
                          **({"region": [region_before, data.region]} if region and data.region != region_before
                             else {})},
                 review_comment=data.comment, verified_at=utcnow() if data.approve else None, **region)
    return org


@use_case
def create_user(*, session: Session, actor: Actor, data: UserCreateIn) -> User:
    """Create an account (officers and experts are created this way, by an admin)."""
    if actor is not SYSTEM:
        require(permissions.can_manage_users(actor))
    if data.organisation_id is not None and session.get(Organisation, data.organisation_id) is None:
        raise RuleViolation("所属单位不存在", fields={"organisation_id": "所属单位不存在"})
    _check_contact_free(session=session, email=data.email, mobile=data.mobile)
    user = User(email=data.email, mobile=data.mobile, display_name=data.display_name,
                password_hash=hash_password(data.password), role=data.role,
                organisation_id=data.organisation_id)
    session.add(user)
    session.flush()
    if data.role == Role.EXPERT:
        session.add(ExpertProfile(user_id=user.id))
    audit.record(session=session, actor=actor, action="user.created", subject_type="user",
                 subject_id=user.id, summary={"role": data.role, "organisation_id": data.organisation_id})
    return user


@use_case
def change_role(*, session: Session, actor: Actor, user_id: int, role: str) -> User:
    """Change a user's role (admin); every session of that user ends."""
    require(permissions.can_manage_users(actor))
    if role not in set(Role):
        raise RuleViolation("角色无效", fields={"role": "角色无效"})
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在")
    _keep_an_admin(session, user, role=role, active=user.is_active)
    before = user.role
    user.role = role
    session.add(user)
    auth_sessions().revoke_all_sessions(session=session, user_id=user.id)
    audit.record(session=session, actor=actor, action="user.role_changed", subject_type="user",
                 subject_id=user.id, summary={"before": before, "after": role})
    return user


@use_case
def set_active(*, session: Session, actor: Actor, user_id: int, active: bool) -> User:
    """Disable (or re-enable) an account (admin); disabling ends every session and token."""
    require(permissions.can_manage_users(actor))
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在")
    if user.id == actor.user_id and not active:
        raise Conflict("不能停用自己的账号")
    if user.is_active == active:
        raise Conflict("账号已是该状态")
    _keep_an_admin(session, user, role=user.role, active=active)
    user.is_active = active
    session.add(user)
    if not active:
        auth_sessions().revoke_all_sessions(session=session, user_id=user.id)
    audit.record(session=session, actor=actor, action="user.enabled" if active else "user.disabled",
                 subject_type="user", subject_id=user.id)
    return user


@use_case
def change_password(*, session: Session, actor: Actor, data: PasswordChangeIn) -> None:
    """Change one's own password; every session and token of the user ends."""
    user = session.get(User, actor.user_id) if actor.user_id else None
    if user is None:
        raise NotFound("用户不存在")
    if not verify_password(data.current_password, user.password_hash):
        raise RuleViolation("当前密码不正确", fields={"current_password": "当前密码不正确"})
    now = utcnow()
    user.password_hash = hash_password(data.new_password)
    user.password_changed_at = now
    session.add(user)
    auth_sessions().revoke_all_sessions(session=session, user_id=user.id, at=now)
    audit.record(session=session, actor=actor, action="user.password_changed", subject_type="user",
                 subject_id=user.id)


@use_case
def save_team_profile(*, session: Session, actor: Actor, data: TeamProfileIn,
                      team_id: int | None = None) -> TeamProfile:
    """Create or update a research-team profile (科研团队画像)."""
    if team_id is None:
        require(permissions.can_create_team_profile(actor))
        team = TeamProfile(organisation_id=actor.organisation_id, owner_id=actor.user_id,
                           **data.model_dump())
        action = "team.created"
    else:
        team = session.get(TeamProfile, team_id)
        if team is None:
            raise NotFound("团队不存在")
        require(permissions.can_edit_team_profile(actor, team_id=team.id))
        for key, value in data.model_dump().items():
            setattr(team, key, value)
        action = "team.updated"
    team.updated_at = utcnow()
    session.add(team)
    session.flush()
    audit.record(session=session, actor=actor, action=action, subject_type="team",
                 subject_id=team.id, summary={"name": team.name})
    documents.team_changed(session=session, team=team)
    return team


def _own_team(session: Session, actor: Actor, team_id: int) -> TeamProfile:
    team = session.get(TeamProfile, team_id)
    if team is None:
        raise NotFound("团队不存在")
    require(permissions.can_manage_team_members(actor, owner_id=team.owner_id))
    return team


@use_case
def add_team_member(*, session: Session, actor: Actor, team_id: int, login: str) -> User:
    """The team's owner adds an account of the same organisation; it then reads and acts on the team's bids."""
    team = _own_team(session, actor, team_id)
    user = queries.find_user_by_login(session=session, login=login)
    if user is None or user.role != Role.TEAM or user.organisation_id != team.organisation_id \
            or not user.is_active:
        raise RuleViolation("请填写本单位有效的科研团队账号（邮箱或手机号）",
                            fields={"login": "请填写本单位有效的科研团队账号（邮箱或手机号）"})
    exists = session.exec(select(TeamMember.id).where(TeamMember.team_id == team.id,
                                                      TeamMember.user_id == user.id)).first()
    if exists or user.id == team.owner_id:
        raise Conflict("该账号已是团队成员")
    session.add(TeamMember(team_id=team.id, user_id=user.id, added_by=actor.user_id))
    session.flush()
    audit.record(session=session, actor=actor, action="team.member_added", subject_type="team",
                 subject_id=team.id, summary={"user_id": user.id})
    return user


@use_case
def remove_team_member(*, session: Session, actor: Actor, team_id: int, user_id: int) -> None:
    """The owner removes an added account; it loses the team's bids at once."""
    team = _own_team(session, actor, team_id)
    row = session.exec(select(TeamMember).where(TeamMember.team_id == team.id,
                                                TeamMember.user_id == user_id)).first()
    if row is None:
        raise NotFound("该账号不是团队成员")
    session.delete(row)
    session.flush()
    audit.record(session=session, actor=actor, action="team.member_removed", subject_type="team",
                 subject_id=team.id, summary={"user_id": user_id})
