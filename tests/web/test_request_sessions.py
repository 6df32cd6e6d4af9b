"""One request, one session, one connection (issue 9): a GET's session only reads and is never
committed, even when the signed-in session's last_seen_at is due; the navigation badge reads the
unread count through the page's own session instead of opening a second connection."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, update
from sqlmodel import Session, select

from marketplace import db, migrate
from marketplace.actor import Role
from marketplace.app import create_app
from marketplace.auth.models import UserSession
from marketplace.clock import as_utc, utcnow
from marketplace.config import get_settings
from marketplace.notifications import service as notifications
from marketplace.notifications.models import Kind
from tests import factories as f
from tests.conftest import BACKENDS, drop_pg_database, fresh_database_url


@pytest.fixture(scope="module", params=BACKENDS)
def own_engine(request, tmp_path_factory):
    """A database of this module's own: these requests commit for real (no outer test transaction)."""
    url = fresh_database_url(request.param, tmp_path_factory)
    migrate.upgrade(url)
    engine = db.make_engine(url)
    yield engine
    engine.dispose()
    if request.param == "postgres":
        drop_pg_database(url)


@pytest.fixture
def signed_in(own_engine):
    """A client with a live web session of a company user who has two unread messages."""
    with db.new_session(own_engine) as s:
        user = f.user(s, role=Role.COMPANY)
        notifications.notify(session=s, user_ids=[user.id], kind=Kind.CHALLENGE_PUBLISHED, title="榜单已发布")
        notifications.notify(session=s, user_ids=[user.id], kind=Kind.CHALLENGE_RETURNED, title="榜单被退回")
        s.commit()
        app = create_app(settings=get_settings(), engine=own_engine)
        with TestClient(app, base_url="http://testserver") as client:
            f.login(client, s, user)
            yield client, user.id


def last_seen(engine, user_id: int):
    with db.new_session(engine, write=False) as s:
        return as_utc(s.exec(select(UserSession).where(UserSession.user_id == user_id)).one().last_seen_at)


def test_a_get_never_commits_its_session_yet_last_seen_is_recorded(own_engine, signed_in):
    client, user_id = signed_in
    long_ago = utcnow() - timedelta(minutes=5)
    with db.new_session(own_engine) as s:
        s.exec(update(UserSession).where(UserSession.user_id == user_id).values(last_seen_at=long_ago))
        s.commit()
    commits = {"read": 0, "write": 0}

    def count(session: Session) -> None:
        read = session.get_bind().get_execution_options().get(db.READ_OPTION, False)
        commits["read" if read else "write"] += 1

    event.listen(Session, "after_commit", count)
    try:
        assert client.get("/dashboard").status_code == 200
        assert commits == {"read": 0, "write": 1}  # the activity, in a short write session of its own
        seen = last_seen(own_engine, user_id)
        assert seen > long_ago + timedelta(minutes=4)
        assert client.get("/dashboard").status_code == 200  # within the minute: nothing to record
        assert commits == {"read": 0, "write": 1}
        assert last_seen(own_engine, user_id) == seen
    finally:
        event.remove(Session, "after_commit", count)


def test_the_navigation_badge_reads_through_the_pages_own_connection(own_engine, signed_in):
    client, _ = signed_in
    checkouts = []

    def checked_out(*_args) -> None:
        checkouts.append(1)

    event.listen(own_engine, "checkout", checked_out)
    try:
        page = client.get("/account/password")
    finally:
        event.remove(own_engine, "checkout", checked_out)
    assert page.status_code == 200
    assert 'title="未读消息">2</span>' in page.text  # the badge still shows the count
    assert len(checkouts) == 1  # one connection for the whole page, badge included
