"""The inbox pages: own notifications only, mark read with and without HTMX, the switches table."""

import re

from sqlmodel import select

from marketplace.actor import Role
from marketplace.notifications import service as notifications
from marketplace.notifications.models import Kind, Notification, NotificationPreference
from tests import factories as f

HX = {"HX-Request": "true"}


def checked(html: str, name: str, kind: Kind) -> bool:
    return re.search(rf'name="{name}" value="{kind.value}"\s+checked', html) is not None


def tell(session, user, title, kind=Kind.CHALLENGE_PUBLISHED, link="/challenges/5") -> Notification:
    notifications.notify(session=session, user_ids=[user.id], kind=kind, title=title, link=link)
    return session.exec(select(Notification).where(Notification.user_id == user.id)
                        .order_by(Notification.id.desc())).first()


def test_the_inbox_shows_only_my_notifications_newest_first_with_unread_marked(client, session):
    me, other = f.user(session), f.user(session)
    tell(session, me, "较早的消息")
    tell(session, me, "榜单已发布：新能源电池")
    tell(session, other, "别人的秘密消息")
    page = f.login(client, session, me).get("/inbox")
    assert page.status_code == 200
    assert "榜单已发布：新能源电池" in page.text and "别人的秘密消息" not in page.text
    assert page.text.index("榜单已发布：新能源电池") < page.text.index("较早的消息")
    assert page.text.count("card unread") == 2 and 'href="/challenges/5"' in page.text


def test_visitors_are_sent_to_the_login_page(anon):
    response = anon.get("/inbox", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_a_link_that_is_not_a_site_path_is_not_rendered_as_a_link(client, session):
    me = f.user(session)
    tell(session, me, "奇怪的链接", link="javascript:alert(1)")
    page = f.login(client, session, me).get("/inbox")
    assert "奇怪的链接" in page.text and "javascript:" not in page.text


def test_marking_one_read_without_javascript_redirects_back(client, session):
    me = f.user(session)
    note = tell(session, me, "待读")
    f.login(client, session, me)
    response = client.post(f"/inbox/{note.id}/read", data={"csrf_token": f.csrf(client)},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/inbox"
    session.refresh(note)
    assert note.read_at is not None


def test_marking_one_read_with_htmx_returns_the_list_fragment_and_an_event(client, session):
    me = f.user(session)
    first, second = tell(session, me, "第一条"), tell(session, me, "第二条")
    f.login(client, session, me)
    response = client.post(f"/inbox/{first.id}/read", headers={**HX, "X-CSRFToken": f.csrf(client)})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="inbox-list"') and "<html" not in response.text
    assert '"unread": 1' in response.headers["HX-Trigger"]
    assert f'id="notification-{second.id}"' in response.text


def test_marking_another_users_notification_is_404_and_changes_nothing(client, session):
    me, other = f.user(session), f.user(session, role=Role.TEAM)
    theirs = tell(session, other, "别人的")
    f.login(client, session, me)
    response = client.post(f"/inbox/{theirs.id}/read", data={"csrf_token": f.csrf(client)})
    assert response.status_code == 404
    session.refresh(theirs)
    assert theirs.read_at is None


def test_mark_all_read_marks_only_mine(client, session):
    me, other = f.user(session), f.user(session)
    mine, theirs = tell(session, me, "我的"), tell(session, other, "别人的")
    f.login(client, session, me)
    client.post("/inbox/read-all", data={"csrf_token": f.csrf(client)}, follow_redirects=False)
    session.refresh(mine)
    session.refresh(theirs)
    assert mine.read_at is not None and theirs.read_at is None


def test_mark_read_needs_the_csrf_token(client, session):
    me = f.user(session)
    note = tell(session, me, "待读")
    f.login(client, session, me)
    f.csrf(client)
    assert client.post(f"/inbox/{note.id}/read").status_code == 403


def test_the_preferences_page_lists_every_kind_with_two_checked_boxes(client, session):
    page = f.login(client, session, f.user(session)).get("/inbox/preferences")
    assert page.status_code == 200 and "站内消息" in page.text and "邮件" in page.text
    assert all(checked(page.text, "in_app", k) and checked(page.text, "email", k) for k in Kind)


def test_saving_preferences_switches_kinds_off_and_notify_respects_it(client, session):
    me = f.user(session)
    f.login(client, session, me)
    kept = [k.value for k in Kind if k != Kind.BID_RECEIVED]
    response = client.post("/inbox/preferences", follow_redirects=False,
                           data={"csrf_token": f.csrf(client), "in_app": kept, "email": [Kind.INVITED.value]})
    assert response.status_code == 303
    prefs = {p.kind: p for p in session.exec(select(NotificationPreference)
                                             .where(NotificationPreference.user_id == me.id)).all()}
    assert not prefs[Kind.BID_RECEIVED].in_app and prefs[Kind.INVITED].email
    assert not prefs[Kind.CHALLENGE_PUBLISHED].email
    assert notifications.notify(session=session, user_ids=[me.id], kind=Kind.BID_RECEIVED, title="x") == 0
    page = client.get("/inbox/preferences")
    assert not checked(page.text, "in_app", Kind.BID_RECEIVED) and checked(page.text, "in_app", Kind.INVITED)
    assert checked(page.text, "email", Kind.INVITED) and not checked(page.text, "email", Kind.BID_RECEIVED)


def test_saving_preferences_with_htmx_rerenders_the_form_and_rejects_unknown_kinds(client, session):
    f.login(client, session, f.user(session))
    headers = {**HX, "X-CSRFToken": f.csrf(client)}
    ok = client.post("/inbox/preferences", data={"in_app": ["invited"]}, headers=headers)
    assert ok.status_code == 200 and "消息设置已保存" in ok.text and ok.text.lstrip().startswith("<form")
    bad = client.post("/inbox/preferences", data={"in_app": ["spam"]}, headers=headers)
    assert bad.status_code == 422 and "消息类型无效" in bad.text


def test_the_nav_badge_global_is_zero_for_visitors_and_uses_the_pages_own_count(client, session):
    from marketplace.actor import ANONYMOUS
    from marketplace.web.templating import templates

    badge = templates.env.from_string("{{ nav_unread() }}")
    assert badge.render(request=None, actor=ANONYMOUS) == "0"
    assert badge.render(request=None, actor=f.actor(session, f.user(session)), unread=4) == "4"
