"""A random canary in a sealed bid must not appear in any GET response of the app before the deadline.

The crawl covers every GET route, as a page and as an HTMX fragment, plus the audit log filtered to bid
events; the secrets are the canary in the bid's text and the bid's receipt hash (which the audit log
once showed). A sibling lab of the bidding team's university is one of the crawling identities (T31)."""

import io
import re
import secrets
import zipfile

import pytest
from starlette.routing import Mount, Route

from tests import factories as f
from tests.bids import helpers as h

OTHERS = ["anon", "owner", "other_company", "same_org_team", "other_team", "expert", "officer", "admin"]
EXTRA = ["/officer/audit?action=bid.", "/officer/audit?action=bid.submit", "/officer/audit?verify=1"]
SKIP = ("/static", "/vendor/", "/docs", "/openapi.json")


def get_paths(routes, prefix=""):
    """Every GET path template of the app, through included routers (FastAPI ≥0.16x wraps them)."""
    for route in routes:
        if hasattr(route, "original_router"):
            yield from get_paths(route.original_router.routes, prefix + route.include_context.prefix)
        elif isinstance(route, Route) and "GET" in (route.methods or ()):
            yield prefix + route.path
        elif isinstance(route, Mount) and route.routes:
            yield from get_paths(route.routes, prefix + route.path)


def fill(path, ids):
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(ids.get(m.group(1), ids["bid_id"])), path)


def bodies(response):
    """The response text, and every file inside it when it is a zip (xlsx)."""
    yield response.content.decode("utf-8", "replace")
    if response.content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(response.content)) as z:
            for name in z.namelist():
                yield z.read(name).decode("utf-8", "replace")


def crawl(client, app, ids):
    """(url, body) for every GET route: pages also as HTMX fragments, lists also with ?mine=1."""
    urls = sorted({fill(p, ids) for p in get_paths(app.routes) if not p.startswith(SKIP)} | set(EXTRA))
    assert any(u.startswith("/api/v1/bids") for u in urls) and any("/bids/" in u for u in urls)
    assert "/officer/audit" in urls
    for url in urls:
        for headers in ({}, {"HX-Request": "true"})[:1 if url.startswith("/api/") else 2]:
            for query in ("", "?mine=1")[:2 if url.endswith("/bids") else 1]:
                response = client.get(url + query, headers=headers, follow_redirects=False)
                for body in bodies(response):
                    yield url + query, body


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
