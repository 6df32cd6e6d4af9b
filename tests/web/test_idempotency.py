"""A double click, a retry or a reload makes one record: form tokens (pages) and Idempotency-Key (API)."""

import re

from sqlmodel import func, select

from marketplace.accounts.models import User
from marketplace.actor import Role
from marketplace.auth import service as auth
from marketplace.bids.models import Bid
from marketplace.challenges.models import Challenge, Clarification
from marketplace.idempotency import IdempotencyKey
from tests import factories as f
from tests.bids import helpers as h
from tests.challenges.test_pages import form_fields


def bearer(session, user) -> dict:
    token = auth._open_session(session=session, user=user, kind="api")
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def form_token(page_html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', page_html).group(1)


def test_double_submitting_the_challenge_form_makes_one_challenge(client, session):
    company = f.user(session, role=Role.COMPANY)
    f.login(client, session, company)
    token = form_token(client.get("/challenges/new").text)
    data = {"csrf_token": f.csrf(client), "form_token": token, **form_fields(f.challenge_data()), "action": "submit"}
    first = client.post("/challenges", data=data, follow_redirects=False)
    second = client.post("/challenges", data=data, follow_redirects=False)
    mine = Challenge.organisation_id == company.organisation_id
    assert count(session, Challenge, mine) == 1
    c = session.exec(select(Challenge).where(mine)).one()
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"] == f"/challenges/{c.id}"
    assert c.status == "submitted"
    replay = client.post("/challenges", data=data, headers={"HX-Request": "true"})
    assert replay.status_code == 204 and replay.headers["HX-Redirect"] == f"/challenges/{c.id}"
    assert "已提交过" in client.get(f"/challenges/{c.id}").text
    # a new rendering of the form is a new token: a second, deliberate challenge is possible
    data["form_token"] = form_token(client.get("/challenges/new").text)
    client.post("/challenges", data=data, follow_redirects=False)
    assert count(session, Challenge, mine) == 2


def test_a_refused_form_does_not_use_up_its_token(client, session):
    company = f.user(session, role=Role.COMPANY)
    f.login(client, session, company)
    token = form_token(client.get("/challenges/new").text)
    bad = {"csrf_token": f.csrf(client), "form_token": token, **form_fields(f.challenge_data(title="短")),
           "action": "draft"}
    assert client.post("/challenges", data=bad).status_code == 422
    good = {**bad, **form_fields(f.challenge_data())}
    assert client.post("/challenges", data=good, follow_redirects=False).status_code == 303
    assert count(session, Challenge, Challenge.organisation_id == company.organisation_id) == 1


def test_double_posting_a_question_asks_once(client, session):
    w = h.cast(session)
    session.commit()
    f.login(client, session, w.team)
    token = form_token(client.get(f"/challenges/{w.challenge.id}").text)
    data = {"csrf_token": f.csrf(client), "form_token": token, "question": "样品数量是否可以分批交付？"}
    for _ in range(3):
        assert client.post(f"/challenges/{w.challenge.id}/questions", data=data,
                           follow_redirects=False).status_code == 303
    assert count(session, Clarification, Clarification.challenge_id == w.challenge.id) == 1


def test_double_registration_makes_one_account(client, session):
    token = form_token(client.get("/register").text)
    data = {"csrf_token": f.csrf(client), "form_token": token, "org_kind": "enterprise",
            "org_name": "广州双击科技有限公司",
            "uscc": f.valid_uscc(987654), "district": "天河区", "display_name": "王经理",
            "email": "double@click.example", "password": "good-password-1", "accept_terms": "on"}
    statuses = [client.post("/register", data=data, follow_redirects=False) for _ in range(2)]
    assert [r.status_code for r in statuses] == [303, 303], statuses[0].text[:500]
    assert statuses[1].headers["location"] == "/login"
    assert count(session, User, User.email == "double@click.example") == 1


def test_api_replay_returns_the_same_status_and_body_and_creates_nothing(anon, session):
    company = f.user(session, role=Role.COMPANY)
    headers = {**bearer(session, company), "Idempotency-Key": "3f1c2a9e-create-1"}
    data = f.challenge_data()
    first = anon.post("/api/v1/challenges", json=data, headers=headers)
    again = anon.post("/api/v1/challenges", json=dict(reversed(list(data.items()))), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again.headers["Idempotent-Replayed"] == "true"
    assert count(session, Challenge, Challenge.organisation_id == company.organisation_id) == 1

    other = anon.post("/api/v1/challenges", json=f.challenge_data(title="另一个不同的榜单标题"), headers=headers)
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert count(session, Challenge, Challenge.organisation_id == company.organisation_id) == 1

    submit = [anon.post(f"/api/v1/challenges/{first.json()['id']}/submit",
                        headers={**headers, "Idempotency-Key": "submit-1"}) for _ in range(2)]
    assert [r.status_code for r in submit] == [200, 200] and submit[0].json() == submit[1].json()


def test_keys_are_scoped_per_user(anon, session):
    a, b = f.user(session, role=Role.COMPANY), f.user(session, role=Role.COMPANY)
    data = f.challenge_data()
    ra = anon.post("/api/v1/challenges", json=data, headers={**bearer(session, a), "Idempotency-Key": "same"})
    rb = anon.post("/api/v1/challenges", json=data, headers={**bearer(session, b), "Idempotency-Key": "same"})
    assert ra.status_code == rb.status_code == 201
    assert ra.json()["id"] != rb.json()["id"] and rb.json()["organisation_id"] == b.organisation_id
    assert count(session, IdempotencyKey, IdempotencyKey.key == "same") == 2


def test_bid_create_and_submit_replay_through_the_api(anon, session):
    w = h.cast(session)
    session.commit()
    headers = bearer(session, w.team)
    created = [anon.post(f"/api/v1/challenges/{w.challenge.id}/bids", json=h.payload(w.profile.id),
                         headers={**headers, "Idempotency-Key": "bid-1"}) for _ in range(3)]
    assert {r.status_code for r in created} == {201} and len({r.text for r in created}) == 1
    assert count(session, Bid, Bid.team_id == w.profile.id) == 1
    bid_id = created[0].json()["id"]
    receipts = [anon.post(f"/api/v1/bids/{bid_id}/submit", headers={**headers, "Idempotency-Key": "bid-1-submit"})
                for _ in range(2)]
    assert [r.status_code for r in receipts] == [200, 200] and receipts[0].json() == receipts[1].json()


def test_a_failed_request_can_be_retried_with_the_same_key(anon, session):
    company = f.user(session, role=Role.COMPANY)
    headers = {**bearer(session, company), "Idempotency-Key": "retry-me"}
    assert anon.post("/api/v1/challenges", json=f.challenge_data(offered_yuan="1e30"), headers=headers
                     ).status_code == 422
    assert count(session, IdempotencyKey, IdempotencyKey.key == "retry-me") == 0
    assert anon.post("/api/v1/challenges", json=f.challenge_data(), headers=headers).status_code == 201


def test_a_malformed_key_is_refused(anon, session):
    company = f.user(session, role=Role.COMPANY)
    r = anon.post("/api/v1/challenges", json=f.challenge_data(),
                  headers={**bearer(session, company), "Idempotency-Key": "x" * 201})
    assert r.status_code == 422 and r.json()["error"]["code"] == "idempotency_key_invalid"


def test_anonymous_registration_replays_per_address(anon):
    body = {"org_kind": "enterprise", "org_name": "广州重试科技有限公司", "uscc": f.valid_uscc(876543),
            "district": "黄埔区",
            "display_name": "李经理", "email": "retry@reg.example", "password": "good-password-1", "accept_terms": True}
    first = anon.post("/api/v1/register", json=body, headers={"Idempotency-Key": "reg-1"})
    again = anon.post("/api/v1/register", json=body, headers={"Idempotency-Key": "reg-1"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
