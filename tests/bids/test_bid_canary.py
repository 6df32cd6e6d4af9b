"""A random canary in a sealed bid must not appear in any GET response of the app before the deadline.

The crawl covers every GET route, as a page and as an HTMX fragment, plus the audit log filtered to bid
events; the secrets are the canary in the bid's text and the bid's receipt hash (which the audit log
once showed). A sibling lab of the bidding team's university is one of the crawling identities (T31)."""

import secrets

import pytest

from tests import factories as f
from tests.bids import helpers as h
from tests.crawl import crawl as crawl_all
from tests.crawl import urls

OTHERS = ["anon", "owner", "other_company", "same_org_team", "other_team", "expert", "officer", "admin"]
EXTRA = ["/officer/audit?action=bid.", "/officer/audit?action=bid.submit", "/officer/audit?verify=1"]


def crawl(client, app, ids):
    """(url, body) for every GET route (tests/crawl.py) plus the audit log filtered to bid events."""
    found = urls(app, ids)
    assert any(u.startswith("/api/v1/bids") for u in found) and any("/bids/" in u for u in found)
    assert "/officer/audit" in found
    for url, _, body in crawl_all(client, app, ids):
        yield url, body
    for url in EXTRA:
        for headers in ({}, {"HX-Request": "true"}):
            yield url, client.get(url, headers=headers, follow_redirects=False).content.decode("utf-8", "replace")


@pytest.fixture
def sealed(session):
    w = h.cast(session)
    w.canary = "CANARY-" + secrets.token_hex(8)
    w.bid = h.submit(session, w.team, w.profile, w.challenge,
                     technical_route=f"路线 {w.canary}", prior_results=w.canary,
                     members=[{"name": w.canary[:40], "role": w.canary}])
    w.admin = f.user(session, role="admin")
    session.commit()
    w.secrets = (w.canary, w.bid.receipt_hash)
    w.ids = {"bid_id": w.bid.id, "challenge_id": w.challenge.id, "team_id": w.profile.id,
             "organisation_id": w.team.organisation_id, "user_id": w.team.id, "id": w.bid.id}
    return w


def login(client, session, user):
    client.cookies.clear()
    if user is not None:
        f.login(client, session, user)
    return client


def leaks(client, app, w):
    return [url for url, body in crawl(client, app, w.ids) if any(s in body for s in w.secrets)]


def test_no_one_else_sees_the_canary_before_the_deadline(client, session, app, sealed):
    w = sealed
    for who in OTHERS:
        login(client, session, getattr(w, who, None))
        assert leaks(client, app, w) == [], who
    login(client, session, w.team)
    assert w.canary in client.get(f"/bids/{w.bid.id}").text  # the crawl would find it if it leaked


def test_after_the_deadline_company_and_officer_see_it_other_teams_never(client, session, app, sealed):
    w = sealed
    h.close(session, w.challenge)
    for who in ("owner", "officer"):
        login(client, session, getattr(w, who))
        assert w.canary in client.get(f"/bids/{w.bid.id}").text
        assert w.canary in client.get(f"/api/v1/challenges/{w.challenge.id}/bids").text
    for who in ("same_org_team", "other_team", "other_company", "expert"):
        login(client, session, getattr(w, who, None))
        assert leaks(client, app, w) == [], who
