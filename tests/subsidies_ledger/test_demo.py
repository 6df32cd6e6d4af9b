"""The demo loader turns the contract demo's ended contracts into subsidies in every state."""

from datetime import date

from sqlmodel import select

from marketplace.accounts.models import Role
from marketplace.demo import subsidies as demo
from marketplace.subsidies import service
from marketplace.subsidies.facts import Outcome
from marketplace.subsidies.models import LedgerEntry, Subsidy
from tests import factories as f
from tests.subsidies_ledger.conftest import contract


def test_demo_subsidies_cover_every_state_and_load_once(session, source):
    company = f.user(session, role=Role.COMPANY)
    f.user(session, role=Role.OFFICER, email="officer@jiebang.demo")
    f.user(session, role=Role.OFFICER, email="officer2@jiebang.demo")
    session.commit()
    org = company.organisation_id
    for i, (outcome, policy) in enumerate([(Outcome.PASSED, None), (Outcome.PASSED, "JB-STAGED"),
                                           (Outcome.PASSED_AFTER_RECTIFICATION, None), (Outcome.PASSED, None),
                                           (Outcome.TERMINATED, "JB-STAGED"), (Outcome.FAILED, None)]):
        source.add(contract(company_org_id=org, outcome=outcome, policy_id=policy, ended_on=date(2025, 3, 1 + i)))
    counts = demo.load(session=session)
    assert counts == {"computed": 2, "approved": 2, "checked": 1, "clawback": 1}, counts
    subsidies = session.exec(select(Subsidy)).all()
    partly = [s for s in subsidies if s.status == "approved" and 0 < s.disbursed_fen < s.awarded_fen]
    assert len(partly) == 1
    clawed = next(s for s in subsidies if s.status == "clawback")
    kinds = [e.kind for e in session.exec(select(LedgerEntry).where(LedgerEntry.subsidy_id == clawed.id))]
    assert kinds == ["award", "payment", "reversal", "clawback_receivable"]
    assert all(service.recompute(session=session, subsidy_id=s.id).agrees for s in subsidies)
    # the stored case of every subsidy matches what the source says now: a tick changes nothing
    report = service.compute_all(session=session)
    assert (report.computed, report.clawed_back, report.rejected) == ([], [], [])
    assert demo.load(session=session) == counts
