"""Contract commands: load → authorise → table step (states.apply) → audit → notify → one commit.

Signing: every party signs the current revision (a unique row per party and revision); the last
signature moves the contract. Payments raise `recorded_fen` with a guarded UPDATE, so Σ payments never
passes the contract amount even under concurrency. Only officer-checked payments count as 企业投入资金.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from marketplace import db
from marketplace.accounts.models import ExpertProfile, Organisation, OrgKind
from marketplace.actor import Actor
from marketplace.audit import service as audit
from marketplace.awards import queries as award_queries
from marketplace.bids.models import Bid
from marketplace.challenges import queries as challenge_queries
from marketplace.challenges.models import Challenge
from marketplace.clock import to_shanghai, utcnow
from marketplace.contracts import files, memory, permissions, queries, states
from marketplace.contracts.models import (
    VERDICT_LABELS,
    Acceptance,
    AcceptanceExpert,
    AcceptanceVote,
    Contract,
    ContractAmendment,
    ContractParty,
    ContractSignature,
    Milestone,
    MilestoneReport,
    PartyRole,
    Payment,
    Verdict,
)
from marketplace.contracts.models import ContractStatus as C
from marketplace.contracts.schemas import (
    AcceptanceIn,
    AmendmentIn,
    ConcludeIn,
    ContractIn,
    MidtermIn,
    PaymentIn,
    ReportDecisionIn,
    ReportIn,
    VoteIn,
)
from marketplace.errors import Conflict, Forbidden, NotFound, RuleViolation
from marketplace.money import fen_from_yuan, format_yuan
from marketplace.notifications import service as notifications
from marketplace.notifications.models import Kind
from marketplace.reviews import coi
from marketplace.reviews import facts as coi_facts
from marketplace.states import apply, require

TOO_LITTLE = "企业投入资金不能少于任务书金额"
SIGN_LOCK = 0x0C0A_0000  # + contract id: one signer of a contract at a time (PostgreSQL advisory lock)


def _require(decision: tuple[bool, str], *, right_party: bool) -> None:
    """Forbidden for the wrong party; Conflict for the right one at the wrong moment (someone moved first)."""
    if not decision[0]:
        raise (Conflict if right_party else Forbidden)(decision[1])


def today(now: datetime | None = None) -> date:
    return to_shanghai(now or utcnow()).date()


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _tell(session: Session, contract: Contract, title: str, body: str = "", *,
          sides: tuple[str, ...] = ("company", "team", "bureau"), kind: Kind = Kind.CONTRACT,
          dedupe: str | None = None) -> None:
    notifications.notify(session=session, kind=kind, title=f"{title}：{contract.title}"[:200], body=body,
                         user_ids=queries.user_ids(session=session, contract=contract, sides=sides),
                         link=f"/contracts/{contract.id}", dedupe=dedupe)


@contextmanager
def _files_undone_on_error() -> Iterator[list[Path]]:
    """Paths written during a use case; removed again when it fails (nothing half-written)."""
    written: list[Path] = []
    try:
        yield written
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


# —— 任务书 ————————————————————————————————————————————————————————————————————


def _winning_bid(session: Session, challenge: Challenge, bid_id: int | None) -> Bid:
    winners = award_queries.current_decision(session=session, challenge_id=challenge.id).winning_bid_ids
    if bid_id is None and len(winners) == 1:
        bid_id = winners[0]
    if bid_id is None or bid_id not in winners:
        raise RuleViolation("请选择中选方案", fields={"bid_id": "请选择该榜单的中选方案"})
    bid = session.get(Bid, bid_id)
    if bid is None:
        raise NotFound("方案不存在")
    return bid


def _bureau_org(session: Session, actor: Actor) -> int | None:
    if actor.is_officer and actor.organisation_id:
        return actor.organisation_id
    return session.exec(select(Organisation.id).where(Organisation.kind == OrgKind.BUREAU)).first()


@db.use_case
def create(*, session: Session, actor: Actor, challenge_id: int, data: ContractIn,
           now: datetime | None = None) -> Contract:
    """Draft the tripartite 任务书 from an awarded challenge's winning bid; it then awaits signatures."""
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    require(permissions.can_create(actor, challenge_status=challenge.status,
                                   owner=actor.organisation_id == challenge.organisation_id))
    bid = _winning_bid(session, challenge, data.bid_id)
    amount = data.fen("amount_yuan") or bid.price_fen
    committed = data.fen("committed_yuan") or challenge.committed_funds_fen
    if amount <= 0:
        raise RuleViolation("任务书金额须大于零", fields={"amount_yuan": "任务书金额须大于零"})
    if committed < amount:
        raise RuleViolation(TOO_LITTLE, fields={"committed_yuan": TOO_LITTLE})
    plan = bid.milestones or [{"title": "结题验收", "due_month": challenge.period_months,
                               "indicators": [i.get("name", "") for i in challenge.indicators]}]
    shares = data.payment_shares or _even(len(plan))
    if len(shares) != len(plan):
        message = f"请为 {len(plan)} 个里程碑分别填写付款比例"
        raise RuleViolation(message, fields={"payment_shares": message})
    start = data.start_on or today(now)
    months = max([challenge.period_months, *(int(m["due_month"]) for m in plan)])
    contract = Contract(challenge_id=challenge.id, bid_id=bid.id, title=challenge.title,
                        company_org_id=challenge.organisation_id, team_org_id=bid.organisation_id,
                        amount_fen=amount, committed_fen=committed, start_on=start, end_on=add_months(start, months),
                        terms=data.terms, policy_id=data.policy_id or None, created_by=actor.user_id,
                        status=C.SIGNING)
    session.add(contract)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("该中选方案已签订任务书") from exc
    lead_share = 100 - sum(int(p.get("share_percent", 0)) for p in bid.partners)
    session.add_all([
        ContractParty(contract_id=contract.id, party=PartyRole.COMPANY, organisation_id=challenge.organisation_id,
                      role=PartyRole.COMPANY),
        ContractParty(contract_id=contract.id, party=PartyRole.TEAM, organisation_id=bid.organisation_id,
                      role=PartyRole.TEAM, share_percent=lead_share),
        *(ContractParty(contract_id=contract.id, party=f"{PartyRole.PARTNER}:{p['organisation_id']}",
                        organisation_id=int(p["organisation_id"]), role=PartyRole.PARTNER,
                        share_percent=int(p.get("share_percent", 0))) for p in bid.partners),
        ContractParty(contract_id=contract.id, party=PartyRole.BUREAU, organisation_id=_bureau_org(session, actor),
                      role=PartyRole.BUREAU),
        *(Milestone(contract_id=contract.id, seq=n + 1, title=str(m["title"]), due_month=int(m["due_month"]),
                    due_on=add_months(start, int(m["due_month"])), indicators=list(m.get("indicators") or []),
                    payment_share_percent=share) for n, (m, share) in enumerate(zip(plan, shares, strict=True))),
    ])
    session.flush()
    audit.record(session=session, actor=actor, action="contract.created", subject_type="contract",
                 subject_id=contract.id, summary={"after": C.SIGNING, "challenge_id": challenge.id, "bid_id": bid.id,
                                                  "amount_fen": amount, "committed_fen": committed})
    _tell(session, contract, "任务书待签署", f"任务书金额 {format_yuan(amount)}，请各方在平台签署。")
    return contract


