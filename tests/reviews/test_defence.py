"""答辩 scheduling: slots, bookings without double booking (in the domain and under 50 simultaneous requests on
SQLite and PostgreSQL), the teams told and shown their slot, the panel's experts shown the schedule."""

from collections import Counter
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from marketplace import db
from marketplace.accounts.models import TeamProfile
from marketplace.actor import Role
from marketplace.audit.models import AuditEvent
from marketplace.clock import to_shanghai, utcnow
from marketplace.errors import Conflict, RuleViolation
from marketplace.notifications.models import Kind, Notification
from marketplace.reviews import hearings, service
from marketplace.reviews.models import DefenceSlot, ReviewAssignment, ReviewPanel
from tests import factories as f
from tests.reviews import scenario
from tests.reviews.test_form_races import fire
from tests.servers import uvicorn_server

DAY = to_shanghai(utcnow() + timedelta(days=3)).date().isoformat()
N = 50


def post(client, url, data=None):
    return client.post(url, data={"csrf_token": f.csrf(client), **(data or {})}, follow_redirects=False)


def in_review(session, bids=2):
    scene = scenario.build(session, bids=bids, experts=2)
    scenario.start(session, scene, reviewers=1)
    service.assign(session=session, actor=f.actor(session, scene.officer), challenge_id=scene.challenge.id,
                   bid_id=scene.bids[0].id, expert_id=scene.experts[0].id)
    return scene


def slot(session, scene, start="09:00", end="09:30", challenge=None):
    return hearings.create_slot(session=session, actor=f.actor(session, scene.officer),
                                challenge_id=(challenge or scene.challenge).id, day=DAY, start=start, end=end,
                                place="科技局 301 会议室")


def test_bad_slots_are_refused_in_chinese_on_the_page_and_nothing_is_written(client, session):
    scene = in_review(session)
    f.login(client, session, scene.officer)
    url = f"/officer/challenges/{scene.challenge.id}/defence/slots"
    yesterday = to_shanghai(utcnow() - timedelta(days=1)).date().isoformat()
    for data, message in (
        ({"day": DAY, "start": "10:00", "end": "09:30", "place": "301"}, "结束时间须晚于开始时间"),
        ({"day": yesterday, "start": "09:00", "end": "09:30", "place": "301"}, "答辩时间不能早于当前时间"),
        ({"day": DAY, "start": "09:00", "end": "09:30"}, "请填写答辩地点或线上会议链接"),
        ({"day": DAY, "start": "9点", "end": "09:30", "place": "301"}, "开始时间格式应为"),
        ({"day": DAY, "start": "09:00", "end": "09:30", "online_link": "javascript:alert(1)"}, "线上会议链接须以"),
    ):
        r = post(client, url, data)
        assert r.status_code == 422 and message in r.text, (data, r.status_code)
    assert session.exec(select(DefenceSlot)).first() is None
    headers = scenario.api_headers(session, scene.officer)
    client.cookies.clear()  # the API as an API client calls it (bearer token, no browser cookie)
    api = client.post(f"/api/v1/challenges/{scene.challenge.id}/defence-slots",
                      headers=headers, json={"day": DAY, "start": "10:00", "end": "09:00", "place": "301"})
    assert api.status_code == 422 and "结束时间须晚于开始时间" in api.text
    f.login(client, session, scene.officer)
    assert post(client, url, {"day": DAY, "start": "09:00", "end": "09:30", "place": "301"}).status_code == 303
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "defence.slot_created")).one()


def test_a_booked_team_is_told_and_sees_its_slot_the_panel_sees_the_schedule_others_nothing(client, session):
    scene = in_review(session)
    s1 = slot(session, scene)
    f.login(client, session, scene.officer)
    r = post(client, f"/officer/defence/slots/{s1.id}/book", {"bid_id": str(scene.bids[0].id)})
    assert r.status_code == 303
    told = session.exec(select(Notification).where(Notification.user_id == scene.teams[0].id,
                                                   Notification.kind == Kind.DEFENCE_SCHEDULED)).one()
    assert "科技局 301 会议室" in told.body
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "defence.booked")).one()
    cid = scene.challenge.id
    f.login(client, session, scene.teams[0])
    mine = client.get(f"/challenges/{cid}/defence").text
    assert f'id="slot-{s1.id}"' in mine and "科技局 301 会议室" in mine
    f.login(client, session, scene.teams[1])
    other = client.get(f"/challenges/{cid}/defence")
    assert other.status_code == 200 and f'id="slot-{s1.id}"' not in other.text
    f.login(client, session, scene.expert_users[0])
    panel = client.get(f"/challenges/{cid}/defence").text
    assert f"方案 #{scene.bids[0].id}" in panel
    for user in (scene.company, scene.outsider, scene.expert_users[1]):   # expert 1 is not on the panel
        f.login(client, session, user)
        assert client.get(f"/challenges/{cid}/defence").status_code == 404
        assert client.get(f"/officer/challenges/{cid}/defence").status_code in (403, 404)


