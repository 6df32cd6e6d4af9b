"""Fifty simultaneous corrections of one formal-review conclusion (issue 8), through the API and through the
web form, against the real app (uvicorn, two workers) on SQLite and PostgreSQL.

The rule (bids/service.py `correct_review`, the machine in bids/states.py): a correction turns 通过 into 不通过
or back, with a reason; asking for the conclusion the bid already has is refused (409). So fifty officers
asking for the same new conclusion make exactly one correction, and fifty asking alternately for both are
applied one after another: every accepted correction is one audit event whose "before" is the previous
one's "after", and the bid ends in the last one's conclusion. Never a 500.
"""

from collections import Counter

import httpx
from sqlmodel import col, select

from marketplace import db
from marketplace.accounts.models import Role
from marketplace.audit.models import AuditEvent
from marketplace.auth import service as auth
from marketplace.bids import service
from marketplace.bids.models import Bid
from marketplace.bids.schemas import ReviewIn
from tests import factories as f
from tests.bids import helpers as h
from tests.reviews.test_form_races import browser, fire, web_token
from tests.servers import uvicorn_server

N = 50


def reviewed(engine, *, tokens: str) -> tuple[int, int, list[str]]:
    """A bid found qualified after its deadline; (bid id, challenge id, one token per officer)."""
    with db.new_session(engine) as s:
        w = h.cast(s)
        bid = h.submit(s, w.team, w.profile, w.challenge)
        h.close(s, w.challenge)
        service.review(session=s, actor=f.actor(s, w.officer), bid_id=bid.id, data=ReviewIn(qualified=True))
        s.commit()
        officers = [f.user(s, role=Role.OFFICER) for _ in range(N)]
        s.commit()
        if tokens == "api":
            issued = [auth._open_session(session=s, user=o, kind="api") for o in officers]  # noqa: SLF001
            s.commit()
        else:
            issued = [web_token(s, o) for o in officers]
        return bid.id, w.challenge.id, issued


def corrections(engine, bid_id: int) -> list[AuditEvent]:
    with db.new_session(engine) as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == "bid.correct_review",
                                                    AuditEvent.subject_id == str(bid_id))
                           .order_by(col(AuditEvent.seq))).all())


def status_of(engine, bid_id: int) -> str:
    with db.new_session(engine) as s:
        return s.get(Bid, bid_id).status


def test_fifty_api_corrections_to_the_same_conclusion_make_one(live_engine, tmp_path):
    bid_id, _, tokens = reviewed(live_engine, tokens="api")
    url = live_engine.url.render_as_string(hide_password=False)
    with uvicorn_server(url, tmp_path / "var", workers=2) as base:
        clients = [httpx.Client(base_url=base, timeout=120, headers={"Authorization": f"Bearer {t}"})
                   for t in tokens]

        def job(i):
            return lambda: clients[i].post(f"/api/v1/bids/{bid_id}/review/correction", json={
                "qualified": False, "reason": f"第 {i} 位经办人：资质证明已过期"}).status_code

        codes = fire([job(i) for i in range(N)])
        for c in clients:
            c.close()
    assert codes == Counter({200: 1, 409: N - 1}), codes
    assert len(corrections(live_engine, bid_id)) == 1
    assert status_of(live_engine, bid_id) == "disqualified"


def test_fifty_web_corrections_both_ways_are_applied_one_after_another(live_engine, tmp_path):
    bid_id, cid, tokens = reviewed(live_engine, tokens="web")
    url = live_engine.url.render_as_string(hide_password=False)
    with uvicorn_server(url, tmp_path / "var", workers=2) as base:
        clients = [browser(base, t, f"/officer/challenges/{cid}/review") for t in tokens]

        def job(i):
            c, csrf, _ = clients[i]
            decision = "disqualify" if i % 2 == 0 else "qualify"
            return lambda: c.post(f"/officer/bids/{bid_id}/review/correction", data={
                "csrf_token": csrf, "decision": decision, "reason": f"第 {i} 位经办人复核", "confirm": "1"},
                follow_redirects=False).status_code

        codes = fire([job(i) for i in range(N)])
        for c, _, _ in clients:
            c.close()
    # The form answers a refusal as it answers a success: back to the review page with a message.
    assert codes == Counter({303: N}), codes
    events = corrections(live_engine, bid_id)
    assert 1 <= len(events) <= N
    state = "qualified"
    for event in events:  # each accepted correction started from the conclusion the previous one left
        assert (event.summary["before"], event.summary["after"]) == (state, {"qualified": "disqualified",
                                                                             "disqualified": "qualified"}[state])
        state = event.summary["after"]
    assert status_of(live_engine, bid_id) == state