def _even(n: int) -> list[int]:
    base = 100 // n
    return [base + (1 if i < 100 - base * n else 0) for i in range(n)]


@db.use_case
def sign(*, session: Session, actor: Actor, contract_id: int, now: datetime | None = None) -> Contract:
    """The actor's party signs the current revision; the last signature completes it."""
    db.serialize_writers(session, SIGN_LOCK + contract_id)
    contract = queries.get_for(session=session, actor=actor, contract_id=contract_id)
    party = queries.party_of(session=session, actor=actor, contract=contract)
    signed = queries.signed_parties(session=session, contract=contract)
    _require(permissions.can_sign(actor, contract, party=party, signed=signed), right_party=party is not None)
    session.add(ContractSignature(contract_id=contract.id, revision=contract.revision, party=party,
                                  signed_by=actor.user_id, signed_at=now or utcnow()))
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("本方已签署当前版本") from exc
    audit.record(session=session, actor=actor, action="contract.party_signed", subject_type="contract",
                 subject_id=contract.id, summary={"party": party, "revision": contract.revision})
    everyone = {p.party for p in queries.parties(session=session, contract_id=contract.id)}
    if everyone - {*signed, party}:
        return contract
    if contract.status == C.SIGNING:
        apply(session, contract, states.CONTRACT, "sign_all", actor=actor, summary={"revision": contract.revision},
              signed_on=today(now))
        _tell(session, contract, "任务书已签署生效", "各方均已签署，任务书进入执行阶段。")
    else:
        _apply_amendment(session, actor, contract)
    return contract


