"""Builders for the bid tests: a published challenge, the cast of actors, bid payloads."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from sqlmodel import Session

from marketplace.actor import Role
from marketplace.bids import service
from marketplace.bids.schemas import BidIn
from marketplace.challenges.models import Challenge
from marketplace.clock import utcnow
from tests import factories as f

INDICATORS = [{"name": "结壳热阻", "target": "≤0.08", "unit": "K/W", "test_method": ""},
              {"name": "功率循环寿命", "target": "≥50000", "unit": "次", "test_method": ""}]


def open_challenge(session: Session, owner, *, days: float = 7, **kw) -> Challenge:
    """A published challenge of the owner's company closing in `days`, with the two indicators above."""
    return f.challenge(session, company=owner, deadline_days=days, title=kw.pop("title", "车规级碳化硅功率模块封装"),
                       industry="智能与新能源汽车", indicators=INDICATORS, deliverables="样品与工艺包",
                       committed_funds_fen=200_000_000, offered_fen=kw.pop("offered_fen", 100_000_000),
                       published_at=utcnow() - timedelta(days=3), **kw)


def close(session: Session, c: Challenge) -> None:
    """Move the deadline into the past (the stored status lags, as it would before the tick)."""
    c.bid_deadline = utcnow() - timedelta(minutes=1)
    session.add(c)
    session.commit()


def payload(team_id: int, **kw) -> dict:
    """A complete, submittable bid as the API takes it."""
    data = {"team_id": team_id, "technical_route": "氮化硅AMB基板+纳米银烧结+双面冷却",
            "milestones": [{"title": "仿真定型", "due_month": 6, "indicators": ["结壳热阻"]},
                           {"title": "样品交付", "due_month": 24, "indicators": ["结壳热阻", "功率循环寿命"]}],
            "price_yuan": "800000.00", "budget_company_yuan": "800000", "budget_own_yuan": "100000",
            "budget_subsidy_yuan": "160000", "members": [{"name": "陈志远", "role": "项目负责人"}],
            "prior_results": "已完成样品", "partners": [], "declare_no_double_funding": True,
            "declare_ownership": True, "declare_conflicts": ""}
    data.update(kw)
    return data


def cast(session: Session) -> SimpleNamespace:
    """Every kind of actor around one published challenge."""
    w = SimpleNamespace()
    w.owner = f.user(session, role=Role.COMPANY)
    w.other_company = f.user(session, role=Role.COMPANY)
    w.team = f.user(session, role=Role.TEAM)
    w.same_org_team = f.user(session, role=Role.TEAM, org=_org(session, w.team))
    w.other_team = f.user(session, role=Role.TEAM)
    w.expert = f.user(session, role=Role.EXPERT)
    w.officer = f.user(session, role=Role.OFFICER)
    w.profile = f.team(session, owner=w.team)
    w.other_profile = f.team(session, owner=w.other_team)
    w.sibling_profile = f.team(session, owner=w.same_org_team)  # another lab of the same university
    w.challenge = open_challenge(session, w.owner)
    return w


def add_member(session: Session, profile, owner):
    """A second account of the owner's organisation, added to the team by its owner."""
    from marketplace.accounts import service as accounts

    member = f.user(session, role=Role.TEAM, org=_org(session, owner))
    accounts.add_team_member(session=session, actor=f.actor(session, owner), team_id=profile.id,
                             login=member.email)
    return member


def _org(session: Session, u):
    from marketplace.accounts.models import Organisation

    return session.get(Organisation, u.organisation_id)


def submit(session: Session, user, profile, c: Challenge, **kw):
    """Save and submit a bid as `user` through the service."""
    return service.save(session=session, actor=f.actor(session, user), challenge_id=c.id,
                        data=BidIn.model_validate(payload(kw.pop("team_id", profile.id), **kw)), submit=True)
