"""A clawback is remembered in the beneficiary's credit memory in the same transaction (issue 12)."""

from sqlmodel import select

from marketplace.credit.models import CreditRecord
from marketplace.subsidies import service
from marketplace.subsidies.facts import Outcome
from tests import factories as f
from tests.subsidies_ledger.test_workflow import approved


def test_a_clawback_is_remembered_once_for_the_beneficiary(session, source, who):
    s = approved(session, source, who, policy_id="JB-STAGED")
    service.disburse(session=session, actor=f.actor(session, who.checker), subsidy_id=s.id, installment=1, key="k1")
    assert session.exec(select(CreditRecord).where(CreditRecord.organisation_id == who.org_id)).all() == []
    source.end_again(s.contract_id, Outcome.TERMINATED)
    assert service.compute_all(session=session).clawed_back == [s.id]
    service.compute_all(session=session)
    rows = session.exec(select(CreditRecord).where(CreditRecord.organisation_id == who.org_id)).all()
    assert [(r.kind, r.subject_type, r.subject_id) for r in rows] == [("clawback", "subsidy", str(s.id))]
    assert "800000.00" in rows[0].note or "800,000.00" in rows[0].note
