"""T31: a bid belongs to its team (a lab), not to the whole organisation.

Only the team's accounts (its owner and whoever the owner adds) read or change it; the other labs of
the same university get 404 on every route; two labs of one university compete on one challenge;
the owner hears of every change made by someone else.
"""

import pytest
from sqlmodel import select

from marketplace import demo
from marketplace.accounts import service as accounts
from marketplace.accounts.models import Organisation, TeamProfile, User
from marketplace.bids import queries, service
from marketplace.bids.models import Bid, BidStatus
from marketplace.bids.schemas import BidIn
from marketplace.challenges.models import Challenge, ChallengeStatus
from marketplace.errors import Forbidden, NotFound, RuleViolation
from marketplace.notifications.models import Kind, Notification
from tests import factories as f
from tests.bids import helpers as h


@pytest.fixture
def world(session):
    w = h.cast(session)
    w.bid = h.submit(session, w.team, w.profile, w.challenge)
    session.commit()
    return w


def as_(client, session, user):
    client.cookies.clear()
    f.login(client, session, user)
    return client


def sibling_routes(c, bid, challenge):
    """(what, status) for every route that reads or changes one bid."""
    token = f.csrf(c)
    yield "page", c.get(f"/bids/{bid.id}", follow_redirects=False).status_code
    yield "fragment", c.get(f"/bids/{bid.id}", headers={"HX-Request": "true"}).status_code
    yield "api", c.get(f"/api/v1/bids/{bid.id}").status_code
    yield "api edit", c.put(f"/api/v1/bids/{bid.id}", json=h.payload(bid.team_id),
                            headers={"X-CSRFToken": token}).status_code
    yield "api submit", c.post(f"/api/v1/bids/{bid.id}/submit", headers={"X-CSRFToken": token}).status_code
    yield "page withdraw", c.post(f"/bids/{bid.id}/withdraw", data={"csrf_token": token},
                                  follow_redirects=False).status_code
    yield "api withdraw", c.post(f"/api/v1/bids/{bid.id}/withdraw", headers={"X-CSRFToken": token}).status_code


@pytest.mark.parametrize("closed", [False, True])
def test_another_lab_of_the_same_university_gets_404_on_every_route(client, session, world, closed):
    if closed:
        h.close(session, world.challenge)
    c = as_(client, session, world.same_org_team)
    assert dict(sibling_routes(c, world.bid, world.challenge)) == {
        "page": 404, "fragment": 404, "api": 404, "api edit": 404,
        "api submit": 404, "page withdraw": 404, "api withdraw": 404}
    assert world.bid.id not in [b["id"] for b in c.get(f"/api/v1/challenges/{world.challenge.id}/bids").json()]
    assert f"/bids/{world.bid.id}" not in c.get(f"/challenges/{world.challenge.id}").text
    session.refresh(world.bid)
    assert world.bid.status == BidStatus.SUBMITTED


def test_two_labs_of_one_university_compete_on_the_same_challenge(client, session, world):
    rival = h.submit(session, world.same_org_team, world.sibling_profile, world.challenge,
                     technical_route="另一条路线：液冷+铜烧结")
    session.commit()
    assert rival.status == BidStatus.SUBMITTED and rival.organisation_id == world.bid.organisation_id
    for user, own, other in ((world.team, world.bid, rival), (world.same_org_team, rival, world.bid)):
        c = as_(client, session, user)
        assert [b["id"] for b in c.get("/api/v1/bids?mine=1").json()] == [own.id]
        assert c.get(f"/bids/{other.id}").status_code == 404
        page = c.get(f"/challenges/{world.challenge.id}").text
        assert f"/bids/{own.id}" in page and f"/bids/{other.id}" not in page
        form = c.get(f"/challenges/{world.challenge.id}/bid")
        assert own.technical_route in form.text and other.technical_route not in form.text


def test_a_lab_cannot_bid_as_its_sibling(session, world):
    actor = f.actor(session, world.same_org_team)
    with pytest.raises(RuleViolation):
        service.save(session=session, actor=actor, challenge_id=world.challenge.id,
                     data=BidIn.model_validate(h.payload(world.profile.id)))


