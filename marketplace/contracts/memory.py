"""Credit memory from the contract workflow: the calls the contract services make, in their transaction,
when an outcome (accepted, rectified, failed, terminated) or a breach (a late milestone report) happens.
The organisation remembered is the lead team (乙方牵头单位), whose performance the contract measures."""

from __future__ import annotations

from sqlmodel import Session

from marketplace.actor import Actor
from marketplace.contracts.models import VERDICT_LABELS, Contract, Milestone, Verdict
from marketplace.credit import service as credit
from marketplace.credit.models import CreditKind

OUTCOMES = {Verdict.PASSED: CreditKind.ACCEPTED, Verdict.PASSED_AFTER_RECTIFICATION: CreditKind.RECTIFIED,
            Verdict.FAILED: CreditKind.FAILED}


def concluded(session: Session, actor: Actor, contract: Contract, verdict: Verdict, reason: str) -> None:
    """An acceptance verdict that ends the contract (a rectifiable failure is not an outcome yet)."""
    if verdict in OUTCOMES:
        note = f"{contract.title}：{VERDICT_LABELS[verdict]}" + (f"。{reason}" if reason else "")
        credit.remember(session=session, actor=actor, organisation_ids=[contract.team_org_id],
                        kind=OUTCOMES[verdict], note=note, subject_type="contract", subject_id=contract.id)


def terminated(session: Session, actor: Actor, contract: Contract, note: str) -> None:
    credit.remember(session=session, actor=actor, organisation_ids=[contract.team_org_id],
                    kind=CreditKind.TERMINATED, note=f"{contract.title}：中期检查终止" + (f"。{note}" if note else ""),
                    subject_type="contract", subject_id=contract.id)


def late_report(session: Session, actor: Actor, contract: Contract, milestone: Milestone) -> None:
    credit.remember(session=session, actor=actor, organisation_ids=[contract.team_org_id],
                    kind=CreditKind.LATE_REPORT,
                    note=f"{contract.title}：里程碑“{milestone.title}”应于 {milestone.due_on.isoformat()} 完成，"
                         "逾期未提交报告",
                    subject_type="contract", subject_id=contract.id)
