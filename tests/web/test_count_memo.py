"""Counts over every challenge are kept per audit head (challenges/queries_memo.py, issue 8): reused while
nothing is recorded, recounted after any recorded change, and exact across a deadline that passes
without any write (the officer's "open for bids" figure)."""

from datetime import timedelta

import pytest

from marketplace.actor import ANONYMOUS
from marketplace.audit import service as audit
from marketplace.challenges import queries, queries_memo
from marketplace.clock import utcnow
from marketplace.config import get_settings
from tests import factories as f


@pytest.fixture
def kept(monkeypatch):
    monkeypatch.setattr(get_settings(), "page_cache_seconds", 600.0)
    queries_memo.clear()
    yield
    queries_memo.clear()


def a_recorded_change(session) -> None:
    audit.record(session=session, actor=ANONYMOUS, action="auth.login_failed", subject_type="account",
                 subject_id="memo-test", summary={})
    session.commit()


def public_total(session, now) -> int:
    return queries.search_public(session=session, flt=queries.ChallengeFilter.from_params({}), now=now).total


def test_counts_are_kept_until_a_change_is_recorded(session, kept):
    now = utcnow()
    f.challenge(session, status="published", deadline_days=10)
    session.commit()
    a_recorded_change(session)
    before = queries.status_counts(session=session, now=now)
    total = public_total(session, now)
    f.challenge(session, status="published", deadline_days=10)  # written directly: nothing recorded
    session.commit()
    assert queries.status_counts(session=session, now=now) == before  # so the kept figures are shown
    assert public_total(session, now) == total
    a_recorded_change(session)  # any recorded change (in any worker) moves the head: counted afresh
    assert queries.status_counts(session=session, now=now)["published"] == before["published"] + 1
    assert public_total(session, now) == total + 1


def test_the_open_count_follows_a_deadline_that_passes_without_a_write(session, kept):
    now = utcnow()
    soon = f.challenge(session, status="published", deadline_days=1 / 24)  # closes in an hour
    session.commit()
    a_recorded_change(session)
    open_now = queries.status_counts(session=session, now=now)["published"]
    assert queries.status_counts(session=session, now=now + timedelta(minutes=59))["published"] == open_now
    after = queries.status_counts(session=session, now=soon.bid_deadline + timedelta(seconds=1))
    assert after["published"] == open_now - 1


def test_a_companys_recent_challenges_follow_a_recorded_edit(session, kept):
    company = f.user(session, role="company")
    first = f.challenge(session, company=company, status="draft")
    second = f.challenge(session, company=company, status="draft")
    first.updated_at, second.updated_at = utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1)
    session.commit()
    a_recorded_change(session)
    assert [c.id for c in queries.of_organisation(session=session, organisation_id=company.organisation_id,
                                                  limit=8)] == [second.id, first.id]
    first.updated_at = utcnow()
    session.commit()
    a_recorded_change(session)  # an edit is recorded with the challenge's new updated_at
    assert [c.id for c in queries.of_organisation(session=session, organisation_id=company.organisation_id,
                                                  limit=8)] == [first.id, second.id]
