"""Weekly digests: per role, once per user and week (even with two schedulers), and switched off per user."""

from datetime import timedelta

from sqlmodel import select

from marketplace.accounts.models import Role
from marketplace.clock import utcnow
from marketplace.notifications import service as notifications
from marketplace.notifications.models import Kind, Notification
from marketplace.reports import digests
from tests import factories as f


def _digests(session, user) -> list[Notification]:
    return list(session.exec(select(Notification).where(Notification.user_id == user.id,
                                                        Notification.kind == Kind.DIGEST)).all())


def _send_all(session, now) -> None:
    while digests.send_due(session=session, now=now, limit=500):
        pass


def test_each_role_gets_its_digest_once_a_week(session):
    now = utcnow()
    officer = f.user(session, role=Role.OFFICER)
    company = f.user(session, role=Role.COMPANY)
    team_user = f.user(session, role=Role.TEAM)
    f.team(session, owner=team_user, industries=["生物医药与健康"])
    mine = f.challenge(session, company=company, deadline_days=3, title="三天后截止的摘要测试榜单")
    f.bid(session, challenge=mine)
    f.bid(session, challenge=mine)
    health = "生物医药与健康"
    f.challenge(session, industry=health, title="匹配团队的新榜单摘要测试", published_at=now - timedelta(minutes=1))
    f.challenge(session, industry=health, title="一个月前的旧榜单摘要测试", published_at=now - timedelta(days=30))
    f.challenge(session, industry="新一代信息技术", title="别的产业的新榜单摘要测试", published_at=now)
    f.challenge(session, status="submitted", published_at=None)
    session.commit()

    _send_all(session, now)
    _send_all(session, now + timedelta(minutes=5))  # a second round (or scheduler) in the same week
    (o,), (c,), (t,) = _digests(session, officer), _digests(session, company), _digests(session, team_user)
    assert "待审核榜单" in o.body and o.link == "/officer/challenges"
    assert "过去一周收到揭榜方案 2 份" in c.body and "三天后截止的摘要测试榜单" in c.body
    assert "匹配团队的新榜单摘要测试" in t.body and "一个月前的旧榜单摘要测试" not in t.body
    assert "别的产业的新榜单摘要测试" not in t.body  # nothing outside its teams' industries

    _send_all(session, now + timedelta(days=7))  # next week: one more each
    assert len(_digests(session, officer)) == len(_digests(session, company)) == 2


def test_a_user_who_switched_the_digest_off_gets_none(session):
    user = f.user(session, role=Role.COMPANY)
    notifications.set_preferences(session=session, actor=f.actor(session, user),
                                  switches={Kind.DIGEST.value: (False, False)})
    _send_all(session, utcnow())
    assert _digests(session, user) == []
    assert user.id not in {u.id for u in digests.due_users(session, utcnow(), limit=100_000)}


def test_the_digest_is_a_switch_on_the_preferences_page(session):
    user = f.user(session, role=Role.TEAM)
    kinds = {p["kind"] for p in notifications.preferences(session=session, actor=f.actor(session, user))}
    assert Kind.DIGEST.value in kinds



def test_the_company_and_the_winning_lab_read_milestones_due_another_lab_of_the_university_does_not(session):
    from marketplace.accounts.models import Organisation
    from marketplace.contracts import service as contract_service
    from marketplace.contracts.models import Milestone
    from tests.contracts import helpers as h

    s = h.awarded(session)
    c = h.signed(session, s)
    today = contract_service.today()
    first, second = session.exec(select(Milestone).where(Milestone.contract_id == c.id).order_by(Milestone.seq)).all()
    first.due_on, second.due_on = today + timedelta(days=3), today - timedelta(days=10)
    session.add_all([first, second])
    other_lab = f.user(session, role=Role.TEAM, org=session.get(Organisation, s.team.organisation_id))
    f.team(session, owner=other_lab)  # another lab of the same university, with its own team
    session.commit()
    now = utcnow()
    due = f"本周到期里程碑：{c.title}·{first.title}"
    for user in (s.company, s.team):
        body = "\n".join(digests.lines_for(session, user, now))
        assert due in body and f"/contracts/{c.id}" in body and "逾期未交里程碑 1 项" in body, user.role
    assert "待您确认" not in "\n".join(digests.lines_for(session, s.company, now))  # nothing reported yet
    assert due not in "\n".join(digests.lines_for(session, other_lab, now))
