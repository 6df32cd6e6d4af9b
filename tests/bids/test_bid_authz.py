"""Role × deadline matrix for every bid route, pages and API: sealed bids answer 404 to the curious."""

import pytest

from tests import factories as f
from tests.bids import helpers as h

ACTORS = ["anon", "owner", "other_company", "team", "member", "same_org_team", "other_team", "expert",
          "officer"]
OWN = ("team", "member")  # the bidding team's owner, and an account the owner added to the team


@pytest.fixture
def world(session):
    w = h.cast(session)
    w.bid = h.submit(session, w.team, w.profile, w.challenge)
    w.member = h.add_member(session, w.profile, w.team)
    session.commit()
    return w


def as_(client, session, w, who):
    client.cookies.clear()
    if who != "anon":
        f.login(client, session, getattr(w, who))
    return client


def phase(session, w, when):
    if when == "closed":
        h.close(session, w.challenge)


# expected status per actor: (before the deadline, after it)
READ_BID = {"anon": (303, 303), "owner": (404, 200), "other_company": (404, 404), "team": (200, 200),
            "member": (200, 200), "same_org_team": (404, 404), "other_team": (404, 404), "expert": (404, 404),
            "officer": (404, 200)}
OFFICER_PAGE = {"anon": (303, 303), "officer": (409, 200)}  # everyone else: 403


@pytest.mark.parametrize("when", ["open", "closed"])
@pytest.mark.parametrize("who", ACTORS)
def test_every_bid_route_for_every_role_before_and_after_the_deadline(client, session, world, who, when):
    """One app per cell; the checks run in an order where earlier ones leave the bid as it was."""
    phase(session, world, when)
    c = as_(client, session, world, who)
    bid_page_and_api_follow_the_sealing_rule(c, world, who, when)
    review_page_and_exports_are_for_officers_after_the_deadline(c, world, who, when)
    formal_review_by_officers_after_the_deadline_only(c, world, who, when)
    only_the_bidding_team_withdraws_and_only_before_the_deadline(c, world, who, when)


def bid_page_and_api_follow_the_sealing_rule(c, world, who, when):
    expected = READ_BID[who][when == "closed"]
    page = c.get(f"/bids/{world.bid.id}", follow_redirects=False)
    fragment = c.get(f"/bids/{world.bid.id}", headers={"HX-Request": "true"}, follow_redirects=False)
    api = c.get(f"/api/v1/bids/{world.bid.id}")
    assert page.status_code == expected
    assert fragment.status_code == (204 if expected == 303 else expected)
    assert api.status_code == (401 if expected == 303 else expected)
    listed = c.get(f"/api/v1/challenges/{world.challenge.id}/bids")
    if who == "anon":
        assert listed.status_code == 401
    else:
        assert [b["id"] for b in listed.json()] == ([world.bid.id] if expected == 200 else [])


def review_page_and_exports_are_for_officers_after_the_deadline(c, world, who, when):
    expected = OFFICER_PAGE.get(who, (403, 403))[when == "closed"]
    cid = world.challenge.id
    assert c.get(f"/officer/challenges/{cid}/review", follow_redirects=False).status_code == expected
    xlsx = c.get(f"/officer/challenges/{cid}/bids.xlsx", follow_redirects=False)
    assert xlsx.status_code == expected
    api = c.get(f"/api/v1/challenges/{cid}/bids.xlsx")
    assert api.status_code == (401 if expected == 303 else expected)
    if expected == 200:
        assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")


def only_the_bidding_team_withdraws_and_only_before_the_deadline(c, world, who, when):
    token = f.csrf(c)
    response = c.post(f"/bids/{world.bid.id}/withdraw", data={"csrf_token": token}, follow_redirects=False)
    api = c.post(f"/api/v1/bids/{world.bid.id}/withdraw", headers={"X-CSRFToken": token})
    readable = READ_BID[who][when == "closed"]
    own = who in OWN
    if who == "anon":
        assert (response.status_code, api.status_code) == (303, 401)
    elif own:
        assert response.status_code == (303 if when == "open" else 409)
        assert api.status_code == 409  # already withdrawn by the page, or closed
    else:
        assert response.status_code == api.status_code == (403 if readable == 200 else 404)


def formal_review_by_officers_after_the_deadline_only(c, world, who, when):
    token = f.csrf(c)
    page = c.post(f"/officer/bids/{world.bid.id}/review",
                  data={"csrf_token": token, "decision": "qualify", "confirm": "1"}, follow_redirects=False)
    api = c.post(f"/api/v1/bids/{world.bid.id}/review", json={"qualified": True},
                 headers={"X-CSRFToken": token})
    readable = READ_BID[who][when == "closed"] == 200
    if who == "anon":
        assert (page.status_code, api.status_code) == (303, 401)
    elif who == "officer":
        assert (page.status_code, api.status_code) == ((303, 409) if when == "closed" else (404, 404))
    else:
        assert page.status_code == 403
        assert api.status_code == (403 if readable else 404)


@pytest.mark.parametrize("who", ["anon", "owner", "other_company", "expert", "officer"])
def test_only_team_accounts_open_the_bid_form(client, session, world, who):
    c = as_(client, session, world, who)
    response = c.get(f"/challenges/{world.challenge.id}/bid", follow_redirects=False)
    assert response.status_code == (303 if who == "anon" else 403)
    api = c.post(f"/api/v1/challenges/{world.challenge.id}/bids",
                 json=h.payload(world.profile.id), headers={"X-CSRFToken": f.csrf(c)})
    assert api.status_code == (401 if who == "anon" else 403)


def test_my_bids_lists_only_the_teams_own(client, session, world):
    other = h.submit(session, world.other_team, world.other_profile, world.challenge)
    c = as_(client, session, world, "member")
    assert [b["id"] for b in c.get("/api/v1/bids?mine=1").json()] == [world.bid.id]
    page = c.get("/bids/mine")
    assert page.status_code == 200 and f"/bids/{world.bid.id}" in page.text
    assert f"/bids/{other.id}" not in page.text
    sibling = as_(client, session, world, "same_org_team")  # another lab of the same university
    assert sibling.get("/api/v1/bids?mine=1").json() == []
    assert f"/bids/{world.bid.id}" not in sibling.get("/bids/mine").text
