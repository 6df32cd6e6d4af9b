"""Joining an already-registered organisation (加入已注册单位, issue 13).

A registration whose 统一社会信用代码 is already registered (a second lab head of 华南理工大学) makes an
inactive account and a join request (accounts.service._request_to_join). The organisation's users — once
the organisation is verified — and the bureau are told; one of them approves (the account becomes active
and can log in) or rejects with a reason; the applicant is told by e-mail. One decision counts: the
request moves through accounts.states.JOIN with a guarded UPDATE.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from marketplace.accounts import service as accounts
from marketplace.accounts.models import ROLE_LABELS, JoinRequest, JoinStatus, Organisation, User
from marketplace.accounts.schemas import RegistrationIn
from marketplace.accounts.sessions import sessions as auth_sessions
from marketplace.actor import Actor, Role
from marketplace.db import use_case
from marketplace.notifications import service as notifications
from marketplace.notifications.models import Kind

LINK = "/organisation/join-requests"


def register(*, session: Session, data: RegistrationIn, address: str | None = None) -> User:
    """Self-registration as `accounts.register`; a join request also tells those who decide it."""
    if address is not None:  # its own use case: the count is committed even when the registration fails
        auth_sessions().note_registration(session=session, address=address)
    return _register(session=session, data=data)


def note_registration(*, session: Session, address: str) -> None:
    """Count a registration attempt from an address (its own transaction; refused over the limit)."""
    auth_sessions().note_registration(session=session, address=address)


@use_case
def _register(*, session: Session, data: RegistrationIn) -> User:
    user = accounts._register(session=session, data=data)
    if not user.is_active:
        org = session.get(Organisation, user.organisation_id)
        notifications.notify(
            session=session, kind=Kind.MEMBERSHIP, user_ids=deciders(session=session, organisation=org),
            title=f"加入申请：{user.display_name} 申请加入{org.name}",
            body=f"{user.display_name}（{ROLE_LABELS.get(user.role, user.role)}）以本单位统一社会信用代码注册，"
                 "请确认是否为本单位人员。", link=LINK)
    return user


def deciders(*, session: Session, organisation: Organisation) -> list[int]:
    """Who may decide: the organisation's active users once it is verified, and the bureau's officers."""
    officers = session.exec(select(User.id).where(User.role == Role.OFFICER, User.is_active == True)).all()  # noqa: E712
    members: list[int] = []
    if organisation.is_verified:
        members = list(session.exec(select(User.id).where(User.organisation_id == organisation.id,
                                                          User.is_active == True)).all())  # noqa: E712
    return [*members, *officers]


@use_case
def decide(*, session: Session, actor: Actor, request_id: int, approve: bool, reason: str = "") -> JoinRequest:
    """Approve or reject; the applicant hears the outcome (inbox and e-mail)."""
    request = accounts.decide_join(session=session, actor=actor, request_id=request_id, approve=approve,
                                   reason=reason)
    org = session.get(Organisation, request.organisation_id)
    if approve:
        title, body = f"已同意您加入{org.name}", "您的账号已启用，现在可以登录。"
    else:
        title, body = f"{org.name}未同意您的加入申请", f"理由：{request.reason}"
    notifications.notify(session=session, kind=Kind.MEMBERSHIP, user_ids=[request.user_id], title=title,
                         body=body, link="/login")
    return request


@dataclass(frozen=True)
class PendingJoin:
    request: JoinRequest
    user: User
    organisation: Organisation


def pending_for(*, session: Session, actor: Actor) -> list[PendingJoin]:
    """The join requests this actor may decide: its own verified organisation's, or all (bureau)."""
    stmt = (select(JoinRequest, User, Organisation).join(User, col(User.id) == JoinRequest.user_id)
            .join(Organisation, col(Organisation.id) == JoinRequest.organisation_id)
            .where(JoinRequest.status == JoinStatus.PENDING).order_by(col(JoinRequest.id)))
    if not actor.has_role(Role.OFFICER, Role.ADMIN):
        if not (actor.has_role(Role.COMPANY, Role.TEAM) and actor.org_verified):
            return []
        stmt = stmt.where(JoinRequest.organisation_id == actor.organisation_id)
    return [PendingJoin(r, u, o) for r, u, o in session.exec(stmt.limit(200)).all()]
