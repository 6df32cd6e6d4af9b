"""The sealing predicate as a role × status × deadline table (no DB), and the demo bids."""

from datetime import timedelta

import pytest
from sqlmodel import select

from marketplace import demo
from marketplace.actor import ANONYMOUS, Actor
from marketplace.bids import service
from marketplace.bids.models import Bid
from marketplace.bids.models import BidStatus as B
from marketplace.bids.permissions import can_read_bid
from marketplace.challenges.models import Challenge
from marketplace.clock import utcnow

NOW = utcnow()
COMPANY_ORG, TEAM_ORG, OTHER_ORG = 1, 2, 3
ACTORS = {
    "anon": ANONYMOUS,
    "owner": Actor(user_id=1, role="company", organisation_id=COMPANY_ORG, org_verified=True),
    "other_company": Actor(user_id=2, role="company", organisation_id=OTHER_ORG, org_verified=True),
    "own_team": Actor(user_id=3, role="team", organisation_id=TEAM_ORG, org_verified=True, team_ids=frozenset({1})),
    "team_member": Actor(user_id=8, role="team", organisation_id=TEAM_ORG, org_verified=True,
                         team_ids=frozenset({1, 2})),
    # another lab of the same university (T31): same organisation, another team
    "sibling_lab": Actor(user_id=7, role="team", organisation_id=TEAM_ORG, org_verified=True,
                         team_ids=frozenset({2})),
    "other_team": Actor(user_id=4, role="team", organisation_id=OTHER_ORG, org_verified=True),
    "expert": Actor(user_id=5, role="expert", organisation_id=TEAM_ORG, org_verified=True),
    "officer": Actor(user_id=6, role="officer"),
}
OPENED = {B.SUBMITTED, B.QUALIFIED, B.DISQUALIFIED, B.SUPPLEMENTING, B.SUPPLEMENTED}  # handed in (补正 too)


def expected(who, status, closed):
    if who in ("own_team", "team_member"):
        return True
    return closed and who in ("owner", "officer") and status in OPENED


@pytest.mark.parametrize("closed", [False, True])
@pytest.mark.parametrize("who", ACTORS)
def test_can_read_bid_matrix(who, closed):
    deadline = NOW - timedelta(seconds=1) if closed else NOW + timedelta(seconds=1)
    challenge = Challenge(id=10, organisation_id=COMPANY_ORG, created_by=1, title="t", industry="x",
                          background="", bottleneck="", deliverables="", committed_funds_fen=1, offered_fen=1,
                          bid_deadline=deadline, status="published")
    for status in B:
        bid = Bid(id=1, challenge_id=10, team_id=1, organisation_id=TEAM_ORG, created_by=3, status=status,
                  technical_route="", price_fen=0)
        allowed, reason = can_read_bid(ACTORS[who], bid, challenge, NOW)
        assert allowed is expected(who, status, closed), (who, status, closed)
        assert allowed or reason == "揭榜方案不存在"


def test_at_the_deadline_instant_bidding_is_closed_and_bids_are_opened():
    """招标投标法: bids are opened at the deadline itself; a submission at that instant is late."""
    from marketplace.bids.permissions import can_bid

    challenge = Challenge(id=10, organisation_id=COMPANY_ORG, created_by=1, title="t", industry="x",
                          background="", bottleneck="", deliverables="", committed_funds_fen=1, offered_fen=1,
                          bid_deadline=NOW, status="published")
    bid = Bid(id=1, challenge_id=10, team_id=1, organisation_id=TEAM_ORG, created_by=3, status=B.SUBMITTED,
              technical_route="", price_fen=0)
    assert can_bid(ACTORS["other_team"], challenge, NOW) == (False, "揭榜已截止或榜单不在揭榜期内")
    assert can_read_bid(ACTORS["owner"], bid, challenge, NOW) == (True, "")
    before = NOW - timedelta(microseconds=1)
    assert can_bid(ACTORS["other_team"], challenge, before) == (True, "")
    assert can_read_bid(ACTORS["owner"], bid, challenge, before)[0] is False


def test_demo_bids_load_once_with_verifiable_receipts(session):
    first = demo.load(session=session)
    assert first.created.get("bids", 0) >= 10
    bids = session.exec(select(Bid)).all()
    statuses = {b.status for b in bids}
    assert {B.SUBMITTED, B.WITHDRAWN, B.DRAFT} <= statuses
    for bid in bids:
        if bid.submitted_at:
            assert bid.receipt_hash == service.receipt_hash(bid)
            assert bid.submitted_at < session.get(Challenge, bid.challenge_id).bid_deadline
    assert [(b.status, b.live_slot) for b in bids if (b.live_slot is None) != (b.status == B.WITHDRAWN)] == []
    assert demo.load(session=session).created.get("bids", 0) == 0
