"""T32: no multi-step path opens sealed bids, and a company with bids cannot escape the bureau.

Editing a published challenge waits for the bureau and keeps the challenge (and every bid on it) where
it is; withdrawal with bids needs the bureau however it is approached; bids on a withdrawn, returned or
resubmitted challenge never open; opening follows the challenge reaching `closed`, not the clock alone.
"""

from datetime import timedelta

import pytest
from sqlmodel import select

from marketplace.actor import Actor
from marketplace.bids.models import Bid, BidStatus
from marketplace.bids.permissions import can_read_bid, can_review, can_withdraw
from marketplace.challenges import service as challenges
from marketplace.challenges.models import Challenge, ChallengeStatus
from marketplace.challenges.schemas import WithdrawIn
from marketplace.clock import to_shanghai, utcnow
from marketplace.errors import Conflict
from marketplace.notifications.models import Kind, Notification
from tests import factories as f
from tests.bids import helpers as h
from tests.challenges.test_pages import form_fields

NOW = utcnow()
S = ChallengeStatus


def local(at) -> str:
    return to_shanghai(at).replace(tzinfo=None, second=0, microsecond=0).isoformat(timespec="minutes")


# --- the predicate: challenge state × clock × role (no database) --------------------------------------

OWNER = Actor(user_id=1, role="company", organisation_id=1, org_verified=True)
OFFICER = Actor(user_id=2, role="officer")
TEAM = Actor(user_id=3, role="team", organisation_id=2, org_verified=True, team_ids=frozenset({1}))
# (state, deadline passed) → do the company and the bureau read the submitted bid?
OPENS = {(S.PUBLISHED, False): False, (S.PUBLISHED, True): True, (S.CLOSED, True): True,
         (S.WITHDRAWN, False): False, (S.WITHDRAWN, True): False, (S.RETURNED, False): False,
         (S.RETURNED, True): False, (S.SUBMITTED, False): False, (S.SUBMITTED, True): False,
         (S.SCHEDULED, True): False, (S.UNFILLED, True): False, (S.DRAFT, True): False}


@pytest.mark.parametrize(("state", "passed"), list(OPENS))
def test_bids_open_only_on_a_closed_challenge(state, passed):
    c = Challenge(id=10, organisation_id=1, created_by=1, title="t", industry="x", background="", bottleneck="",
                  deliverables="", committed_funds_fen=1, offered_fen=1, status=state,
                  bid_deadline=NOW + timedelta(seconds=-1 if passed else 1))
    bid = Bid(id=1, challenge_id=10, team_id=1, organisation_id=2, created_by=3, status=BidStatus.SUBMITTED,
              technical_route="", price_fen=0)
    for actor in (OWNER, OFFICER):
        assert can_read_bid(actor, bid, c, NOW)[0] is OPENS[(state, passed)], (actor.role, state, passed)
    assert can_review(OFFICER, c, NOW)[0] is OPENS[(state, passed)]
    assert can_read_bid(TEAM, bid, c, NOW)[0]  # its team always reads it
    assert can_withdraw(TEAM, bid, c, NOW)[0] is not OPENS[(state, passed)]  # and may take it back until then


# --- the reproduction through the API ----------------------------------------------------------------

@pytest.fixture
def world(session):
    w = h.cast(session)
    w.bid = h.submit(session, w.team, w.profile, w.challenge)
    session.commit()
    return w


def as_(client, session, user):
    client.cookies.clear()
    f.login(client, session, user)
    return client


def test_edit_resubmit_withdraw_does_not_escape_the_bureau(client, session, world):
    cid, bid = world.challenge.id, world.bid
    c = as_(client, session, world.owner)
    token = {"X-CSRFToken": f.csrf(c)}
    assert c.post(f"/api/v1/challenges/{cid}/withdraw", json={"reason": "不想要了"}, headers=token).status_code == 409
    later = local(utcnow() + timedelta(days=20))
    edited = c.put(f"/api/v1/challenges/{cid}", json=f.challenge_data(bid_deadline=later), headers=token)
    assert edited.status_code == 200 and edited.json()["status"] == "published"  # not back to review
    assert c.post(f"/api/v1/challenges/{cid}/withdraw", json={"reason": "不想要了"}, headers=token).status_code == 409
    assert c.post(f"/api/v1/challenges/{cid}/submit", headers=token).status_code == 409
    t = as_(client, session, world.team)  # the team still reads its bid and could withdraw it
    assert t.get(f"/api/v1/bids/{bid.id}").status_code == 200
    assert t.get(f"/challenges/{cid}").status_code == 200
    assert f'action="/bids/{bid.id}/withdraw"' in t.get(f"/bids/{bid.id}").text