# —— 变更 ———————————————————————————————————————————————————————————————————————


@db.use_case
def propose_amendment(*, session: Session, actor: Actor, contract_id: int, data: AmendmentIn) -> ContractAmendment:
    """Propose new dates or amounts; every party signs the new revision before it applies."""
    contract = queries.get_for(session=session, actor=actor, contract_id=contract_id)
    _require(permissions.can_amend(actor, contract),
             right_party=actor.is_officer or permissions.is_company(actor, contract))
    changes: dict = {}
    if data.amount_yuan:
        changes["amount_fen"] = _positive(data.amount_yuan, "amount_yuan")
        if changes["amount_fen"] < contract.recorded_fen:
            message = f"新的任务书金额不能低于已登记付款 {format_yuan(contract.recorded_fen)}"
            raise RuleViolation(message, fields={"amount_yuan": message})
    if data.committed_yuan:
        changes["committed_fen"] = _positive(data.committed_yuan, "committed_yuan")
    if data.end_on:
        if data.end_on <= contract.start_on:
            raise RuleViolation("截止日须晚于起始日", fields={"end_on": "截止日须晚于起始日"})
        changes["end_on"] = data.end_on.isoformat()
    seqs = {m.seq: m for m in session.exec(select(Milestone).where(Milestone.contract_id == contract.id)).all()}
    if unknown := set(data.milestone_due) - set(seqs):
        raise RuleViolation("里程碑不存在", fields={"milestone_due": f"没有序号为 {sorted(unknown)} 的里程碑"})
    if data.milestone_due:
        changes["milestone_due"] = {str(k): v.isoformat() for k, v in data.milestone_due.items()}
    if changes.get("committed_fen", contract.committed_fen) < changes.get("amount_fen", contract.amount_fen):
        raise RuleViolation(TOO_LITTLE, fields={"committed_yuan": TOO_LITTLE})
    previous = {k: (contract.end_on.isoformat() if k == "end_on" else getattr(contract, k))
                for k in changes if k != "milestone_due"}
    if "milestone_due" in changes:
        previous["milestone_due"] = {k: seqs[int(k)].due_on.isoformat() for k in changes["milestone_due"]}
    revision = contract.revision + 1
    row = ContractAmendment(contract_id=contract.id, revision=revision, changes=changes, previous=previous,
                            reason=data.reason, proposed_by=actor.user_id)
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("已有一项变更在等待签署") from exc
    apply(session, contract, states.CONTRACT, "amend", actor=actor, summary={"revision": revision, "changes": changes},
          revision=revision)
    _tell(session, contract, "任务书变更待签署", f"变更理由：{data.reason}")
    return row


def _positive(text: str, field: str) -> int:
    fen = fen_from_yuan(text)
    if fen <= 0:
        raise RuleViolation("金额须大于零", fields={field: "金额须大于零"})
    return fen


def _apply_amendment(session: Session, actor: Actor, contract: Contract) -> None:
    amendment = session.exec(select(ContractAmendment).where(ContractAmendment.contract_id == contract.id,
                                                             ContractAmendment.revision == contract.revision)).one()
    changes = dict(amendment.changes)
    due = changes.pop("milestone_due", {})
    values = {k: (date.fromisoformat(v) if k == "end_on" else v) for k, v in changes.items()}
    if "amount_fen" in values:  # a concurrent payment may have raised the recorded sum since the proposal
        where = [Contract.recorded_fen <= values["amount_fen"]]
    else:
        where = []
    apply(session, contract, states.CONTRACT, "sign_amendment", actor=actor, where=where,
          conflict="变更后的金额低于已登记付款，请重新提出变更",
          summary={"revision": contract.revision, "changes": amendment.changes}, **values)
    for seq, day in due.items():
        session.execute(update(Milestone).where(col(Milestone.contract_id) == contract.id,
                                                col(Milestone.seq) == int(seq))
                        .values(due_on=date.fromisoformat(day), overdue_since=None))
    amendment.applied_at = utcnow()
    session.add(amendment)
    _tell(session, contract, "任务书变更已生效", f"第 {contract.revision} 版任务书已由各方签署。")


