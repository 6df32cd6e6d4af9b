"""Credit memory from the contract workflow: the calls the contract services make, in their transaction,
when an outcome (accepted, rectified, failed, terminated) or a breach (a late milestone report) happens.

An outcome is remembered for every party that answered for the contract: the lead team (乙方牵头单位), each
consortium partner (联合体成员), whose shares the contract fixed, and the company (发榜方), which committed the
funds and accepted or failed the work with them. A late milestone report is the lead team's duty alone (the
team files the reports), so only the lead team is remembered for it. The bureau is a party that signs, not one
that performs: it is never remembered.
"""

from __future__ import annotations

from sqlmodel import Session

from marketplace.actor import Actor
from marketplace.contracts import queries
from marketplace.contracts.models import VERDICT_LABELS, Contract, Milestone, PartyRole, Verdict
from marketplace.credit import service as credit
from marketplace.credit.models import CreditKind

OUTCOMES = {Verdict.PASSED: CreditKind.ACCEPTED, Verdict.PASSED_AFTER_RECTIFICATION: CreditKind.RECTIFIED,
            Verdict.FAILED: CreditKind.FAILED}
# The roles an outcome is remembered for, and how the note names each (the note says in which capacity).
ANSWERING = {PartyRole.TEAM: "揭榜方牵头单位", PartyRole.PARTNER: "联合体成员单位", PartyRole.COMPANY: "发榜方"}


def answering_parties(session: Session, contract: Contract) -> list[tuple[int, str]]:
    """(organisation id, capacity) of every party an outcome is remembered for: lead team first, then the
    consortium partners, then the company (the contract's own columns stand in for missing party rows)."""
    rows = [(p.organisation_id, ANSWERING[PartyRole(p.role)]) for p in queries.parties(session=session,
                                                                                         contract_id=contract.id)
            if p.role in ANSWERING and p.organisation_id]
    order = list(ANSWERING.values())
    found = {org for org, _ in rows}
    rows += [(org, ANSWERING[role]) for org, role in ((contract.team_org_id, PartyRole.TEAM),
                                                      (contract.company_org_id, PartyRole.COMPANY))
             if org and org not in found]
    return sorted(rows, key=lambda r: order.index(r[1]))


def _remember_outcome(session: Session, actor: Actor, contract: Contract, kind: CreditKind, note: str) -> None:
    """One record per answering organisation, each note naming the capacity (one transaction: the caller's)."""
    for org_id, capacity in answering_parties(session, contract):
        credit.remember(session=session, actor=actor, organisation_ids=[org_id], kind=kind,
                        note=f"{note}（{capacity}）", subject_type="contract", subject_id=contract.id)


def concluded(session: Session, actor: Actor, contract: Contract, verdict: Verdict, reason: str) -> None:
    """An acceptance verdict that ends the contract (a rectifiable failure is not an outcome yet)."""
    if verdict in OUTCOMES:
        note = f"{contract.title}：{VERDICT_LABELS[verdict]}" + (f"。{reason}" if reason else "")
        _remember_outcome(session, actor, contract, OUTCOMES[verdict], note)


def terminated(session: Session, actor: Actor, contract: Contract, note: str) -> None:
    _remember_outcome(session, actor, contract, CreditKind.TERMINATED,
                      f"{contract.title}：中期检查终止" + (f"。{note}" if note else ""))


def late_report(session: Session, actor: Actor, contract: Contract, milestone: Milestone) -> None:
    credit.remember(session=session, actor=actor, organisation_ids=[contract.team_org_id],
                    kind=CreditKind.LATE_REPORT,
                    note=f"{contract.title}：里程碑“{milestone.title}”应于 {milestone.due_on.isoformat()} 完成，"
                         "逾期未提交报告",
                    subject_type="contract", subject_id=contract.id)
