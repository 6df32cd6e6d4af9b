"""Time-driven contract work for the scheduler tick: overdue milestones and their reminders.

Each milestone is marked overdue once, by a guarded UPDATE (overdue_since IS NULL), with one audit
event and a once-only reminder to the team and the officers, so overlapping ticks act once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from marketplace import db
from marketplace.actor import SYSTEM
from marketplace.audit import service as audit
from marketplace.clock import utcnow
from marketplace.contracts import memory, queries
from marketplace.contracts.models import EXECUTING, Contract, Milestone
from marketplace.contracts.models import MilestoneStatus as M
from marketplace.contracts.service import today
from marketplace.notifications import service as notifications
from marketplace.notifications.models import Kind


def overdue_ids(*, session: Session, now: datetime | None = None) -> list[int]:
    day = today(now)
    return list(session.exec(
        select(Milestone.id).join(Contract, col(Contract.id) == Milestone.contract_id)
        .where(col(Milestone.due_on) < day, col(Milestone.status).in_([M.PENDING, M.RETURNED]),
               col(Milestone.overdue_since).is_(None), col(Contract.status).in_(list(EXECUTING)))
        .order_by(col(Milestone.id))).all())


def tick(*, session: Session, now: datetime | None = None) -> list[int]:
    """Mark newly overdue milestones and remind; returns their ids. Commits per milestone."""
    now = now or utcnow()
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
