"""Issue 8 item 6: the audit log does not tell who is bidding before the bids open.

Before the deadline the audit pages show bid events only as counts (no team, no hash); afterwards the
same rule as for the bids themselves applies (bids.queries.readable_ids, the SQL twin of can_read_bid)."""

import itertools

import pytest
from sqlmodel import select

from marketplace.actor import ANONYMOUS, Role
from marketplace.bids import queries
from marketplace.bids.models import Bid, BidStatus
from marketplace.bids.permissions import can_read_bid
from marketplace.challenges.models import Challenge, ChallengeStatus
from marketplace.clock import utcnow
from tests import factories as f
from tests.bids import helpers as h


def test_the_sql_twin_agrees_with_the_predicate_for_every_actor_state_and_clock(session):
    w = h.cast(session)
    member = h.add_member(session, w.profile, w.team)
    profiles = {"own": w.profile, "sibling": w.sibling_profile, "other": w.other_profile}
    statuses = list(BidStatus)
    for k, (state, days) in enumerate(itertools.product([ChallengeStatus.PUBLISHED, ChallengeStatus.CLOSED,
                                                         ChallengeStatus.WITHDRAWN, ChallengeStatus.RETURNED],
                                                        [5, -1])):
        c = f.challenge(session, company=w.owner, status=state, deadline_days=days)
        for i, profile in enumerate(profiles.values()):  # each team meets every bid state somewhere
            f.bid(session, challenge=c, team_profile=profile, status=statuses[(i + k) % len(statuses)])
    session.commit()
    bids = session.exec(select(Bid)).all()
    now = utcnow()
    for user in (w.team, member, w.same_org_team, w.other_team, w.owner, w.other_company, w.officer, w.expert, None):
        actor = f.actor(session, user) if user else ANONYMOUS
        expected = {str(b.id) for b in bids if can_read_bid(actor, b, session.get(Challenge, b.challenge_id), now)[0]}
        assert set(session.exec(queries.readable_ids(actor=actor, now=now)).all()) == expected, actor.label


@pytest.fixture
def sealed(session):
    w = h.cast(session)
    w.bid = h.submit(session, w.team, w.profile, w.challenge)
    w.draft = f.bid(session, challenge=w.challenge, team_profile=w.sibling_profile, status=BidStatus.DRAFT)
    w.admin = f.user(session, role=Role.ADMIN)
    session.commit()
    return w


@pytest.mark.parametrize("who", ["officer", "admin"])
def test_before_the_deadline_officers_see_bid_events_only_as_counts(client, session, sealed, who):
    f.login(client, session, getattr(sealed, who))
    for url in ("/officer/audit", "/officer/audit?action=bid.", "/officer/audit?action=bid.submit"):
        for headers in ({}, {"HX-Request": "true"}):
            page = client.get(url, headers=headers)
            assert page.status_code == 200
            assert sealed.bid.receipt_hash not in page.text and sealed.bid.receipt_hash[:16] not in page.text
            assert "team_id" not in page.text and f"揭榜方案 #{sealed.bid.id}" not in page.text
    assert 'id="sealed-events"' in client.get("/officer/audit?action=bid.").text
    assert "提交揭榜方案 1 条" in client.get("/officer/audit?action=bid.").text


def test_after_the_deadline_submitted_bids_are_shown_and_drafts_stay_counted(client, session, sealed):
    h.close(session, sealed.challenge)
    f.login(client, session, sealed.officer)
    page = client.get("/officer/audit?action=bid.").text
    assert sealed.bid.receipt_hash in page and f"揭榜方案 #{sealed.bid.id}" in page
    assert f"揭榜方案 #{sealed.draft.id}" not in page
