"""Role × state over every new API route. Expected outcomes are written out by hand, per state:
closed, in_review, decided, announced, awarded, no_award. The world is written as rows (cheap):
expert 0 is assigned to both qualified bids, has declared and scored; bid 0 ranks first."""

from datetime import date

import pytest

from marketplace.actor import Role
from marketplace.awards.models import Announcement, AnnouncementItem, AwardDecision, NoAwardDecision, Objection
from marketplace.reviews import calendar
from marketplace.reviews.models import ConflictDeclaration, ReviewAssignment, ReviewPanel, ReviewScore
from marketplace.reviews.scoring import DEFAULT_SCORECARD
from tests import factories as f
from tests.reviews import scenario

STATES = ("closed", "in_review", "decided", "announced", "awarded", "no_award")
# Only one role can succeed on a state-changing route, and it comes after every refused one, so one
# world serves the whole row (refusals write nothing).
ROLES = ("anon", "team", "expert", "company", "officer")


def world(session, state: str) -> dict:
    s = scenario.build(session, bids=2, experts=2, status=state)
    ids = {"c": s.challenge.id, "b0": s.bids[0].id, "b1": s.bids[1].id, "e0": s.experts[0].id,
           "e1": s.experts[1].id, "o": 999_999_999}  # no objection unless announced
    if state != "closed":
        panel = ReviewPanel(challenge_id=s.challenge.id, created_by=s.officer.id, reviewers_per_bid=1,
                            criteria=[{"name": c.name, "weight": str(c.weight)} for c in DEFAULT_SCORECARD.criteria])
        session.add(panel)
        session.flush()
        for bid, points in ((s.bids[0], 9), (s.bids[1], 7)):
            a = ReviewAssignment(panel_id=panel.id, bid_id=bid.id, expert_id=s.experts[0].id)
            session.add(a)
            session.add(ConflictDeclaration(bid_id=bid.id, expert_id=s.experts[0].id, has_conflict=False))
            session.flush()
            session.add(ReviewScore(assignment_id=a.id, scores=[points] * 4, comments=[""] * 4,
                                    total=f"{points * 10}.00"))
    if state == "no_award":
        session.add(NoAwardDecision(challenge_id=s.challenge.id, reason="所有方案均未达到核心指标要求",
                                    decided_by=s.officer.id))
    if state in ("decided", "announced", "awarded"):
        d = AwardDecision(challenge_id=s.challenge.id, winning_bid_ids=[s.bids[0].id], decided_by=s.officer.id)
        session.add(d)
        session.flush()
    if state in ("announced", "awarded"):
        w = calendar.window(date.today())
        batch = Announcement(title="公示", period_days=5, published_on=w.published_on, ends_on=w.ends_on,
                             published_by=s.officer.id)
        session.add(batch)
        session.flush()
        item = AnnouncementItem(announcement_id=batch.id, challenge_id=s.challenge.id, decision_id=d.id,
                                status="open" if state == "announced" else "awarded")
        session.add(item)
        session.flush()
        if state == "announced":
            o = Objection(item_id=item.id, challenge_id=s.challenge.id, user_id=s.outsider.id, reasons="理由" * 6)
            session.add(o)
            session.flush()
            ids["o"] = o.id
    session.commit()
    users = {"company": s.company, "team": s.teams[1], "expert": s.expert_users[0], "officer": s.officer}
    headers = {r: scenario.api_headers(session, u) for r, u in users.items()}
    headers["anon"] = {}
    return {"ids": ids, "headers": headers}


