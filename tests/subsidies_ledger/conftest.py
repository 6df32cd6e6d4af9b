"""An in-memory ContractSource (a test double of the one interface, facts.py) and ledger helpers."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import date

import pytest
from sqlmodel import Session

from marketplace.accounts.models import Role
from marketplace.subsidies import facts
from marketplace.subsidies.facts import ContractFacts, Outcome, Payment
from tests import factories as f
from tests.concurrency.conftest import live_engine  # noqa: F401  (the shared racing engine)

_ids = itertools.count(10_000)


@dataclass
class MemorySource:
    """Ended contracts held in a dict; `ended`/`get` behave as the Protocol says."""

    contracts: dict[int, ContractFacts] = field(default_factory=dict)

    def ended(self, *, session: Session, since: date | None = None) -> list[ContractFacts]:
        rows = [c for c in self.contracts.values() if since is None or c.ended_on >= since]
        return sorted(rows, key=lambda c: (c.ended_on, c.contract_id))

    def get(self, *, session: Session, contract_id: int) -> ContractFacts | None:
        return self.contracts.get(contract_id)

    def add(self, contract: ContractFacts) -> ContractFacts:
        self.contracts[contract.contract_id] = contract
        return contract

    def end_again(self, contract_id: int, outcome: Outcome) -> ContractFacts:
        """The contract's outcome changes later (acceptance revoked, contract terminated)."""
        return self.add(replace(self.contracts[contract_id], outcome=outcome))


def contract(*, company_org_id: int, invested_fen: int = 800_000_000, outcome: Outcome = Outcome.PASSED,
             ended_on: date = date(2024, 6, 30), policy_id: str | None = None,
             payments: int = 2, contract_id: int | None = None) -> ContractFacts:
    """A contract whose checked payments add up to `invested_fen`, split into `payments` parts."""
    parts = [invested_fen // payments] * payments
    parts[-1] += invested_fen - sum(parts)
    cid = contract_id or next(_ids)
    return ContractFacts(
        contract_id=cid, challenge_id=cid, title=f"测试合同 {cid}", company_org_id=company_org_id,
        team_org_id=company_org_id + 1_000_000, contract_fen=max(invested_fen, 1) * 2,
        payments=tuple(Payment(date(2023, 1, 1 + i), p) for i, p in enumerate(parts)),
        outcome=outcome, ended_on=ended_on, signed_on=date(2022, 9, 1), policy_id=policy_id)


@pytest.fixture
def source():
    saved = facts._source
    memory = MemorySource()
    facts.install(memory)
    yield memory
    facts.install(saved) if saved is not None else setattr(facts, "_source", None)


@dataclass
class People:
    company: object
    maker: object
    checker: object
    org_id: int


def people(session: Session) -> People:
    company = f.user(session, role=Role.COMPANY)
    maker = f.user(session, role=Role.OFFICER)
    checker = f.user(session, role=Role.OFFICER)
    session.commit()
    return People(company, maker, checker, company.organisation_id)


@pytest.fixture
def who(session):
    return people(session)


def as_api(client, session: Session, user) -> None:
    """Authenticate the test client by bearer token (the API's way; no CSRF)."""
    from marketplace.auth import service as auth

    token = auth._open_session(session=session, user=user, kind="api")
    session.commit()
    client.cookies.clear()
    client.headers["Authorization"] = f"Bearer {token}"

