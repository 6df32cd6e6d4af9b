"""Invitations to bid carry a message, and the company sees which teams it has already invited (issue 13)."""

from sqlmodel import select

from marketplace.actor import Role
from marketplace.notifications.models import Notification
from tests import factories as f


def test_an_invitation_carries_the_message_and_the_button_says_already_invited(client, session):
    company = f.user(session, role=Role.COMPANY)
    c = f.challenge(session, company=company, title="车规级碳化硅功率模块低热阻封装",
                    background="碳化硅功率器件封装热阻与可靠性" * 3)
    team = f.team(session, name="碳化硅封装实验室")
    f.login(client, session, company)
    page = client.get(f"/challenges/{c.id}").text
    assert f"/challenges/{c.id}/invite/{team.id}" in page and 'name="message"' in page
    r = client.post(f"/challenges/{c.id}/invite/{team.id}",
                    data={"csrf_token": f.csrf(client), "message": "欢迎揭榜，可先电话沟通样品要求"},
                    follow_redirects=True)
    assert "已邀请该团队揭榜" in r.text
    note = session.exec(select(Notification).where(Notification.user_id == team.owner_id)).one()
    assert "欢迎揭榜，可先电话沟通样品要求" in note.body
    page = client.get(f"/challenges/{c.id}").text
    assert f'id="invited-{team.id}"' in page and "已邀请" in page
    assert f"/challenges/{c.id}/invite/{team.id}" not in page  # no second invitation button
    again = client.post(f"/challenges/{c.id}/invite/{team.id}", data={"csrf_token": f.csrf(client)},
                        follow_redirects=True)
    assert "已邀请过该团队" in again.text

    api = client.get(f"/api/v1/challenges/{c.id}/invitations").json()
    assert [(i["team_id"], i["message"]) for i in api] == [(team.id, "欢迎揭榜，可先电话沟通样品要求")]


def test_an_overlong_message_is_refused_with_a_reason(client, session):
    company = f.user(session, role=Role.COMPANY)
    c = f.challenge(session, company=company)
    team = f.team(session)
    f.login(client, session, company)
    r = client.post(f"/challenges/{c.id}/invite/{team.id}", data={"csrf_token": f.csrf(client), "message": "长" * 501},
                    follow_redirects=True)
    assert "邀请留言不能超过 500 字" in r.text
    assert session.exec(select(Notification).where(Notification.user_id == team.owner_id)).first() is None
