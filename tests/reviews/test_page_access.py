"""Who may see which review page: a role × page matrix, conflicted experts, blind review, and scores that
no company, team or other expert sees before they may (canaries)."""

import pytest
from sqlmodel import select

from marketplace.accounts.models import Role, User
from marketplace.awards import service as awards
from marketplace.errors import Conflict
from marketplace.reviews import service
from marketplace.reviews.models import ReviewAssignment
from tests import factories as f
from tests.reviews import scenario

CANARY = "金丝雀评语7f3a"


def post(client, url, data=None):
    return client.post(url, data={"csrf_token": f.csrf(client), **(data or {})}, follow_redirects=False)


@pytest.fixture
def world(session):
    """In review: two bids, each with two experts who declared; the first bid's experts scored it."""
    scene = scenario.build(session, bids=2, experts=4)
    scenario.start(session, scene)
    officer = f.actor(session, scene.officer)
    service.auto_assign(session=session, actor=officer, challenge_id=scene.challenge.id)
    users = {e.id: u for e, u in zip(scene.experts, scene.expert_users, strict=True)}
    rows = session.exec(select(ReviewAssignment)).all()
    first = [a for a in rows if a.bid_id == scene.bids[0].id]
    for a in rows:
        service.declare(session=session, actor=f.actor(session, users[a.expert_id]), bid_id=a.bid_id,
                        has_conflict=False)
    service.submit_score(session=session, actor=f.actor(session, users[first[0].expert_id]),
                         bid_id=scene.bids[0].id, scores=scenario.score_sheet(9),
                         comments=scenario.comment_sheet(CANARY))
    scene.extra.update(users=users, first=first, rows=rows,
                       other_company=f.user(session, role=Role.COMPANY),
                       idle_expert=scenario.expert(session)[1])
    session.commit()
    return scene


def who(session, scene, role):
    return {"company": scene.company, "other_company": scene.extra["other_company"], "team": scene.teams[0],
            "outsider": scene.outsider, "expert": scene.extra["users"][scene.extra["first"][1].expert_id],
            "conflicted": session.get(User, scene.conflicted.user_id), "idle_expert": scene.extra["idle_expert"],
            "officer": scene.officer}[role]


ROLES = ("anon", "company", "other_company", "team", "outsider", "expert", "conflicted", "idle_expert", "officer")
OFFICER_ONLY = "303 403 403 403 403 403 403 403 200"
PAGES = {
    "/officer/reviews": OFFICER_ONLY,
    "/officer/challenges/{c}/panel": OFFICER_ONLY,
    "/officer/challenges/{c}/decision": OFFICER_ONLY,
    "/officer/announcements/new": OFFICER_ONLY,
    "/officer/experts": OFFICER_ONLY,
    "/review": "303 404 404 404 404 200 200 200 404",
    "/review/bids/{b0}": "303 404 404 404 404 200 404 404 404",
    "/challenges/{c}/shortlist": "303 200 404 404 404 404 404 404 200",
    "/challenges/{c}/feedback": "303 403 403 403 403 403 403 403 403",  # nothing before the announcement
    "/objections": "303 200 200 200 200 200 200 200 200",
    "/announcements": "200 200 200 200 200 200 200 200 200",
}


@pytest.mark.parametrize("page", list(PAGES))
def test_role_by_page(client, session, world, page):
    url = page.format(c=world.challenge.id, b0=world.bids[0].id)
    got = []
    for role in ROLES:
        client.cookies.clear()
        if role != "anon":
            f.login(client, session, who(session, world, role))
        got.append(str(client.get(url, follow_redirects=False).status_code))
    assert " ".join(got) == PAGES[page]


WRITES = {  # (path, form) → expected codes for the roles above
    ("/officer/challenges/{c}/decision", (("winning_bid_ids", "{b0}"), ("reason", ""))):
        "303 403 403 403 403 403 403 403 *",
    ("/challenges/{c}/opinion", (("opinion", "同意专家的排名结果"),)): "303 * 403 403 403 403 403 403 403",
    ("/review/bids/{b0}/score", (("score_0", "8"),)): "303 404 404 404 404 * 404 404 404",
    ("/officer/experts/{e}", (("tier", "major"), ("active", "1"))): "303 403 403 403 403 403 403 403 *",
}


@pytest.mark.parametrize("write", list(WRITES), ids=[w[0] for w in WRITES])
def test_writes_are_refused_to_everyone_but_their_role(client, session, world, write):
    path, form = write
    fill = {"c": world.challenge.id, "b0": world.bids[0].id, "e": world.experts[0].id}
    url, data = path.format(**fill), {k: v.format(**fill) for k, v in form}
    expected = WRITES[write].split()
    for role, want in zip(ROLES, expected, strict=True):
        if want == "*":
            continue
        client.cookies.clear()
        if role != "anon":
            f.login(client, session, who(session, world, role))
        got = post(client, url, data).status_code
        assert str(got) == want, (role, got)


def test_an_expert_sees_no_bid_before_declaring_and_never_one_they_are_conflicted_with(client, session, world):
    conflicted = session.get(User, world.conflicted.user_id)
    officer = f.actor(session, world.officer)
    with pytest.raises(Conflict, match="利益冲突"):
        service.assign(session=session, actor=officer, challenge_id=world.challenge.id,
                       bid_id=world.bids[0].id, expert_id=world.conflicted.id)
    session.rollback()
    f.login(client, session, conflicted)
    assert client.get(f"/review/bids/{world.bids[0].id}").status_code == 404
    assert post(client, f"/review/bids/{world.bids[0].id}/declaration", {"conflict": "no"}).status_code == 404
    # The panel page never offers the conflicted expert for that bid, and says why.
    f.login(client, session, world.officer)
    page = client.get(f"/officer/challenges/{world.challenge.id}/panel").text
    section = page.split(f'id="bid-{world.bids[0].id}"')[1].split('id="bid-')[0]
    offered = section.split("需回避的专家")[0]
    assert f'value="{world.conflicted.id}"' not in offered and "专家现任职于揭榜牵头单位" in section


