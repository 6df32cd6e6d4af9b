"""The platform's use of the matcher: explained recommendations, no sealed content, no conflicts."""

import secrets

from marketplace.accounts.documents import team_changed
from marketplace.accounts.models import ExpertProfile
from marketplace.actor import Role
from marketplace.challenges.documents import challenge_changed
from marketplace.search import index as search_index
from marketplace.search import recommend
from tests import factories as f


def test_the_matching_team_ranks_first_with_the_terms_that_matched(session):
    company = f.user(session, role=Role.COMPANY)
    c = f.challenge(session, company=company, title="车规级碳化硅功率模块低热阻封装",
                    background="需要碳化硅 MOSFET 功率模块的银烧结封装与功率循环可靠性")
    sic = f.team(session, name="宽禁带半导体封装团队", profile="碳化硅功率模块封装，银烧结工艺，功率循环寿命测试")
    f.team(session, name="蛋白质组学团队", profile="质谱蛋白质组学与肿瘤标志物发现")
    session.commit()
    recs = recommend.teams_for_challenge(session=session, challenge=c)
    assert recs[0].item.id == sic.id
    terms = [t.term for t in recs[0].terms]
    assert any("碳化硅" in t or "功率" in t for t in terms)
    marked = recommend.marked(sic.profile, recs[0].terms)
    assert any(hit for _, hit in marked) and "".join(seg for seg, _ in marked) == sic.profile


def test_a_company_is_never_recommended_its_own_organisations_team(session):
    company = f.user(session, role=Role.COMPANY)
    own = f.team(session, owner=f.user(session, role=Role.TEAM, org=session.get(
        __import__("marketplace.accounts.models", fromlist=["Organisation"]).Organisation,
        company.organisation_id)), profile="碳化硅功率模块封装")
    c = f.challenge(session, company=company, title="碳化硅功率模块封装", background="碳化硅功率模块")
    session.commit()
    assert own.id not in [r.item.id for r in recommend.teams_for_challenge(session=session, challenge=c)]


def test_traditional_script_team_profiles_match_simplified_challenges(session):
    c = f.challenge(session, title="芯粒先进封装与异构集成", background="芯粒互连与先进封装的热管理")
    hk = f.team(session, name="先進封裝與芯粒集成實驗室", profile="芯粒異構集成、先進封裝熱管理與互連可靠性")
    session.commit()
    assert recommend.teams_for_challenge(session=session, challenge=c)[0].item.id == hk.id


def test_sealed_bid_content_never_reaches_recommendations_or_search(client, session):
    canary = "CANARY" + secrets.token_hex(6)
    company = f.user(session, role=Role.COMPANY)
    c = f.challenge(session, company=company, title="碳化硅功率模块封装",
                    background="需要碳化硅功率模块的银烧结封装与功率循环可靠性")
    f.bid(session, challenge=c, technical_route=f"{canary} 碳化硅功率模块封装 技术路线")
    team = f.team(session, name="宽禁带封装团队", profile="碳化硅功率模块封装，银烧结工艺，功率循环可靠性")
    session.commit()
    assert not recommend.search_challenge_ids(session=session, query=canary)
    assert recommend.search_teams(session=session, query=canary) == []
    f.login(client, session, company)
    # each page answers 200 and shows what it should (the positive control), but never the canary
    for path, shown in ((f"/challenges/{c.id}", c.title), ("/challenges?q=碳化硅技术路线", c.title),
                        ("/dashboard", c.title), (f"/api/v1/challenges/{c.id}/recommended-teams", team.name),
                        ("/api/v1/challenges?q=碳化硅技术路线", f'"id":{c.id}')):
        response = client.get(path)
        assert response.status_code == 200, path
        assert shown in response.text.replace('"id": ', '"id":'), path
        assert canary not in response.text, path


def test_expert_suggestions_exclude_the_bidders_and_the_companys_organisations(session):
    company = f.user(session, role=Role.COMPANY)
    bidder_team = f.team(session)
    text = "碳化硅功率器件封装可靠性评审"
    experts = {}
    for label, org_id in (("company", company.organisation_id), ("bidder", bidder_team.organisation_id),
                          ("free", None)):
        u = f.user(session, role=Role.EXPERT)
        if org_id is not None:
            u.organisation_id = org_id
            session.add(u)
        e = ExpertProfile(user_id=u.id, fields=["碳化硅功率器件", "封装可靠性"], bio=text)
        session.add(e)
        session.flush()
        experts[label] = e.id
    session.commit()
    recs = recommend.experts_for(session=session, query=text,
                                 excluded_organisation_ids={company.organisation_id, bidder_team.organisation_id})
    ids = [r.item[0].id for r in recs]
    assert experts["free"] in ids
    assert experts["company"] not in ids and experts["bidder"] not in ids


