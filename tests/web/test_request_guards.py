"""CSRF bound to the session and Origin checked; production cookies and docs; request-size limits."""

import asyncio
import re

import pytest
from fastapi.testclient import TestClient

from marketplace.actor import Role
from marketplace.app import create_app
from marketplace.config import Settings, get_settings
from marketplace.web.deps import get_session
from marketplace.web.security import cookie_names, session_csrf_token
from tests import factories as f

PROFILE = {"name": "碳化硅团队", "leader": "李教授", "profile": "宽禁带半导体功率器件封装与可靠性研究"}


def team_client(client, session):
    f.login(client, session, f.user(session, role=Role.TEAM))
    return client


# --- CSRF ------------------------------------------------------------------------------------------

def test_a_planted_double_submit_cookie_no_longer_passes(client, session):
    team_client(client, session)
    client.cookies.set("jb_csrf", "A" * 43)  # e.g. set by a sibling subdomain
    response = client.post("/team-profiles", data={"csrf_token": "A" * 43, **PROFILE})
    assert response.status_code == 403


def test_the_token_of_one_session_does_not_work_for_another(client, anon, session):
    team_client(client, session)
    team_client(anon, session)
    response = client.post("/team-profiles", data={"csrf_token": f.csrf(anon), **PROFILE})
    assert response.status_code == 403


def test_pages_carry_the_session_bound_token_and_both_field_and_header_work(client, session):
    team_client(client, session)
    page = client.get("/teams-mine")
    expected = session_csrf_token(get_settings().secret_key, client.cookies.get("jb_session"))
    assert expected in page.text
    form = client.post("/team-profiles", data={"csrf_token": expected, **PROFILE}, follow_redirects=False)
    assert form.status_code == 303
    htmx = client.post("/team-profiles", data=PROFILE, headers={"X-CSRFToken": expected, "HX-Request": "true"})
    assert htmx.status_code == 204


@pytest.mark.parametrize("header", [
    {"Origin": "http://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://testserver.evil.example"},
    {"Referer": "http://evil.example/page"},
])
def test_a_foreign_origin_is_refused_even_with_a_valid_token(client, session, header):
    team_client(client, session)
    response = client.post("/team-profiles", data={"csrf_token": f.csrf(client), **PROFILE}, headers=header)
    assert response.status_code == 403 and "跨站请求被拒绝" in response.text


@pytest.mark.parametrize("header", [{"Origin": "http://testserver"}, {"Referer": "http://testserver/teams-mine"},
                                    {"Origin": "https://testserver"}])
def test_the_own_origin_passes(client, session, header):
    team_client(client, session)
    response = client.post("/team-profiles", data={"csrf_token": f.csrf(client), **PROFILE}, headers=header,
                           follow_redirects=False)
    assert response.status_code == 303


# --- production: flash cookie, docs ----------------------------------------------------------------

@pytest.fixture
def prod(engine, session, monkeypatch):
    monkeypatch.setenv("JIEBANG_ENV", "prod")
    monkeypatch.setenv("JIEBANG_SECRET_KEY", "p" * 48)
    application = create_app(settings=Settings(), engine=engine)
    application.dependency_overrides[get_session] = lambda: session
    with TestClient(application, base_url="https://testserver") as c:
        yield c


def prod_login(client, session, user):
    from marketplace.auth import service as auth

    token = auth._open_session(session=session, user=user, kind="web")
    session.commit()
    client.cookies.set(cookie_names(True)[0], token)


def test_the_flash_cookie_is_host_prefixed_and_secure_in_production(prod):
    prod.get("/login")
    token = prod.cookies.get("__Host-jb_csrf")
    response = prod.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    flash = [h for h in response.headers.get_list("set-cookie") if "jb_flash" in h]
    assert flash and flash[0].startswith("__Host-jb_flash=") and "Secure" in flash[0]
    shown = prod.get("/")
    assert "已退出登录" in shown.text
    cleared = [h for h in shown.headers.get_list("set-cookie") if "jb_flash" in h]
    assert cleared and cleared[0].startswith("__Host-jb_flash=") and "Secure" in cleared[0]


