"""Demo subsidies (issue 11): from the ended contracts the contract demo created, subsidies in every
state a page shows — computed (awaiting check), checked, approved awaiting payment, partly paid,
paid, and a clawback.

Call it after the contract demo, with two officers (the checker and a different approver):

    from marketplace.demo import subsidies as subsidy_demo
    subsidy_demo.load(session=session, maker_email="officer@jiebang.demo", checker_email="officer2@jiebang.demo")

Contracts come from `facts.source().ended()`. Passed contracts are advanced in turn to: computed,
approved, partly paid (the first installment of a staged policy, e.g. JB-STAGED), checked, paid.
A failed or terminated contract under a policy that claws back (JB-STAGED) tells the story the
clawback needs: it had passed acceptance, its first installment was paid, then the outcome the source
now reports (failed/terminated) was recorded — the subsidy moves to clawback with a receivable and
reversal entries. Contracts that already have a subsidy are left alone (loading twice adds nothing).
Note: the shipped JB-COMPLETION and JB-STAGED files end on 2025-12-31, so the ended demo contracts end
in 2025 (a 2025 acceptance paid in 2026, as in seeds/policies/examples/bureau-2026.json). The demo also
loads an approved successor version of JB-COMPLETION for 2026–2027 (SUCCESSOR below, plainly titled as
demo data, not a real document), so a contract accepted today — the demo contract awaiting acceptance —
computes a non-zero subsidy.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlmodel import Session, select

from marketplace import db
from marketplace.accounts.models import User
from marketplace.actor import Actor
from marketplace.subsidies import bureau, service
from marketplace.subsidies import facts as contract_facts
from marketplace.subsidies.facts import ContractFacts, Outcome
from marketplace.subsidies.models import PolicyVersion, PolicyVersionStatus, Subsidy, SubsidyPool, SubsidyStatus
from marketplace.subsidies.schemas import PolicyVersionIn

PASSING = (Outcome.PASSED, Outcome.PASSED_AFTER_RECTIFICATION)
# The bureau's 2025 budgets (table `subsidypool`, shown on /subsidies/pools), as in
# seeds/policies/examples/bureau-2026.json; set before computing so the engine respects them.
POOLS = (("2025年度揭榜挂帅完成合同补助", "JB-COMPLETION", 2025, 800_000_000),
         ("2025年度揭榜挂帅分期拨付补助", "JB-STAGED", 2025, 500_000_000))


def ensure_pools(session: Session) -> None:
    with db.atomic(session):
        for name, code, year, total_fen in POOLS:
            if session.exec(select(SubsidyPool.id).where(SubsidyPool.policy_code == code,
                                                         SubsidyPool.year == year)).first() is None:
                session.add(SubsidyPool(name=name, policy_code=code, year=year, total_fen=total_fen))
TARGETS = ("computed", "approved", "partly_paid", "checked", "paid")

# DEMO DATA, not a real document: JB-COMPLETION ends with the action plan (2025-12-31); this invented
# successor (drafted by one demo officer, approved by the other) keeps it in force for 2026–2027 so a
# contract accepted today computes a non-zero subsidy. Its title says plainly that it is not real.
SUCCESSOR = PolicyVersionIn(
    policy_code="JB-COMPLETION", document="演示〔2026〕1号",
    document_title="演示数据：假设的延续政策（非真实文件）", clause="第三条",
    clause_text="（演示数据，非真实文件）对成功揭榜并完成合同的项目，按企业投入资金的20%给予补助，"
                "单个项目最高500万元。",
    effective_from=date(2026, 1, 1), effective_to=date(2027, 12, 31), ratio="0.20",
    cap_per_project="5000000.00")


def ensure_successor(session: Session, maker: Actor, checker: Actor) -> None:
    """The demo successor version of JB-COMPLETION, approved (once)."""
    found = session.exec(select(PolicyVersion).where(PolicyVersion.policy_code == SUCCESSOR.policy_code,
                                                     PolicyVersion.document == SUCCESSOR.document)).first()
    if found is None:
        found = bureau.draft_version(session=session, actor=maker, data=SUCCESSOR)
    if found.status == PolicyVersionStatus.DRAFT:
        bureau.approve_version(session=session, actor=checker, version_id=found.id)


def _actor(session: Session, email: str) -> Actor:
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        raise LookupError(f"demo officer {email} not found")
    return Actor(user_id=user.id, role=user.role, organisation_id=user.organisation_id,
                 display_name=user.display_name)


def _pay(session: Session, checker: Actor, subsidy: Subsidy, *, all_of_it: bool) -> None:
    for stage in service.installments_of(subsidy):
        if stage["amount_fen"] <= 0:
            continue
        service.disburse(session=session, actor=checker, subsidy_id=subsidy.id, installment=stage["installment"],
                         key=f"demo:{subsidy.id}:{stage['installment']}")
        if not all_of_it:
            return


def advance(session: Session, subsidy: Subsidy, target: str, maker: Actor, checker: Actor) -> None:
    if target == "computed" or subsidy.awarded_fen == 0:
        return
    service.check(session=session, actor=maker, subsidy_id=subsidy.id, note="演示：测算无误")
    if target == "checked":
        return
    service.approve(session=session, actor=checker, subsidy_id=subsidy.id)
    if target in ("partly_paid", "paid"):
        _pay(session, checker, subsidy, all_of_it=target == "paid")


def load(*, session: Session, maker_email: str = "officer@jiebang.demo",
         checker_email: str = "officer2@jiebang.demo",
         contracts: list[ContractFacts] | None = None) -> dict[str, int]:
    """Compute and advance the demo subsidies; returns how many reached each state."""
    maker, checker = _actor(session, maker_email), _actor(session, checker_email)
    ensure_pools(session)
    ensure_successor(session, maker, checker)
    ended = contracts if contracts is not None else contract_facts.source().ended(session=session)
    done = set(session.exec(select(Subsidy.contract_id)).all())
    loaded, _ = service.policies()
    passed = [c for c in ended if c.outcome in PASSING and c.contract_id not in done]
    failed = [c for c in ended if c.outcome not in PASSING and c.contract_id not in done]
    staged_first = sorted(passed, key=lambda c: len(loaded[service.policy_code_of(c)].installments) < 2)
    targets = {}
    if staged_first:  # a staged contract goes to partly paid; the others round-robin
        targets[staged_first[0].contract_id] = "partly_paid"
    rest = iter(t for t in TARGETS if t != "partly_paid" or not staged_first)
    for facts in passed:
        target = targets.get(facts.contract_id) or next(rest, "computed")
        subsidy = service.compute_contract(session=session, actor=maker, facts=facts)
        if subsidy is not None:
            advance(session, subsidy, target, maker, checker)
    for facts in failed:
        if loaded[service.policy_code_of(facts)].clawback_on_fail:
            subsidy = service.compute_contract(session=session, actor=maker,
                                               facts=replace(facts, outcome=Outcome.PASSED))
            if subsidy is not None:
                advance(session, subsidy, "partly_paid", maker, checker)
                service.reassess(session=session, actor=maker, subsidy_id=subsidy.id, facts=facts)
            continue
        service.compute_contract(session=session, actor=maker, facts=facts)
    counts: dict[str, int] = {}
    for status in session.exec(select(Subsidy.status)).all():
        counts[status] = counts.get(status, 0) + 1
    return {str(SubsidyStatus(k).value): v for k, v in counts.items()}


def load_subsidies(*, session: Session, report, **_: object) -> None:  # noqa: ANN001
    """The demo loader: 免申即享 on the ended demo contracts (counts only the subsidies it created)."""
    before = len(session.exec(select(Subsidy.id)).all())
    load(session=session)
    for _ in range(len(session.exec(select(Subsidy.id)).all()) - before):
        report.count("subsidies")
