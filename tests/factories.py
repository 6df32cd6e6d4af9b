"""The test data factories for every domain (accounts, challenges, bids): one builder per table, unique
values from a counter, parents created on demand, every field overridable. New workflows add theirs here."""

from __future__ import annotations

import itertools
from functools import lru_cache

from fastapi.testclient import TestClient
from sqlmodel import Session

from marketplace.accounts.models import Organisation, OrgStatus, TeamProfile, User
from marketplace.accounts.passwords import hash_password
from marketplace.accounts.validators import GUANGZHOU_DISTRICTS, uscc_check_char
from marketplace.actor import Actor, Role
from marketplace.auth import service as auth
from marketplace.config import get_settings
from marketplace.web.security import cookie_names, session_csrf_token

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
    """The CSRF token of this client: bound to its session when logged in, else the cookie token."""
    if session := client.cookies.get(cookie_names(False)[0]):
        return session_csrf_token(get_settings().secret_key, session)
    token = client.cookies.get("jb_csrf")
    if not token:
        client.get("/")
        token = client.cookies.get("jb_csrf")
    return token


def challenge_data(**overrides) -> dict:
    """A valid ChallengeIn payload (deadline 30 days ahead, Shanghai local time)."""
    from datetime import timedelta

    from marketplace.clock import to_shanghai, utcnow

    deadline = to_shanghai(utcnow() + timedelta(days=30)).replace(tzinfo=None, second=0, microsecond=0)
    data = {
        "title": "车规级碳化硅功率模块低热阻封装", "industry": "智能与新能源汽车", "weak_link": "核心零部件",
        "background": "新能源汽车主驱逆变器需要国产化的碳化硅功率模块。",
        "bottleneck": "焊料层热阻偏高，功率循环寿命不足两万次。",
        "indicators": [{"name": "结壳热阻", "target": "≤0.08", "unit": "K/W", "test_method": "瞬态热阻测试"}],
        "deliverables": "工程样品 50 只及工艺文件", "trl_target": 6, "scenario": "800V 平台",
        "period_months": 24, "committed_funds_yuan": "8000000", "offered_yuan": "5000000",
        "ip_terms": "exclusive", "award_mode": "single", "requirements": "具备封装中试线",
        "bid_deadline": deadline.isoformat(timespec="minutes"), "contact_name": "陈工",
        "confidential_annex": "散热器图纸与任务剖面数据",
    }
    return data | overrides


def challenge(session: Session, *, company: User | None = None, org: Organisation | None = None,
              status: str = "published", deadline_days: float = 30, **kw):
    """A challenge row written directly, in any state (every field can be overridden).

    The posting company is `company`, else a new company user of `org`, else a new company.
    """
    from datetime import timedelta

    from marketplace.challenges.models import Challenge
    from marketplace.clock import utcnow

    company = company or user(session, role=Role.COMPANY, org=org)
    now = utcnow()
    c = Challenge(
        organisation_id=company.organisation_id, created_by=company.id, status=status,
        title=kw.pop("title", f"测试榜单{next(_seq)}"), industry=kw.pop("industry", "新一代信息技术"),
        background=kw.pop("background", "背景" * 10), bottleneck=kw.pop("bottleneck", "瓶颈" * 10),
        deliverables=kw.pop("deliverables", "交付物"),
        indicators=kw.pop("indicators", [{"name": "指标一", "target": "≥1", "unit": "", "test_method": ""}]),
        committed_funds_fen=kw.pop("committed_funds_fen", 800_000_000), offered_fen=kw.pop("offered_fen", 500_000_000),
        bid_deadline=kw.pop("bid_deadline", now + timedelta(days=deadline_days)),
        published_at=kw.pop("published_at", now - timedelta(days=1) if status != "draft" else None), **kw)
    session.add(c)
    session.flush()
    return c


def bid(session: Session, *, challenge, team_profile=None, status: str = "submitted", **kw):
    """A bid row written directly (bypassing the bid service, for challenge-side tests)."""
    from marketplace.bids.models import Bid
    from marketplace.clock import utcnow

    team_profile = team_profile or team(session)
    b = Bid(challenge_id=challenge.id, team_id=team_profile.id, organisation_id=team_profile.organisation_id,
            created_by=team_profile.owner_id, status=status, technical_route=kw.pop("technical_route", "技术路线"),
            price_fen=kw.pop("price_fen", 400_000_000), submitted_at=utcnow() if status != "draft" else None,
            live_slot=None if status == "withdrawn" else 1, **kw)
    session.add(b)
    session.flush()
    return b
