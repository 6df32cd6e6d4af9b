"""Fifty simultaneous disbursement requests: one ledger entry per installment, never over the
entitlement, never a 5xx — with one shared key or a key each, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from marketplace import db
from marketplace.auth import service as auth
from marketplace.config import get_settings
from marketplace.subsidies import service
from marketplace.subsidies.models import Disbursement, EntryKind, LedgerEntry, Subsidy
from tests import factories as f
from tests.subsidies_ledger.conftest import contract, people

N = 50


def _approved(engine, source, policy_id: str | None) -> tuple[int, str]:
    with db.new_session(engine) as s:
        who = people(s)
        source.add(contract(company_org_id=who.org_id, policy_id=policy_id))
        sid = service.compute_all(session=s).computed[0]
        service.check(session=s, actor=f.actor(s, who.maker), subsidy_id=sid)
        service.approve(session=s, actor=f.actor(s, who.checker), subsidy_id=sid)
        token = auth._open_session(session=s, user=who.checker, kind="api")
        s.commit()
    return sid, token


def _burst(engine, sid: int, token: str, requests: list[tuple[int, str]]) -> list[tuple[int, dict]]:
    from marketplace.app import create_app

    app = create_app(settings=get_settings(), engine=engine)
    barrier = threading.Barrier(len(requests))
    responses: list[tuple[int, dict]] = []

    def post(installment: int, key: str) -> None:
        with TestClient(app, raise_server_exceptions=False) as client:
            barrier.wait()
            r = client.post(f"/api/v1/subsidies/{sid}/disbursements", json={"installment": installment},
                            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key})
            responses.append((r.status_code, r.json()))

    threads = [threading.Thread(target=post, args=req) for req in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(responses) == len(requests)
    return responses


def _ledger(engine, sid: int) -> tuple[Subsidy, list[LedgerEntry], list[Disbursement]]:
    with db.new_session(engine) as s:
        payments = s.exec(select(LedgerEntry).where(LedgerEntry.subsidy_id == sid,
                                                    LedgerEntry.kind == EntryKind.PAYMENT)).all()
        return (s.get(Subsidy, sid), payments,
                s.exec(select(Disbursement).where(Disbursement.subsidy_id == sid)).all())


def test_fifty_requests_with_one_key_pay_once(live_engine, source):
    sid, token = _approved(live_engine, source, None)
    responses = _burst(live_engine, sid, token, [(1, "same-key")] * N)
    codes = Counter(code for code, _ in responses)
    assert set(codes) <= {200, 201, 409} and codes[201] == 1, codes
    first = next(body for code, body in responses if code == 201)
    for code, body in responses:
        if code == 200:
            assert body["id"] == first["id"] and body["replayed"] is True
    subsidy, payments, disbursements = _ledger(live_engine, sid)
    assert len(payments) == len(disbursements) == 1
    assert subsidy.disbursed_fen == sum(p.amount_fen for p in payments) == subsidy.awarded_fen


@pytest.mark.parametrize("split", ["one installment", "two installments"])
def test_fifty_requests_with_fifty_keys_pay_each_installment_once(live_engine, source, split):
    staged = split == "two installments"
    sid, token = _approved(live_engine, source, "JB-STAGED" if staged else None)
    requests = [((i % 2) + 1 if staged else 1, f"key-{i}") for i in range(N)]
    responses = _burst(live_engine, sid, token, requests)
    codes = Counter(code for code, _ in responses)
    assert set(codes) <= {201, 409, 422} and all(code < 500 for code in codes), codes
    subsidy, payments, disbursements = _ledger(live_engine, sid)
    per_installment = Counter(p.installment for p in payments)
    assert all(n == 1 for n in per_installment.values()) and codes[201] == len(payments)
    assert len(disbursements) == len(payments) >= 1
    assert subsidy.disbursed_fen == sum(p.amount_fen for p in payments) <= subsidy.awarded_fen


def test_e25d_two_simultaneous_computations_for_one_beneficiary_never_both_take_the_cap(live_engine, source):
    """E08 (a) and (b) at once: one gets 3,000,000.00 and the other 2,000,000.00, in lock order."""
    from datetime import date

    with db.new_session(live_engine) as s:
        who = people(s)
    pair = [source.add(contract(company_org_id=who.org_id, invested_fen=2_000_000_000, ended_on=on,
                                policy_id="EARLY-INVEST")) for on in (date(2024, 2, 1), date(2024, 9, 1))]
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def compute(facts) -> None:
        with db.new_session(live_engine) as s:
            barrier.wait()
            try:
                service.compute_contract(session=s, actor=f.actor(s, who.maker), facts=facts)
            except Exception as exc:  # noqa: BLE001 — reported below
                errors.append(exc)

    threads = [threading.Thread(target=compute, args=(c,)) for c in pair]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.new_session(live_engine) as s:
        amounts = sorted(x.awarded_fen for x in s.exec(select(Subsidy)).all())
    assert amounts == [200_000_000, 300_000_000]
