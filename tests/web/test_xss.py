"""User text is always escaped: a script payload in every free-text field never reaches a page raw."""

from sqlmodel import select

from marketplace.accounts.models import Role
from marketplace.challenges.models import Clarification
from tests import factories as f

PAYLOAD = '"><script>alert("xss")</script><img src=x onerror=alert(1)>'


def test_script_payloads_in_user_text_are_escaped_on_every_page(client, session):
    company = f.user(session, role=Role.COMPANY, display_name=PAYLOAD[:50])
    c = f.challenge(session, company=company, title=("碳化硅" + PAYLOAD)[:100], background=PAYLOAD * 2,
                    bottleneck=PAYLOAD, indicators=[{"name": PAYLOAD[:100], "target": PAYLOAD[:100],
                                                     "unit": "", "test_method": PAYLOAD}])
    team = f.team(session, name=("团队" + PAYLOAD)[:100], profile="碳化硅 " + PAYLOAD, fields=[PAYLOAD])
    session.add(Clarification(challenge_id=c.id, asked_by=team.owner_id, question=PAYLOAD, answer=PAYLOAD))
    session.commit()
    assert session.exec(select(Clarification)).first() is not None
    pages = ["/", "/challenges", "/challenges?q=碳化硅", f"/challenges/{c.id}", "/teams", f"/teams/{team.id}",
             "/challenges/feed.atom"]
    f.login(client, session, company)
    pages += ["/dashboard", "/challenges/mine", f"/challenges/{c.id}/edit"]
    for path in pages:
        for headers in ({}, {"HX-Request": "true"}):
            body = client.get(path, headers=headers).text
            assert "<script>alert" not in body and "<img src=x" not in body, path
    assert "&lt;script&gt;" in client.get(f"/challenges/{c.id}").text