def test_bids_on_a_withdrawn_challenge_never_open(client, session, world):
    cid = world.challenge.id
    challenges.request_withdrawal(session=session, actor=f.actor(session, world.owner), challenge_id=cid,
                                  data=WithdrawIn(reason="市场变化，项目取消"))
    challenges.approve_withdrawal(session=session, actor=f.actor(session, world.officer), challenge_id=cid)
    h.close(session, world.challenge)  # the original deadline passes
    for who in (world.owner, world.officer):
        c = as_(client, session, who)
        assert c.get(f"/api/v1/bids/{world.bid.id}").status_code == 404
        assert c.get(f"/bids/{world.bid.id}").status_code == 404
        assert c.get(f"/api/v1/challenges/{cid}/bids").json() == []
    c = as_(client, session, world.officer)
    assert c.get(f"/officer/challenges/{cid}/bids.xlsx").status_code == 409
    assert c.get(f"/officer/challenges/{cid}/review").status_code == 409


@pytest.mark.parametrize("state", [S.SUBMITTED, S.RETURNED])
def test_a_challenge_sent_back_to_review_keeps_its_bids_with_their_team_and_sealed(client, session, world, state):
    """Rows left by the old edit path: the team keeps its bid and may withdraw it; nobody else opens it;
    the company still cannot withdraw without the bureau."""
    world.challenge.status = state
    session.add(world.challenge)
    session.commit()
    with pytest.raises(Conflict):
        challenges.withdraw(session=session, actor=f.actor(session, world.owner), challenge_id=world.challenge.id,
                            data=WithdrawIn(reason="撤榜"))
    session.rollback()
    h.close(session, world.challenge)
    for who in (world.owner, world.officer):
        assert as_(client, session, who).get(f"/api/v1/bids/{world.bid.id}").status_code == 404
    t = as_(client, session, world.team)
    page = t.get(f"/bids/{world.bid.id}")
    assert page.status_code == 200 and 'id="challenge-paused"' in page.text
    assert world.bid.id in [b["id"] for b in t.get("/api/v1/bids?mine=1").json()]
    assert t.post(f"/api/v1/bids/{world.bid.id}/withdraw", headers={"X-CSRFToken": f.csrf(t)}).status_code == 200


# --- the same path through the pages: lowering 揭榜金额 two days before the deadline -------------------

def test_lowering_the_amount_waits_for_the_bureau_and_tells_the_team_to_revise(client, session):
    w = h.cast(session)
    w.challenge.bid_deadline = utcnow() + timedelta(days=2)
    session.add(w.challenge)
    bid = h.submit(session, w.team, w.profile, w.challenge, price_yuan="800000")
    session.commit()
    cid = w.challenge.id
    c = as_(client, session, w.owner)
    lower = form_fields(f.challenge_data(title=w.challenge.title, offered_yuan="500000",
                                         bid_deadline=local(w.challenge.bid_deadline)))
    page = c.post(f"/challenges/{cid}/edit", data={"csrf_token": f.csrf(c), **lower}, follow_redirects=True)
    assert "修改申请已提交科技局" in page.text
    session.refresh(w.challenge)
    assert w.challenge.status == S.PUBLISHED and w.challenge.offered_fen == 100_000_000
    assert f"/challenges/{cid}" in c.get("/challenges").text  # still in the hall
    t = as_(client, session, w.team)
    mine = t.get(f"/bids/{bid.id}").text
    assert "/withdraw" in mine and f"/challenges/{cid}/bid" in mine  # its edit and withdraw buttons stay

    o = as_(client, session, w.officer)
    assert f'action="/challenges/{cid}/approve-change"' in o.get(f"/challenges/{cid}").text
    o.post(f"/challenges/{cid}/approve-change", data={"csrf_token": f.csrf(o)})
    session.refresh(w.challenge)
    assert w.challenge.offered_fen == 50_000_000 and w.challenge.pending_change is None
    told = session.exec(select(Notification.body).where(Notification.user_id == w.team.id,
                                                        Notification.kind == Kind.CHALLENGE_CHANGED)).all()
    assert len(told) == 1 and "超过调整后的揭榜金额" in told[0]
    t = as_(client, session, w.team)
    assert 'id="over-offered"' in t.get(f"/bids/{bid.id}").text
    plan = [{"title": "样品交付", "due_month": 24, "indicators": ["结壳热阻"]}]  # the new indicator list
    revised = t.put(f"/api/v1/bids/{bid.id}", json=h.payload(w.profile.id, price_yuan="450000", milestones=plan,
                                                                budget_company_yuan="450000",
                                                                budget_subsidy_yuan="90000"),
                    headers={"X-CSRFToken": f.csrf(t)})
    assert revised.status_code == 200, revised.text and revised.json()["price_fen"] == 45_000_000


def test_after_the_deadline_neither_a_change_nor_a_withdrawal_is_approved(session, world):
    owner, officer = f.actor(session, world.owner), f.actor(session, world.officer)
    challenges.request_withdrawal(session=session, actor=owner, challenge_id=world.challenge.id,
                                  data=WithdrawIn(reason="原因"))
    h.close(session, world.challenge)
    with pytest.raises(Conflict):
        challenges.approve_withdrawal(session=session, actor=officer, challenge_id=world.challenge.id)
    session.rollback()
    world.challenge.pending_change = {"title": "迟到的修改"}
    session.add(world.challenge)
    session.commit()
    with pytest.raises(Conflict):
        challenges.approve_change(session=session, actor=officer, challenge_id=world.challenge.id)
    session.rollback()
    assert session.get(Challenge, world.challenge.id).status == S.PUBLISHED
