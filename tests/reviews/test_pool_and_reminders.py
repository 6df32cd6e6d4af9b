"""The expert pool (tier, deactivation, search), replacing an expert, and reminders of due reviews."""

from datetime import timedelta

import pytest
from sqlmodel import select

from marketplace import scheduler
from marketplace.audit.models import AuditEvent
from marketplace.clock import utcnow
from marketplace.errors import RuleViolation
from marketplace.notifications.models import Notification
from marketplace.reviews import pool, service
from marketplace.reviews.models import AssignmentStatus, ExpertPoolEntry, ReviewAssignment, ReviewScore
from tests import factories as f
from tests.reviews import scenario


def post(client, url, data=None):
    return client.post(url, data={"csrf_token": f.csrf(client), **(data or {})}, follow_redirects=False)


def test_a_deactivated_expert_is_never_assigned_and_the_change_is_audited(client, session):
    scene = scenario.build(session, bids=1, experts=2)
    scenario.start(session, scene, reviewers=1)
    e = scene.experts[0]
    f.login(client, session, scene.officer)
    assert post(client, f"/officer/experts/{e.id}", {"tier": "major", "active": "0"}).status_code == 303
    entry = session.exec(select(ExpertPoolEntry).where(ExpertPoolEntry.expert_id == e.id)).one()
    assert (entry.tier, entry.active) == ("major", False)
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "review.pool_updated")).first()
    assert e.id not in pool.active_expert_ids(session)
    with pytest.raises(RuleViolation, match="不在专家库中或已停用"):
        service.assign(session=session, actor=f.actor(session, scene.officer), challenge_id=scene.challenge.id,
                       bid_id=scene.bids[0].id, expert_id=e.id)
    session.rollback()
    listed = client.get("/officer/experts?active=0").text
    assert scene.expert_users[0].display_name in listed and scene.expert_users[1].display_name not in listed
    assert post(client, f"/officer/experts/{e.id}", {"tier": "黄金", "active": "1"}).status_code == 303
    session.refresh(entry)
    assert entry.active is False  # a bad tier changes nothing


def test_the_officer_replaces_an_expert_and_a_sheet_already_given_is_set_aside(client, session):
    scene = scenario.build(session, bids=1, experts=3)
    scenario.start(session, scene, reviewers=1)
    officer = f.actor(session, scene.officer)
    first, second = scene.experts[0], scene.experts[1]
    row = service.assign(session=session, actor=officer, challenge_id=scene.challenge.id,
                         bid_id=scene.bids[0].id, expert_id=first.id)
    u = f.actor(session, scene.expert_users[0])
    service.declare(session=session, actor=u, bid_id=scene.bids[0].id, has_conflict=False)
    service.submit_score(session=session, actor=u, bid_id=scene.bids[0].id, scores=scenario.score_sheet(8),
                         comments={})
    f.login(client, session, scene.officer)
    r = post(client, f"/officer/review/assignments/{row.id}/replace", {"expert_id": str(second.id), "reason": ""})
    assert r.status_code == 422 and "请填写撤换原因" in r.text
    session.refresh(row)
    assert row.status == AssignmentStatus.ACTIVE  # nothing written
    r = post(client, f"/officer/review/assignments/{row.id}/replace",
             {"expert_id": str(second.id), "reason": "该专家临时出国，无法参加答辩"})
    assert r.status_code == 303
    session.expire_all()
    assert session.get(ReviewAssignment, row.id).status == AssignmentStatus.WITHDRAWN
    assert session.exec(select(ReviewScore)).one().set_aside
    active = session.exec(select(ReviewAssignment).where(ReviewAssignment.status == AssignmentStatus.ACTIVE)).all()
    assert [a.expert_id for a in active] == [second.id]
    again = post(client, f"/officer/review/assignments/{row.id}/replace", {"reason": "重复提交"})
    assert again.status_code == 409


def test_a_replaced_experts_sheet_no_longer_counts_in_the_ranking(session):
    scene = scenario.build(session, bids=1, experts=3)
    scenario.start(session, scene, reviewers=1)
    officer = f.actor(session, scene.officer)
    bid_id = scene.bids[0].id
    row = service.assign(session=session, actor=officer, challenge_id=scene.challenge.id, bid_id=bid_id,
                         expert_id=scene.experts[0].id)
    for expert_user, points in ((scene.expert_users[0], 9), (scene.expert_users[1], 6)):
        if points == 6:
            service.replace(session=session, actor=officer, assignment_id=row.id, expert_id=scene.experts[1].id,
                            reason="该专家临时出国，无法参加评审")
        u = f.actor(session, expert_user)
        service.declare(session=session, actor=u, bid_id=bid_id, has_conflict=False)
        service.submit_score(session=session, actor=u, bid_id=bid_id, scores=scenario.score_sheet(points),
                             comments=scenario.comment_sheet("意见"))
    (ranked,) = service.ranking(session=session, actor=officer, challenge_id=scene.challenge.id)
    assert ranked.result.experts == 1 and str(ranked.result.score) == "60.00"  # the 90.00 sheet is set aside


def test_experts_with_missing_sheets_are_reminded_once_before_the_due_date(session):
    scene = scenario.build(session, bids=1, experts=2)
    now = utcnow()
    service.start_review(session=session, actor=f.actor(session, scene.officer), challenge_id=scene.challenge.id,
                         spec=service.PanelSpec(reviewers_per_bid=2, due_at=now + timedelta(days=5)))
    officer = f.actor(session, scene.officer)
    for e in scene.experts[:2]:
        service.assign(session=session, actor=officer, challenge_id=scene.challenge.id, bid_id=scene.bids[0].id,
                       expert_id=e.id)
    done = f.actor(session, scene.expert_users[0])
    service.declare(session=session, actor=done, bid_id=scene.bids[0].id, has_conflict=False)
    service.submit_score(session=session, actor=done, bid_id=scene.bids[0].id, scores=scenario.score_sheet(8),
                         comments={})

    def reminders(user):
        return session.exec(select(Notification).where(Notification.user_id == user.id,
                                                       Notification.title.startswith("评审即将截止"))).all()

    assert service.remind_due(session=session, now=now) == 0  # 5 days out: not yet
    scheduler.tick(session=session, now=now + timedelta(days=3))
    scheduler.tick(session=session, now=now + timedelta(days=3, hours=1))
    assert len(reminders(scene.expert_users[1])) == 1   # once, though the tick ran twice
    assert reminders(scene.expert_users[0]) == []       # already scored
