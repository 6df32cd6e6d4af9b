"""End to end through the pages only (TestClient, no browser): closed challenge → panel → declarations →
scores → company opinion → decision against the ranking → 公示 → objection answered → awarded → feedback."""

from datetime import timedelta

from sqlmodel import select

from marketplace.accounts.models import User
from marketplace.awards import service as award_service
from marketplace.awards.models import Announcement, Objection, ObjectionStatus
from marketplace.challenges.models import Challenge
from marketplace.clock import utcnow
from marketplace.reviews.models import ReviewAssignment, ReviewScore
from marketplace.reviews.scoring import DEFAULT_SCORECARD
from tests import factories as f
from tests.reviews import scenario

CRITERIA = len(DEFAULT_SCORECARD.criteria)


def post(client, url, data=None, **kw):
    return client.post(url, data={"csrf_token": f.csrf(client), **(data or {})}, follow_redirects=False, **kw)


def sheet(points):
    data = {f"score_{i}": str(p) for i, p in enumerate(points)}
    data |= {f"comment_{i}": "论证充分" for i in range(CRITERIA)}
    return data


def status(session, challenge):
    session.expire_all()
    return session.get(Challenge, challenge.id).status


def test_a_challenge_goes_from_closed_to_awarded_through_the_pages(client, session):
    scene = scenario.build(session, bids=2, experts=4)
    cid = scene.challenge.id
    f.login(client, session, scene.officer)

    page = client.get(f"/officer/challenges/{cid}/panel")
    assert page.status_code == 200 and "组建评审组" in page.text and "技术路线与创新性" in page.text
    bad = post(client, f"/officer/challenges/{cid}/panel", {"reviewers_per_bid": "两", "max_load": "5",
                                                            "crit-0-name": "技术", "crit-0-weight": "50"})
    assert bad.status_code == 422 and "每个方案的评审专家数须为正整数" in bad.text
    assert status(session, scene.challenge) == "closed"
    assert 'value="技术"' in bad.text  # nothing the officer typed is lost
    r = post(client, f"/officer/challenges/{cid}/panel", {"reviewers_per_bid": "2", "max_load": "5",
                                                          "due_on": "2030-01-10"})
    assert r.status_code == 303 and status(session, scene.challenge) == "in_review"

    page = client.get(f"/officer/challenges/{cid}/panel")
    conflicted_name = session.get(User, scene.conflicted.user_id).display_name
    assert page.status_code == 200 and "需回避的专家" in page.text and conflicted_name in page.text
    r = post(client, f"/officer/challenges/{cid}/panel/auto")
    assert r.status_code == 303
    rows = session.exec(select(ReviewAssignment)).all()
    assert len(rows) == 4 and scene.conflicted.id not in {a.expert_id for a in rows if a.bid_id == scene.bids[0].id}

    users = {e.id: u for e, u in zip(scene.experts, scene.expert_users, strict=True)}
    users[scene.conflicted.id] = session.get(User, scene.conflicted.user_id)
    points = {scene.bids[0].id: (9, 9, 9, 9), scene.bids[1].id: (7, 7, 7, 7)}
    for a in rows:
        f.login(client, session, users[a.expert_id])
        assert f"/review/bids/{a.bid_id}" in client.get("/review").text
        closed = client.get(f"/review/bids/{a.bid_id}")
        assert "利益冲突申报" in closed.text and "银烧结" not in closed.text  # not opened before declaring
        assert post(client, f"/review/bids/{a.bid_id}/declaration", {"conflict": "no"}).status_code == 303
        opened = client.get(f"/review/bids/{a.bid_id}")
        assert "银烧结" in opened.text and 'name="score_0"' in opened.text
        low = sheet((5, 8, 8, 8)) | {"comment_0": ""}
        r = post(client, f"/review/bids/{a.bid_id}/score", low)
        assert r.status_code == 422 and "须填写评审意见" in r.text and 'value="5"' in r.text
        assert post(client, f"/review/bids/{a.bid_id}/score", sheet(points[a.bid_id])).status_code == 303
    assert len(session.exec(select(ReviewScore)).all()) == 4

    f.login(client, session, scene.company)
    short = client.get(f"/challenges/{cid}/shortlist")
    assert short.status_code == 200 and "第 1 名" in short.text and "90.00" not in short.text
    r = post(client, f"/challenges/{cid}/opinion", {"preferred_bid_ids": str(scene.bids[1].id),
                                                   "opinion": "方案二的量产经验更贴合我司产线"})
    assert r.status_code == 303

    f.login(client, session, scene.officer)
    page = client.get(f"/officer/challenges/{cid}/decision")
    assert "90.00" in page.text and "方案二的量产经验" in page.text
    r = post(client, f"/officer/challenges/{cid}/decision", {"winning_bid_ids": str(scene.bids[1].id),
                                                            "reason": "太短"})
    assert r.status_code == 422 and "理由" in r.text and status(session, scene.challenge) == "in_review"
    r = post(client, f"/officer/challenges/{cid}/decision", {"winning_bid_ids": str(scene.bids[1].id),
                                                            "reason": "企业意见指出方案二量产经验更成熟，综合考虑"})
    assert r.status_code == 303 and status(session, scene.challenge) == "decided"

    page = client.get("/officer/announcements/new")
    assert scene.challenge.title in page.text
    bad = post(client, "/officer/announcements", {"challenge_ids": str(cid), "period_days": "0"})
    assert bad.status_code == 422 and status(session, scene.challenge) == "decided"
    r = post(client, "/officer/announcements", {"challenge_ids": str(cid), "period_days": "5"})
    assert r.status_code == 303 and status(session, scene.challenge) == "announced"
    public = client.get("/announcements")
    assert scene.challenge.title in public.text

    f.login(client, session, scene.outsider)
    page = client.get(f"/announcements/{cid}")
    assert page.status_code == 200 and "提出异议" in page.text
    token = page.text.split('name="form_token" value="')[1].split('"')[0]
    r = post(client, f"/announcements/{cid}/objections", {"reasons": "短", "form_token": token})
    assert r.status_code == 422 and "异议理由须至少" in r.text
    r = post(client, f"/announcements/{cid}/objections", {"reasons": "中选单位报价明显低于成本，请核实其可行性",
                                                          "form_token": token})
    assert r.status_code == 303
    objection = session.exec(select(Objection)).one()

    f.login(client, session, scene.officer)
    assert "中选单位报价明显低于成本" in client.get("/objections").text
    r = post(client, f"/objections/{objection.id}/answer",
             {"outcome": "dismissed", "answer": "经核实报价含企业配套资金，异议不成立"})
    assert r.status_code == 303
    session.refresh(objection)
    assert objection.status == ObjectionStatus.DISMISSED

    f.login(client, session, scene.outsider)
    assert "经核实报价含企业配套资金" in client.get("/objections").text

    batch = session.exec(select(Announcement)).one()
    later = utcnow() + timedelta(days=(batch.ends_on - batch.published_on).days + 2)
    assert award_service.finalise_due(session=session, now=later) == [cid]
    assert status(session, scene.challenge) == "awarded"
    assert "公示期满，已确定" in client.get("/announcements").text

    for team, won in ((scene.teams[0], False), (scene.teams[1], True)):
        f.login(client, session, team)
        fb = client.get(f"/challenges/{cid}/feedback")
        assert fb.status_code == 200 and ("本单位方案中选" if won else "本单位方案未中选") in fb.text
        assert "共 2 个方案" in fb.text and "论证充分" in fb.text
