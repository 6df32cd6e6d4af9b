"""The notifications API: a user sees and marks only their own; switches read and written."""

from sqlmodel import select

from marketplace.actor import Role
from marketplace.notifications import service as notifications
from marketplace.notifications.models import Kind, Notification
from tests import factories as f


def token_for(client, user) -> dict:
    response = client.post("/api/v1/auth/token", json={"account": user.email, "password": f.PASSWORD})
    return {"Authorization": f"Bearer {response.json()['token']}"}


def tell(session, user, title="收到新的揭榜方案") -> Notification:
    notifications.notify(session=session, user_ids=[user.id], kind=Kind.BID_RECEIVED, title=title)
    return session.exec(select(Notification).where(Notification.user_id == user.id)
                        .order_by(Notification.id.desc())).first()


def test_the_list_holds_only_my_notifications_and_my_unread_count(anon, session):
    me, other = f.user(session), f.user(session, role=Role.TEAM)
    tell(session, me, "我的一条")
    tell(session, other, "别人的一条")
    body = anon.get("/api/v1/notifications", headers=token_for(anon, me)).json()
    assert body["unread"] == 1 and [n["title"] for n in body["items"]] == ["我的一条"]
    assert body["items"][0]["read_at"] is None and body["items"][0]["kind"] == "bid_received"


def test_reading_another_users_notification_is_404(anon, session):
    me, other = f.user(session), f.user(session)
    theirs = tell(session, other)
    response = anon.post(f"/api/v1/notifications/{theirs.id}/read", headers=token_for(anon, me))
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    session.refresh(theirs)
    assert theirs.read_at is None


def test_read_one_and_read_all(anon, session):
    me = f.user(session)
    first, _second, _third = tell(session, me), tell(session, me), tell(session, me)
    headers = token_for(anon, me)
    assert anon.post(f"/api/v1/notifications/{first.id}/read", headers=headers).status_code == 204
    assert anon.post("/api/v1/notifications/read-all", headers=headers).json() == {"marked": 2}
    assert anon.get("/api/v1/notifications", headers=headers).json()["unread"] == 0


def test_preferences_round_trip_and_unknown_kinds_are_422(anon, session):
    me = f.user(session)
    headers = token_for(anon, me)
    put = anon.put("/api/v1/notifications/preferences", headers=headers,
                   json=[{"kind": "deadline_soon", "in_app": False, "email": True}])
    assert put.status_code == 200
    prefs = {p["kind"]: p for p in anon.get("/api/v1/notifications/preferences", headers=headers).json()}
    assert prefs["deadline_soon"] == {"kind": "deadline_soon", "label": "揭榜截止前 3 天提醒",
                                      "in_app": False, "email": True}
    assert prefs["bid_received"]["in_app"] is True
    bad = anon.put("/api/v1/notifications/preferences", headers=headers,
                   json=[{"kind": "spam", "in_app": True, "email": True}])
    assert bad.status_code == 422


def test_visitors_get_401(anon):
    assert anon.get("/api/v1/notifications").status_code == 401
    assert anon.post("/api/v1/notifications/read-all", json={}).status_code == 401
