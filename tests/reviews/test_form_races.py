"""Fifty simultaneous posts of the decision form and of the objection form to the real app (uvicorn, two
workers), on SQLite and PostgreSQL: exactly one effect each, the losers refused with 4xx, never a 500."""

import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlmodel import select

from marketplace import db
from marketplace.accounts.models import Role
from marketplace.audit.models import AuditEvent
from marketplace.auth import service as auth
from marketplace.awards import service as awards
from marketplace.awards.models import AwardDecision, Objection
from marketplace.challenges.models import Challenge
from marketplace.web.security import cookie_names
from tests import factories as f
from tests.reviews import scenario
from tests.servers import uvicorn_server

N = 50
REASON = "企业意见与专家意见综合考虑后的选择"



def scored(s):
    scene = scenario.build(s)
    scenario.start(s, scene)
    scenario.assign_and_score(s, scene, totals={scene.bids[0].id: 9, scene.bids[1].id: 7})
    return scene


def web_token(s, user) -> str:
    token = auth._open_session(session=s, user=user, kind="web")  # noqa: SLF001
    s.commit()
    return token


def browser(base: str, token: str, page: str) -> tuple[httpx.Client, str, str]:
    """A logged-in client, the CSRF token and the one-time form token of `page` (as a browser has them)."""
    c = httpx.Client(base_url=base, timeout=120, cookies={cookie_names(False)[0]: token})
    html = c.get(page).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    once = re.search(r'name="form_token" value="([^"]+)"', html)
    return c, csrf, once.group(1) if once else ""


def fire(jobs) -> Counter:
    barrier = threading.Barrier(len(jobs))

    def run(job):
        barrier.wait()
        return job()

    with ThreadPoolExecutor(len(jobs)) as pool:
        return Counter(pool.map(run, jobs))


def test_fifty_officers_posting_the_decision_form_at_once_make_one_decision(live_engine, tmp_path):
    with db.new_session(live_engine) as s:
        scene = scored(s)
        cid, bids = scene.challenge.id, [b.id for b in scene.bids]
        tokens = [web_token(s, f.user(s, role=Role.OFFICER)) for _ in range(N)]
    url = live_engine.url.render_as_string(hide_password=False)
    with uvicorn_server(url, tmp_path / "var", workers=2) as base:
        clients = [browser(base, t, f"/officer/challenges/{cid}/decision") for t in tokens]

        def job(i):
            c, csrf, _ = clients[i]
            return lambda: c.post(f"/officer/challenges/{cid}/decision", data={
                "csrf_token": csrf, "winning_bid_ids": str(bids[i % 2]), "reason": REASON}).status_code

        codes = fire([job(i) for i in range(N)])
        for c, _, _ in clients:
            c.close()
    assert codes == {303: 1, 409: N - 1}, codes
    with db.new_session(live_engine) as s:
        assert s.get(Challenge, cid).status == "decided"
        assert len(s.exec(select(AwardDecision).where(AwardDecision.challenge_id == cid)).all()) == 1
        assert len(s.exec(select(AuditEvent).where(AuditEvent.action == "challenge.decide",
                                                   AuditEvent.subject_id == str(cid))).all()) == 1


def test_fifty_posts_of_objection_forms_at_once_make_one_objection_per_form(live_engine, tmp_path):
    """25 users each double-submit their form (the same one-time token twice): 25 objections, no 500."""
    users = N // 2
    with db.new_session(live_engine) as s:
        scene = scored(s)
        cid = scene.challenge.id
        officer = f.actor(s, scene.officer)
        awards.decide(session=s, actor=officer, challenge_id=cid, winning_bid_ids=[scene.bids[0].id], reason="")
        awards.publish(session=s, actor=officer, challenge_ids=[cid], period_days=5)
        tokens = [web_token(s, f.user(s, role=Role.TEAM)) for _ in range(users)]
    url = live_engine.url.render_as_string(hide_password=False)
    with uvicorn_server(url, tmp_path / "var", workers=2) as base:
        clients = [browser(base, t, f"/announcements/{cid}") for t in tokens]
        assert all(once for _, _, once in clients)

        def job(i):
            c, csrf, once = clients[i // 2]
            return lambda: c.post(f"/announcements/{cid}/objections", data={
                "csrf_token": csrf, "form_token": once, "reasons": f"第 {i // 2} 位用户：中选单位业绩材料存疑，请核查"
            }).status_code

        codes = fire([job(i) for i in range(N)])
        for c, _, _ in clients:
            c.close()
    assert 500 not in codes and set(codes) <= {303, 409}, codes
    with db.new_session(live_engine) as s:
        rows = s.exec(select(Objection).where(Objection.challenge_id == cid)).all()
        assert len(rows) == users and len({o.user_id for o in rows}) == users
