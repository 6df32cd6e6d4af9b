"""找回密码: no account oracle, single-use expiring tokens, sessions end, limits against mailbox flooding."""

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import time_machine
from sqlmodel import select

from marketplace.accounts.passwords import verify_password
from marketplace.actor import Role
from marketplace.auth import reset
from marketplace.auth.models import PasswordReset, UserSession
from marketplace.clock import utcnow
from marketplace.notifications.models import EmailOutbox
from tests import factories as f

NEW = "a-new-passphrase-2026"


def _ask(client, account: str):
    return client.post("/password/forgot", data={"csrf_token": f.csrf(client), "account": account})


def _token_mailed_to(session, user) -> str:
    mail = session.exec(select(EmailOutbox).where(EmailOutbox.user_id == user.id,
                                                  EmailOutbox.kind == "password_reset")
                        .order_by(EmailOutbox.id.desc())).first()
    return re.search(r"/password/reset\?token=([A-Za-z0-9_\-]+)", mail.body).group(1)


def test_the_login_page_links_to_password_recovery(client):
    assert 'href="/password/forgot"' in client.get("/login").text
    assert client.get("/password/forgot").status_code == 200


def test_the_answer_is_the_same_for_an_existing_and_an_unknown_account(client, session):
    user = f.user(session, role=Role.TEAM)
    known, unknown = _ask(client, user.email), _ask(client, "nobody-here@test.example")
    assert known.status_code == unknown.status_code == 200
    assert reset.SENT in known.text and reset.SENT in unknown.text
    mails = session.exec(select(EmailOutbox).where(EmailOutbox.kind == "password_reset")).all()
    assert [m.to_address for m in mails if m.user_id == user.id] == [user.email]
    assert not any(m.to_address == "nobody-here@test.example" for m in mails)


def test_a_mailed_link_sets_a_new_password_once_and_ends_every_session(client, anon, session):
    user = f.user(session, role=Role.COMPANY)
    f.login(anon, session, user)
    assert anon.get("/dashboard", follow_redirects=False).status_code == 200
    _ask(client, user.email)
    token = _token_mailed_to(session, user)
    assert client.get(f"/password/reset?token={token}").status_code == 200
    done = client.post("/password/reset", data={"csrf_token": f.csrf(client), "token": token,
                                                "new_password": NEW, "new_password_again": NEW},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/login"
    session.refresh(user)
    assert verify_password(NEW, user.password_hash)
    assert anon.get("/dashboard", follow_redirects=False).status_code == 303  # the old session ended
    assert all(s.revoked_at for s in session.exec(select(UserSession).where(UserSession.user_id == user.id)))
    again = client.post("/password/reset", data={"csrf_token": f.csrf(client), "token": token,
                                                 "new_password": "another-passphrase-99",
                                                 "new_password_again": "another-passphrase-99"})
    assert again.status_code == 422 and "无效或已过期" in again.text
    session.refresh(user)
    assert verify_password(NEW, user.password_hash)


def test_a_link_expires_after_thirty_minutes(client, session):
    user = f.user(session, role=Role.TEAM)
    _ask(client, user.email)
    token = _token_mailed_to(session, user)
    with time_machine.travel(utcnow() + reset.RESET_TTL + timedelta(seconds=1)):
        assert client.get(f"/password/reset?token={token}").status_code == 410
        late = client.post("/password/reset", data={"csrf_token": f.csrf(client), "token": token,
                                                    "new_password": NEW, "new_password_again": NEW})
    assert late.status_code == 422
    session.refresh(user)
    assert not verify_password(NEW, user.password_hash)


def test_mismatched_or_weak_passwords_are_refused_and_the_token_survives(client, session):
    user = f.user(session, role=Role.TEAM)
    _ask(client, user.email)
    token = _token_mailed_to(session, user)
    mismatch = client.post("/password/reset", data={"csrf_token": f.csrf(client), "token": token,
                                                    "new_password": NEW, "new_password_again": NEW + "x"})
    assert mismatch.status_code == 422 and "两次输入的密码不一致" in mismatch.text
    weak = client.post("/password/reset", data={"csrf_token": f.csrf(client), "token": token,
                                                "new_password": "123", "new_password_again": "123"})
    assert weak.status_code == 422
    assert reset.token_is_usable(session=session, token=token)


def test_a_new_link_kills_the_older_ones_when_used(client, session):
    user = f.user(session, role=Role.TEAM)
    _ask(client, user.email)
    first = _token_mailed_to(session, user)
    _ask(client, user.email)
    second = _token_mailed_to(session, user)
    assert first != second
    reset.reset_password(session=session, token=second, new_password=NEW)
    assert not reset.token_is_usable(session=session, token=first)


def test_requests_are_limited_per_account_and_per_address(client, session):
    user = f.user(session, role=Role.TEAM)
    for _ in range(reset.PER_ACCOUNT_PER_HOUR + 2):
        assert _ask(client, user.email).status_code == 200
    sent = session.exec(select(PasswordReset).where(PasswordReset.user_id == user.id)).all()
    assert len(sent) == reset.PER_ACCOUNT_PER_HOUR
    for i in range(reset.PER_ADDRESS_PER_HOUR):
        _ask(client, f"probe{i}@test.example")
    limited = _ask(client, "one-more@test.example")
    assert limited.status_code == 429 and "Retry-After" in limited.headers


def test_the_api_answers_202_without_an_oracle_and_confirms_with_204(client, session):
    user = f.user(session, role=Role.TEAM)
    a = client.post("/api/v1/auth/password-reset", json={"account": user.email})
    b = client.post("/api/v1/auth/password-reset", json={"account": "ghost@test.example"})
    assert a.status_code == b.status_code == 202 and a.json() == b.json()
    token = _token_mailed_to(session, user)
    assert client.post("/api/v1/auth/password-reset/confirm",
                       json={"token": token, "new_password": NEW}).status_code == 204
    replay = client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW})
    assert replay.status_code == 422 and replay.json()["error"]["message"] == reset.INVALID


def test_racing_the_same_token_changes_the_password_once(engine):
    from marketplace import db

    with db.new_session(engine) as s:
        user = f.user(s, role=Role.TEAM)
        s.commit()
        reset.request_reset(session=s, account=user.email, address="race", base_url="http://x/")
        token = _token_mailed_to(s, user)
        user_id = user.id

    def attempt(i: int) -> str:
        with db.new_session(engine) as s:
            try:
                reset.reset_password(session=s, token=token, new_password=f"race-passphrase-{i:02d}")
                return f"ok{i}"
            except reset.RuleViolation:
                return "refused"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(attempt, range(8)))
    winners = [o for o in outcomes if o.startswith("ok")]
    assert len(winners) == 1 and outcomes.count("refused") == 7
    with db.new_session(engine) as s:
        from marketplace.accounts.models import User

        assert verify_password(f"race-passphrase-{int(winners[0][2:]):02d}", s.get(User, user_id).password_hash)
