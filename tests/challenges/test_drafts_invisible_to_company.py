"""Issue 8 item 11: the company cannot tell that a draft bid exists on its challenge.

The withdraw button and a direct withdrawal depend only on submitted bids."""

import re

import pytest

from marketplace.bids.models import BidStatus
from tests import factories as f
from tests.bids import helpers as h


def company_view(client, session, w) -> str:
    """The company's challenge page without the per-request tokens."""
    client.cookies.clear()
    f.login(client, session, w.owner)
    page = client.get(f"/challenges/{w.challenge.id}").text
    return re.sub(r"[A-Za-z0-9_\-]{32,}", "", page)


@pytest.mark.parametrize("bid_state", ["draft", "none"])
def test_a_draft_bid_changes_nothing_the_company_sees_or_gets(client, session, bid_state):
    w = h.cast(session)
    session.commit()
    before = company_view(client, session, w)
    if bid_state == "draft":
        f.bid(session, challenge=w.challenge, team_profile=w.profile, status=BidStatus.DRAFT)
        session.commit()
    assert company_view(client, session, w) == before
    assert f'action="/challenges/{w.challenge.id}/withdraw"' in before and "request-withdrawal" not in before
    api = client.post(f"/api/v1/challenges/{w.challenge.id}/withdraw", json={"reason": "需求变化"},
                      headers={"X-CSRFToken": f.csrf(client)})
    assert api.status_code == 200 and "揭榜方案" not in api.text


def test_a_submitted_bid_still_needs_the_bureau(client, session):
    w = h.cast(session)
    h.submit(session, w.team, w.profile, w.challenge)
    session.commit()
    page = company_view(client, session, w)
    assert "request-withdrawal" in page and f'action="/challenges/{w.challenge.id}/withdraw"' not in page
    api = client.post(f"/api/v1/challenges/{w.challenge.id}/withdraw", json={"reason": "需求变化"},
                      headers={"X-CSRFToken": f.csrf(client)})
    assert api.status_code == 409
