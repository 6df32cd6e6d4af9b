"""Demo contracts in every state, so each contract page shows real content after `make run`.

The demo has no awarded challenges of its own, so this loader writes seven awarded challenges (rows
with their winning bid and award decision, like the other demo loaders write their seeded states),
then walks each contract through the contract services — signing, reports, payments, checks,
acceptance — with the clock set back to when each step would have happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from sqlmodel import Session, col, select

from marketplace import db
from marketplace.accounts.models import ExpertProfile, Organisation, Role, TeamProfile, User
from marketplace.actor import Actor
from marketplace.auth.service import actor_for
from marketplace.awards.models import AwardDecision
from marketplace.bids import partners as bid_partners
from marketplace.bids.models import Bid
from marketplace.bids.models import BidStatus as B
from marketplace.bids.service import receipt_hash
from marketplace.challenges.models import Challenge
from marketplace.challenges.models import ChallengeStatus as S
from marketplace.clock import utcnow
from marketplace.config import get_settings
from marketplace.contracts import files, lifecycle, progress, service
from marketplace.contracts.models import Milestone
from marketplace.contracts.schemas import (
    AcceptanceIn,
    ConcludeIn,
    ContractIn,
    MidtermIn,
    PaymentIn,
    ReportDecisionIn,
    ReportIn,
    VoteIn,
)
from marketplace.errors import Conflict
from marketplace.money import fen_from_yuan

VOUCHER = files.Upload("银行回单.pdf", b"%PDF-1.4\n% demo bank receipt\n")
REPORT = files.Upload("阶段报告.pdf", b"%PDF-1.4\n% demo milestone report\n")
MONTH = timedelta(days=30)


@dataclass
class Spec:
    key: str
    company: str
    team: str                      # TeamProfile key
    title: str
    indicators: list[tuple[str, str, str]]
    price_yuan: str
    committed_yuan: str
    state: str                     # signing / overdue / accepting / passed / rectified / failed / terminated
    months_ago: int                # when the contract was signed
    partner: str | None = None     # organisation key of a consortium partner (30%)
    payments: list[tuple[str, int, str]] = field(default_factory=list)  # (yuan, months after signing, status)
    policy: str | None = None      # the subsidy policy attached to the contract (None → JB-COMPLETION)
    published: bool = False        # both sides agreed to publish its progress (/projects/{id}, open data)


LIVE_STATES = ("signing", "overdue", "accepting")
ENDED_BY = datetime(2025, 12, 10, 2, 0, tzinfo=UTC)

SPECS = [
    Spec("demo-contract-signing", "suichi-auto", "scut-sic-lab", "车规级碳化硅模块银烧结工艺验证",
         [("剪切强度", "≥40", "MPa"), ("功率循环寿命", "≥50000", "次")], "3600000", "5000000", "signing", 0,
         partner="sysu"),
    Spec("demo-contract-overdue", "suichi-auto", "scut-sic-lab", "800V 电驱碳化硅功率模块双面散热封装",
         [("结壳热阻", "≤0.08", "K/W"), ("功率循环寿命", "≥60000", "次")], "4200000", "6000000", "overdue", 8,
         payments=[("1200000", 1, "checked"), ("800000", 4, "received"), ("400000", 7, "recorded")], published=True),
    Spec("demo-contract-accepting", "suichi-auto", "sysu-power-rel", "车规级功率器件可靠性加速试验平台",
         [("试验通道数", "≥64", "路"), ("温度控制精度", "≤±0.5", "℃")], "2800000", "4000000", "accepting", 13,
         payments=[("1400000", 1, "checked"), ("1400000", 9, "checked")]),
    Spec("demo-contract-passed", "kanghua-bio", "scut-polymer", "生物反应器一次性袋膜材料国产化",
         [("膜材透氧率", "≤0.5", "cc/m²·d"), ("可萃取物", "符合 USP <665>", "")], "3000000", "4500000", "passed", 14,
         payments=[("1500000", 1, "checked"), ("1500000", 8, "checked")], published=True),
    Spec("demo-contract-rectified", "minghui-display", "sysu-microled", "Micro LED 巨量转移良率提升",
         [("转移良率", "≥99.99", "%"), ("转移速度", "≥5000", "颗/小时")], "5000000", "7000000", "rectified", 16,
         payments=[("2000000", 2, "checked"), ("2000000", 10, "checked")], policy="JB-STAGED"),
    Spec("demo-contract-failed", "lingnan-rail", "scut-vehicle-sim", "地铁转向架在线监测算法",
         [("故障识别率", "≥95", "%"), ("误报率", "≤2", "%")], "1800000", "2500000", "failed", 14,
         payments=[("900000", 1, "checked")], policy="JB-STAGED"),
    Spec("demo-contract-terminated", "yunqing-robot", "scut-robot", "RV 减速器回差在线补偿",
         [("回差", "≤1", "arcmin"), ("寿命", "≥6000", "小时")], "2200000", "3000000", "terminated", 6,
         payments=[("600000", 1, "checked")]),
]


def load_contracts(*, session: Session, seeds_dir: Path, orgs: dict[str, Organisation],
                   users: dict[str, User], report) -> None:  # noqa: ANN001
    """Create each demo contract once (by its challenge key), inside one transaction."""
    del seeds_dir
    with db.atomic(session):
        officer = actor_for(session=session, user=users["officer@jiebang.demo"])
        for spec in SPECS:
            if session.exec(select(Challenge.id).where(Challenge.key == spec.key)).first():
                continue
            _Walk(session, spec, orgs, officer).run()
            report.count("contracts")


class _Walk:
    def __init__(self, session: Session, spec: Spec, orgs: dict[str, Organisation], officer: Actor) -> None:
        self.s, self.spec, self.orgs, self.officer = session, spec, orgs, officer
        # Contracts that have ended did so in 2025: the action plan's subsidy policies (JB-COMPLETION,
        # JB-STAGED) are in force until 2025-12-31, so a later acceptance would compute nothing.
        self.now = utcnow() if spec.state in LIVE_STATES else min(utcnow(), ENDED_BY)
        self.signed_at = self.now - spec.months_ago * MONTH - timedelta(days=3)
        settings = get_settings()
        self.storage = {"uploads_dir": settings.uploads_dir, "max_bytes": settings.upload_max_bytes}

    def _user(self, org_key: str, role: str) -> Actor:
        user = self.s.exec(select(User).where(User.organisation_id == self.orgs[org_key].id, User.role == role)
                           .order_by(col(User.id))).first()
        return actor_for(session=self.s, user=user)

    def run(self) -> None:
        spec = self.spec
        team = self.s.exec(select(TeamProfile).where(TeamProfile.key == spec.team)).one()
        company = self._user(spec.company, Role.COMPANY)
        self.team = actor_for(session=self.s, user=self.s.get(User, team.owner_id))
        self.company = company
        challenge, bid = self._award(team)
        contract = service.create(session=self.s, actor=self.officer, challenge_id=challenge.id,
                                  data=ContractIn(start_on=self.signed_at.date(), policy_id=spec.policy,
                                                  terms="知识产权按榜单约定归属；保密义务持续至结题后三年。"),
                                  now=self.signed_at)
        signers = [company, self.team]
        if spec.partner:
            signers.append(self._user(spec.partner, Role.TEAM))
        if spec.state == "signing":
            service.sign(session=self.s, actor=company, contract_id=contract.id, now=self.now)
            return
        for actor in [*signers, self.officer]:
            service.sign(session=self.s, actor=actor, contract_id=contract.id, now=self.signed_at)
        self._payments(contract.id)
        self._milestones(contract.id)
        getattr(self, f"_{spec.state}")(contract.id)
        if spec.published:  # an anonymous visitor reads its progress page after `make run`
            for actor in (company, self.team):
                progress.set_consent(session=self.s, actor=actor, contract_id=contract.id, agree=True)

    def _award(self, team: TeamProfile) -> tuple[Challenge, Bid]:
        spec, at = self.spec, self.signed_at - 2 * MONTH
        org = self.orgs[spec.company]
        author = self.s.exec(select(User).where(User.organisation_id == org.id, User.role == Role.COMPANY)).first()
        challenge = Challenge(
            key=spec.key, organisation_id=org.id, created_by=author.id, status=S.AWARDED, title=spec.title,
            industry="先进制造", background=f"{spec.title}：企业现有方案依赖进口，亟需国产替代。",
            bottleneck="关键工艺参数窗口窄、批量一致性差。", deliverables="样机、测试报告与工艺文件",
            indicators=[{"name": n, "target": t, "unit": u, "test_method": "第三方检测"}
                        for n, t, u in spec.indicators],
            period_months=12, committed_funds_fen=fen_from_yuan(spec.committed_yuan),
            offered_fen=fen_from_yuan(spec.price_yuan), bid_deadline=at - 2 * MONTH,
            published_at=at - 3 * MONTH, closed_at=at - 2 * MONTH, created_at=at - 4 * MONTH, updated_at=at)
        self.s.add(challenge)
        self.s.flush()
        names = [n for n, _, _ in spec.indicators]
        partners = [{"organisation_id": self.orgs[spec.partner].id, "share_percent": 30, "role": "联合攻关"}] \
            if spec.partner else []
        bid = Bid(challenge_id=challenge.id, team_id=team.id, organisation_id=team.organisation_id,
                  created_by=team.owner_id, status=B.QUALIFIED,
                  technical_route="分阶段攻关：工艺验证→样机→可靠性考核。",
                  milestones=[{"title": "工艺验证与样品", "due_month": 6, "indicators": names[:1]},
                              {"title": "样机与可靠性考核", "due_month": 12, "indicators": names[1:]}],
                  price_fen=fen_from_yuan(spec.price_yuan), partners=partners, declare_no_double_funding=True,
                  declare_ownership=True, submitted_at=at - 2 * MONTH - timedelta(days=5))
        bid.receipt_hash = receipt_hash(SimpleNamespace(**bid.model_dump()))  # 回执, as on submission
        self.s.add(bid)
        self.s.flush()
        bid_partners.record_confirmed(self.s, bid, bid.submitted_at)  # the partner agreed (创新联合体)
        self.s.add(AwardDecision(challenge_id=challenge.id, winning_bid_ids=[bid.id], decided_by=self.officer.user_id,
                                 decided_at=at, reason="按专家评审排序确定"))
        self.s.flush()
        return challenge, bid

    def _payments(self, contract_id: int) -> None:
        for yuan, months, status in self.spec.payments:
            paid = (self.signed_at + months * MONTH + timedelta(days=2)).date()
            payment = service.record_payment(session=self.s, actor=self.company, contract_id=contract_id,
                                             data=PaymentIn(amount_yuan=yuan, paid_on=min(paid, service.today())),
                                             voucher=VOUCHER, now=self.now, **self.storage)
            if status in ("received", "checked"):
                service.confirm_payment(session=self.s, actor=self.team, payment_id=payment.id)
            if status == "checked":
                service.check_payment(session=self.s, actor=self.officer, payment_id=payment.id)

    def _milestones(self, contract_id: int) -> None:
        done = {"overdue": 0, "terminated": 0}.get(self.spec.state, 2)
        rows = self.s.exec(select(Milestone).where(Milestone.contract_id == contract_id)
                           .order_by(col(Milestone.seq))).all()
        for m in rows[:done]:
            service.report_milestone(session=self.s, actor=self.team, milestone_id=m.id,
                                     data=ReportIn(summary=f"{m.title}已完成，检测报告见附件。"), uploads=[REPORT],
                                     **self.storage)
            service.decide_report(session=self.s, actor=self.company, milestone_id=m.id,
                                  data=ReportDecisionIn(confirm=True, note="与任务书一致"))

    def _overdue(self, contract_id: int) -> None:
        lifecycle.tick(session=self.s, now=self.now)

    def _terminated(self, contract_id: int) -> None:
        service.midterm(session=self.s, actor=self.officer, contract_id=contract_id, now=self.now,
                        data=MidtermIn(decision="terminate",
                                       note="中期检查发现核心技术路线不可行，团队负责人调离，经三方协商终止。"))

    def _apply(self, contract_id: int) -> None:
        measured = {n: {"measured": t.lstrip("≥≤±"), "evidence": "第三方检测报告"} for n, t, _ in self.spec.indicators}
        service.request_acceptance(session=self.s, actor=self.team, contract_id=contract_id,
                                   data=AcceptanceIn(measurements=measured))

    def _panel(self, contract_id: int, *, size: int = 2) -> list[Actor]:
        chosen: list[Actor] = []
        for profile, user in self.s.exec(select(ExpertProfile, User).join(User, col(User.id) == ExpertProfile.user_id)
                                         .order_by(col(ExpertProfile.id))).all():
            try:
                service.add_panel_expert(session=self.s, actor=self.officer, contract_id=contract_id,
                                         expert_id=profile.id)
            except Conflict:  # an automatic conflict of interest: the next expert
                continue
            chosen.append(actor_for(session=self.s, user=user))
            if len(chosen) == size:
                break
        return chosen

    def _votes(self, contract_id: int, voters: list[Actor], ok: bool) -> None:
        names = [n for n, _, _ in self.spec.indicators]
        for actor in voters:
            results = {n: ok or n != names[-1] for n in names}
            service.vote(session=self.s, actor=actor, contract_id=contract_id,
                         data=VoteIn(results=results,
                                     comment="指标实测值与检测报告一致" if ok else "末项指标未达到榜单要求"))

    def _accepting(self, contract_id: int) -> None:
        self._apply(contract_id)
        experts = self._panel(contract_id)
        self._votes(contract_id, experts[:1], True)  # the second expert and the company are still to vote

    def _passed(self, contract_id: int) -> None:
        self._apply(contract_id)
        self._votes(contract_id, [*self._panel(contract_id), self.company], True)
        service.conclude(session=self.s, actor=self.officer, contract_id=contract_id, data=ConcludeIn(), now=self.now)

    def _rectified(self, contract_id: int) -> None:
        self._apply(contract_id)
        self._votes(contract_id, [*self._panel(contract_id), self.company], False)
        service.conclude(session=self.s, actor=self.officer, contract_id=contract_id, now=self.now - MONTH,
                         data=ConcludeIn(rectify=True, rectify_by=_day(self.now), reason="转移速度未达标，限期整改"))
        self._passed(contract_id)

    def _failed(self, contract_id: int) -> None:
        self._apply(contract_id)
        self._votes(contract_id, [*self._panel(contract_id), self.company], False)
        service.conclude(session=self.s, actor=self.officer, contract_id=contract_id, now=self.now,
                         data=ConcludeIn(reason="误报率明显高于榜单要求，且无法在整改期内解决"))


def _day(moment: datetime) -> date:
    return service.today(moment) + timedelta(days=10)
