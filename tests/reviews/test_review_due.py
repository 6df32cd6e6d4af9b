"""Review-due reminders: their own kind, once per (expert, panel), sent by the scheduler on a frozen clock."""

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from marketplace import scheduler
from marketplace.notifications.models import Kind, Notification
from marketplace.reviews import service
from tests import factories as f
from tests.reviews import scenario

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # the frozen clock: every step gets `now` from here


def _panel(session, scene, due_in: timedelta, experts: int = 1) -> None:
    officer = f.actor(session, scene.officer)
    service.start_review(session=session, actor=officer, challenge_id=scene.challenge.id,
                         spec=service.PanelSpec(reviewers_per_bid=experts, due_at=NOW + due_in))
    for b in scene.bids:
        for e in scene.experts[:experts]:
            service.assign(session=session, actor=officer, challenge_id=scene.challenge.id, bid_id=b.id,
                           expert_id=e.id)


def _due(session, user) -> list[Notification]:
    return list(session.exec(select(Notification).where(Notification.user_id == user.id,
                                                        Notification.kind == Kind.REVIEW_DUE)).all())


def test_one_review_due_reminder_per_expert_and_panel_however_often_the_scheduler_runs(session):
    scene = scenario.build(session, bids=2, experts=2)
    _panel(session, scene, timedelta(days=5))
    user = scene.expert_users[0]
    scheduler.tick(session=session, now=NOW)                       # 5 days out: too early
    assert _due(session, user) == []
    for hours in (0, 1, 30):                                       # three rounds inside the 3-day window
        scheduler.tick(session=session, now=NOW + timedelta(days=2, hours=hours))
    [note] = _due(session, user)                                   # exactly once, both bids in one message
    assert note.dedupe_key.startswith("review-due:")
    assert all(f"#{b.id}" in note.body for b in scene.bids)
    assert note.kind == "review_due" and note.kind != Kind.REVIEW_ASSIGNED


def test_an_expert_who_scored_everything_is_not_reminded_and_one_with_a_sheet_left_is(session):
    scene = scenario.build(session, bids=2, experts=2)
    _panel(session, scene, timedelta(days=2))
    u = f.actor(session, scene.expert_users[0])
    for b in scene.bids:
        service.declare(session=session, actor=u, bid_id=b.id, has_conflict=False)
        service.submit_score(session=session, actor=u, bid_id=b.id, scores=scenario.score_sheet(8), comments={})
    scheduler.tick(session=session, now=NOW)
    assert _due(session, scene.expert_users[0]) == []


def test_a_second_panel_gets_its_own_reminder_and_the_inbox_names_the_kind_in_chinese(client, session):
    first = scenario.build(session, bids=1, experts=1)
    _panel(session, first, timedelta(days=1))
    second = scenario.build(session, bids=1, experts=0)
    second.challenge.title = "第二个榜单：车规级功率模块可靠性"  # e-mails are told apart by subject
    session.add(second.challenge)
    second.experts, second.expert_users = first.experts, first.expert_users
    _panel(session, second, timedelta(days=1))
    scheduler.tick(session=session, now=NOW)
    scheduler.tick(session=session, now=NOW + timedelta(hours=12))
    notes = _due(session, first.expert_users[0])
    assert len(notes) == 2 and len({n.dedupe_key for n in notes}) == 2
    f.login(client, session, first.expert_users[0])
    page = client.get("/inbox").text
    assert "评审截止前提醒" in page and "review_due" not in page


def test_no_reminder_after_the_deadline_passed(session):
    scene = scenario.build(session, bids=1, experts=1)
    _panel(session, scene, timedelta(days=1))
    scheduler.tick(session=session, now=NOW + timedelta(days=1, seconds=1))
    assert _due(session, scene.expert_users[0]) == []