@pytest.mark.parametrize("role, verified, visible", [
    (None, False, False),
    (Role.COMPANY, False, False),  # self-registered, not yet verified by the bureau
    (Role.TEAM, False, False),
    (Role.COMPANY, True, True),
    (Role.OFFICER, True, True),
])
def test_production_docs_are_for_vetted_users_only(prod, session, role, verified, visible):
    if role is not None:
        prod_login(prod, session, f.user(session, role=role, verified=verified))
    for path in ("/docs", "/openapi.json"):
        assert prod.get(path).status_code == (200 if visible else 404), path


# --- request size ----------------------------------------------------------------------------------

def asgi_post(app, path, *, headers, chunks):
    """POST through the ASGI app directly, counting how much of the body the server pulled."""
    pulled = {"bytes": 0}
    sent = []
    queue = list(chunks)

    async def receive():
        if not queue:
            return {"type": "http.request", "body": b"", "more_body": False}
        chunk = queue.pop(0)
        pulled["bytes"] += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(queue)}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
             "root_path": "", "client": ("127.0.0.1", 5555), "server": ("testserver", 80),
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), body, pulled["bytes"]


def chunks(total, size=64 * 1024):
    return [b"x" * size] * (total // size)


def test_a_declared_oversize_body_is_refused_before_a_byte_is_read(app):
    limit = get_settings().request_max_bytes
    status, _headers, body, pulled = asgi_post(
        app, "/api/v1/register", headers={"content-type": "application/json",
                                          "content-length": str(300 * 1024 * 1024)},
        chunks=chunks(4 * 1024 * 1024))
    assert status == 413 and pulled == 0
    assert b'"too_large"' in body and limit > get_settings().upload_max_bytes


def test_a_chunked_body_is_cut_off_at_the_limit(app):
    limit = get_settings().request_max_bytes
    status, _headers, _body, pulled = asgi_post(
        app, "/api/v1/register", headers={"content-type": "application/json"},
        chunks=chunks(limit * 3))
    assert status == 413 and pulled <= limit + 64 * 1024


def test_a_chunked_upload_by_a_logged_in_user_is_cut_off_too(app, client, session):
    company = f.user(session, role=Role.COMPANY)
    c = f.challenge(session, company=company, status="published")
    f.login(client, session, company)
    limit = get_settings().request_max_bytes
    cookie = client.cookies.get("jb_session")
    status, _h, _b, pulled = asgi_post(
        app, f"/challenges/{c.id}/attachments",
        headers={"content-type": "multipart/form-data; boundary=xyz", "cookie": f"jb_session={cookie}",
                 "host": "testserver"},
        chunks=[b"--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n"]
        + chunks(limit * 2))
    assert status == 413 and pulled <= limit + 64 * 1024


def test_an_anonymous_upload_is_refused_before_its_body_is_read(app):
    status, headers, _body, pulled = asgi_post(
        app, "/challenges/1/attachments",
        headers={"content-type": "multipart/form-data; boundary=xyz", "content-length": str(5 * 1024 * 1024)},
        chunks=chunks(5 * 1024 * 1024))
    assert pulled == 0
    assert status == 303 and dict(headers)[b"location"].startswith(b"/login")


def test_an_upload_just_over_the_file_limit_still_gets_the_friendly_message(client, session):
    company = f.user(session, role=Role.COMPANY)
    c = f.challenge(session, company=company, status="published")
    f.login(client, session, company)
    big = b"%PDF-1.7 " + b"0" * get_settings().upload_max_bytes
    response = client.post(f"/challenges/{c.id}/attachments", data={"csrf_token": f.csrf(client)},
                           files={"file": ("big.pdf", big, "application/pdf")}, follow_redirects=True)
    assert re.search("文件超过 \\d+ MB", response.text)