def test_review_page_suggests_experts_but_never_from_a_consortium_partner(client, session):
    from datetime import timedelta

    from marketplace.clock import utcnow

    company = f.user(session, role=Role.COMPANY)
    c = f.challenge(session, company=company, title="碳化硅功率模块封装", bottleneck="银烧结封装可靠性不足",
                    bid_deadline=utcnow() - timedelta(hours=1))
    partner = f.organisation(session, kind="institute")
    b = f.bid(session, challenge=c, technical_route="碳化硅功率模块银烧结封装与功率循环验证",
              partners=[{"organisation_id": partner.id, "share_percent": 30, "role": "可靠性验证"}])
    names = {}
    for label, org_id in (("partner", partner.id), ("free", None)):
        u = f.user(session, role=Role.EXPERT, display_name=f"专家{label}")
        if org_id:
            u.organisation_id = org_id
            session.add(u)
        session.add(ExpertProfile(user_id=u.id, fields=["碳化硅功率模块", "银烧结封装"], bio="功率模块封装可靠性"))
        names[label] = u.display_name
    session.commit()
    f.login(client, session, f.user(session, role=Role.OFFICER))
    page = client.get(f"/officer/challenges/{c.id}/review").text
    assert f"方案 #{b.id}" in page
    assert names["free"] in page and names["partner"] not in page


def test_an_edited_team_or_challenge_is_found_once(session):
    c = f.challenge(session, title="碳化硅功率模块封装", background="碳化硅功率模块")
    t = f.team(session, profile="碳化硅功率模块封装")
    session.commit()
    search_index.index(session)
    t.profile, c.background = "碳化硅功率模块封装 银烧结", "碳化硅功率模块 银烧结"
    team_changed(session=session, team=t)
    challenge_changed(session=session, challenge=c)
    session.commit()
    assert [r.item.id for r in recommend.search_teams(session=session, query="碳化硅功率模块")] == [t.id]
    assert recommend.search_challenge_ids(session=session, query="碳化硅功率模块") == [c.id]


def test_a_teams_kept_recommendations_follow_every_change(session, monkeypatch):
    """The team dashboard's recommendations are kept for the index's state: a repeat view does not rank
    again, a newly published challenge and a passed deadline show at once."""
    from datetime import timedelta

    from marketplace.clock import utcnow
    from matching import SearchIndex

    company = f.user(session, role=Role.COMPANY)
    for title, background in (("质谱蛋白质组学肿瘤标志物", "蛋白质组学与肿瘤早筛标志物的质谱定量"),
                              ("港口起重机远程操控", "岸桥远程操控的低时延视频回传"),
                              ("钙钛矿叠层电池湿热老化", "钙钛矿叠层组件的封装与湿热老化"),
                              ("工业软件三维几何内核", "国产三维几何建模内核的布尔运算稳定性")):
        f.challenge(session, company=company, title=title, background=background)
    first = f.challenge(session, company=company, title="碳化硅功率模块低热阻封装",
                        background="碳化硅功率模块银烧结封装与功率循环可靠性验证")
    team = f.team(session, profile="碳化硅功率模块封装，银烧结工艺，功率循环寿命测试与可靠性验证")
    session.commit()
    search_index.rebuild(session)  # a versioned index: later changes update it in place
    searches = []
    real_search = SearchIndex.search
    monkeypatch.setattr(SearchIndex, "search", lambda self, *a, **kw: searches.append(1) or real_search(self, *a, **kw))

    def ids():
        return [r.item.id for r in recommend.challenges_for_team(session=session, team=team, k=5)]

    assert ids() == [first.id]
    ranked = len(searches)
    assert ranked > 0 and ids() == [first.id] and len(searches) == ranked  # the repeat is not ranked again

    second = f.challenge(session, company=company, title="碳化硅功率模块银烧结焊层",
                         background="碳化硅功率模块银烧结焊层的功率循环可靠性与封装验证")
    challenge_changed(session=session, challenge=second)  # its publication reaches the index
    session.commit()
    assert set(ids()) == {first.id, second.id}  # the index changed: ranked again
    first.bid_deadline = utcnow() - timedelta(minutes=1)  # no index change: the database says it closed
    session.add(first)
    session.commit()
    assert ids() == [second.id]
