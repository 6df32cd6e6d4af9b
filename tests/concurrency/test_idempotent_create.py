"""Fifty identical create requests at once, one Idempotency-Key: one challenge, never a 5xx."""

import threading

from fastapi.testclient import TestClient
from sqlmodel import func, select

from marketplace import db
from marketplace.actor import Role
from marketplace.auth import service as auth
from marketplace.challenges.models import Challenge
from marketplace.config import get_settings
from marketplace.idempotency import IdempotencyKey
from tests import factories as f

N = 50


def test_fifty_concurrent_identical_creates_make_one_challenge(live_engine):
    from marketplace.app import create_app

    with db.new_session(live_engine) as s:
        company = f.user(s, role=Role.COMPANY)
        token = auth._open_session(session=s, user=company, kind="api")
        s.commit()
        org_id = company.organisation_id
    app = create_app(settings=get_settings(), engine=live_engine)
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "burst-1"}
    data = f.challenge_data()
    barrier = threading.Barrier(N)
    responses = []

    def post() -> None:
        with TestClient(app, raise_server_exceptions=False) as client:
            barrier.wait()
            r = client.post("/api/v1/challenges", json=data, headers=headers)
            responses.append((r.status_code, r.json()))

    threads = [threading.Thread(target=post) for _ in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    statuses = sorted(code for code, _ in responses)
    assert len(statuses) == N and all(code in (201, 409) for code in statuses), statuses
    created = [body for code, body in responses if code == 201]
    assert created and all(body == created[0] for body in created)
    conflicts = [body for code, body in responses if code == 409]
    assert all(b["error"]["code"] == "idempotency_in_progress" for b in conflicts)
    with db.new_session(live_engine) as s:
        assert s.exec(select(func.count()).select_from(Challenge).where(Challenge.organisation_id == org_id)).one() == 1
        assert s.exec(select(func.count()).select_from(IdempotencyKey)).one() == 1
    # once the burst is over, every retry is a clean replay
    with TestClient(app) as client:
        r = client.post("/api/v1/challenges", json=data, headers=headers)
        assert r.status_code == 201 and r.json() == created[0]