# —— 里程碑 ——————————————————————————————————————————————————————————————————————


def _milestone(session: Session, actor: Actor, milestone_id: int) -> tuple[Milestone, Contract]:
    milestone = session.get(Milestone, milestone_id)
    if milestone is None:
        raise NotFound("里程碑不存在")
    return milestone, queries.get_for(session=session, actor=actor, contract_id=milestone.contract_id)


def report_milestone(*, session: Session, actor: Actor, milestone_id: int, data: ReportIn,
                     uploads: list[files.Upload], uploads_dir: Path, max_bytes: int) -> MilestoneReport:
    """The team reports a milestone with evidence files; the company confirms or returns it."""
    with _files_undone_on_error() as written, db.atomic(session):
        milestone, contract = _milestone(session, actor, milestone_id)
        _require(permissions.can_report(actor, contract, milestone),
                 right_party=permissions.is_lead_team(actor, contract))
        for upload in uploads:  # refuse a bad file before anything is written
            files.check(upload, purpose="report", max_bytes=max_bytes)
        apply(session, milestone, states.MILESTONE, "report", actor=actor, summary={"contract_id": contract.id})
        report = MilestoneReport(milestone_id=milestone.id, summary=data.summary, submitted_by=actor.user_id)
        session.add(report)
        session.flush()
        for upload in uploads:
            row = files.store(session=session, actor=actor, contract_id=contract.id, upload=upload, purpose="report",
                              uploads_dir=uploads_dir, max_bytes=max_bytes, written=written)
            row.report_id = report.id
        _tell(session, contract, "里程碑报告待确认", f"里程碑“{milestone.title}”已提交报告。",
              sides=("company", "bureau"))
        return report


@db.use_case
def decide_report(*, session: Session, actor: Actor, milestone_id: int, data: ReportDecisionIn) -> Milestone:
    milestone, contract = _milestone(session, actor, milestone_id)
    _require(permissions.can_decide_report(actor, contract, milestone),
             right_party=permissions.is_company(actor, contract))
    action = "confirm" if data.confirm else "return"
    apply(session, milestone, states.MILESTONE, action, actor=actor,
          summary={"contract_id": contract.id, "note": data.note})
    report = session.exec(select(MilestoneReport).where(MilestoneReport.milestone_id == milestone.id)
                          .order_by(col(MilestoneReport.id).desc())).first()
    if report is not None:
        report.decision, report.decision_note = ("confirmed" if data.confirm else "returned"), data.note
        report.decided_by, report.decided_at = actor.user_id, utcnow()
        session.add(report)
    title = "里程碑报告已确认" if data.confirm else "里程碑报告被退回"
    _tell(session, contract, title, f"里程碑“{milestone.title}”。{data.note}", sides=("team", "bureau"))
    return milestone


# —— 中期检查 ————————————————————————————————————————————————————————————————————


@db.use_case
def midterm(*, session: Session, actor: Actor, contract_id: int, data: MidtermIn,
            now: datetime | None = None) -> Contract:
    """The officer's mid-term check: continue, rectify by a date, or terminate with reasons."""
    contract = queries.get_for(session=session, actor=actor, contract_id=contract_id)
    _require(permissions.can_midterm(actor, contract), right_party=actor.is_officer)
    if data.decision == "rectify" and data.rectify_by and data.rectify_by <= today(now):
        raise RuleViolation("整改期限须晚于今天", fields={"rectify_by": "整改期限须晚于今天"})
    if data.decision == "continue":
        apply(session, contract, states.CONTRACT, "midterm_continue", actor=actor, summary={"note": data.note},
              midterm_note=data.note, rectify_by=None)
        _tell(session, contract, "中期检查：继续执行", data.note)
    elif data.decision == "rectify":
        apply(session, contract, states.CONTRACT, "midterm_rectify", actor=actor,
              summary={"note": data.note, "rectify_by": data.rectify_by.isoformat()},
              midterm_note=data.note, rectify_by=data.rectify_by)
        _tell(session, contract, "中期检查：限期整改", f"请于 {data.rectify_by.isoformat()} 前完成整改。{data.note}")
    else:
        apply(session, contract, states.CONTRACT, "terminate", actor=actor, summary={"note": data.note},
              midterm_note=data.note, outcome="terminated", ended_on=today(now), rectify_by=None)
        _tell(session, contract, "任务书已终止", data.note)
        memory.terminated(session, actor, contract, data.note)
    return contract


