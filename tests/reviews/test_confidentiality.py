"""A canary in a score comment: no company or team sees it before the announcement (pages or API), and
no other expert before submitting their own sheet."""

from sqlmodel import select

from marketplace.accounts.models import User
from marketplace.awards import service as awards
from marketplace.reviews import service
from marketplace.reviews.models import ReviewAssignment
from tests import factories as f
from tests.reviews import scenario

CANARY = "CANARY-7f3e9a-金丝雀"
ROUTES = ["/api/v1/challenges/{c}", "/api/v1/challenges/{c}/shortlist", "/api/v1/challenges/{c}/feedback",
          "/api/v1/review/bids/{b}/scores", "/api/v1/review/bids/{b}", "/api/v1/review/assignments",
          "/api/v1/challenges/{c}/bids", "/api/v1/bids/{b}", "/api/v1/announcements", "/api/v1/notifications",
          "/challenges/{c}"]


def leaks(client, session, user, s) -> list[str]:
    headers = scenario.api_headers(session, user)
    return [r for r in ROUTES
            if CANARY in client.get(r.format(c=s.challenge.id, b=s.bids[0].id), headers=headers).text]


def test_a_comment_canary_stays_hidden_until_the_announcement_and_from_experts_who_have_not_submitted(
        client, session):
    s = scenario.build(session, bids=2, experts=2)
    scenario.start(session, s)
    officer = f.actor(session, s.officer)
    for e in s.experts:
        service.assign(session=session, actor=officer, challenge_id=s.challenge.id, bid_id=s.bids[0].id,
                       expert_id=e.id)
    service.assign(session=session, actor=officer, challenge_id=s.challenge.id, bid_id=s.bids[1].id,
                   expert_id=s.experts[0].id)
    first, second = (f.actor(session, u) for u in s.expert_users)
    for me in (first, second):
        service.declare(session=session, actor=me, bid_id=s.bids[0].id, has_conflict=False)
    service.declare(session=session, actor=first, bid_id=s.bids[1].id, has_conflict=False)
    service.submit_score(session=session, actor=first, bid_id=s.bids[0].id, scores=scenario.score_sheet(5),
                         comments=scenario.comment_sheet(CANARY))
    service.submit_score(session=session, actor=first, bid_id=s.bids[1].id, scores=scenario.score_sheet(9),
                         comments={})
    bidder = session.get(User, s.bids[0].created_by)
    outsiders = [s.company, bidder, *s.teams, s.outsider]
    assert all(leaks(client, session, u, s) == [] for u in outsiders)
    assert leaks(client, session, s.expert_users[1], s) == []  # has not submitted yet
    service.submit_score(session=session, actor=second, bid_id=s.bids[0].id, scores=scenario.score_sheet(7),
                         comments={})
    assert leaks(client, session, s.expert_users[1], s) == ["/api/v1/review/bids/{b}/scores"]
    awards.decide(session=session, actor=officer, challenge_id=s.challenge.id, winning_bid_ids=[s.bids[1].id],
                  reason="")
    assert all(leaks(client, session, u, s) == [] for u in outsiders)  # decided, not yet announced
    awards.publish(session=session, actor=officer, challenge_ids=[s.challenge.id])
    assert leaks(client, session, bidder, s) == ["/api/v1/challenges/{c}/feedback"]  # feedback, unnamed
    assert leaks(client, session, s.company, s) == []
    assert session.exec(select(ReviewAssignment)).all()
