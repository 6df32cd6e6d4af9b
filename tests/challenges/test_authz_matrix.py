"""Role × state matrix over the challenge action routes, through HTTP.

Expected outcome per (route, actor, state): 303 = done (redirect back), 403 = refused role,
404 = may not know it exists, "flash" = refused by a rule with a message on the page (the
form redirects back with an error). The oracle is written out here, not derived from the code.
"""

import pytest
from sqlmodel import select

from marketplace.actor import Role
from marketplace.audit.models import AuditEvent
from tests import factories as f

ACTORS = ["anonymous", "owner", "other_company", "team", "expert", "officer"]
STATES = ["draft", "submitted", "returned", "published", "closed", "unfilled", "withdrawn"]
ROUTES = {
    "submit": ("submit", {}),
    "return": ("return", {"comment": "请补充指标"}),
    "publish": ("publish", {}),
    "withdraw": ("withdraw", {"reason": "需求变化"}),
    "relist": ("relist", {}),
}
# (route, state) -> actors for whom the command succeeds
SUCCEEDS = {
    ("submit", "draft"): {"owner"}, ("submit", "returned"): {"owner"},
    ("return", "submitted"): {"officer"}, ("publish", "submitted"): {"officer"},
    ("withdraw", "draft"): {"owner", "officer"}, ("withdraw", "submitted"): {"owner", "officer"},
    ("withdraw", "returned"): {"owner", "officer"}, ("withdraw", "published"): {"owner", "officer"},
    ("relist", "unfilled"): {"owner"},
}
PUBLIC = {"published", "closed", "unfilled", "withdrawn"}


def expected(route: str, actor: str, state: str) -> str:
    if actor == "anonymous":
        return "login"
    visible = state in PUBLIC or actor in ("owner", "officer")
    if not visible:
        return "404"
    if actor in SUCCEEDS.get((route, state), set()):
        return "done"
    return "refused"


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("actor", ACTORS)
def test_challenge_actions_matrix(client, session, actor, state):
    owner = f.user(session, role=Role.COMPANY)
    users = {"owner": owner, "other_company": f.user(session, role=Role.COMPANY),
             "team": f.user(session, role=Role.TEAM), "expert": f.user(session, role=Role.EXPERT),
             "officer": f.user(session, role=Role.OFFICER)}
    if actor != "anonymous":
        f.login(client, session, users[actor])
    for route, (path, form) in ROUTES.items():
        c = f.challenge(session, company=owner, status=state, deadline_days=-1 if state in ("closed",
                                                                                            "unfilled") else 20)
        session.commit()
        before = len(session.exec(select(AuditEvent)).all())
        r = client.post(f"/challenges/{c.id}/{path}", data={"csrf_token": f.csrf(client), **form},
                        follow_redirects=False)
        session.refresh(c)
        changed = len(session.exec(select(AuditEvent)).all()) > before
        want = expected(route, actor, state)
        where = (route, actor, state, r.status_code)
        if want == "login":
            assert r.status_code == 303 and r.headers["location"].startswith("/login"), where
        elif want == "404":
            assert r.status_code == 404, where
        elif want == "done":
            assert r.status_code == 303 and changed, where
        else:
            assert r.status_code in (403, 409) or (r.status_code == 303 and "jb_flash" in r.headers.get("set-cookie",
                                                                                                        "")), where
            assert not changed, where