# —— 付款 ——————————————————————————————————————————————————————————————————————————


def record_payment(*, session: Session, actor: Actor, contract_id: int, data: PaymentIn, voucher: files.Upload,
                   uploads_dir: Path, max_bytes: int, now: datetime | None = None) -> Payment:
    """The company records a payment to the team with its voucher; the team confirms, an officer checks."""
    with _files_undone_on_error() as written, db.atomic(session):
        contract = queries.get_for(session=session, actor=actor, contract_id=contract_id)
        _require(permissions.can_record_payment(actor, contract), right_party=permissions.is_company(actor, contract))
        files.check(voucher, purpose="voucher", max_bytes=max_bytes)
        if contract.signed_on is None or data.paid_on < contract.signed_on:
            message = f"付款日期不能早于任务书签署日（{contract.signed_on}）"
            raise RuleViolation(message, fields={"paid_on": message})
        if data.paid_on > today(now):
            raise RuleViolation("付款日期不能晚于今天", fields={"paid_on": "付款日期不能晚于今天"})
        amount = data.amount_fen
        raised = session.execute(update(Contract).where(
            col(Contract.id) == contract.id, col(Contract.recorded_fen) + amount <= col(Contract.amount_fen))
            .values(recorded_fen=col(Contract.recorded_fen) + amount)).rowcount
        if raised != 1:
            session.refresh(contract)
            left = contract.amount_fen - contract.recorded_fen
            message = (f"累计付款不能超过任务书金额 {format_yuan(contract.amount_fen)}"
                       f"（已登记 {format_yuan(contract.recorded_fen)}，最多还可登记 {format_yuan(max(left, 0))}）")
            raise RuleViolation(message, fields={"amount_yuan": message})
        stored = files.store(session=session, actor=actor, contract_id=contract.id, upload=voucher, purpose="voucher",
                             uploads_dir=uploads_dir, max_bytes=max_bytes, written=written)
        payment = Payment(contract_id=contract.id, amount_fen=amount, paid_on=data.paid_on, note=data.note,
                          voucher_file_id=stored.id, recorded_by=actor.user_id)
        session.add(payment)
        session.flush()
        audit.record(session=session, actor=actor, action="payment.recorded", subject_type="payment",
                     subject_id=payment.id, summary={"after": payment.status, "contract_id": contract.id,
                                                     "amount_fen": amount, "paid_on": data.paid_on.isoformat()})
        _tell(session, contract, "企业登记了一笔付款", f"{format_yuan(amount)}（{data.paid_on}），请确认到账。",
              sides=("team",))
        return payment


def _payment(session: Session, actor: Actor, payment_id: int) -> tuple[Payment, Contract]:
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFound("付款记录不存在")
    return payment, queries.get_for(session=session, actor=actor, contract_id=payment.contract_id)


def _release(session: Session, payment: Payment) -> None:
    """A refused payment no longer counts against the contract amount."""
    session.execute(update(Contract).where(col(Contract.id) == payment.contract_id)
                    .values(recorded_fen=col(Contract.recorded_fen) - payment.amount_fen))


@db.use_case
def confirm_payment(*, session: Session, actor: Actor, payment_id: int, received: bool = True,
                    reason: str = "") -> Payment:
    """The team confirms receipt (or says it never arrived, with a reason)."""
    payment, contract = _payment(session, actor, payment_id)
    _require(permissions.can_confirm_payment(actor, contract, payment),
             right_party=permissions.is_lead_team(actor, contract))
    if received:
        apply(session, payment, states.PAYMENT, "confirm_receipt", actor=actor, confirmed_by=actor.user_id)
        _tell(session, contract, "付款已确认到账", f"{format_yuan(payment.amount_fen)}，待科技局核验。",
              sides=("company", "bureau"))
    else:
        if not reason:
            raise RuleViolation("请说明未收到款项的情况", fields={"reason": "请说明未收到款项的情况"})
        apply(session, payment, states.PAYMENT, "dispute", actor=actor, summary={"reason": reason}, reason=reason)
        _release(session, payment)
        _tell(session, contract, "团队未确认付款", reason, sides=("company", "bureau"))
    return payment


