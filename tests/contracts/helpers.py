"""An awarded challenge with a consortium's winning bid, and helpers to walk its contract forward."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from marketplace.accounts.models import ExpertProfile, Role, User
from marketplace.actor import Actor
from marketplace.awards.models import AwardDecision
from marketplace.contracts import files, service
from marketplace.contracts.schemas import AcceptanceIn, ContractIn, PaymentIn, ReportDecisionIn, ReportIn, VoteIn
from tests import factories as f

PDF = files.Upload("凭证.pdf", b"%PDF-1.4 voucher")
INDICATORS = [{"name": "结壳热阻", "target": "≤0.08", "unit": "K/W", "test_method": "瞬态热阻"},
              {"name": "功率循环寿命", "target": "≥50000", "unit": "次", "test_method": "功率循环"}]


@dataclass
class Scene:
    company: User
    team: User
    partner: User
    officer: User
    outsider: User
    challenge: object
    bid: object

    def a(self, session: Session, user: User) -> Actor:
        return f.actor(session, user)


def awarded(session: Session) -> Scene:
    company = f.user(session, role=Role.COMPANY)
    challenge = f.challenge(session, company=company, status="awarded", deadline_days=-60,
                            indicators=INDICATORS, period_months=12)
    team = f.user(session, role=Role.TEAM)
    partner = f.user(session, role=Role.TEAM)
    profile = f.team(session, owner=team)
    bid = f.bid(session, challenge=challenge, team_profile=profile, status="qualified",
                milestones=[{"title": "样品试制", "due_month": 6, "indicators": ["结壳热阻"]},
                            {"title": "可靠性验证", "due_month": 12, "indicators": ["功率循环寿命"]}],
                partners=[{"organisation_id": partner.organisation_id, "share_percent": 30, "role": "可靠性测试"}])
    officer = f.user(session, role=Role.OFFICER)
    session.add(AwardDecision(challenge_id=challenge.id, winning_bid_ids=[bid.id], decided_by=officer.id))
    outsider = f.user(session, role=Role.TEAM)
    session.commit()
    return Scene(company, team, partner, officer, outsider, challenge, bid)


def contract(session: Session, s: Scene, *, start: date | None = None):
    return service.create(session=session, actor=s.a(session, s.officer), challenge_id=s.challenge.id,
                          data=ContractIn(payment_shares=[40, 60], start_on=start))


def signed(session: Session, s: Scene, *, start: date | None = None):
    c = contract(session, s, start=start)
    for u in (s.company, s.team, s.partner, s.officer):
        service.sign(session=session, actor=s.a(session, u), contract_id=c.id)
    return c


def pay(session: Session, s: Scene, c, yuan: str, *, on: date | None = None, voucher=PDF, tmp=None):
    return service.record_payment(session=session, actor=s.a(session, s.company), contract_id=c.id,
                                  data=PaymentIn(amount_yuan=yuan, paid_on=on or c.signed_on), voucher=voucher,
                                  uploads_dir=tmp, max_bytes=1 << 20)


def milestones_done(session: Session, s: Scene, c, tmp) -> None:
    from sqlmodel import select

    from marketplace.contracts.models import Milestone

    for m in session.exec(select(Milestone).where(Milestone.contract_id == c.id)).all():
        service.report_milestone(session=session, actor=s.a(session, s.team), milestone_id=m.id,
                                 data=ReportIn(summary="按计划完成"), uploads=[PDF], uploads_dir=tmp,
                                 max_bytes=1 << 20)
        service.decide_report(session=session, actor=s.a(session, s.company), milestone_id=m.id,
                              data=ReportDecisionIn(confirm=True))


def expert(session: Session, **kw) -> tuple[ExpertProfile, User]:
    u = f.user(session, role=Role.EXPERT, **kw)
    e = ExpertProfile(user_id=u.id, title="教授", fields=["功率半导体"], bio="封装")
    session.add(e)
    session.commit()
    return e, u


def measurements(*names: str) -> AcceptanceIn:
    return AcceptanceIn(measurements={n: {"measured": "达标", "evidence": "第三方检测报告"} for n in names})


def votes(ok: bool = True, **override: bool) -> VoteIn:
    results = {i["name"]: ok for i in INDICATORS} | {k.replace("_", ""): v for k, v in override.items()}
    return VoteIn(results=results)


def later(days: int) -> date:
    return service.today() + timedelta(days=days)