def test_a_declared_conflict_keeps_the_bid_closed_until_an_officer_waives_it(client, session):
    scene = scenario.build(session, bids=1, experts=2)
    scenario.start(session, scene, reviewers=1)
    e, u = scene.experts[0], scene.expert_users[0]
    service.assign(session=session, actor=f.actor(session, scene.officer), challenge_id=scene.challenge.id,
                   bid_id=scene.bids[0].id, expert_id=e.id)
    f.login(client, session, u)
    r = post(client, f"/review/bids/{scene.bids[0].id}/declaration", {"conflict": "yes", "statement": ""})
    assert r.status_code == 422 and "请说明利益冲突情况" in r.text
    r = post(client, f"/review/bids/{scene.bids[0].id}/declaration",
             {"conflict": "yes", "statement": "去年曾为该团队提供咨询"})
    assert r.status_code == 303
    page = client.get(f"/review/bids/{scene.bids[0].id}")
    assert "您已回避该方案" in page.text and "银烧结" not in page.text
    f.login(client, session, scene.officer)
    r = post(client, f"/officer/review/bids/{scene.bids[0].id}/waiver", {"expert_id": str(e.id), "reason": ""})
    assert r.status_code == 422 and "请填写豁免理由" in r.text
    r = post(client, f"/officer/review/bids/{scene.bids[0].id}/waiver",
             {"expert_id": str(e.id), "reason": "咨询内容与本榜单无关，经处务会同意"})
    assert r.status_code == 303
    f.login(client, session, u)
    assert "银烧结" in client.get(f"/review/bids/{scene.bids[0].id}").text


def test_scores_stay_hidden_from_the_company_teams_and_experts_who_have_not_scored(client, session, world):
    cid, b0 = world.challenge.id, world.bids[0].id
    f.login(client, session, world.company)
    short = client.get(f"/challenges/{cid}/shortlist").text
    assert "第 1 名" in short and CANARY not in short and "90.00" not in short
    for team in world.teams:
        f.login(client, session, team)
        assert CANARY not in client.get(f"/challenges/{cid}/feedback").text
        assert CANARY not in client.get(f"/bids/{b0}").text
    second = world.extra["users"][world.extra["first"][1].expert_id]
    f.login(client, session, second)
    before = client.get(f"/review/bids/{b0}").text
    assert "银烧结" in before and CANARY not in before and "90.00" not in before
    assert post(client, f"/review/bids/{b0}/score", {
        **{f"score_{i}": "7" for i in range(4)}, **{f"comment_{i}": "" for i in range(4)}}).status_code == 303
    after = client.get(f"/review/bids/{b0}").text
    first_name = world.extra["users"][world.extra["first"][0].expert_id].display_name
    assert CANARY in after and "90.00" in after and first_name not in after  # unnamed


def test_blind_review_hides_who_made_the_bid(client, session):
    scene = scenario.build(session, bids=1, experts=2)
    service.start_review(session=session, actor=f.actor(session, scene.officer), challenge_id=scene.challenge.id,
                         spec=service.PanelSpec(reviewers_per_bid=1, blind=True))
    e, u = scene.experts[0], scene.expert_users[0]
    service.assign(session=session, actor=f.actor(session, scene.officer), challenge_id=scene.challenge.id,
                   bid_id=scene.bids[0].id, expert_id=e.id)
    service.declare(session=session, actor=f.actor(session, u), bid_id=scene.bids[0].id, has_conflict=False)
    scene.bids[0].members = [{"name": "欧阳明远", "role": "项目负责人"}]  # names identify the team too
    scene.bids[0].prior_results = "本团队此前承担的银烧结封装项目"
    session.add(scene.bids[0])
    session.commit()
    f.login(client, session, u)
    page = client.get(f"/review/bids/{scene.bids[0].id}").text
    from marketplace.accounts.models import Organisation, TeamProfile

    team = session.get(TeamProfile, scene.bids[0].team_id)
    org = session.get(Organisation, scene.bids[0].organisation_id)
    assert "银烧结" in page and "盲评" in page and team.name not in page and org.name not in page
    assert "欧阳明远" not in page and "此前承担" not in page


def test_feedback_after_the_announcement_only_for_bidding_teams(client, session, world):
    officer = f.actor(session, world.officer)
    users = world.extra["users"]
    for a in world.extra["rows"]:
        if a.id != world.extra["first"][0].id:  # that one scored in the fixture
            service.submit_score(session=session, actor=f.actor(session, users[a.expert_id]), bid_id=a.bid_id,
                                 scores=scenario.score_sheet(7), comments={})
    awards.decide(session=session, actor=officer, challenge_id=world.challenge.id,
                  winning_bid_ids=[world.bids[0].id], reason="")
    awards.publish(session=session, actor=officer, challenge_ids=[world.challenge.id], period_days=5)
    f.login(client, session, world.teams[1])
    fb = client.get(f"/challenges/{world.challenge.id}/feedback")
    assert fb.status_code == 200 and "本单位方案未中选" in fb.text and "第 2 名" in fb.text
    for user in (world.outsider, world.company):
        f.login(client, session, user)
        assert client.get(f"/challenges/{world.challenge.id}/feedback").status_code == 403