@db.use_case
def check_payment(*, session: Session, actor: Actor, payment_id: int, approve: bool = True,
                  reason: str = "", now: datetime | None = None) -> Payment:
    """An officer checks a confirmed payment; only checked payments are 企业投入资金 (the subsidy base)."""
    payment, contract = _payment(session, actor, payment_id)
    _require(permissions.can_check_payment(actor, payment), right_party=actor.is_officer)
    if approve:
        apply(session, payment, states.PAYMENT, "check", actor=actor, summary={"amount_fen": payment.amount_fen},
              checked_by=actor.user_id, checked_at=now or utcnow())
        _tell(session, contract, "付款已核验", f"{format_yuan(payment.amount_fen)} 计入企业投入资金。",
              sides=("company", "team"))
    else:
        if not reason:
            raise RuleViolation("核验不通过须说明理由", fields={"reason": "核验不通过须说明理由"})
        apply(session, payment, states.PAYMENT, "reject", actor=actor, summary={"reason": reason},
              checked_by=actor.user_id, checked_at=now or utcnow(), reason=reason)
        _release(session, payment)
        _tell(session, contract, "付款核验不通过", reason, sides=("company", "team"))
    return payment


# —— 验收 ——————————————————————————————————————————————————————————————————————————


def indicators_of(session: Session, contract: Contract) -> list[dict]:
    """The challenge's indicators: the acceptance criteria."""
    challenge = session.get(Challenge, contract.challenge_id)
    return list(challenge.indicators) if challenge else []


def _missing(names: list[str], given: dict) -> list[str]:
    return [n for n in names if n not in given]


def request_acceptance(*, session: Session, actor: Actor, contract_id: int, data: AcceptanceIn,
                       uploads: list[files.Upload] = (), uploads_dir: Path | None = None, max_bytes: int = 0,
                       now: datetime | None = None) -> Acceptance:
    """The team applies for acceptance with a measured value and evidence for EVERY indicator."""
    with _files_undone_on_error() as written, db.atomic(session):
        contract = queries.get_for(session=session, actor=actor, contract_id=contract_id)
        milestones = session.exec(select(Milestone).where(Milestone.contract_id == contract.id)).all()
        _require(permissions.can_request_acceptance(actor, contract, milestones),
                 right_party=permissions.is_lead_team(actor, contract))
        indicators = indicators_of(session, contract)
        names = [i.get("name", "") for i in indicators]
        if missing := _missing(names, data.measurements):
            message = "以下指标缺少实测值：" + "、".join(missing)
            raise RuleViolation(message, fields={"measurements": message})
        if extra := set(data.measurements) - set(names):
            message = "以下指标不是榜单的技术指标：" + "、".join(sorted(extra))
            raise RuleViolation(message, fields={"measurements": message})
        for upload in uploads:
            files.check(upload, purpose="acceptance", max_bytes=max_bytes)
        rounds = session.exec(select(Acceptance.round).where(Acceptance.contract_id == contract.id)).all()
        round_ = max(rounds, default=0) + 1
        apply(session, contract, states.CONTRACT, "request_acceptance", actor=actor, summary={"round": round_})
        stored = [files.store(session=session, actor=actor, contract_id=contract.id, upload=u, purpose="acceptance",
                              uploads_dir=uploads_dir, max_bytes=max_bytes, written=written).id for u in uploads]
        measurements = {i["name"]: {"target": i.get("target", ""), "unit": i.get("unit", ""),
                                    "measured": data.measurements[i["name"]].measured,
                                    "evidence": data.measurements[i["name"]].evidence} for i in indicators}
        acceptance = Acceptance(contract_id=contract.id, round=round_, measurements=measurements,
                                requested_by=actor.user_id, requested_at=now or utcnow())
        acceptance.measurements["_files"] = stored
        session.add(acceptance)
        try:
            session.flush()
        except IntegrityError as exc:
            raise Conflict("验收申请已提交") from exc
        _tell(session, contract, "验收申请已提交", f"第 {round_} 次验收。", sides=("company", "bureau"))
        return acceptance


