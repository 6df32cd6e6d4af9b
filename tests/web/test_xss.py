"""User text is always escaped: a script payload in every free-text field of every object never
reaches a page raw, on any GET route, as any role, as a page or an HTMX fragment.

Every free-text field of challenges (a published, a closed and a returned one), bids, teams,
organisations, users, experts, clarifications, attachments, notifications and audit summaries
carries the payload; the crawl fetches every GET route of the app (tests/crawl.py, the same
enumeration as the sealed-bid canary) as each role. JSON is data, not markup: API bodies are
checked for their content type instead. New objects (reviews, contracts) go into `world` as they land.
"""

import secrets
from datetime import timedelta

import pytest

from marketplace.accounts.models import ExpertProfile
from marketplace.actor import Role
from marketplace.audit import service as audit
from marketplace.challenges.models import Attachment, Clarification
from marketplace.clock import utcnow
from marketplace.notifications.models import Notification
from tests import factories as f
from tests.crawl import crawl, urls

PAYLOAD = '"><script>alert("xss")</script><img src=x onerror=alert(1)>'
SHORT = "<script>alert(1)</script>"  # for fields of at most 50 characters
RAW = ("<script>alert", "<img src=x")
ESCAPED = "&lt;script&gt;alert"
ROLES = ["anonymous", "owner", "team", "expert", "officer", "admin"]


def challenge_text(session, owner, **kw):
    indicator = {"name": PAYLOAD, "target": PAYLOAD, "unit": SHORT, "test_method": PAYLOAD}
    return f.challenge(session, company=owner, title="碳化硅" + PAYLOAD, background=PAYLOAD, bottleneck=PAYLOAD,
                       indicators=[indicator], deliverables=PAYLOAD, scenario=PAYLOAD, requirements=PAYLOAD,
                       contact_name=SHORT, contact_phone=SHORT, contact_email=SHORT, confidential_annex=PAYLOAD,
                       officer_comment=PAYLOAD, withdraw_reason=PAYLOAD, **kw)


@pytest.fixture
def world(session):
    company_org = f.organisation(session, name="企业" + PAYLOAD, description=PAYLOAD, qualifications=[PAYLOAD])
    owner = f.user(session, role=Role.COMPANY, org=company_org, display_name=SHORT)
    team_org = f.organisation(session, kind="university", name="高校" + PAYLOAD, description=PAYLOAD)
    team_user = f.user(session, role=Role.TEAM, org=team_org, display_name=SHORT)
    partner_org = f.organisation(session, kind="institute", name="院所" + PAYLOAD)
    expert = f.user(session, role=Role.EXPERT, display_name=SHORT)
    session.add(ExpertProfile(user_id=expert.id, title=SHORT, fields=[PAYLOAD], bio=PAYLOAD))
    users = {"owner": owner, "team": team_user, "expert": expert,
             "officer": f.user(session, role=Role.OFFICER, display_name=SHORT),
             "admin": f.user(session, role=Role.ADMIN, display_name=SHORT)}
    team = f.team(session, owner=team_user, name="团队" + PAYLOAD, leader=SHORT, members=[PAYLOAD],
                  fields=[PAYLOAD], profile="碳化硅 " + PAYLOAD, achievements=PAYLOAD, patents=[PAYLOAD])
    challenge_text(session, owner)  # open: in the hall, search cards, feed, home
    returned = challenge_text(session, owner, status="returned")
    closed = challenge_text(session, owner, status="closed", bid_deadline=utcnow() - timedelta(hours=1))
    bid = f.bid(session, challenge=closed, team_profile=team, technical_route=PAYLOAD, prior_results=PAYLOAD,
                milestones=[{"title": PAYLOAD, "due_month": 6, "indicators": [PAYLOAD]}],
                members=[{"name": SHORT, "role": PAYLOAD}], declare_conflicts=PAYLOAD, review_reason=PAYLOAD,
                partners=[{"organisation_id": partner_org.id, "share_percent": 30, "role": PAYLOAD}])
    for c in (closed, returned):
        session.add(Clarification(challenge_id=c.id, asked_by=team_user.id, question=PAYLOAD, answer=PAYLOAD))
    attachment = Attachment(challenge_id=closed.id, filename=PAYLOAD, content_type="text/plain", size=1,
                            sha256="0" * 64, storage_key=secrets.token_hex(16), uploaded_by=owner.id)
    session.add(attachment)
    for u in users.values():
        session.add(Notification(user_id=u.id, kind="challenge_published", title=PAYLOAD, body=PAYLOAD, link="/"))
    audit.record(session=session, actor=f.actor(session, owner), action="challenge.withdrawn",
                 subject_type="challenge", subject_id=closed.id, summary={"reason": PAYLOAD, "comment": PAYLOAD})
    session.commit()
    ids = {"challenge_id": closed.id, "bid_id": bid.id, "team_id": team.id, "attachment_id": attachment.id,
           "organisation_id": team_org.id, "user_id": team_user.id, "name": "x", "id": bid.id}
    return users, [ids, ids | {"challenge_id": returned.id}], bid, closed, team


def test_script_payloads_in_every_field_are_escaped_on_every_get_route_for_every_role(client, session, app, world):
    users, id_sets, bid, closed, team = world
    raw, errors, escaped = [], [], set()
    for role in ROLES:
        client.cookies.clear()
        if role != "anonymous":
            f.login(client, session, users[role])
        seen = set()
        for ids in id_sets:
            for url, response, body in crawl(client, app, ids):
                if (url, body) in seen:
                    continue
                seen.add((url, body))
                where = (role, url, response.status_code)
                if response.status_code >= 500:
                    errors.append(where)
                if response.headers.get("content-type", "").startswith(("application/json", "text/csv")):
                    continue  # data, not markup (served with nosniff; CSV as an attachment)
                if any(marker in body for marker in RAW):
                    raw.append(where)
                if ESCAPED in body:
                    escaped.add((role, url.split("?")[0]))
    assert errors == []
    assert raw == []
    # the payload was rendered (escaped) where each object is shown: the crawl saw the text
    assert len(urls(app, id_sets[0])) > 40
    for role, url in [("team", f"/bids/{bid.id}"), ("owner", f"/bids/{bid.id}"), ("officer", f"/bids/{bid.id}"),
                      ("anonymous", f"/challenges/{closed.id}"), ("anonymous", "/challenges"),
                      ("anonymous", f"/teams/{team.id}"), ("team", "/inbox"), ("officer", "/officer/audit"),
                      ("officer", f"/officer/challenges/{closed.id}/review"), ("anonymous", "/challenges/feed.atom"),
                      ("owner", f"/challenges/{id_sets[1]['challenge_id']}/edit")]:
        assert (role, url) in escaped, (role, url)
