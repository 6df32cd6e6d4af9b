"""Login, logout, sessions, CSRF, rate limits and security headers, through the pages."""

import re

import pytest
from sqlmodel import select

from marketplace.actor import Role
from marketplace.audit.models import AuditEvent
from marketplace.auth.models import UserSession
from tests import factories as f


def login_form(client, account, password):
    return client.post("/login", data={"csrf_token": f.csrf(client), "account": account,
                                       "password": password, "next": "/dashboard"},
                       follow_redirects=False)


def test_login_sets_an_httponly_session_and_logout_revokes_it(client, session):
    user = f.user(session, role=Role.COMPANY)
    response = login_form(client, user.email, f.PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/dashboard"
    cookie = response.headers["set-cookie"]
    assert "jb_session=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    token = client.cookies.get("jb_session")
    assert client.get("/dashboard").status_code == 200

    client.post("/logout", data={"csrf_token": f.csrf(client)}, follow_redirects=False)
    client.cookies.set("jb_session", token)  # replaying the old cookie must not work
    assert client.get("/dashboard", follow_redirects=False).status_code == 303
    row = session.exec(select(UserSession).where(UserSession.user_id == user.id)).first()
    assert row.revoked_at is not None


def test_unknown_account_and_wrong_password_get_the_same_answer(client, session):
    user = f.user(session)
    wrong = login_form(client, user.email, "not-the-password")
    unknown = login_form(client, "nobody@nowhere.example", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401

    def message(r):
        return re.search(r'role="alert">([^<]+)<', r.text).group(1)

    assert message(wrong) == message(unknown) == "账号或密码不正确"


def test_failed_logins_are_audited(client, session):
    login_form(client, "ghost@nowhere.example", "whatever-123")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")
                         .order_by(AuditEvent.seq.desc())).first()
    assert event is not None and event.subject_id == "ghost@nowhere.example"
    assert "whatever-123" not in str(event.summary)


def test_the_sixth_failure_is_rate_limited_with_retry_after_even_with_the_right_password(client, session):
    user = f.user(session)
    for _ in range(5):
        assert login_form(client, user.email, "wrong-password").status_code == 401
    limited = login_form(client, user.email, f.PASSWORD)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert "登录失败次数过多" in limited.text


def test_mobile_number_logs_in_too(client, session):
    f.user(session, mobile="13900001111", display_name="手机登录用户")
    assert login_form(client, "13900001111", f.PASSWORD).status_code == 303
    assert "手机登录用户" in client.get("/dashboard").text  # logged in as that user


@pytest.mark.parametrize("headers, data", [
    ({}, {}),
    ({"X-CSRFToken": "forged"}, {}),
    ({}, {"csrf_token": "forged"}),
])
def test_state_changing_requests_without_the_csrf_token_are_refused(client, session, headers, data):
    f.login(client, session, f.user(session, role=Role.TEAM))
    f.csrf(client)
    response = client.post("/team-profiles", data={"name": "x", **data}, headers=headers)
    assert response.status_code == 403
    assert "请刷新页面" in response.text


def test_csrf_token_is_accepted_as_header_for_htmx(client, session):
    f.login(client, session, f.user(session, role=Role.TEAM))
    response = client.post("/team-profiles", data={"name": "碳化硅团队", "leader": "李教授",
                                                   "profile": "宽禁带半导体功率器件封装与可靠性研究"},
                           headers={"X-CSRFToken": f.csrf(client), "HX-Request": "true"})
    assert response.status_code == 204 and response.headers["HX-Redirect"].startswith("/teams/")


def test_cross_site_requests_are_refused_even_with_a_token(client, session):
    response = client.post("/login", data={"csrf_token": f.csrf(client), "account": "a", "password": "b"},
                           headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403


def test_password_change_ends_every_session(client, anon, session):
    user = f.user(session)
    f.login(client, session, user)
    f.login(anon, session, user)  # a second device
    response = client.post("/account/password", data={
        "csrf_token": f.csrf(client), "current_password": f.PASSWORD,
        "new_password": "a-brand-new-passphrase"}, follow_redirects=False)
    assert response.status_code == 303
    assert anon.get("/dashboard", follow_redirects=False).status_code == 303
    assert login_form(client, user.email, "a-brand-new-passphrase").status_code == 303


def test_security_headers_on_pages_and_api(client):
    for path in ("/", "/login", "/api/v1/teams", "/no-such-page"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_error_pages_leak_nothing_internal(client):
    response = client.get("/teams/999999")
    assert response.status_code == 404
    assert "Traceback" not in response.text and "sqlalchemy" not in response.text.lower()
    assert "团队不存在" in response.text


def test_vendor_assets_serve_only_their_own_files(client):
    for name in ("..%2F..%2Fpackage.json", "package.json", "index.html"):
        assert client.get(f"/vendor/swagger/{name}").status_code == 404