# route: (method, path, body, {role: "codes for closed in_review decided announced awarded no_award"})
ALL_401 = "401 401 401 401 401 401"
OFFICER_ONLY_403 = {"anon": ALL_401, "company": "403 " * 6, "team": "403 " * 6, "expert": "403 " * 6}
ROUTES = {
    "start_review": ("POST", "/challenges/{c}/review", {}, {
        **OFFICER_ONLY_403, "officer": "201 409 409 409 409 409"}),
    "suggestions": ("GET", "/challenges/{c}/review/suggestions", None, {
        **OFFICER_ONLY_403, "officer": "200 200 200 200 200 200"}),
    "auto_assign": ("POST", "/challenges/{c}/review/auto-assign", {}, {
        **OFFICER_ONLY_403, "officer": "409 409 409 409 409 409"}),  # in review it already has assignments
    "assign": ("POST", "/challenges/{c}/review/assignments", {"bid_id": "{b1}", "expert_id": "{e1}"}, {
        **OFFICER_ONLY_403, "officer": "409 201 409 409 409 409"}),
    "progress": ("GET", "/challenges/{c}/review/progress", None, {
        **OFFICER_ONLY_403, "officer": "404 200 200 200 200 200"}),
    "ranking": ("GET", "/challenges/{c}/review/ranking", None, {
        **OFFICER_ONLY_403, "officer": "200 200 200 200 200 200"}),
    "my_assignments": ("GET", "/review/assignments", None, {
        "anon": ALL_401, "company": "404 " * 6, "team": "404 " * 6, "expert": "200 " * 6, "officer": "404 " * 6}),
    "declare": ("POST", "/review/bids/{b0}/declaration", {"has_conflict": False}, {
        "anon": ALL_401, "company": "404 " * 6, "team": "404 " * 6, "expert": "404 409 404 404 404 404",
        "officer": "404 " * 6}),
    "waive": ("POST", "/review/bids/{b0}/waiver", {"expert_id": "{e0}", "reason": "豁免理由豁免理由豁免理由"}, {
        **OFFICER_ONLY_403, "officer": "409 409 409 409 409 409"}),  # nothing declared to waive
    "open_bid": ("GET", "/review/bids/{b0}", None, {
        "anon": ALL_401, "company": "404 " * 6, "team": "404 " * 6, "expert": "404 200 404 404 404 404",
        "officer": "404 " * 6}),
    "score": ("POST", "/review/bids/{b0}/score", {"scores": {c.name: 8 for c in DEFAULT_SCORECARD.criteria}}, {
        "anon": ALL_401, "company": "404 " * 6, "team": "404 " * 6, "expert": "404 409 404 404 404 404",
        "officer": "404 " * 6}),
    "sheets": ("GET", "/review/bids/{b0}/scores", None, {
        "anon": ALL_401, "company": "404 " * 6, "team": "404 " * 6, "expert": "404 200 404 404 404 404",
        "officer": "200 " * 6}),
    "shortlist": ("GET", "/challenges/{c}/shortlist", None, {
        "anon": ALL_401, "company": "409 200 200 200 200 409", "team": "404 " * 6, "expert": "404 " * 6,
        "officer": "409 200 200 200 200 409"}),
    "opinion": ("POST", "/challenges/{c}/opinion", {"preferred_bid_ids": [], "opinion": "倾向排名第一的方案"}, {
        "anon": ALL_401, "company": "409 201 409 409 409 409", "team": "403 " * 6, "expert": "403 " * 6,
        "officer": "403 " * 6}),
    "decision": ("POST", "/challenges/{c}/decision", {"winning_bid_ids": ["{b0}"], "reason": ""}, {
        **OFFICER_ONLY_403, "officer": "409 201 409 409 409 409"}),
    "no_award": ("POST", "/challenges/{c}/no-award", {"reason": "所有方案均未达到核心指标"}, {
        **OFFICER_ONLY_403, "officer": "201 201 409 409 409 409"}),
    "no_award_reason": ("GET", "/challenges/{c}/no-award", None, {
        "anon": ALL_401, "company": "404 404 404 404 404 200", "team": "404 404 404 404 404 200",
        "expert": "404 " * 6, "officer": "404 404 404 404 404 200"}),
    "publish": ("POST", "/announcements", {"challenge_ids": ["{c}"], "period_days": 5}, {
        **OFFICER_ONLY_403, "officer": "409 409 201 409 409 409"}),
    "announcements": ("GET", "/announcements", None, dict.fromkeys(ROLES, "200 " * 6)),
    "object": ("POST", "/challenges/{c}/objections", {"reasons": "中选单位业绩材料存疑，请核查"}, {
        "anon": ALL_401, **dict.fromkeys(("company", "team", "expert", "officer"), "409 409 409 201 409 409")}),
    "objections": ("GET", "/objections", None, {"anon": ALL_401, **dict.fromkeys(ROLES[1:], "200 " * 6)}),
    "answer": ("POST", "/objections/{o}/answer", {"upheld": False, "answer": "经核查，中选单位材料属实，异议不成立"}, {
        **OFFICER_ONLY_403, "officer": "404 404 404 200 404 404"}),
    "feedback": ("GET", "/challenges/{c}/feedback", None, {
        "anon": ALL_401, "company": "409 409 409 403 403 409", "team": "409 409 409 200 200 409",
        "expert": "409 409 409 403 403 409", "officer": "409 409 409 403 403 409"}),
}
CASES = [(route, state, role) for route in ROUTES for state in STATES for role in ROLES]


def fill(value, ids):
    if isinstance(value, str):
        return int(value[1:-1] and ids[value[1:-1]]) if value.startswith("{") and value.endswith("}") else value
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize(("route", "state"), [(r, s) for r in ROUTES for s in STATES])
def test_role_state_matrix(client, session, route, state):
    method, path, body, expected = ROUTES[route]
    got, want = {}, {}
    w = world(session, state)
    ids = w["ids"]
    for role in ROLES:
        response = client.request(method, "/api/v1" + path.format(**ids), headers=w["headers"][role],
                                  json=fill(body, ids) if body is not None else None)
        assert response.status_code != 500, response.text
        got[role] = response.status_code
        want[role] = int(expected[role].split()[STATES.index(state)])
    assert got == want


def test_officers_list_challenges_in_any_state_and_the_public_does_not_see_drafts(client, session):
    officer = f.user(session, role=Role.OFFICER)
    draft = f.challenge(session, status="draft")
    decided = f.challenge(session, status="decided")
    headers = scenario.api_headers(session, officer)
    listed = client.get("/api/v1/challenges?status=draft", headers=headers).json()["items"]
    assert draft.id in [c["id"] for c in listed]
    listed = client.get("/api/v1/challenges?status=decided", headers=headers).json()["items"]
    assert [c["id"] for c in listed] == [decided.id]
    assert client.get("/api/v1/challenges?status=draft").json()["items"] == []
