"""notify(): inbox and outbox rows, per-kind switches, once-only reminders, own-only reads."""

from datetime import timedelta

import pytest
from sqlmodel import func, select

from marketplace.actor import Role
from marketplace.bids.models import BidStatus
from marketplace.challenges import lifecycle
from marketplace.challenges.models import ChallengeStatus
from marketplace.clock import utcnow
from marketplace.errors import NotFound
from marketplace.notifications import service as notifications
from marketplace.notifications.models import EmailOutbox, Kind, Notification
from tests import factories as f


def rows(session, model, user, kind=None) -> int:
    stmt = select(func.count()).select_from(model).where(model.user_id == user.id)
    if kind:
        stmt = stmt.where(model.kind == kind)
    return session.exec(stmt).one()


def tell(session, user, kind=Kind.BID_RECEIVED, **kw) -> int:
    return notifications.notify(session=session, user_ids=[user.id], kind=kind,
                                title=kw.pop("title", "收到新的揭榜方案"), link="/challenges/1", **kw)


def test_by_default_a_notification_goes_to_the_inbox_and_the_outbox(session):
    user = f.user(session)
    assert tell(session, user) == 1
    assert rows(session, Notification, user) == 1
    mail = session.exec(select(EmailOutbox).where(EmailOutbox.user_id == user.id)).one()
    assert mail.to_address == user.email and mail.sent_at is None and "收到新的揭榜方案" in mail.subject


def test_switching_a_kind_off_stops_both_inbox_and_outbox_for_that_kind_only(session):
    user = f.user(session)
    actor = f.actor(session, user)
    notifications.set_preferences(session=session, actor=actor,
                                  switches={Kind.BID_RECEIVED: (False, False)})
    assert tell(session, user, Kind.BID_RECEIVED) == 0
    assert rows(session, Notification, user) == rows(session, EmailOutbox, user) == 0
    tell(session, user, Kind.CHALLENGE_PUBLISHED)
    assert rows(session, Notification, user, Kind.CHALLENGE_PUBLISHED) == 1
    assert rows(session, EmailOutbox, user, Kind.CHALLENGE_PUBLISHED) == 1


def test_email_can_be_switched_off_while_the_inbox_stays_on(session):
    user = f.user(session)
    notifications.set_preferences(session=session, actor=f.actor(session, user),
                                  switches={Kind.QUESTION_ANSWERED: (True, False)})
    tell(session, user, Kind.QUESTION_ANSWERED)
    assert rows(session, Notification, user) == 1 and rows(session, EmailOutbox, user) == 0


def test_preferences_list_every_kind_on_by_default_and_refuse_unknown_kinds(session):
    actor = f.actor(session, f.user(session))
    prefs = notifications.preferences(session=session, actor=actor)
    assert [p["kind"] for p in prefs] == [k.value for k in Kind]
    assert all(p["in_app"] and p["email"] for p in prefs)
    with pytest.raises(Exception, match="消息类型无效"):
        notifications.set_preferences(session=session, actor=actor, switches={"spam": (True, True)})


@pytest.mark.parametrize("in_app", [True, False])
def test_a_dedupe_key_makes_a_notification_once_only(session, in_app):
    user = f.user(session)
    notifications.set_preferences(session=session, actor=f.actor(session, user),
                                  switches={Kind.DEADLINE_SOON: (in_app, True)})
    for _ in range(3):
        tell(session, user, Kind.DEADLINE_SOON, title="榜单将于 3 天内截止", dedupe="deadline:7")
    assert rows(session, Notification, user) == (1 if in_app else 0)
    assert rows(session, EmailOutbox, user) == 1


def test_the_same_dedupe_key_still_reaches_each_user_once(session):
    a, b = f.user(session), f.user(session)
    notifications.notify(session=session, user_ids=[a.id], kind=Kind.DEADLINE_SOON, title="t", dedupe="d:1")
    told = notifications.notify(session=session, user_ids=[a.id, b.id, b.id], kind=Kind.DEADLINE_SOON,
                                title="t", dedupe="d:1")
    assert told == 1 and rows(session, Notification, a) == rows(session, Notification, b) == 1


def test_the_tick_reminds_live_bidders_once_and_only_inside_three_days(session):
    now = utcnow()
    soon = f.challenge(session, bid_deadline=now + timedelta(days=2))
    later = f.challenge(session, bid_deadline=now + timedelta(days=10))
    drafting, submitted = f.bid(session, challenge=soon, status=BidStatus.DRAFT), f.bid(session, challenge=soon)
    too_early = f.bid(session, challenge=later)
    assert lifecycle.tick(session=session, now=now).reminded == 2
    assert lifecycle.tick(session=session, now=now + timedelta(hours=1)).reminded == 0
    told = session.exec(select(Notification).where(Notification.kind == Kind.DEADLINE_SOON)).all()
    assert sorted(n.user_id for n in told) == sorted([drafting.created_by, submitted.created_by])
    assert too_early.created_by not in {n.user_id for n in told}
    assert all(n.link == f"/challenges/{soon.id}" for n in told)


def test_a_withdrawn_challenge_gets_no_deadline_reminder(session):
    c = f.challenge(session, status=ChallengeStatus.WITHDRAWN,
                           bid_deadline=utcnow() + timedelta(days=1))
    f.bid(session, challenge=c)
    assert lifecycle.tick(session=session).reminded == 0


def test_mark_read_refuses_another_users_notification_and_leaves_it_unread(session):
    owner, other = f.user(session), f.user(session, role=Role.TEAM)
    tell(session, owner)
    session.commit()  # a refused command rolls back its own use case, never the rows before it
    note = session.exec(select(Notification).where(Notification.user_id == owner.id)).one()
    with pytest.raises(NotFound):
        notifications.mark_read(session=session, actor=f.actor(session, other), notification_id=note.id)
    session.refresh(note)
    assert note.read_at is None
    assert notifications.unread_count(session=session, actor=f.actor(session, owner)) == 1


def test_mark_all_read_touches_only_the_actors_own(session):
    me, you = f.user(session), f.user(session)
    for user in (me, me, you):
        tell(session, user)
    assert notifications.mark_read(session=session, actor=f.actor(session, me)) == 2
    assert notifications.unread_count(session=session, actor=f.actor(session, me)) == 0
    assert notifications.unread_count(session=session, actor=f.actor(session, you)) == 1


def test_a_reminder_another_worker_inserted_first_is_skipped_without_breaking_the_transaction(session):
    user = f.user(session)
    key = f"deadline:9:{user.id}"
    session.add(Notification(user_id=user.id, kind=Kind.DEADLINE_SOON, title="t", dedupe_key=key))
    session.flush()
    race = Notification(user_id=user.id, kind=Kind.DEADLINE_SOON, title="t", dedupe_key=key)
    assert notifications._add_once(session, race) is False
    assert rows(session, Notification, user) == 1  # the session is still usable
