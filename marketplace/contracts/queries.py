"""Visibility-filtered reads of contracts: parties, officers and the acceptance panel's experts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import case
from sqlmodel import Session, col, func, or_, select

from marketplace.accounts.models import ExpertProfile, Organisation, Role, User
from marketplace.actor import Actor
from marketplace.challenges.models import Challenge
from marketplace.challenges.stats import StatsFilter, scoped
from marketplace.contracts import permissions
from marketplace.contracts.models import (
    ENDED,
    EXECUTING,
    Acceptance,
    AcceptanceExpert,
    AcceptanceVote,
    Contract,
    ContractAmendment,
    ContractFile,
    ContractParty,
    ContractSignature,
    Milestone,
    MilestoneReport,
    MilestoneStatus,
    PartyRole,
    Payment,
    Verdict,
)
from marketplace.contracts.models import ContractStatus as C
from marketplace.contracts.models import PaymentStatus as P
from marketplace.errors import NotFound


def parties(*, session: Session, contract_id: int) -> list[ContractParty]:
    return list(session.exec(select(ContractParty).where(ContractParty.contract_id == contract_id)
                             .order_by(col(ContractParty.id))).all())


def partner_org_ids(session: Session, contract_id: int) -> list[int]:
    return [p.organisation_id for p in parties(session=session, contract_id=contract_id)
            if p.role == PartyRole.PARTNER and p.organisation_id]


def party_of(*, session: Session, actor: Actor, contract: Contract) -> str | None:
    return permissions.party_of(actor, contract, partner_org_ids(session, contract.id))


def expert_id_of(session: Session, actor: Actor) -> int | None:
    if actor.role != Role.EXPERT:
        return None
    return session.exec(select(ExpertProfile.id).where(ExpertProfile.user_id == (actor.user_id or -1))).first()


def current_acceptance(*, session: Session, contract_id: int) -> Acceptance | None:
    return session.exec(select(Acceptance).where(Acceptance.contract_id == contract_id)
                        .order_by(col(Acceptance.round).desc())).first()


def panel_member(session: Session, actor: Actor, acceptance: Acceptance | None) -> AcceptanceExpert | None:
    expert_id = expert_id_of(session, actor)
    if acceptance is None or expert_id is None:
        return None
    return session.exec(select(AcceptanceExpert).where(AcceptanceExpert.acceptance_id == acceptance.id,
                                                       AcceptanceExpert.expert_id == expert_id)).first()


def _on_any_panel(session: Session, actor: Actor, contract_id: int) -> bool:
    expert_id = expert_id_of(session, actor)
    return expert_id is not None and session.exec(
        select(AcceptanceExpert.id).join(Acceptance, col(Acceptance.id) == AcceptanceExpert.acceptance_id)
        .where(Acceptance.contract_id == contract_id, AcceptanceExpert.expert_id == expert_id,
               col(AcceptanceExpert.recused).is_(False))).first() is not None


def get_for(*, session: Session, actor: Actor, contract_id: int) -> Contract:
    """A contract the actor may see (a party, an officer, an expert of its acceptance panel); else 404."""
    contract = session.get(Contract, contract_id)
    if contract is None or actor.is_anonymous:
        raise NotFound("任务书不存在")
    if party_of(session=session, actor=actor, contract=contract) is None \
            and not _on_any_panel(session, actor, contract.id):
        raise NotFound("任务书不存在")
    return contract


def visible(*, session: Session, actor: Actor, status: str | None = None) -> list[Contract]:
    """The contracts listed for the actor, newest first."""
    stmt = select(Contract).order_by(col(Contract.id).desc())
    if status:
        stmt = stmt.where(Contract.status == status)
    if actor.is_officer:
        return list(session.exec(stmt).all())
    if actor.role == Role.COMPANY:
        return list(session.exec(stmt.where(Contract.company_org_id == (actor.organisation_id or -1))).all())
    if actor.role == Role.TEAM:
        org = actor.organisation_id or -1
        partner = select(ContractParty.contract_id).where(ContractParty.organisation_id == org)
        return list(session.exec(stmt.where(or_(Contract.team_org_id == org, col(Contract.id).in_(partner))))
                    .all())
    if actor.role == Role.EXPERT:
        expert_id = expert_id_of(session, actor) or -1
        mine = (select(Acceptance.contract_id).join(AcceptanceExpert,
                                                    col(AcceptanceExpert.acceptance_id) == Acceptance.id)
                .where(AcceptanceExpert.expert_id == expert_id, col(AcceptanceExpert.recused).is_(False)))
        return list(session.exec(stmt.where(col(Contract.id).in_(mine))).all())
    return []


def awaiting_contract(*, session: Session, actor: Actor) -> list[Challenge]:
    """Awarded challenges without a contract yet, for those who may draft one (officers, the company)."""
    stmt = (select(Challenge).where(Challenge.status == "awarded",
                                    col(Challenge.id).not_in(select(Contract.challenge_id)))
            .order_by(col(Challenge.id).desc()))
    if actor.is_officer:
        return list(session.exec(stmt).all())
    if actor.role == Role.COMPANY:
        return list(session.exec(stmt.where(Challenge.organisation_id == (actor.organisation_id or -1))).all())
    return []


def signed_parties(*, session: Session, contract: Contract) -> list[str]:
    return list(session.exec(select(ContractSignature.party).where(
        ContractSignature.contract_id == contract.id, ContractSignature.revision == contract.revision)).all())


def user_ids(*, session: Session, contract: Contract, sides: tuple[str, ...] = ("company", "team", "bureau")
             ) -> list[int]:
    """The accounts that act for the named sides (notification recipients)."""
    ids: set[int] = set()
    if "company" in sides:
        ids |= set(session.exec(select(User.id).where(User.organisation_id == contract.company_org_id,
                                                      User.role == Role.COMPANY)).all())
    if "team" in sides:
        orgs = [contract.team_org_id, *partner_org_ids(session, contract.id)]
        ids |= set(session.exec(select(User.id).where(col(User.organisation_id).in_(orgs),
                                                      User.role == Role.TEAM)).all())
    if "bureau" in sides:
        ids |= set(session.exec(select(User.id).where(User.role == Role.OFFICER)).all())
    return sorted(ids)


def checked_fen(*, session: Session, contract_id: int) -> int:
    return sum(session.exec(select(Payment.amount_fen).where(Payment.contract_id == contract_id,
                                                             Payment.status == P.CHECKED)).all())


@dataclass
class Detail:
    """Everything the contract page, the print view and the API show."""

    contract: Contract
    parties: list[ContractParty]
    names: dict[int, str]
    signatures: list[ContractSignature]
    amendments: list[ContractAmendment]
    milestones: list[Milestone]
    reports: dict[int, list[MilestoneReport]]
    payments: list[Payment]
    files: dict[int, ContractFile]
    acceptances: list[Acceptance]
    panel: list[AcceptanceExpert] = field(default_factory=list)
    votes: list[AcceptanceVote] = field(default_factory=list)
    expert_names: dict[int, str] = field(default_factory=dict)
    checked_fen: int = 0


def detail(*, session: Session, actor: Actor, contract_id: int) -> Detail:
    contract = get_for(session=session, actor=actor, contract_id=contract_id)
    cid = contract.id
    rows = parties(session=session, contract_id=cid)
    org_ids = {p.organisation_id for p in rows if p.organisation_id}
    names = dict(session.exec(select(Organisation.id, Organisation.name)
                              .where(col(Organisation.id).in_(org_ids or {-1}))).all())
    milestones = list(session.exec(select(Milestone).where(Milestone.contract_id == cid)
                                   .order_by(col(Milestone.seq))).all())
    reports: dict[int, list[MilestoneReport]] = {m.id: [] for m in milestones}
    for r in session.exec(select(MilestoneReport).where(col(MilestoneReport.milestone_id).in_(
            list(reports) or [-1])).order_by(col(MilestoneReport.id))).all():
        reports[r.milestone_id].append(r)
    acceptances = list(session.exec(select(Acceptance).where(Acceptance.contract_id == cid)
                                    .order_by(col(Acceptance.round))).all())
    current = acceptances[-1] if acceptances else None
    panel = list(session.exec(select(AcceptanceExpert).where(
        AcceptanceExpert.acceptance_id == (current.id if current else -1))).all())
    votes = list(session.exec(select(AcceptanceVote).where(
        AcceptanceVote.acceptance_id == (current.id if current else -1)).order_by(col(AcceptanceVote.id))).all())
    expert_names = dict(session.exec(select(ExpertProfile.id, User.display_name)
                                     .join(User, col(User.id) == ExpertProfile.user_id)
                                     .where(col(ExpertProfile.id).in_({p.expert_id for p in panel} or {-1}))).all())
    return Detail(
        contract=contract, parties=rows, names=names,
        signatures=list(session.exec(select(ContractSignature).where(ContractSignature.contract_id == cid)
                                     .order_by(col(ContractSignature.id))).all()),
        amendments=list(session.exec(select(ContractAmendment).where(ContractAmendment.contract_id == cid)
                                     .order_by(col(ContractAmendment.revision))).all()),
        milestones=milestones, reports=reports,
        payments=list(session.exec(select(Payment).where(Payment.contract_id == cid)
                                   .order_by(col(Payment.paid_on), col(Payment.id))).all()),
        files={f.id: f for f in session.exec(select(ContractFile).where(ContractFile.contract_id == cid)).all()},
        acceptances=acceptances, panel=panel, votes=votes, expert_names=expert_names,
        checked_fen=checked_fen(session=session, contract_id=cid))


def open_file(*, session: Session, actor: Actor, file_id: int) -> ContractFile:
    row = session.get(ContractFile, file_id)
    if row is None:
        raise NotFound("文件不存在")
    get_for(session=session, actor=actor, contract_id=row.contract_id)
    return row


def get_milestone(*, session: Session, actor: Actor, milestone_id: int) -> Milestone:
    row = session.get(Milestone, milestone_id)
    if row is None:
        raise NotFound("里程碑不存在")
    get_for(session=session, actor=actor, contract_id=row.contract_id)
    return row


def get_payment(*, session: Session, actor: Actor, payment_id: int) -> Payment:
    row = session.get(Payment, payment_id)
    if row is None:
        raise NotFound("付款记录不存在")
    get_for(session=session, actor=actor, contract_id=row.contract_id)
    return row


def expert_pool(*, session: Session, exclude: set[int], limit: int = 200) -> list[tuple[ExpertProfile, User]]:
    """Experts an officer may add to an acceptance panel: not already on it, by id, at most `limit`."""
    return list(session.exec(select(ExpertProfile, User).join(User, col(User.id) == ExpertProfile.user_id)
                             .where(col(ExpertProfile.id).not_in(list(exclude) or [-1]))
                             .order_by(col(ExpertProfile.id)).limit(limit)).all())


# —— dashboard aggregates (SQL GROUP BY / SUM only; the bureau's StatsFilter on the contract's challenge) ——————


def _on_challenges(stmt, flt: StatsFilter):  # noqa: ANN001, ANN202
    """Join a statement over Contract to its challenge and apply the dashboard filter."""
    return scoped(stmt.join(Challenge, col(Challenge.id) == col(Contract.challenge_id)), flt)


def pipeline_counts(session: Session, flt: StatsFilter) -> dict[str, int]:
    """Challenges with a signed contract, and with an accepted one (distinct challenges)."""
    contracted, accepted = session.exec(_on_challenges(select(
        func.count(func.distinct(case((col(Contract.signed_on).is_not(None), Contract.challenge_id)))),
        func.count(func.distinct(case((col(Contract.status) == C.ACCEPTED, Contract.challenge_id)))),
    ).select_from(Contract), flt)).one()
    return {"contracted": int(contracted or 0), "accepted": int(accepted or 0)}


def funds(session: Session, flt: StatsFilter) -> dict[str, int]:
    """Company funds committed in signed contracts and the payments an officer checked, in fen."""
    committed = session.exec(_on_challenges(select(func.coalesce(func.sum(Contract.committed_fen), 0))
                                            .select_from(Contract), flt)
                             .where(col(Contract.signed_on).is_not(None))).one()
    checked = session.exec(_on_challenges(select(func.coalesce(func.sum(Payment.amount_fen), 0)).select_from(Payment)
                                          .join(Contract, col(Contract.id) == col(Payment.contract_id)), flt)
                           .where(col(Payment.status) == P.CHECKED)).one()
    return {"committed_fen": int(committed or 0), "checked_fen": int(checked or 0)}


def execution(session: Session, flt: StatsFilter, *, today: date, horizon_days: int = 30) -> dict[str, int]:
    """Milestones overdue (due before today, not reported or returned, contract executing) and contracts
    whose acceptance is coming (executing or in acceptance, ending within the horizon)."""
    overdue = session.exec(_on_challenges(select(func.count(Milestone.id)).select_from(Milestone)
                                          .join(Contract, col(Contract.id) == col(Milestone.contract_id)), flt)
                           .where(col(Milestone.due_on) < today,
                                  col(Milestone.status).in_([MilestoneStatus.PENDING, MilestoneStatus.RETURNED]),
                                  col(Contract.status).in_(list(EXECUTING)))).one()
    upcoming = session.exec(_on_challenges(select(func.count(Contract.id)).select_from(Contract), flt)
                            .where(col(Contract.end_on) >= today,
                                   col(Contract.end_on) <= today + timedelta(days=horizon_days),
                                   col(Contract.status).in_([*EXECUTING, C.ACCEPTING]))).one()
    return {"overdue_milestones": int(overdue or 0), "upcoming_acceptances": int(upcoming or 0)}


def outcomes(session: Session, flt: StatsFilter) -> dict[str, int]:
    """Ended contracts by outcome, and how many went through a rectification (mid-term or acceptance)."""
    ended, passed, rectified_pass, failed, terminated = session.exec(_on_challenges(select(
        func.sum(case((col(Contract.status).in_(list(ENDED)), 1), else_=0)),
        func.sum(case((col(Contract.outcome) == Verdict.PASSED, 1), else_=0)),
        func.sum(case((col(Contract.outcome) == Verdict.PASSED_AFTER_RECTIFICATION, 1), else_=0)),
        func.sum(case((col(Contract.status) == C.FAILED, 1), else_=0)),
        func.sum(case((col(Contract.status) == C.TERMINATED, 1), else_=0)),
    ).select_from(Contract), flt)).one()

    def having(verdicts):  # noqa: ANN001, ANN202 — contracts with an acceptance round of these verdicts
        rounds = select(Acceptance.contract_id).where(col(Acceptance.verdict).in_(verdicts))
        return session.exec(_on_challenges(select(func.count(Contract.id)).select_from(Contract), flt)
                            .where(col(Contract.id).in_(rounds))).one()

    concluded = having([v.value for v in Verdict])
    rectified = having([Verdict.FAILED_RECTIFIABLE.value])
    return {"ended": int(ended or 0), "passed": int(passed or 0), "passed_after_rectification":
            int(rectified_pass or 0), "failed": int(failed or 0), "terminated": int(terminated or 0),
            "concluded": int(concluded or 0),
            "rectified": int(rectified or 0)}
