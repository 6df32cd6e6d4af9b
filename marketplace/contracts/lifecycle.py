"""Time-driven contract work for the scheduler tick: overdue milestones and their reminders, and
acceptance rectification windows that lapsed.

Each milestone is marked overdue once, by a guarded UPDATE (overdue_since IS NULL), with one audit
event and a once-only reminder to the team and the officers, so overlapping ticks act once.
A contract whose one rectification window (FAILED_RECTIFIABLE) ended without a re-acceptance request
becomes FAILED through the state table's guarded UPDATE (`lapse`, system only): a racing tick gets
Conflict and does nothing, so the audit event and the notice to the parties happen once. The subsidy
ledger then treats it as any failed contract (免申即享 computes 0; clawback as its policy says).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from marketplace import db
from marketplace.actor import SYSTEM
from marketplace.audit import service as audit
from marketplace.clock import utcnow
from marketplace.contracts import memory, queries, states
from marketplace.contracts.models import EXECUTING, Contract, Milestone, Verdict
from marketplace.contracts.models import ContractStatus as C
from marketplace.contracts.models import MilestoneStatus as M
from marketplace.contracts.service import _tell, today
from marketplace.errors import Conflict
from marketplace.notifications import service as notifications
from marketplace.notifications.models import Kind
from marketplace.states import apply


def overdue_ids(*, session: Session, now: datetime | None = None) -> list[int]:
    day = today(now)
    return list(session.exec(
        select(Milestone.id).join(Contract, col(Contract.id) == Milestone.contract_id)
        .where(col(Milestone.due_on) < day, col(Milestone.status).in_([M.PENDING, M.RETURNED]),
               col(Milestone.overdue_since).is_(None), col(Contract.status).in_(list(EXECUTING)))
        .order_by(col(Milestone.id))).all())


def tick(*, session: Session, now: datetime | None = None) -> list[int]:
    """Mark newly overdue milestones and remind; returns their ids. Commits per milestone.
    Then fails the contracts whose acceptance rectification window lapsed (`fail_lapsed`)."""
    now = now or utcnow()
    marked = _mark_overdue(session, now)
    fail_lapsed(session=session, now=now)
    return marked


def _mark_overdue(session: Session, now: datetime) -> list[int]:
    marked = []
    for milestone_id in overdue_ids(session=session, now=now):
        with db.atomic(session):
            day = today(now)
            if session.execute(update(Milestone).where(col(Milestone.id) == milestone_id,
                                                       col(Milestone.overdue_since).is_(None))
                               .values(overdue_since=day)).rowcount != 1:
                continue
            milestone = session.get(Milestone, milestone_id)
            contract = session.get(Contract, milestone.contract_id)
            audit.record(session=session, actor=SYSTEM, action="milestone.overdue", subject_type="milestone",
                         subject_id=milestone.id, summary={"contract_id": contract.id,
                                                           "due_on": milestone.due_on.isoformat()})
            notifications.notify(
                session=session, kind=Kind.MILESTONE_OVERDUE, dedupe=f"milestone-overdue:{milestone.id}",
                user_ids=queries.user_ids(session=session, contract=contract, sides=("team", "bureau")),
                title=f"里程碑逾期：{milestone.title}（{contract.title}）"[:200], link=f"/contracts/{contract.id}",
                body=f"应于 {milestone.due_on.isoformat()} 完成，尚未提交报告或报告被退回。")
            memory.late_report(session, SYSTEM, contract, milestone)
            marked.append(milestone_id)
    return marked


def lapsed_ids(*, session: Session, now: datetime | None = None) -> list[int]:
    """Contracts in their rectification window whose last day (rectify_by) has passed."""
    return list(session.exec(
        select(Contract.id).where(Contract.status == C.ACCEPTANCE_RECTIFYING, col(Contract.rectify_by).is_not(None),
                                  col(Contract.rectify_by) < today(now))
        .order_by(col(Contract.id))).all())


def fail_lapsed(*, session: Session, now: datetime | None = None) -> list[int]:
    """FAILED_RECTIFIABLE → FAILED when the window lapsed without re-acceptance; returns the contracts
    this call failed (a racing tick's loser gets none). Commits per contract."""
    failed = []
    for contract_id in lapsed_ids(session=session, now=now):
        try:
            with db.atomic(session):
                contract = session.get(Contract, contract_id)
                session.refresh(contract)
                deadline: date = contract.rectify_by
                if contract.status != C.ACCEPTANCE_RECTIFYING:  # moved since the query: the guard in
                    continue                                     # apply() would refuse it anyway
                apply(session, contract, states.CONTRACT, "lapse", actor=SYSTEM,
                      summary={"verdict": Verdict.FAILED, "rectify_by": deadline.isoformat(),
                               "reason": "整改期满未申请复验"},
                      outcome=Verdict.FAILED.value, ended_on=deadline + timedelta(days=1), rectify_by=None)
                memory.concluded(session, SYSTEM, contract, Verdict.FAILED, "整改期满未申请复验")
                _tell(session, contract, "验收结论：验收不通过",
                      f"整改期限 {deadline.isoformat()} 已过，未申请复验，按验收不通过处理。",
                      dedupe=f"contract-lapsed:{contract.id}")
            failed.append(contract_id)
        except Conflict:  # another tick (or a last-minute re-acceptance request) moved it first
            session.rollback()
    return failed
