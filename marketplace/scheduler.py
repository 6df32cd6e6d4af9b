"""The in-process scheduler of time-driven transitions: once per deployment, not once per worker.

`jiebang serve` (so `make run`) starts one in every worker process; they share the work through a
lease, a row of `schedulerlease` in the database (name, holder, expires_at):

- Every `JIEBANG_SCHEDULER_INTERVAL_SECONDS` (30 s) each scheduler tries to take or renew the lease
  with one conditional UPDATE: `SET holder = me, expires_at = now + 3 × interval WHERE name = 'tick'
  AND (holder = me OR expires_at <= now)`. The first scheduler ever inserts the row; the primary key
  lets only one insert win. On PostgreSQL the UPDATE takes the row lock, so a second scheduler waits
  and then re-checks the condition against the committed row; on SQLite writers are serialised
  (BEGIN IMMEDIATE). Either way exactly one holder wins a given lease period.
- Only the holder runs `lifecycle.tick` (scheduled publication, closing at the deadline, reminders)
  and then the periodic signed audit checkpoint (`checkpoint.take_if_due`, every
  `JIEBANG_AUDIT_CHECKPOINT_MINUTES`) and the weekly digests (marketplace/reports/digests.py), as
  `jiebang tick` does for cron.
  The holder renews every round, so it keeps the lease while it lives; when it stops it lets the
  lease expire at once, and when it dies another worker takes over after at most 3 intervals.
- The lease saves work, it is not what makes a tick correct: every step of the tick is a guarded
  conditional UPDATE, so even two overlapping ticks (clock skew, `jiebang tick` from cron at the same
  time) apply each transition once.

The same row works on SQLite and PostgreSQL and needs no connection held open (an advisory lock would
pin a connection per worker and does not survive transaction-mode poolers). Pages never run the tick:
they show a passed deadline as closed through `permissions.effective_status`, without writing.
Set `JIEBANG_SCHEDULER_ENABLED=false` to turn it off and run `jiebang tick` from cron or systemd.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, or_, update

from marketplace import db
from marketplace.audit import checkpoint
from marketplace.awards import service as awards
from marketplace.challenges import lifecycle
from marketplace.clock import utcnow
from marketplace.contracts import lifecycle as contract_lifecycle
from marketplace.db import use_case
from marketplace.errors import DomainError
from marketplace.reports import digests
from marketplace.reviews import service as reviews
from marketplace.subsidies import service as subsidies
from marketplace.types import UTCDateTime

log = logging.getLogger("jiebang.scheduler")
LEASE = "tick"
LEASE_INTERVALS = 3  # a lease outlives this many missed rounds before another worker takes over


def tick(*, session: Session, now: datetime | None = None) -> lifecycle.TickReport:
    """Every time-driven step that is due, in order: the challenges' (publication, closing,
    reminders), the experts' review-due reminders, the 公示 windows that ended (awards), then the
    contracts' overdue milestones. Each step commits its own rows."""
    now = now or utcnow()
    report = lifecycle.tick(session=session, now=now)
    report.reminded += reviews.remind_due(session=session, now=now)
    report.awarded = awards.finalise_due(session=session, now=now)
    report.overdue = contract_lifecycle.tick(session=session, now=now)
    return report


class SchedulerLease(SQLModel, table=True):
    """Who runs the scheduled work until when (one row per kind of work)."""

    name: str = Field(primary_key=True, max_length=30)
    holder: str = Field(max_length=100)
    expires_at: datetime = Field(sa_type=UTCDateTime)


def acquire(*, session: Session, holder: str, ttl: timedelta, now: datetime | None = None,
            name: str = LEASE) -> bool:
    """Take or renew the lease for `ttl`; True if `holder` holds it now. Commits."""
    now = now or utcnow()
    taken = session.execute(
        update(SchedulerLease)
        .where(col(SchedulerLease.name) == name,
               or_(col(SchedulerLease.holder) == holder, col(SchedulerLease.expires_at) <= now))
        .values(holder=holder, expires_at=now + ttl)
    ).rowcount == 1
    if taken:
        session.commit()
        return True
    if session.get(SchedulerLease, name) is not None:
        session.rollback()
        return False
    try:
        session.add(SchedulerLease(name=name, holder=holder, expires_at=now + ttl))
        session.commit()
    except IntegrityError:  # another scheduler inserted it first
        session.rollback()
        return False
    return True


@use_case
def release(*, session: Session, holder: str, name: str = LEASE) -> None:
    """Give the lease up (it expires now), so another worker takes over at its next round."""
    session.execute(update(SchedulerLease)
                    .where(col(SchedulerLease.name) == name, col(SchedulerLease.holder) == holder)
                    .values(expires_at=utcnow()))


def subsidy_tick(engine: Engine) -> None:
    """免申即享 in the tick: compute the subsidies of contracts that ended since the last round."""
    with db.new_session(engine) as session:
        report = subsidies.compute_all(session=session)
    if report.computed or report.clawed_back or report.rejected or report.errors:
        log.info("subsidies: %s computed, %s clawed back, %s rejected, %s errors", len(report.computed),
                 len(report.clawed_back), len(report.rejected), len(report.errors))


class Scheduler:
    """A daemon thread that runs one round every `interval` seconds until stopped."""

    def __init__(self, engine: Engine, *, interval: float = 30, holder: str | None = None,
                 checkpoint_every: timedelta | None = None, checkpoint_path: Path | None = None) -> None:
        self.engine = engine
        self.checkpoint_every = checkpoint_every  # None: no audit checkpoints from this scheduler
        self.checkpoint_path = checkpoint_path
        self.checkpoints = 0  # checkpoints this scheduler has written
        self.interval = interval
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.rounds = 0  # rounds in which this scheduler held the lease and ran the tick
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def ttl(self) -> timedelta:
        return timedelta(seconds=self.interval * LEASE_INTERVALS)

    def run_once(self, now: datetime | None = None) -> bool:
        """One round: run the tick if this scheduler holds the lease; True if it ran."""
        with db.new_session(self.engine) as session:
            if not acquire(session=session, holder=self.holder, ttl=self.ttl, now=now):
                return False
        with db.new_session(self.engine) as session:
            report = tick(session=session, now=now)
        subsidy_tick(self.engine)
        if report.published or report.closed or report.unfilled or report.reminded:
            log.info("tick: published %s, closed %s, unfilled %s, %s reminders",
                     report.published, report.closed, report.unfilled, report.reminded)
        self._checkpoint_if_due()
        with db.new_session(self.engine) as session:
            digests.send_due(session=session, now=now)  # weekly, once per user (see reports/digests.py)
        self.rounds += 1
        return True

    def _checkpoint_if_due(self) -> None:
        """The periodic signed checkpoint of the audit chain's head (refused, and logged, if the chain
        does not verify: a checkpoint never vouches for a tampered log)."""
        if self.checkpoint_every is None:
            return
        with db.new_session(self.engine) as session:
            try:
                cp = checkpoint.take_if_due(session=session, path=self.checkpoint_path, every=self.checkpoint_every)
            except DomainError as exc:  # already rolled back by the use case
                log.error("audit checkpoint refused: %s", exc.message)
                return
        if cp is not None:
            self.checkpoints += 1
            log.info("audit checkpoint at seq %s", cp.seq)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # a failed round (database restarting…) must not end the scheduler
                log.exception("scheduler round failed; retrying in %ss", self.interval)
            self._stop.wait(self.interval)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="jiebang-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
        try:
            with db.new_session(self.engine) as session:
                release(session=session, holder=self.holder)
        except Exception:  # best effort: the lease expires by itself
            log.warning("could not release the scheduler lease")