def test_no_double_booking_in_the_domain(session):
    scene = in_review(session)
    officer = f.actor(session, scene.officer)
    s1, s2 = slot(session, scene, "09:00", "09:30"), slot(session, scene, "09:15", "09:45")
    hearings.book(session=session, actor=officer, slot_id=s1.id, bid_id=scene.bids[0].id)
    with pytest.raises(Conflict, match="该时段已安排其他方案"):
        hearings.book(session=session, actor=officer, slot_id=s1.id, bid_id=scene.bids[1].id)
    with pytest.raises(Conflict, match="该方案已安排答辩时段"):
        hearings.book(session=session, actor=officer, slot_id=s2.id, bid_id=scene.bids[0].id)
    with pytest.raises(RuleViolation, match="通过形式审查"):
        hearings.book(session=session, actor=officer, slot_id=s2.id, bid_id=scene.disqualified.id)
    # The same team bids on a second challenge: its hearing there may not overlap the first one.
    second = scenario.build(session, bids=1, experts=0)
    team = session.get(type(scene.bids[0]), scene.bids[0].id).team_id
    clash_bid = f.bid(session, challenge=second.challenge, team_profile=session.get(TeamProfile, team),
                      status="qualified")
    scenario.start(session, second, reviewers=1)
    overlapping = slot(session, scene, "09:20", "09:50", challenge=second.challenge)
    with pytest.raises(Conflict, match="已有答辩安排"):
        hearings.book(session=session, actor=officer, slot_id=overlapping.id, bid_id=clash_bid.id)
    later = slot(session, scene, "10:00", "10:30", challenge=second.challenge)
    assert hearings.book(session=session, actor=officer, slot_id=later.id, bid_id=clash_bid.id).bid_id == clash_bid.id


STATES = ("closed", "in_review", "decided")
# role: codes for creating a slot in closed / in_review / decided
CREATE = {"anon": "401 401 401", "company": "403 403 403", "team": "403 403 403", "expert": "403 403 403",
          "officer": "409 201 409"}
READ = {"anon": "401 401 401", "company": "404 404 404", "team": "404 200 200", "expert": "404 200 200",
        "officer": "404 200 200"}


@pytest.mark.parametrize("state", STATES)
def test_role_state_matrix_of_the_api(client, session, state):
    scene = scenario.build(session, bids=1, experts=1, status="in_review" if state != "closed" else "closed")
    if state != "closed":
        panel = ReviewPanel(challenge_id=scene.challenge.id, created_by=scene.officer.id)
        session.add(panel)
        session.flush()
        session.add(ReviewAssignment(panel_id=panel.id, bid_id=scene.bids[0].id, expert_id=scene.experts[0].id))
        scene.challenge.status = state
        session.add(scene.challenge)
    session.commit()
    users = {"company": scene.company, "team": scene.teams[0], "expert": scene.expert_users[0],
             "officer": scene.officer}
    headers = {r: scenario.api_headers(session, u) for r, u in users.items()} | {"anon": {}}
    body = {"day": DAY, "start": "14:00", "end": "14:30", "online_link": "https://meeting.example.cn/123"}
    got_create, got_read = {}, {}
    for role in ("anon", "company", "team", "expert", "officer"):
        got_read[role] = client.get(f"/api/v1/challenges/{scene.challenge.id}/defence-slots",
                                    headers=headers[role]).status_code
        got_create[role] = client.post(f"/api/v1/challenges/{scene.challenge.id}/defence-slots",
                                       headers=headers[role], json=body).status_code
    i = STATES.index(state)
    assert got_create == {r: int(v.split()[i]) for r, v in CREATE.items()}
    assert got_read == {r: int(v.split()[i]) for r, v in READ.items()}


def _race(live_engine, tmp_path, build):
    with db.new_session(live_engine) as s:
        jobs_spec, check = build(s)
        tokens = [scenario.api_headers(s, f.user(s, role=Role.OFFICER)) for _ in range(N)]
    url = live_engine.url.render_as_string(hide_password=False)
    with uvicorn_server(url, tmp_path / "var", workers=2) as base, httpx.Client(base_url=base, timeout=120) as c:
        def job(i):
            path, body = jobs_spec(i)
            return lambda: c.post(path, json=body, headers=tokens[i]).status_code
        codes = fire([job(i) for i in range(N)])
    with db.new_session(live_engine) as s:
        check(s)
    return codes


def test_fifty_bookings_of_one_slot_make_one(live_engine, tmp_path):
    def build(s):
        scene = scenario.build(s, bids=N, experts=1)
        scenario.start(s, scene, reviewers=1)
        one = slot(s, scene)
        s.commit()
        bids = [b.id for b in scene.bids]

        def check(s2):
            assert s2.exec(select(DefenceSlot)).one().bid_id in bids
            assert len(s2.exec(select(AuditEvent).where(AuditEvent.action == "defence.booked")).all()) == 1
        return (lambda i: (f"/api/v1/defence-slots/{one.id}/booking", {"bid_id": bids[i]})), check

    codes = _race(live_engine, tmp_path, build)
    assert codes == Counter({200: 1, 409: N - 1}), codes


def test_fifty_bookings_of_one_team_into_overlapping_slots_make_one(live_engine, tmp_path):
    def build(s):
        a = scenario.build(s, bids=1, experts=1)
        b = scenario.build(s, bids=1, experts=1)
        team = s.get(TeamProfile, a.bids[0].team_id)
        bid_b = f.bid(s, challenge=b.challenge, team_profile=team, status="qualified")
        scenario.start(s, a, reviewers=1)
        scenario.start(s, b, reviewers=1)
        slots = [slot(s, a, "09:00", "09:30")] + [slot(s, a, "09:10", "09:40", challenge=b.challenge)
                                                  for _ in range(N - 1)]
        s.commit()
        targets = [(slots[0].id, a.bids[0].id)] + [(x.id, bid_b.id) for x in slots[1:]]

        def check(s2):
            booked = s2.exec(select(DefenceSlot).where(DefenceSlot.team_id == team.id)).all()
            assert len(booked) == 1
        return (lambda i: (f"/api/v1/defence-slots/{targets[i][0]}/booking", {"bid_id": targets[i][1]})), check

    codes = _race(live_engine, tmp_path, build)
    assert codes == Counter({200: 1, 409: N - 1}), codes
