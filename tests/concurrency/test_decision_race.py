"""Fifty officers recording a decision on one challenge at once: one decision, one audit event, no 500.

Against the service with threads, and against the real app (uvicorn, two workers) over HTTP, on SQLite
and (when configured) PostgreSQL.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlmodel import select

from marketplace import db
from marketplace.actor import Role
from marketplace.audit.models import AuditEvent
from marketplace.audit.service import verify_chain
from marketplace.awards import service
from marketplace.awards.models import AwardDecision
from marketplace.challenges.models import Challenge
from marketplace.errors import Conflict
from tests import factories as f
from tests.reviews import scenario
from tests.servers import uvicorn_server

N = 50
REASON = "企业意见与专家意见综合考虑后的选择"


def ready_challenge(engine) -> tuple[int, list[int], list]:
    with db.new_session(engine) as s:
        scene = scenario.build(s)
        scenario.start(s, scene)
        scenario.assign_and_score(s, scene, totals={scene.bids[0].id: 9, scene.bids[1].id: 7})
        officers = [f.user(s, role=Role.OFFICER) for _ in range(N)]
        s.commit()
        return scene.challenge.id, [b.id for b in scene.bids], officers


def assert_exactly_one(engine, challenge_id: int) -> None:
    with db.new_session(engine) as s:
        assert s.get(Challenge, challenge_id).status == "decided"
        assert len(s.exec(select(AwardDecision).where(AwardDecision.challenge_id == challenge_id)).all()) == 1
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "challenge.decide",
                                                 AuditEvent.subject_id == str(challenge_id))).all()
        assert len(events) == 1
        assert verify_chain(session=s).ok


def test_fifty_simultaneous_decisions_through_the_service_make_one(live_engine):
    challenge_id, bids, officers = ready_challenge(live_engine)
    with db.new_session(live_engine) as s:
        actors = [f.actor(s, o) for o in officers]
    barrier = threading.Barrier(N)
    outcomes: list[str] = []

    def decide(i: int) -> None:
        with db.new_session(live_engine) as s:
            barrier.wait()
            try:
                service.decide(session=s, actor=actors[i], challenge_id=challenge_id,
                               winning_bid_ids=[bids[i % 2]], reason=REASON)
                outcomes.append("ok")
            except Conflict:
                outcomes.append("conflict")

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * (N - 1) + ["ok"]
    assert_exactly_one(live_engine, challenge_id)


def test_fifty_simultaneous_decision_requests_to_the_real_app_make_one(live_engine, tmp_path):
    challenge_id, bids, officers = ready_challenge(live_engine)
    with db.new_session(live_engine) as s:
        headers = [scenario.api_headers(s, o) for o in officers]
    url = live_engine.url.render_as_string(hide_password=False)
    with uvicorn_server(url, tmp_path / "var", workers=2) as base:
        barrier = threading.Barrier(N)

        def post(i: int) -> int:
            with httpx.Client(base_url=base, timeout=60) as c:
                barrier.wait()
                r = c.post(f"/api/v1/challenges/{challenge_id}/decision", headers=headers[i],
                           json={"winning_bid_ids": [bids[i % 2]], "reason": REASON})
                return r.status_code

        with ThreadPoolExecutor(N) as pool:
            codes = list(pool.map(post, range(N)))
    assert sorted(codes) == [201] + [409] * (N - 1)
    assert_exactly_one(live_engine, challenge_id)
