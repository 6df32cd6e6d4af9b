"""Two (or twenty) officers publishing the same challenge at once: one publication, one audit event."""

import threading

from sqlmodel import select

from marketplace import db
from marketplace.actor import Role
from marketplace.audit.models import AuditEvent
from marketplace.audit.service import verify_chain
from marketplace.challenges import service
from marketplace.challenges.models import Challenge
from marketplace.challenges.schemas import PublishIn
from marketplace.errors import Conflict, InvalidTransition
from tests import factories as f

N = 12


def test_concurrent_publication_happens_exactly_once(live_engine):
    with db.new_session(live_engine) as s:
        c = f.challenge(s, status="submitted", published_at=None)
        officers = [f.actor(s, f.user(s, role=Role.OFFICER)) for _ in range(N)]
        s.commit()
        challenge_id = c.id
    barrier = threading.Barrier(N)
    outcomes: list[str] = []

    def publish(actor):
        with db.new_session(live_engine) as s:
            barrier.wait()
            try:
                service.publish(session=s, actor=actor, challenge_id=challenge_id, data=PublishIn())
                outcomes.append("ok")
            except (Conflict, InvalidTransition):
                outcomes.append("refused")

    threads = [threading.Thread(target=publish, args=(o,)) for o in officers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["ok"] + ["refused"] * (N - 1)
    with db.new_session(live_engine) as s:
        assert s.get(Challenge, challenge_id).status == "published"
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "challenge.publish",
                                                 AuditEvent.subject_id == str(challenge_id))).all()
        assert len(events) == 1
        assert verify_chain(session=s).ok
