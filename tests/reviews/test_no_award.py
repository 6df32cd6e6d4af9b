"""无中选方案 (no suitable bid): the reason is required on the page and in the API, stored, and shown to
the officer, the posting company and every bidding team; nobody else sees it."""

from sqlmodel import select

from marketplace.audit.models import AuditEvent
from marketplace.awards.models import NoAwardDecision
from marketplace.challenges.models import Challenge
from marketplace.notifications.models import Notification
from tests import factories as f
from tests.reviews import scenario

REASON = "三个方案的核心指标均未达到榜单要求，经专家评审无合适方案"


def post(client, url, data=None):
    return client.post(url, data={"csrf_token": f.csrf(client), **(data or {})}, follow_redirects=False)


def _status(session, scene) -> str:
    session.expire_all()
    return session.get(Challenge, scene.challenge.id).status


def test_the_page_refuses_a_missing_or_short_reason_in_chinese_and_writes_nothing(client, session):
    scene = scenario.build(session, bids=2, experts=2)
    scenario.start(session, scene)
    f.login(client, session, scene.officer)
    url = f"/officer/challenges/{scene.challenge.id}/no-award"
    for reason in ("", "   ", "太差"):
        r = post(client, url, {"no_award_reason": reason})
        assert r.status_code == 422 and "理由须至少 10 个字" in r.text
    assert _status(session, scene) == "in_review"
    assert session.exec(select(NoAwardDecision)).first() is None
    assert session.exec(select(AuditEvent).where(AuditEvent.action.contains("no_award"))).first() is None


def test_the_reason_is_kept_shown_to_the_officer_company_and_teams_and_hidden_from_others(client, session):
    scene = scenario.build(session, bids=2, experts=2)
    scenario.start(session, scene)
    f.login(client, session, scene.officer)
    cid = scene.challenge.id
    assert post(client, f"/officer/challenges/{cid}/no-award", {"no_award_reason": REASON}).status_code == 303
    assert _status(session, scene) == "no_award"
    assert session.exec(select(NoAwardDecision)).one().reason == REASON
    assert REASON in client.get(f"/officer/challenges/{cid}/decision").text
    assert post(client, f"/officer/challenges/{cid}/no-award", {"no_award_reason": REASON}).status_code == 409
    for user in (scene.company, *scene.teams):
        f.login(client, session, user)
        assert "无中选方案的理由" in client.get(f"/challenges/{cid}").text
        page = client.get(f"/challenges/{cid}/no-award")
        assert page.status_code == 200 and REASON in page.text
        told = session.exec(select(Notification).where(Notification.user_id == user.id)).all()
        assert any(REASON in n.body for n in told)
    for user in (scene.outsider, scene.expert_users[0]):
        f.login(client, session, user)
        assert client.get(f"/challenges/{cid}/no-award").status_code == 404


def test_the_api_requires_the_reason_and_returns_it(client, session):
    scene = scenario.build(session, bids=1, experts=1)
    scenario.start(session, scene)
    officer = scenario.api_headers(session, scene.officer)
    url = f"/api/v1/challenges/{scene.challenge.id}/no-award"
    missing = client.post(url, headers=officer, json={})
    assert missing.status_code == 422 and "理由" in missing.text
    assert _status(session, scene) == "in_review"
    made = client.post(url, headers=officer, json={"reason": REASON})
    assert made.status_code == 201 and made.json()["reason"] == REASON
    team = scenario.api_headers(session, scene.teams[0])
    seen = client.get(url, headers=team)
    assert seen.status_code == 200 and seen.json()["reason"] == REASON and seen.json()["status"] == "no_award"
    assert client.get(url, headers=scenario.api_headers(session, scene.outsider)).status_code == 404
    assert client.post(url, headers=officer, json={"reason": REASON}).status_code == 409
