"""The admin's users list: search (name, e-mail, phone, organisation), filters (role, active, organisation),
paging; the same through the API (issue 13)."""

from marketplace.accounts.queries import USERS_PAGE_SIZE
from marketplace.actor import Role
from tests import factories as f
from tests.web.test_join_organisation import bearer


def _rows(page: str) -> str:
    return page.split('id="user-list"', 1)[1]


def test_search_and_filters_narrow_the_list(client, session):
    admin = f.user(session, role=Role.ADMIN)
    org = f.organisation(session, kind="university", name="华南理工大学测试")
    zhang = f.user(session, role=Role.TEAM, org=org, display_name="张晓明", mobile="13900001111")
    li = f.user(session, role=Role.TEAM, org=org, display_name="李华", is_active=False)
    other = f.user(session, role=Role.COMPANY, display_name="王芳")
    f.login(client, session, admin)
    by_name = _rows(client.get("/admin/users", params={"q": "曉明"}).text)  # Traditional input
    assert "张晓明" in by_name and "王芳" not in by_name
    assert "张晓明" in _rows(client.get("/admin/users", params={"q": "0000111"}).text)
    by_org = _rows(client.get("/admin/users", params={"q": "华南理工"}).text)
    assert "张晓明" in by_org and "李华" in by_org and "王芳" not in by_org
    disabled = _rows(client.get("/admin/users", params={"organisation_id": org.id, "active": "0"}).text)
    assert "李华" in disabled and "张晓明" not in disabled
    companies = _rows(client.get("/admin/users", params={"role": "company"}).text)
    assert "王芳" in companies and "张晓明" not in companies
    assert "没有找到符合条件的账号" in client.get("/admin/users", params={"q": "%_不存在"}).text
    assert client.get("/admin/users", params={"page": "abc", "role": "x", "organisation_id": "-1"}).status_code == 200

    client.cookies.clear()
    api = client.get("/api/v1/users", params={"q": "华南理工", "active": "true"}, headers=bearer(session, admin))
    assert api.status_code == 200
    assert [u["id"] for u in api.json()["items"]] == [zhang.id] and api.json()["total"] == 1
    assert api.json()["items"][0]["organisation_name"] == "华南理工大学测试"
    assert client.get("/api/v1/users", params={"role": "nobody"}, headers=bearer(session, admin)).status_code == 422
    assert client.get("/api/v1/users", headers=bearer(session, other)).status_code == 403
    assert li.id and other.id


def test_the_list_pages(client, session):
    admin = f.user(session, role=Role.ADMIN)
    org = f.organisation(session, name="分页测试单位")
    for _ in range(USERS_PAGE_SIZE + 3):
        f.user(session, role=Role.COMPANY, org=org)
    f.login(client, session, admin)
    first = client.get("/admin/users", params={"organisation_id": org.id}).text
    assert f"共 {USERS_PAGE_SIZE + 3} 个账号 · 第 1 / 2 页" in first and "page=2" in first
    last = client.get("/admin/users", params={"organisation_id": org.id, "page": 99}).text
    assert "第 2 / 2 页" in last and _rows(last).count("<tr><td>") == 3
