"""Issue 2's done-when: a new company registers, the officer verifies it, it logs in and out."""

from sqlmodel import select

from marketplace.accounts.models import Organisation, OrgStatus
from marketplace.actor import Role
from tests import factories as f


def test_company_registers_is_verified_by_the_officer_and_logs_in_and_out(client, anon, session):
    form = {"csrf_token": f.csrf(client), "org_kind": "enterprise", "org_name": "广州新材科技有限公司",
            "uscc": f.valid_uscc(777001), "district": "南沙区", "qualifications": ["专精特新"],
            "industries": ["新材料与精细化工"], "display_name": "陈经理", "email": "chen@xincai.example",
            "mobile": "13711112222", "password": "xincai-secure-2026", "accept_terms": "on"}
    response = client.post("/register", data=form, follow_redirects=True)
    assert response.status_code == 200 and "注册成功" in response.text

    org = session.exec(select(Organisation).where(Organisation.name == "广州新材科技有限公司")).one()
    assert org.status == OrgStatus.PENDING

    officer = f.user(session, role=Role.OFFICER)
    f.login(anon, session, officer)
    queue = anon.get("/officer/organisations")
    assert "广州新材科技有限公司" in queue.text
    verified = anon.post(f"/officer/organisations/{org.id}/verify",
                         data={"csrf_token": f.csrf(anon), "decision": "approve", "comment": ""},
                         follow_redirects=True)
    assert "已认证" in verified.text
    session.refresh(org)
    assert org.status == OrgStatus.VERIFIED

    login = client.post("/login", data={"csrf_token": f.csrf(client), "account": "13711112222",
                                        "password": "xincai-secure-2026"}, follow_redirects=True)
    assert "企业工作台" in login.text and "已认证" in login.text
    out = client.post("/logout", data={"csrf_token": f.csrf(client)}, follow_redirects=True)
    assert "已退出登录" in out.text
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_invalid_registration_rerenders_the_form_with_errors_at_422(client):
    response = client.post("/register", data={"csrf_token": f.csrf(client), "org_kind": "enterprise",
                                              "org_name": "广州", "uscc": "123", "district": "",
                                              "display_name": "", "password": "short"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "<html" not in response.text  # the form block only
    for message in ("统一社会信用代码应为 18 位", "请选择广州市的一个区", "密码至少 8 位"):
        assert message in response.text


def test_pages_use_simplified_chinese_and_show_the_shanghai_time(client, session):
    from datetime import UTC, datetime

    officer = f.user(session, role=Role.OFFICER)
    # 20:30 UTC on 1 March is 04:30 on 2 March in Shanghai (UTC+8): the date changes too.
    f.organisation(session, verified=False, name="待审单位", created_at=datetime(2026, 3, 1, 20, 30, tzinfo=UTC))
    f.login(client, session, officer)
    response = client.get("/officer/organisations")
    assert response.status_code == 200
    page = response.text
    assert 'lang="zh-CN"' in page and "待认证" in page and "待审单位" in page
    assert "2026-03-02 04:30" in page
    assert "2026-03-01 20:30" not in page


def test_roles_see_their_own_dashboard(client, session):
    titles = {Role.COMPANY: "企业工作台", Role.TEAM: "科研团队工作台", Role.EXPERT: "专家工作台",
              Role.OFFICER: "科技局工作台", Role.ADMIN: "科技局工作台"}
    for role, title in titles.items():
        client.cookies.clear()
        f.login(client, session, f.user(session, role=role))
        assert title in client.get("/dashboard").text
