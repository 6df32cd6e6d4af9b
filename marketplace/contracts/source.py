"""The ContractSource the subsidy ledger reads (marketplace/subsidies/facts.py): ended contracts with
their officer-checked payments only, oldest first."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from marketplace.accounts.models import Organisation
from marketplace.contracts.models import ENDED, Contract
from marketplace.contracts.models import Payment as PaymentRow
from marketplace.contracts.models import PaymentStatus as P
from marketplace.subsidies.facts import ContractFacts, Outcome, Payment


class Source:
    def ended(self, *, session: Session, since: date | None = None) -> list[ContractFacts]:
        stmt = select(Contract).where(col(Contract.status).in_(list(ENDED)), col(Contract.ended_on).is_not(None))
        if since is not None:
            stmt = stmt.where(col(Contract.ended_on) >= since)
        rows = list(session.exec(stmt.order_by(col(Contract.ended_on), col(Contract.id))).all())
        return self._facts(session, rows)

    def get(self, *, session: Session, contract_id: int) -> ContractFacts | None:
        row = session.get(Contract, contract_id)
        if row is None or row.status not in ENDED or row.ended_on is None:
            return None
        return self._facts(session, [row])[0]

    @staticmethod
    def _facts(session: Session, rows: list[Contract]) -> list[ContractFacts]:
        ids = [r.id for r in rows] or [-1]
        payments: dict[int, list[Payment]] = {}
        for p in session.exec(select(PaymentRow).where(col(PaymentRow.contract_id).in_(ids),
                                                       PaymentRow.status == P.CHECKED)
                              .order_by(col(PaymentRow.paid_on), col(PaymentRow.id))).all():
            payments.setdefault(p.contract_id, []).append(Payment(paid_on=p.paid_on, amount_fen=p.amount_fen))
        districts = dict(session.exec(select(Organisation.id, Organisation.district).where(
            col(Organisation.id).in_({r.company_org_id for r in rows} or {-1}))).all())
        return [ContractFacts(contract_id=r.id, challenge_id=r.challenge_id, title=r.title,
                              company_org_id=r.company_org_id, team_org_id=r.team_org_id, contract_fen=r.amount_fen,
                              payments=tuple(payments.get(r.id, ())), outcome=Outcome(r.outcome),
                              ended_on=r.ended_on, signed_on=r.signed_on or r.start_on, policy_id=r.policy_id,
                              district=districts.get(r.company_org_id) or None)
                for r in rows]


SOURCE = Source()
