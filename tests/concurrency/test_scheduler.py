"""The in-process scheduler: one lease holder per deployment runs the time-driven transitions."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from fastapi.testclient import TestClient

from marketplace import db
from marketplace.app import create_app
from marketplace.challenges.models import Challenge
from marketplace.clock import utcnow
from marketplace.config import get_settings
from marketplace.scheduler import Scheduler, acquire
from tests import factories as f


def _past_deadline(engine) -> int:
    with db.new_session(engine) as s:
        c = f.challenge(s, status="published", deadline_days=-1)
        s.commit()
        return c.id


def _status(engine, challenge_id: int) -> str:
    with db.new_session(engine) as s:
        return s.get(Challenge, challenge_id).status


def test_of_two_schedulers_only_the_lease_holder_runs_ticks(live_engine):
    first, second = Scheduler(live_engine, holder="worker-1"), Scheduler(live_engine, holder="worker-2")
    assert first.run_once() is True
    challenge_id = _past_deadline(live_engine)
    assert second.run_once() is False  # the lease is held: no tick
    assert _status(live_engine, challenge_id) == "published"
    assert first.run_once() is True  # the holder renews and ticks
    assert _status(live_engine, challenge_id) in ("closed", "unfilled")
    assert (first.rounds, second.rounds) == (2, 0)


def test_another_scheduler_takes_over_when_the_holder_stops_renewing(live_engine):
    first, second = Scheduler(live_engine, holder="worker-1"), Scheduler(live_engine, holder="worker-2")
    assert first.run_once() is True
    later = utcnow() + first.ttl + timedelta(seconds=1)  # the holder died: its lease ran out
    assert second.run_once(now=later) is True
    assert first.run_once(now=later) is False


def test_a_stopped_scheduler_hands_the_lease_over_at_once(live_engine):
    first, second = Scheduler(live_engine, holder="worker-1"), Scheduler(live_engine, holder="worker-2")
    assert first.run_once() is True
    first.stop()
    assert second.run_once() is True


def test_many_schedulers_racing_for_the_lease_make_one_holder(live_engine):
    n = 8
    barrier = threading.Barrier(n)
    won: list[str] = []

    def race(i: int) -> None:
        with db.new_session(live_engine) as s:
            barrier.wait()
            if acquire(session=s, holder=f"worker-{i}", ttl=timedelta(seconds=90)):
                won.append(f"worker-{i}")

    threads = [threading.Thread(target=race, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1


def test_the_app_starts_the_scheduler_when_enabled(live_engine):
    challenge_id = _past_deadline(live_engine)
    settings = get_settings().model_copy(update={"scheduler_enabled": True, "scheduler_interval_seconds": 3600})
    app = create_app(settings=settings, engine=live_engine)
    with TestClient(app):
        ticker = app.state.scheduler
        give_up = time.monotonic() + 60
        while ticker.rounds == 0 and time.monotonic() < give_up:  # the first round runs at start
            time.sleep(0.05)
        assert ticker.rounds == 1
    assert _status(live_engine, challenge_id) in ("closed", "unfilled")


def test_the_scheduler_can_be_turned_off(live_engine):
    app = create_app(settings=get_settings(), engine=live_engine)  # tests run with it off
    with TestClient(app):
        assert app.state.scheduler is None


def test_the_lease_holder_takes_the_audit_checkpoint_when_due(live_engine, tmp_path):
    from sqlmodel import func, select

    from marketplace.actor import SYSTEM
    from marketplace.audit import service as audit
    from marketplace.audit.models import AuditCheckpoint

    path = tmp_path / "checkpoints.jsonl"
    holder = Scheduler(live_engine, holder="cp-1", checkpoint_every=timedelta(minutes=60), checkpoint_path=path)
    other = Scheduler(live_engine, holder="cp-2", checkpoint_every=timedelta(minutes=60), checkpoint_path=path)

    def stored() -> int:
        with db.new_session(live_engine) as s:
            return s.exec(select(func.count()).select_from(AuditCheckpoint)).one()

    with db.new_session(live_engine) as s:  # the chain has grown since any earlier checkpoint
        audit.record(session=s, actor=SYSTEM, action="test.event", subject_type="system", subject_id="cp")
        s.commit()
    before = stored()
    assert holder.run_once() is True
    assert other.run_once() is False
    assert holder.checkpoints == 1 and other.checkpoints == 0
    assert stored() == before + 1 and path.read_text().count("\n") == 1
    assert holder.run_once() is True  # not due again within the hour
    assert holder.checkpoints == 1 and stored() == before + 1