def _open_acceptance(session: Session, contract: Contract) -> Acceptance:
    acceptance = queries.current_acceptance(session=session, contract_id=contract.id)
    if acceptance is None or acceptance.verdict is not None:
        raise Conflict("没有进行中的验收")
    return acceptance


@db.use_case
def add_panel_expert(*, session: Session, actor: Actor, contract_id: int, expert_id: int,
                     now: datetime | None = None) -> AcceptanceExpert:
    """Add an expert to the acceptance panel; automatic conflicts (REVIEW.md rules) are refused."""
    contract = queries.get_for(session=session, actor=actor, contract_id=contract_id)
    _require(permissions.can_manage_panel(actor, contract), right_party=actor.is_officer)
    acceptance = _open_acceptance(session, contract)
    experts = coi_facts.experts(session, [expert_id])
    if expert_id not in experts:
        raise NotFound("专家不存在")
    bid = session.get(Bid, contract.bid_id)
    challenge = session.get(Challenge, contract.challenge_id)
    reasons = coi.automatic_reasons(experts[expert_id], coi_facts.bids(session, [bid])[bid.id],
                                    coi_facts.company(session, challenge), today(now))
    if reasons:
        raise Conflict("该专家须回避：" + "；".join(reasons))
    row = AcceptanceExpert(acceptance_id=acceptance.id, expert_id=expert_id, assigned_by=actor.user_id)
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("该专家已在验收专家组中") from exc
    audit.record(session=session, actor=actor, action="acceptance.expert_added", subject_type="contract",
                 subject_id=contract.id, summary={"expert_id": expert_id, "round": acceptance.round})
    user_id = _expert_user(session, expert_id)
    notifications.notify(session=session, kind=Kind.CONTRACT, user_ids=[user_id] if user_id else [],
                         title=f"验收评审邀请：{contract.title}"[:200], link=f"/contracts/{contract.id}")
    return row


def _expert_user(session: Session, expert_id: int) -> int | None:
    profile = session.get(ExpertProfile, expert_id)
    return profile.user_id if profile else None


@db.use_case
def recuse(*, session: Session, actor: Actor, contract_id: int, statement: str) -> AcceptanceExpert:
    """A panel expert declares a conflict of interest and takes no part (REVIEW.md: declared conflicts)."""
    contract = queries.get_for(session=session, actor=actor, contract_id=contract_id)
    acceptance = _open_acceptance(session, contract)
    member = queries.panel_member(session, actor, acceptance)
    if member is None or member.recused:
        raise Conflict("您不在本次验收专家组中")
    if not statement.strip():
        raise RuleViolation("请说明利益冲突情况", fields={"statement": "请说明利益冲突情况"})
    voted = session.exec(select(AcceptanceVote.id).where(AcceptanceVote.acceptance_id == acceptance.id,
                                                         AcceptanceVote.user_id == actor.user_id)).first()
    if voted:
        raise Conflict("已提交验收意见，不能再申报回避")
    member.recused, member.recusal_statement = True, statement.strip()
    session.add(member)
    audit.record(session=session, actor=actor, action="acceptance.recused", subject_type="contract",
                 subject_id=contract.id, summary={"expert_id": member.expert_id, "statement": statement.strip()})
    return member


@db.use_case
def vote(*, session: Session, actor: Actor, contract_id: int, data: VoteIn) -> AcceptanceVote:
    """A panel expert or the company: pass/fail for every indicator (one missing is refused)."""
    contract = queries.get_for(session=session, actor=actor, contract_id=contract_id)
    acceptance = _open_acceptance(session, contract)
    member = queries.panel_member(session, actor, acceptance)
    voted = session.exec(select(AcceptanceVote.id).where(AcceptanceVote.acceptance_id == acceptance.id,
                                                         AcceptanceVote.user_id == actor.user_id)).first()
    if voted:
        raise Conflict("您已提交验收意见")
    require(permissions.can_vote(actor, contract, panel_member=member is not None and not member.recused,
                                 voted=False))
    names = [i.get("name", "") for i in indicators_of(session, contract)]
    if missing := _missing(names, data.results):
        message = "请对每项指标给出是否达标：缺少" + "、".join(missing)
        raise RuleViolation(message, fields={"results": message})
    if extra := set(data.results) - set(names):
        raise RuleViolation("含有榜单以外的指标：" + "、".join(sorted(extra)), fields={"results": "含有未知指标"})
    row = AcceptanceVote(acceptance_id=acceptance.id, user_id=actor.user_id,
                         voter="company" if permissions.is_company(actor, contract) else "expert",
                         results={n: data.results[n] for n in names}, comment=data.comment)
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("您已提交验收意见") from exc
    audit.record(session=session, actor=actor, action="acceptance.voted", subject_type="contract",
                 subject_id=contract.id, summary={"round": acceptance.round, "voter": row.voter,
                                                  "results": row.results})
    return row


