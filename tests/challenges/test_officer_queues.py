"""The bureau's change and withdrawal queues: published challenges with a pending request, oldest first."""

from datetime import timedelta

from marketplace.challenges import queries
from marketplace.clock import utcnow
from tests import factories as f


def test_queues_hold_published_challenges_with_a_request_oldest_first(session):
    now = utcnow()
    newer = f.challenge(session, change_requested_at=now - timedelta(hours=1),
                        withdrawal_requested_at=now - timedelta(hours=3))
    older = f.challenge(session, change_requested_at=now - timedelta(hours=2))
    f.challenge(session)  # no request
    f.challenge(session, status="withdrawn", withdrawal_requested_at=now - timedelta(hours=5))  # done with
    f.challenge(session, status="closed", change_requested_at=now - timedelta(hours=4))
    q = queries.officer_queues(session=session)
    assert [c.id for c in q.changes] == [older.id, newer.id]
    assert [c.id for c in q.withdrawals] == [newer.id]
