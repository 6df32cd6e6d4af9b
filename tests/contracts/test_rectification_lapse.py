"""An acceptance rectification window (FAILED_RECTIFIABLE) that lapses without a re-acceptance request
makes the contract FAILED in the scheduler tick: exactly once (one audit event, one notice per party),
also when ticks race, on SQLite and PostgreSQL; then the subsidy ledger treats it as failed."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlmodel import func, select

from marketplace import db
from marketplace.audit.models import AuditEvent
from marketplace.audit.service import verify_chain
from marketplace.contracts import lifecycle, service
from marketplace.contracts.models import Contract
from marketplace.contracts.schemas import ConcludeIn
from marketplace.notifications.models import Notification
from marketplace.subsidies import facts
from marketplace.subsidies import service as subsidies
from marketplace.subsidies.models import Subsidy
from tests.contracts import helpers as h
from tests.contracts.test_concurrency import race
from tests.contracts.test_contract_service import accepting, panel


def _at(day) -> datetime:
    """Noon in Shanghai on `day` (the frozen clock the tick is given)."""
    return datetime.combine(day, time(4, 0), tzinfo=UTC)


def rectifying(session, tmp_path):
    s = h.awarded(session)
    c = accepting(session, s, tmp_path)
    (expert,) = panel(session, s, c, 1)
    service.vote(session=session, actor=s.a(session, expert), contract_id=c.id, data=h.votes(True))
    service.vote(session=session, actor=s.a(session, s.company), contract_id=c.id,
                 data=h.VoteIn(results={"结壳热阻": True, "功率循环寿命": False}))
    deadline = h.later(30)
    service.conclude(session=session, actor=s.a(session, s.officer), contract_id=c.id,
                     data=ConcludeIn(rectify=True, rectify_by=deadline, reason="寿命未达标"))
    return s, session.get(Contract, c.id), deadline


def _lapse_events(session, contract_id) -> int:
    return session.exec(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "contract.lapse", AuditEvent.subject_id == contract_id)).one()


def _lapse_notices(session, contract_id) -> list[int]:
    return list(session.exec(select(Notification.user_id).where(
        Notification.dedupe_key.like(f"contract-lapsed:{contract_id}:%"))).all())


def test_a_lapsed_rectification_window_fails_the_contract_once(session, tmp_path):
    s, c, deadline = rectifying(session, tmp_path)
    assert c.status == "acceptance_rectifying"

    lifecycle.tick(session=session, now=_at(deadline))  # the last day of the window: still open
    assert session.get(Contract, c.id).status == "acceptance_rectifying"
    assert facts.source().get(session=session, contract_id=c.id) is None

    lifecycle.tick(session=session, now=_at(deadline + timedelta(days=1)))
    session.expire_all()
    c = session.get(Contract, c.id)
    assert (c.status, c.outcome, c.ended_on) == ("failed", "failed", deadline + timedelta(days=1))
    assert _lapse_events(session, c.id) == 1
    told = _lapse_notices(session, c.id)
    assert {s.company.id, s.team.id, s.officer.id} <= set(told) and len(told) == len(set(told))

    lifecycle.tick(session=session, now=_at(deadline + timedelta(days=2)))  # later ticks: nothing again
    assert _lapse_events(session, c.id) == 1 and len(_lapse_notices(session, c.id)) == len(told)

    ended = facts.source().get(session=session, contract_id=c.id)
    assert ended is not None and ended.outcome == "failed"
    subsidies.compute_all(session=session)
    subsidy = session.exec(select(Subsidy).where(Subsidy.contract_id == c.id)).one()
    assert subsidy.case["cases"][0]["verdict"] == "FAILED" and subsidy.awarded_fen == 0


def test_a_re_acceptance_requested_in_time_is_not_failed(session, tmp_path):
    s, c, deadline = rectifying(session, tmp_path)
    service.request_acceptance(session=session, actor=s.a(session, s.team), contract_id=c.id,
                               data=h.measurements("结壳热阻", "功率循环寿命"))
    lifecycle.tick(session=session, now=_at(deadline + timedelta(days=5)))
    assert session.get(Contract, c.id).status == "accepting"
    assert _lapse_events(session, c.id) == 0


def test_two_racing_ticks_fail_a_lapsed_contract_exactly_once(live_engine, tmp_path):
    with db.new_session(live_engine) as s:
        scene, c, deadline = rectifying(s, tmp_path)
        contract_id, parties = c.id, {scene.company.id, scene.team.id, scene.officer.id}
    now = _at(deadline + timedelta(days=1))
    won: list[list[int]] = []
    outcomes = race(live_engine, lambda s, i: won.append(lifecycle.fail_lapsed(session=s, now=now)), n=8)
    assert outcomes == ["ok"] * 8
    assert sorted(len(w) for w in won) == [0] * 7 + [1]
    with db.new_session(live_engine) as s:
        assert s.get(Contract, contract_id).status == "failed"
        assert _lapse_events(s, contract_id) == 1
        told = _lapse_notices(s, contract_id)
        assert parties <= set(told) and len(told) == len(set(told))
        assert verify_chain(session=s).ok
