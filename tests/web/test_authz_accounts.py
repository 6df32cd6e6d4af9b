"""Role × route matrix for the account pages: who gets the page, who is refused."""

import pytest

from marketplace.actor import Role
from tests import factories as f

ROLES = [None, Role.COMPANY, Role.TEAM, Role.EXPERT, Role.OFFICER, Role.ADMIN]
# route -> roles allowed (None = anonymous)
MATRIX = {
    "/dashboard": {Role.COMPANY, Role.TEAM, Role.EXPERT, Role.OFFICER, Role.ADMIN},
    "/account/password": {Role.COMPANY, Role.TEAM, Role.EXPERT, Role.OFFICER, Role.ADMIN},
    "/officer/organisations": {Role.OFFICER, Role.ADMIN},
    "/admin/users": {Role.ADMIN},
    "/team-profiles/new": {Role.TEAM},
    "/teams": set(ROLES),
    "/": set(ROLES),
}


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_account_routes_matrix(client, session, role):
    if role is not None:
        f.login(client, session, f.user(session, role=role))
    for path, allowed in MATRIX.items():
        status = client.get(path, follow_redirects=False).status_code
        if role in allowed:
            assert status == 200, (path, role, status)
        elif role is None:
            assert status == 303, (path, role, status)  # to the login page
        else:
            assert status == 403, (path, role, status)


@pytest.mark.parametrize("role", [Role.COMPANY, Role.TEAM, Role.EXPERT], ids=str)
def test_non_officers_cannot_verify_through_the_page(client, session, role):
    pending = f.organisation(session, verified=False)
    f.login(client, session, f.user(session, role=role))
    response = client.post(f"/officer/organisations/{pending.id}/verify",
                           data={"csrf_token": f.csrf(client), "decision": "approve"})
    assert response.status_code == 403
    session.refresh(pending)
    assert pending.status == "pending"


def test_a_team_cannot_edit_another_organisations_profile(client, session):
    other = f.team(session)
    f.login(client, session, f.user(session, role=Role.TEAM))
    assert client.get(f"/team-profiles/{other.id}/edit").status_code == 403
    response = client.post(f"/team-profiles/{other.id}", data={
        "csrf_token": f.csrf(client), "name": "篡改", "leader": "x", "profile": "十个字以上的团队简介内容"})
    assert response.status_code == 403
    session.refresh(other)
    assert other.name != "篡改"


def test_an_admin_disables_an_account_and_its_sessions_end_at_once(client, anon, session):
    victim = f.user(session, role=Role.EXPERT)
    f.login(anon, session, victim)
    assert anon.get("/dashboard").status_code == 200
    f.login(client, session, f.user(session, role=Role.ADMIN))
    page = client.post(f"/admin/users/{victim.id}/active", data={"csrf_token": f.csrf(client), "active": "0"},
                       follow_redirects=True)
    assert "已停用账号" in page.text
    assert anon.get("/dashboard", follow_redirects=False).status_code == 303
    login = anon.post("/login", data={"csrf_token": f.csrf(anon), "account": victim.email, "password": f.PASSWORD},
                      follow_redirects=False)
    assert login.status_code == 401
