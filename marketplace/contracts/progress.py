"""Public project progress (`/projects/{id}`), shown only while both the company and the lead team agree.

What is public: the project's title, the two parties' names, each milestone's title, due date and whether it
is done, the progress weighted by the milestones' payment shares, and the coarse status or acceptance verdict.
Never: amounts, payments or vouchers, reports, indicator measurements, votes, reasons or anything of a bid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, func, select

from marketplace import db
from marketplace.accounts.models import Organisation
from marketplace.actor import Actor
from marketplace.audit import service as audit
from marketplace.contracts import permissions
from marketplace.contracts.models import (
    VERDICT_LABELS,
    Contract,
    Milestone,
    MilestoneStatus,
    ProgressConsent,
    Verdict,
)
from marketplace.contracts.models import ContractStatus as C
from marketplace.errors import Conflict, Forbidden, NotFound

SIDES = ("company", "team")
PUBLIC_STATUS = {C.SIGNED: "执行中", C.AMENDING: "执行中", C.RECTIFYING: "执行中", C.ACCEPTING: "验收中",
                 C.ACCEPTANCE_RECTIFYING: "验收中", C.TERMINATED: "已终止"}
NOT_PUBLISHED = "已签订任务书"  # all open data says of a contract whose parties did not agree to publish


def side_of(actor: Actor, contract: Contract) -> str | None:
    """company / team when the actor may give or withdraw that side's consent, else None."""
    if permissions.is_company(actor, contract):
        return "company"
    if permissions.is_lead_team(actor, contract):
        return "team"
    return None


def public_status(contract: Contract) -> str:
    if contract.status in (C.ACCEPTED, C.FAILED) and contract.outcome in {v.value for v in Verdict}:
        return VERDICT_LABELS[Verdict(contract.outcome)]
    return PUBLIC_STATUS.get(contract.status, NOT_PUBLISHED)


@db.use_case
def set_consent(*, session: Session, actor: Actor, contract_id: int, agree: bool) -> list[str]:
    """Give or withdraw the actor's side's consent; returns the sides agreeing afterwards."""
    contract = session.get(Contract, contract_id)
    if contract is None or actor.is_anonymous:
        raise NotFound("任务书不存在")
    side = side_of(actor, contract)
    if side is None:
        raise Forbidden("只有发榜企业和揭榜牵头单位可以决定是否公开项目进展")
    if agree:
        if session.exec(select(ProgressConsent.id).where(ProgressConsent.contract_id == contract.id,
                                                         ProgressConsent.party == side)).first():
            raise Conflict("本方已同意公开项目进展")
        session.add(ProgressConsent(contract_id=contract.id, party=side, agreed_by=actor.user_id))
        try:
            session.flush()
        except IntegrityError as exc:
            raise Conflict("本方已同意公开项目进展") from exc
    elif session.execute(delete(ProgressConsent).where(col(ProgressConsent.contract_id) == contract.id,
                                                       col(ProgressConsent.party) == side)).rowcount != 1:
        raise Conflict("本方尚未同意公开项目进展")
    audit.record(session=session, actor=actor, action="contract.progress_consent", subject_type="contract",
                 subject_id=contract.id, summary={"party": side, "agree": agree})
    return consents(session, contract.id)


def consents(session: Session, contract_id: int) -> list[str]:
    return sorted(session.exec(select(ProgressConsent.party)
                               .where(ProgressConsent.contract_id == contract_id)).all())


def _published():  # noqa: ANN202 — contract ids both sides agreed to publish (a subquery)
    return (select(ProgressConsent.contract_id).where(col(ProgressConsent.party).in_(SIDES))
            .group_by(ProgressConsent.contract_id)
            .having(func.count(func.distinct(ProgressConsent.party)) == len(SIDES)))


def published_ids(session: Session, contract_ids: list[int]) -> set[int]:
    if not contract_ids:
        return set()
    return set(session.exec(_published().where(col(ProgressConsent.contract_id).in_(contract_ids))).all())


@dataclass
class PublicMilestone:
    seq: int
    title: str
    due_on: date
    done: bool
    share_percent: int


@dataclass
class PublicProgress:
    contract_id: int
    challenge_id: int
    title: str
    company: str
    team: str
    start_on: date
    end_on: date
    status: str
    milestones: list[PublicMilestone]
    today: date

    @property
    def done(self) -> int:
        return sum(1 for m in self.milestones if m.done)

    @property
    def due(self) -> int:
        return sum(1 for m in self.milestones if m.due_on <= self.today)

    @property
    def weighted_percent(self) -> int:
        """Progress weighted by payment share: the shares of the milestones the company confirmed."""
        return sum(m.share_percent for m in self.milestones if m.done)


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    return dict(session.exec(select(Organisation.id, Organisation.name)
                             .where(col(Organisation.id).in_(ids or {-1}))).all())


def public_progress(*, session: Session, contract_id: int, today: date) -> PublicProgress:
    """The public view of one project; NotFound unless signed and both sides agree (never says which)."""
    contract = session.get(Contract, contract_id)
    if contract is None or contract.signed_on is None or not published_ids(session, [contract_id]):
        raise NotFound("项目进展未公开或不存在")
    names = _names(session, {contract.company_org_id, contract.team_org_id})
    rows = session.exec(select(Milestone).where(Milestone.contract_id == contract.id)
                        .order_by(col(Milestone.seq))).all()
    return PublicProgress(
        contract_id=contract.id, challenge_id=contract.challenge_id, title=contract.title,
        company=names.get(contract.company_org_id, ""), team=names.get(contract.team_org_id, ""),
        start_on=contract.start_on, end_on=contract.end_on, status=public_status(contract), today=today,
        milestones=[PublicMilestone(m.seq, m.title, m.due_on, m.status == MilestoneStatus.CONFIRMED,
                                    m.payment_share_percent) for m in rows])


def published_projects(session: Session, *, limit: int = 500) -> list[tuple[int, int, str, str]]:
    """(contract id, challenge id, title, public status) of every published project, newest first."""
    rows = session.exec(select(Contract).where(col(Contract.id).in_(_published()),
                                               col(Contract.signed_on).is_not(None))
                        .order_by(col(Contract.id).desc()).limit(limit)).all()
    return [(c.id, c.challenge_id, c.title, public_status(c)) for c in rows]


def published_by_challenge(session: Session, challenge_ids: list[int]) -> dict[int, int]:
    """challenge id → contract id of its published project page (for links from the results)."""
    if not challenge_ids:
        return {}
    return dict(session.exec(select(Contract.challenge_id, Contract.id)
                             .where(col(Contract.challenge_id).in_(challenge_ids),
                                    col(Contract.signed_on).is_not(None), col(Contract.id).in_(_published()))
                             .order_by(col(Contract.id))).all())


def public_statuses(session: Session, challenge_ids: list[int]) -> dict[int, str]:
    """challenge id → the public status of its signed contract(s) for open data: the coarse status or verdict
    where both sides agreed to publish, else only that a contract was signed."""
    if not challenge_ids:
        return {}
    rows = session.exec(select(Contract).where(col(Contract.challenge_id).in_(challenge_ids),
                                               col(Contract.signed_on).is_not(None))
                        .order_by(col(Contract.id))).all()
    shown = published_ids(session, [c.id for c in rows])
    out: dict[int, list[str]] = {}
    for c in rows:
        out.setdefault(c.challenge_id, []).append(public_status(c) if c.id in shown else NOT_PUBLISHED)
    return {k: "；".join(v) for k, v in out.items()}
