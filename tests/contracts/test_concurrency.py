"""Fifty simultaneous sign / confirm / check / pay requests: the right number of effects, 4xx for the
losers, never a 500 — through the service with threads and through the real app over HTTP, on SQLite
and (when configured) PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlmodel import func, select

from marketplace import db
from marketplace.accounts.models import Organisation, Role
from marketplace.audit.models import AuditEvent
from marketplace.audit.service import verify_chain
from marketplace.contracts import service
from marketplace.contracts.models import Contract, ContractSignature, Payment
from marketplace.errors import Conflict, RuleViolation
from tests import factories as f
from tests.contracts import helpers as h
from tests.reviews.scenario import api_headers
from tests.servers import uvicorn_server

N = 50


def race(engine, work, n: int = N) -> list[str]:
    barrier = threading.Barrier(n)
    outcomes: list[str] = []

    def run(i: int) -> None:
        with db.new_session(engine) as s:
            barrier.wait()
            try:
                work(s, i)
                outcomes.append("ok")
            except Conflict:
                outcomes.append("conflict")
            except RuleViolation:
                outcomes.append("refused")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == n  # no thread died with anything else (a 500)
    return sorted(outcomes)


def colleagues(s, user, role, n=N):
    org = s.get(Organisation, user.organisation_id) if user.organisation_id else None
    return [f.actor(s, f.user(s, role=role, org=org)) for _ in range(n)]


def count(s, model, *where) -> int:
    return s.exec(select(func.count()).select_from(model).where(*where)).one()


def test_the_last_two_parties_signing_at_once_complete_the_contract_once(live_engine):
    with db.new_session(live_engine) as s:
        scene = h.awarded(s)
        c = h.contract(s, scene)
        for u in (scene.team, scene.partner):
            service.sign(session=s, actor=scene.a(s, u), contract_id=c.id)
        signers = [*colleagues(s, scene.company, Role.COMPANY, N // 2),
                   *colleagues(s, scene.officer, Role.OFFICER, N // 2)]
        s.commit()
        contract_id = c.id
    outcomes = race(live_engine, lambda s, i: service.sign(session=s, actor=signers[i], contract_id=contract_id))
    assert outcomes == ["conflict"] * (N - 2) + ["ok"] * 2
    with db.new_session(live_engine) as s:
        assert s.get(Contract, contract_id).status == "signed"
        assert count(s, ContractSignature, ContractSignature.contract_id == contract_id) == 4
        assert count(s, AuditEvent, AuditEvent.action == "contract.sign_all") == 1
        assert verify_chain(session=s).ok


def test_fifty_payments_at_once_never_exceed_the_contract_amount(live_engine, tmp_path):
    with db.new_session(live_engine) as s:
        scene = h.awarded(s)
        c = h.signed(s, scene)
        payers = colleagues(s, scene.company, Role.COMPANY)
        s.commit()
        contract_id, signed_on = c.id, c.signed_on
    data = h.PaymentIn(amount_yuan="100000", paid_on=signed_on)  # 50 × 10 万 > 400 万: 40 fit

    def pay(s, i):
        service.record_payment(session=s, actor=payers[i], contract_id=contract_id, data=data, voucher=h.PDF,
                               uploads_dir=tmp_path, max_bytes=1 << 20)

    assert race(live_engine, pay) == ["ok"] * 40 + ["refused"] * 10
    with db.new_session(live_engine) as s:
        assert s.get(Contract, contract_id).recorded_fen == 400_000_000
        assert sum(s.exec(select(Payment.amount_fen)).all()) == 400_000_000
    assert len(list(tmp_path.iterdir())) == 40  # the refused vouchers were removed again


def test_fifty_confirmations_then_fifty_checks_make_one_effect_each(live_engine, tmp_path):
    with db.new_session(live_engine) as s:
        scene = h.awarded(s)
        c = h.signed(s, scene)
        payment = h.pay(s, scene, c, "1000", tmp=tmp_path)
        teams = colleagues(s, scene.team, Role.TEAM)
        officers = colleagues(s, scene.officer, Role.OFFICER)
        s.commit()
        payment_id = payment.id
    assert race(live_engine, lambda s, i: service.confirm_payment(session=s, actor=teams[i], payment_id=payment_id)
                ) == ["conflict"] * (N - 1) + ["ok"]
    assert race(live_engine, lambda s, i: service.check_payment(session=s, actor=officers[i], payment_id=payment_id)
                ) == ["conflict"] * (N - 1) + ["ok"]
    with db.new_session(live_engine) as s:
        assert s.get(Payment, payment_id).status == "checked"
        assert count(s, AuditEvent, AuditEvent.action == "payment.check") == 1
        assert verify_chain(session=s).ok


def test_fifty_requests_each_to_the_real_app_sign_confirm_and_check_once(live_engine, tmp_path):
    with db.new_session(live_engine) as s:
        scene = h.awarded(s)
        c = h.contract(s, scene)
        for u in (scene.company, scene.team, scene.partner):
            service.sign(session=s, actor=scene.a(s, u), contract_id=c.id)
        officers = [f.user(s, role=Role.OFFICER) for _ in range(N)]
        s.commit()
        contract_id = c.id
        sign_headers = [api_headers(s, o) for o in officers]
        team_headers = api_headers(s, scene.team)
        company_headers = api_headers(s, scene.company)
    url = live_engine.url.render_as_string(hide_password=False)
    with uvicorn_server(url, tmp_path / "var", workers=2) as base:
        def burst(path: str, headers: list[dict], json: dict | None = None) -> list[int]:
            barrier = threading.Barrier(N)

            def post(i: int) -> int:
                with httpx.Client(base_url=base, timeout=60) as client:
                    barrier.wait()
                    return client.post(path, headers=headers[i], json=json).status_code

            with ThreadPoolExecutor(N) as pool:
                return sorted(pool.map(post, range(N)))

        assert burst(f"/api/v1/contracts/{contract_id}/signatures", sign_headers) == [201] + [409] * (N - 1)
        with httpx.Client(base_url=base, timeout=60) as client:
            signed_on = client.get(f"/api/v1/contracts/{contract_id}", headers=company_headers).json()["signed_on"]
            made = client.post(f"/api/v1/contracts/{contract_id}/payments", headers=company_headers,
                               data={"amount_yuan": "5000", "paid_on": signed_on},
                               files={"file": ("回单.pdf", b"%PDF-1.7", "application/pdf")})
            assert made.status_code == 201, made.text
        payment_id = made.json()["id"]
        assert burst(f"/api/v1/payments/{payment_id}/confirm", [team_headers] * N, {}) == [200] + [409] * (N - 1)
        assert burst(f"/api/v1/payments/{payment_id}/check", sign_headers, {}) == [200] + [409] * (N - 1)
    with db.new_session(live_engine) as s:
        assert s.get(Contract, contract_id).status == "signed"
        assert s.get(Payment, payment_id).status == "checked"
        assert count(s, AuditEvent, AuditEvent.action == "contract.sign_all") == 1
        assert verify_chain(session=s).ok
