"""Contracts → subsidy ledger through the real ContractSource: a contract that passes acceptance is
subsidised by the tick from its officer-checked payments only (免申即享), once."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from marketplace.contracts import service
from marketplace.contracts.models import Contract
from marketplace.contracts.schemas import ConcludeIn, ContractIn, PaymentIn
from marketplace.subsidies import facts
from marketplace.subsidies import service as subsidies
from marketplace.subsidies.models import Subsidy
from tests.contracts import helpers as h

# JB-COMPLETION is in force until 2025-12-31 (the action plan's period): the contract runs in 2025.
SIGNED = datetime(2025, 1, 10, 2, 0, tzinfo=UTC)
ACCEPTED = datetime(2025, 10, 20, 2, 0, tzinfo=UTC)


def _pay(session, s, c, yuan: str, on: date, tmp, *, checked: bool):
    payment = service.record_payment(session=session, actor=s.a(session, s.company), contract_id=c.id,
                                     data=PaymentIn(amount_yuan=yuan, paid_on=on), voucher=h.PDF,
                                     uploads_dir=tmp, max_bytes=1 << 20, now=ACCEPTED)
    service.confirm_payment(session=session, actor=s.a(session, s.team), payment_id=payment.id)
    if checked:
        service.check_payment(session=session, actor=s.a(session, s.officer), payment_id=payment.id,
                              now=ACCEPTED)
    return payment


def _passed_contract(session, tmp):
    s = h.awarded(session)
    c = service.create(session=session, actor=s.a(session, s.officer), challenge_id=s.challenge.id,
                       data=ContractIn(payment_shares=[40, 60], start_on=SIGNED.date()), now=SIGNED)
    for u in (s.company, s.team, s.partner, s.officer):
        service.sign(session=session, actor=s.a(session, u), contract_id=c.id, now=SIGNED)
    _pay(session, s, c, "1000000", date(2025, 2, 1), tmp, checked=True)
    _pay(session, s, c, "500000", date(2025, 6, 1), tmp, checked=False)  # confirmed, never checked
    h.milestones_done(session, s, c, tmp)
    service.request_acceptance(session=session, actor=s.a(session, s.team), contract_id=c.id,
                               data=h.measurements("结壳热阻", "功率循环寿命"), now=ACCEPTED)
    expert, user = h.expert(session)
    service.add_panel_expert(session=session, actor=s.a(session, s.officer), contract_id=c.id,
                             expert_id=expert.id, now=ACCEPTED)
    service.vote(session=session, actor=s.a(session, user), contract_id=c.id, data=h.votes(True))
    service.vote(session=session, actor=s.a(session, s.company), contract_id=c.id, data=h.votes(True))
    service.conclude(session=session, actor=s.a(session, s.officer), contract_id=c.id, data=ConcludeIn(),
                     now=ACCEPTED)
    return s, session.get(Contract, c.id)


def test_a_passed_contract_is_subsidised_from_its_checked_payments_once(session, tmp_path):
    s, contract = _passed_contract(session, tmp_path)
    assert contract.status == "accepted"

    ended = facts.source().get(session=session, contract_id=contract.id)
    assert ended is not None and ended.invested_fen == 100_000_000  # the unchecked 50万 does not count

    report = subsidies.compute_all(session=session)
    subsidy = session.exec(select(Subsidy).where(Subsidy.contract_id == contract.id)).one()
    assert subsidy.id in report.computed
    assert subsidy.beneficiary_org_id == s.company.organisation_id
    assert subsidy.case["cases"][0]["base"] == "1000000.00"
    # JB-COMPLETION: 20% of the company's checked investment (100万), under the 500万 cap.
    assert subsidy.entitlement_fen == 20_000_000
    assert subsidies.recompute(session=session, subsidy_id=subsidy.id).agrees

    again = subsidies.compute_all(session=session)
    assert subsidy.id not in again.computed
    assert len(session.exec(select(Subsidy).where(Subsidy.contract_id == contract.id)).all()) == 1


def test_a_contract_still_running_is_not_subsidised(session, tmp_path):
    s = h.awarded(session)
    c = h.signed(session, s)
    assert facts.source().get(session=session, contract_id=c.id) is None
    subsidies.compute_all(session=session)
    assert session.exec(select(Subsidy).where(Subsidy.contract_id == c.id)).first() is None
