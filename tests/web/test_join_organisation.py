"""A second lab head of an already-registered university joins it (issue 13): a registration with the same
统一社会信用代码 becomes a join request that a verified user of that organisation (or an officer) decides."""

from sqlmodel import select

from marketplace.accounts.models import JoinRequest, User
from marketplace.actor import Role
from marketplace.audit.models import AuditEvent
from marketplace.notifications.models import EmailOutbox, Notification
from tests import factories as f


def form(client, org, **kw):
    return {"csrf_token": f.csrf(client), "org_kind": "university", "org_name": org.name, "uscc": org.uscc,
            "district": "天河区", "industries": ["新一代信息技术"], "display_name": kw.get("name", "李教授"),
            "email": kw.get("email", "li@scut-test.example"), "mobile": "", "password": "second-lab-2026",
            "accept_terms": "on"}


def test_a_second_lab_head_registers_and_a_colleague_approves_then_she_logs_in(client, anon, session):
    head = f.user(session, role=Role.TEAM, display_name="王院长")
    from marketplace.accounts.models import Organisation
    org = session.get(Organisation, head.organisation_id)
    page = client.post("/register", data=form(client, org), follow_redirects=True)
    assert page.status_code == 200 and "提交您的加入申请" in page.text
    assert "该统一社会信用代码已注册" not in page.text
    li = session.exec(select(User).where(User.email == "li@scut-test.example")).one()
    assert li.organisation_id == org.id and li.role == Role.TEAM and not li.is_active
    request = session.exec(select(JoinRequest).where(JoinRequest.user_id == li.id)).one()
    assert request.status == "pending"
    told = session.exec(select(Notification).where(Notification.user_id == head.id)).all()
    assert any("李教授 申请加入" in n.title for n in told)

    # not yet: the login is refused like any failed login
    refused = anon.post("/login", data={"csrf_token": f.csrf(anon), "account": "li@scut-test.example",
                                        "password": "second-lab-2026"})
    assert refused.status_code == 401

    f.login(client, session, head)
    listing = client.get("/organisation/join-requests").text
    assert f'id="join-{request.id}"' in listing and "李教授 申请加入" in listing
    done = client.post(f"/organisation/join-requests/{request.id}",
                       data={"csrf_token": f.csrf(client), "decision": "approve"}, follow_redirects=True)
    assert "已同意加入" in done.text
    session.refresh(li)
    session.refresh(request)
    assert li.is_active and request.status == "approved" and request.decided_by == head.id
    assert session.exec(select(EmailOutbox).where(EmailOutbox.user_id == li.id)).first() is not None
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "join_request.approve",
                                                 AuditEvent.subject_id == str(request.id))).one()
    again = client.post(f"/organisation/join-requests/{request.id}",
                        data={"csrf_token": f.csrf(client), "decision": "reject", "reason": "x"},
                        follow_redirects=True)
    assert "已被他人处理" in again.text or "不能执行此操作" in again.text
    anon.cookies.clear()
    assert anon.post("/login", data={"csrf_token": f.csrf(anon), "account": "li@scut-test.example",
                                     "password": "second-lab-2026"}).status_code in (200, 303)


def bearer(session, user) -> dict:
    from marketplace.auth import service as auth

    token = auth._open_session(session=session, user=user, kind="api")
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def _pending(session, org=None):
    head = f.user(session, role=Role.TEAM, org=org)
    from marketplace.accounts import service as accounts
    from marketplace.accounts.models import Organisation
    from marketplace.accounts.schemas import RegistrationIn
    from marketplace.validation import parse

    org = session.get(Organisation, head.organisation_id)
    data = parse(RegistrationIn, {"org_kind": "university", "org_name": org.name, "uscc": org.uscc,
                                  "district": "天河区", "display_name": "赵老师",
                                  "email": f"zhao{head.id}@test.example", "password": "second-lab-2026",
                                  "accept_terms": True})
    user = accounts.register(session=session, data=data)
    return head, user, session.exec(select(JoinRequest).where(JoinRequest.user_id == user.id)).one()


def test_who_may_decide_and_a_rejection_needs_a_reason(client, session):
    head, user, request = _pending(session)
    stranger = f.user(session, role=Role.TEAM)  # another organisation's user
    f.login(client, session, stranger)
    assert f'id="join-{request.id}"' not in client.get("/organisation/join-requests").text
    client.cookies.clear()
    url = f"/api/v1/join-requests/{request.id}/decision"
    assert client.post(url, json={"approve": True}, headers=bearer(session, stranger)).status_code == 403
    as_head = bearer(session, head)
    assert client.post(url, json={"approve": False, "reason": "  "}, headers=as_head).status_code == 422
    listed = client.get("/api/v1/join-requests", headers=as_head).json()
    assert [j["id"] for j in listed] == [request.id] and listed[0]["display_name"] == "赵老师"
    r = client.post(url, json={"approve": False, "reason": "非本单位人员"}, headers=as_head)
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    session.refresh(user)
    assert not user.is_active
    assert client.post(url, json={"approve": True}, headers=as_head).status_code == 409


def test_an_unverified_organisation_cannot_vouch_for_itself_but_an_officer_can(client, session):
    org = f.organisation(session, kind="university", verified=False)
    head, user, request = _pending(session, org=org)
    url = f"/api/v1/join-requests/{request.id}/decision"
    assert client.post(url, json={"approve": True}, headers=bearer(session, head)).status_code == 403
    officer = f.user(session, role=Role.OFFICER)
    f.login(client, session, officer)
    assert f'id="join-{request.id}"' in client.get("/organisation/join-requests").text
    client.cookies.clear()
    assert client.post(url, json={"approve": True}, headers=bearer(session, officer)).status_code == 200
    session.refresh(user)
    assert user.is_active


def test_the_api_registration_says_the_account_waits(client, session):
    head = f.user(session, role=Role.TEAM)
    from marketplace.accounts.models import Organisation
    org = session.get(Organisation, head.organisation_id)
    body = {"org_kind": "university", "org_name": org.name, "uscc": org.uscc, "district": "天河区",
            "display_name": "钱老师", "email": "qian@test.example", "password": "second-lab-2026",
            "accept_terms": True}
    r = client.post("/api/v1/register", json=body)
    assert r.status_code == 201 and r.json()["join_pending"] is True
    # a company cannot slip into a university by its code
    r = client.post("/api/v1/register", json=body | {"org_kind": "enterprise", "email": "x@test.example"})
    assert r.status_code == 409
