"""The JSON API: bearer tokens, structured errors, the same rules as the pages."""

from marketplace.actor import Role
from tests import factories as f


def token_for(client, user) -> dict:
    response = client.post("/api/v1/auth/token", json={"account": user.email, "password": f.PASSWORD,
                                                       "label": "script"})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_a_script_logs_in_with_a_bearer_token_and_can_revoke_it(client, session):
    user = f.user(session, role=Role.COMPANY)
    headers = token_for(client, user)
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.json()["role"] == "company"
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_errors_are_structured(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"error": {"code": "unauthenticated", "message": "请先登录", "fields": {}}}
    bad = client.post("/api/v1/auth/token", json={"account": "x@y.example", "password": "wrong-one"})
    assert bad.status_code == 401 and bad.json()["error"]["message"] == "账号或密码不正确"


def test_registration_errors_come_back_as_422_fields_in_chinese(client):
    response = client.post("/api/v1/register", json={
        "org_kind": "enterprise", "org_name": "广州\u0000公司", "uscc": "91440101MA59ABCDEX",
        "district": "天河区", "display_name": "x", "email": "dup@x.example", "password": "good-password-1",
        "accept_terms": True, "status": "verified"})
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert "控制字符" in fields["org_name"] and "校验位" in fields["uscc"]
    assert fields["status"] == "不允许提交此字段"


def test_duplicate_registration_is_409_and_names_the_field(client, session):
    f.user(session, email="taken@x.example")
    response = client.post("/api/v1/register", json={
        "org_kind": "university", "org_name": "广州某大学", "uscc": f.valid_uscc(880001),
        "district": "番禺区", "display_name": "李老师", "email": "taken@x.example",
        "password": "good-password-1", "accept_terms": True})
    assert response.status_code == 409
    assert response.json()["error"]["fields"] == {"email": "该邮箱已注册"}


def test_officer_verifies_through_the_api_and_a_company_cannot(client, session):
    pending = f.organisation(session, verified=False)
    company = token_for(client, f.user(session, role=Role.COMPANY))
    denied = client.post(f"/api/v1/organisations/{pending.id}/verification", json={"approve": True},
                         headers=company)
    assert denied.status_code == 403
    officer = token_for(client, f.user(session, role=Role.OFFICER))
    queue = client.get("/api/v1/organisations?status=pending", headers=officer).json()
    assert pending.id in [o["id"] for o in queue]
    done = client.post(f"/api/v1/organisations/{pending.id}/verification", json={"approve": True},
                       headers=officer)
    assert done.status_code == 200 and done.json()["status"] == "verified"


def test_bearer_calls_need_no_csrf_but_cookie_calls_do(client, session):
    user = f.user(session, role=Role.TEAM)
    headers = token_for(client, user)
    body = {"name": "纳米材料团队", "leader": "周教授", "profile": "石墨烯与纳米复合材料的制备与表征研究"}
    assert client.post("/api/v1/teams", json=body, headers=headers).status_code == 201
    f.login(client, session, user)
    assert client.post("/api/v1/teams", json=body).status_code == 403
    ok = client.post("/api/v1/teams", json=body, headers={"X-CSRFToken": f.csrf(client)})
    assert ok.status_code == 201


def test_openapi_describes_the_api(client):
    spec = client.get("/openapi.json").json()
    assert "/api/v1/auth/token" in spec["paths"] and "/api/v1/register" in spec["paths"]


def test_ids_beyond_the_databases_integer_range_are_bad_input_not_a_crash(client, session):
    f.login(client, session, f.user(session, role=Role.OFFICER))
    for path in ("/api/v1/challenges/99999999999999999999", "/api/v1/teams/9223372036854775808",
                 "/challenges/99999999999999999999"):
        response = client.get(path)
        assert response.status_code in (404, 422), (path, response.status_code)


def test_only_an_admin_can_disable_an_account_through_the_api(client, session):
    target = f.user(session, role=Role.EXPERT)
    officer = token_for(client, f.user(session, role=Role.OFFICER))
    denied = client.put(f"/api/v1/users/{target.id}/active", json={"active": False}, headers=officer)
    assert denied.status_code == 403, denied.text
    admin = token_for(client, f.user(session, role=Role.ADMIN))
    done = client.put(f"/api/v1/users/{target.id}/active", json={"active": False}, headers=admin)
    assert done.status_code == 200
    again = client.put(f"/api/v1/users/{target.id}/active", json={"active": False}, headers=admin)
    assert again.status_code == 409
