"""Real threads on a file database (and PostgreSQL when configured): the deadline and one live bid hold."""

import threading
from datetime import timedelta

import pytest
import time_machine
from sqlmodel import col, func, select

from marketplace import db, migrate
from marketplace.audit.models import AuditEvent
from marketplace.bids import service
from marketplace.bids.models import Bid, BidStatus
from marketplace.bids.schemas import BidIn
from marketplace.challenges.models import Challenge
from marketplace.clock import as_utc, utcnow
from marketplace.errors import Conflict, DomainError, InvalidTransition, RuleViolation
from tests import factories as f
from tests.bids import helpers as h
from tests.conftest import BACKENDS, drop_pg_database, fresh_database_url


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request, tmp_path_factory):
    url = fresh_database_url(request.param, tmp_path_factory)
    migrate.upgrade(url)
    eng = db.make_engine(url)
    yield eng
    eng.dispose()
    if request.param == "postgres":
        drop_pg_database(url)


def race(n, work):
    """Run work(i) in n threads released together; returns every outcome: the value or the exception.

    Nothing is swallowed: a thread that dies of an unexpected error leaves that error in its slot
    (and the test asserting on the outcomes fails on it).
    """
    barrier, results = threading.Barrier(n), [None] * n

    def run(i):
        barrier.wait()
        try:
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 — recorded, then asserted on by the test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a racing thread hung"
    return results


def assert_outcomes(results, *, ok=Bid, errors=(Conflict,)):
    """Each outcome is the expected object or one of the expected domain errors, nothing else."""
    for i, r in enumerate(results):
        assert isinstance(r, ok) or isinstance(r, errors), f"thread {i}: {r!r}"


def setup_world(engine, teams):
    with db.new_session(engine) as s:
        owner = f.user(s)
        users = [f.user(s, role="team") for _ in range(teams)]
        profiles = [f.team(s, owner=u) for u in users]
        challenge = h.open_challenge(s, owner)
        s.commit()
        actors = [f.actor(s, u) for u in users]
        return challenge.id, actors, [p.id for p in profiles]


def test_submissions_racing_the_deadline_are_never_accepted_after_it(engine):
    """The frozen clock stands just before the deadline; a clock thread moves it past the deadline
    while the teams submit. Teams before the move are accepted, teams after it refused, and in the
    race itself nothing is accepted after the deadline."""
    n = 9
    challenge_id, actors, profiles = setup_world(engine, n)
    drafts = []
    for actor, profile in zip(actors, profiles, strict=True):
        with db.new_session(engine) as s:
            drafts.append(service.create_draft(session=s, actor=actor, challenge_id=challenge_id,
                                               data=BidIn.model_validate(h.payload(profile))).id)
    with db.new_session(engine) as s:
        deadline = as_utc(s.get(Challenge, challenge_id).bid_deadline)
    before, after = deadline - timedelta(seconds=1), deadline + timedelta(seconds=1)
    started = {}

    def submit(i):
        started[i] = utcnow()
        with db.new_session(engine) as s:
            return service.submit(session=s, actor=actors[i], bid_id=drafts[i])

    with time_machine.travel(before, tick=False) as clock:
        early = race(3, submit)
        assert all(isinstance(r, Bid) for r in early), early

        def racing(i):
            if i == 3:
                clock.move_to(after)
                return None
            return submit(i + 3)

        racing_results = race(4, racing)
        refused_deadline = (Conflict, RuleViolation, InvalidTransition)
        assert_outcomes([r for r in racing_results if r is not None], errors=refused_deadline)
        clock.move_to(after)
        late = race(3, lambda i: submit(i + 6))
        assert all(isinstance(r, DomainError) and "截止" in r.message for r in late), late

    with db.new_session(engine) as s:
        bids = s.exec(select(Bid).where(col(Bid.id).in_(drafts))).all()
    accepted = [b for b in bids if b.status == BidStatus.SUBMITTED]
    assert all(as_utc(b.submitted_at) < deadline for b in accepted)
    assert all(started[i] < deadline for i in range(n) if drafts[i] in {b.id for b in accepted})
    assert 3 <= len(accepted) <= 6


def test_the_same_team_submitting_twice_at_once_keeps_one_live_bid(engine):
    challenge_id, actors, profiles = setup_world(engine, 1)
    data = BidIn.model_validate(h.payload(profiles[0]))

    def save(_):
        with db.new_session(engine) as s:
            return service.save(session=s, actor=actors[0], challenge_id=challenge_id, data=data, submit=True)

    results = race(6, save)
    assert_outcomes(results)
    assert any(isinstance(r, Bid) for r in results)
    with db.new_session(engine) as s:
        live = s.exec(select(Bid).where(Bid.challenge_id == challenge_id, col(Bid.live_slot).is_not(None))).all()
        assert len(live) == 1

    def submit(_):
        with db.new_session(engine) as s:
            return service.submit(session=s, actor=actors[0], bid_id=draft_id)

    with db.new_session(engine) as s:  # a fresh draft, submitted by two requests at once
        service.withdraw(session=s, actor=actors[0], bid_id=live[0].id)
        draft_id = service.create_draft(session=s, actor=actors[0], challenge_id=challenge_id, data=data).id
    results = race(6, submit)
    # the losers see the draft already submitted (InvalidTransition) or the guarded UPDATE lost (Conflict)
    assert_outcomes(results, errors=(Conflict, InvalidTransition))
    assert sum(isinstance(r, Bid) for r in results) == 1
    with db.new_session(engine) as s:
        submits = s.exec(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "bid.submit", AuditEvent.subject_id == str(draft_id))).one()
        assert submits == 1
