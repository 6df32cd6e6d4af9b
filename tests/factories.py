"""Test data builders: one per table, unique values from a counter, parents created on demand."""

from __future__ import annotations

import itertools
from functools import lru_cache

from fastapi.testclient import TestClient
from sqlmodel import Session

from marketplace.accounts.models import Organisation, OrgStatus, Role, TeamProfile, User
from marketplace.accounts.validators import GUANGZHOU_DISTRICTS, uscc_check_char
from marketplace.auth import service as auth
from marketplace.auth.actor import Actor
from marketplace.auth.passwords import hash_password
from marketplace.web.security import cookie_names

_seq = itertools.count(1)
PASSWORD = "factory-password-1"

ROLE_ORG_KIND = {Role.COMPANY: "enterprise", Role.TEAM: "university", Role.EXPERT: "university",
                 Role.OFFICER: "bureau", Role.ADMIN: "bureau"}


@lru_cache
def password_hash() -> str:
    return hash_password(PASSWORD)


def valid_uscc(n: int) -> str:
    base = "91440101MA" + f"{n % 10**7:07d}"
    return base + uscc_check_char(base)


def organisation(session: Session, *, kind: str = "enterprise", verified: bool = True, **kw) -> Organisation:
    n = next(_seq)
    org = Organisation(
        kind=kind, name=kw.pop("name", f"测试单位{n}"), uscc=kw.pop("uscc", valid_uscc(n)),
        district=kw.pop("district", GUANGZHOU_DISTRICTS[n % 11]),
        status=OrgStatus.VERIFIED if verified else OrgStatus.PENDING, **kw,
    )
    session.add(org)
    session.flush()
    return org


def user(session: Session, *, role: str = Role.COMPANY, org: Organisation | None = None,
         verified: bool = True, **kw) -> User:
    n = next(_seq)
    if org is None and role in ROLE_ORG_KIND:
        org = organisation(session, kind=ROLE_ORG_KIND[role], verified=verified)
    u = User(email=kw.pop("email", f"user{n}@test.example"), mobile=kw.pop("mobile", None),
             display_name=kw.pop("display_name", f"用户{n}"), password_hash=password_hash(),
             role=role, organisation_id=org.id if org else None, **kw)
    session.add(u)
    session.flush()
    return u


def team(session: Session, *, owner: User | None = None, **kw) -> TeamProfile:
    owner = owner or user(session, role=Role.TEAM)
    t = TeamProfile(organisation_id=owner.organisation_id, owner_id=owner.id,
                    name=kw.pop("name", f"测试团队{next(_seq)}"), leader=kw.pop("leader", "张教授"),
                    profile=kw.pop("profile", "面向碳化硅功率器件的封装与可靠性研究"), **kw)
    session.add(t)
    session.flush()
    return t


def actor(session: Session, u: User) -> Actor:
    return auth.actor_for(session=session, user=u)


def login(client: TestClient, session: Session, u: User) -> TestClient:
    """Give a test client a live web session for a user (without the cost of a password check)."""
    token = auth._open_session(session=session, user=u, kind="web")
    session.commit()
    client.cookies.set(cookie_names(False)[0], token)
    return client


def csrf(client: TestClient) -> str:
    """The CSRF token of this client (fetching a page first if the cookie is not set yet)."""
    token = client.cookies.get("jb_csrf")
    if not token:
        client.get("/")
        token = client.cookies.get("jb_csrf")
    return token