def changes_told_to(session, user) -> list[str]:
    return list(session.exec(select(Notification.title).where(
        Notification.user_id == user.id, Notification.kind == Kind.BID_CHANGED)).all())


def test_the_owner_is_told_of_every_change_made_by_someone_else(session, world):
    assert changes_told_to(session, world.team) == []  # its own submission told nobody
    member = h.add_member(session, world.profile, world.team)
    actor = f.actor(session, member)
    service.update_bid(session=session, actor=actor, bid_id=world.bid.id,
                       data=BidIn.model_validate(h.payload(world.profile.id, prior_results="成员补充")))
    service.withdraw(session=session, actor=actor, bid_id=world.bid.id)
    told = changes_told_to(session, world.team)
    assert len(told) == 2 and "修改并重新提交" in told[0] and "撤回" in told[1]
    assert changes_told_to(session, member) == []


def test_only_the_owner_adds_members_and_only_from_its_own_organisation(session, world):
    owner = f.actor(session, world.team)
    stranger = world.other_team  # another university
    with pytest.raises(RuleViolation):
        accounts.add_team_member(session=session, actor=owner, team_id=world.profile.id, login=stranger.email)
    with pytest.raises(Forbidden):
        accounts.add_team_member(session=session, actor=f.actor(session, world.same_org_team),
                                 team_id=world.profile.id, login=world.same_org_team.email)
    accounts.add_team_member(session=session, actor=owner, team_id=world.profile.id,
                             login=world.same_org_team.email)
    # the added account now acts for the team; once removed it sees nothing again
    assert queries.get_for(session=session, actor=f.actor(session, world.same_org_team), bid_id=world.bid.id,
                           now=world.challenge.published_at)
    accounts.remove_team_member(session=session, actor=owner, team_id=world.profile.id,
                                user_id=world.same_org_team.id)
    with pytest.raises(NotFound):
        queries.get_for(session=session, actor=f.actor(session, world.same_org_team), bid_id=world.bid.id,
                        now=world.challenge.published_at)


def test_members_page_and_team_profile_edit_follow_the_team(client, session, world):
    c = as_(client, session, world.team)
    token = f.csrf(c)
    added = c.post(f"/team-profiles/{world.profile.id}/members",
                   data={"csrf_token": token, "login": world.same_org_team.email}, follow_redirects=True)
    assert added.status_code == 200 and world.same_org_team.display_name in added.text
    c = as_(client, session, world.other_team)
    assert c.get(f"/team-profiles/{world.profile.id}/members").status_code == 404
    assert c.get(f"/team-profiles/{world.profile.id}/edit").status_code == 403
    lab = f.user(session, role="team", org=session.get(Organisation, world.team.organisation_id))
    c = as_(client, session, lab)  # a lab of the same university that is not in the team
    assert c.get(f"/team-profiles/{world.profile.id}/edit").status_code == 403


def test_demo_scut_robot_cannot_read_or_withdraw_the_sic_lab_bid(client, session):
    demo.load(session=session)
    robot = session.exec(select(User).where(User.email == "scut-robot@jiebang.demo")).one()
    sic = session.exec(select(TeamProfile).where(TeamProfile.key == "scut-sic-lab")).one()
    bid = session.exec(select(Bid).where(Bid.team_id == sic.id, Bid.status == BidStatus.SUBMITTED)).first()
    challenge = session.get(Challenge, bid.challenge_id)
    assert robot.organisation_id == sic.organisation_id and challenge.status == ChallengeStatus.PUBLISHED
    c = as_(client, session, robot)
    assert c.get(f"/bids/{bid.id}").status_code == 404
    token = f.csrf(c)
    assert c.post(f"/bids/{bid.id}/withdraw", data={"csrf_token": token}, follow_redirects=False).status_code == 404
    session.refresh(bid)
    assert bid.status == BidStatus.SUBMITTED