def tally(session: Session, contract: Contract, acceptance: Acceptance) -> tuple[dict[str, bool], list[str]]:
    """Per indicator: passed when the company AND a majority of the voting experts say so.
    Also what is still missing before a conclusion (Chinese), empty when complete."""
    names = [i.get("name", "") for i in indicators_of(session, contract)]
    votes = session.exec(select(AcceptanceVote).where(AcceptanceVote.acceptance_id == acceptance.id)).all()
    panel = session.exec(select(AcceptanceExpert).where(AcceptanceExpert.acceptance_id == acceptance.id,
                                                        col(AcceptanceExpert.recused).is_(False))).all()
    experts = [v for v in votes if v.voter == "expert"]
    company = next((v for v in votes if v.voter == "company"), None)
    missing = []
    if not panel:
        missing.append("尚未组建验收专家组")
    elif len(experts) < len(panel):
        missing.append(f"还有 {len(panel) - len(experts)} 位专家未提交意见")
    if company is None:
        missing.append("发榜企业尚未提交意见")
    results = {n: bool(company and company.results.get(n))
               and sum(1 for v in experts if v.results.get(n)) * 2 > len(experts) for n in names}
    return results, missing


@db.use_case
def conclude(*, session: Session, actor: Actor, contract_id: int, data: ConcludeIn,
             now: datetime | None = None) -> Acceptance:
    """The overall verdict from the indicator results: PASSED / PASSED_AFTER_RECTIFICATION when every
    indicator passed; otherwise FAILED_RECTIFIABLE (first round only, with a date) or FAILED."""
    contract = queries.get_for(session=session, actor=actor, contract_id=contract_id)
    _require(permissions.can_conclude(actor, contract), right_party=actor.is_officer)
    acceptance = _open_acceptance(session, contract)
    results, missing = tally(session, contract, acceptance)
    if missing:
        raise Conflict("验收意见尚不完整：" + "；".join(missing))
    day = today(now)
    if all(results.values()):
        verdict = Verdict.PASSED if acceptance.round == 1 else Verdict.PASSED_AFTER_RECTIFICATION
        apply(session, contract, states.CONTRACT, "pass", actor=actor, summary={"verdict": verdict, "results": results},
              outcome=verdict.value, ended_on=day, rectify_by=None)
    else:
        if not data.reason:
            raise RuleViolation("验收不通过须说明理由", fields={"reason": "验收不通过须说明理由"})
        if data.rectify:
            if acceptance.round > 1:
                raise Conflict("整改机会仅有一次，整改后仍不通过的只能判定为不通过")
            if data.rectify_by is None or data.rectify_by <= day:
                raise RuleViolation("请填写晚于今天的整改期限", fields={"rectify_by": "请填写晚于今天的整改期限"})
            verdict = Verdict.FAILED_RECTIFIABLE
            apply(session, contract, states.CONTRACT, "fail_rectifiable", actor=actor,
                  summary={"verdict": verdict, "results": results, "rectify_by": data.rectify_by.isoformat()},
                  rectify_by=data.rectify_by)
        else:
            verdict = Verdict.FAILED
            apply(session, contract, states.CONTRACT, "fail", actor=actor,
                  summary={"verdict": verdict, "results": results}, outcome=verdict.value, ended_on=day,
                  rectify_by=None)
    acceptance.verdict, acceptance.verdict_reason = verdict.value, data.reason
    acceptance.rectify_by = data.rectify_by if verdict == Verdict.FAILED_RECTIFIABLE else None
    acceptance.concluded_by, acceptance.concluded_at = actor.user_id, now or utcnow()
    session.add(acceptance)
    _tell(session, contract, f"验收结论：{VERDICT_LABELS[verdict]}", data.reason)
    memory.concluded(session, actor, contract, verdict, data.reason)
    return acceptance

