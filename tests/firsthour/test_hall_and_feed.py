"""The hall's default order, 即将截止, the page clamp and the Atom feed (issue 13.1)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

from marketplace.challenges import queries
from marketplace.challenges.models import ChallengeStatus
from marketplace.clock import utcnow
from tests import factories as f

NS = {"a": "http://www.w3.org/2005/Atom"}


def _feed_ids(response) -> set[str]:
    root = ET.fromstring(response.content)
    return {e.findtext("a:id", namespaces=NS).rsplit("/", 1)[1] for e in root.findall("a:entry", NS)}


def test_with_a_query_the_default_order_is_relevance_and_the_form_does_not_force_newest(client, session):
    assert queries.ChallengeFilter.from_params({"q": "碳化硅"}).sort == "relevance"
    assert queries.ChallengeFilter.from_params({"q": "碳化硅", "sort": ""}).sort == "relevance"
    assert queries.ChallengeFilter.from_params({}).sort == "newest"
    page = client.get("/challenges").text
    assert '<option value="" selected>默认' in page  # the form sends no sort unless one is chosen
    assert '<option value="newest" selected' not in page


def test_deadline_order_puts_open_challenges_first_soonest_first(session):
    now = utcnow()
    expired = f.challenge(session, bid_deadline=now - timedelta(days=1), status=ChallengeStatus.CLOSED)
    later = f.challenge(session, bid_deadline=now + timedelta(days=20))
    soon = f.challenge(session, bid_deadline=now + timedelta(days=2))
    flt = queries.ChallengeFilter.from_params({"sort": "deadline"})
    ids = [c.id for c in queries.search_public(session=session, flt=flt, now=now).items]
    mine = [i for i in ids if i in (expired.id, later.id, soon.id)]
    assert mine == [soon.id, later.id, expired.id]


def test_a_page_past_the_last_shows_the_last_with_a_chinese_note(client, session):
    for _ in range(queries.PAGE_SIZE + 1):
        f.challenge(session)
    total = queries.search_public(session=session, flt=queries.ChallengeFilter(), now=utcnow()).total
    last = -(-total // queries.PAGE_SIZE)
    page = client.get("/challenges", params={"page": "999"}).text
    assert f"第 999 / {last} 页" not in page and f"第 {last} / {last} 页" in page
    assert f"没有第 999 页，共 {last} 页，已显示第 {last} 页。" in page
    body = client.get("/api/v1/challenges", params={"page": "999"}).json()
    assert (body["page"], body["pages"]) == (last, last) and "没有第 999 页" in body["notice"] and body["items"]


def test_the_feed_lists_open_challenges_only_and_follows_the_query(anon, session):
    sic = f.challenge(session, title="碳化硅功率模块封装", background="碳化硅功率模块的银烧结封装")
    other = f.challenge(session, title="海域天然气水合物开采", background="天然气水合物降压开采")
    withdrawn = f.challenge(session, title="撤回的榜单", status=ChallengeStatus.WITHDRAWN)
    unfilled = f.challenge(session, title="流榜的榜单", status=ChallengeStatus.UNFILLED)
    expired = f.challenge(session, title="已截止的榜单", bid_deadline=utcnow() - timedelta(days=1))
    session.commit()
    everything = _feed_ids(anon.get("/challenges/feed.atom"))
    assert {str(sic.id), str(other.id)} <= everything
    assert not {str(withdrawn.id), str(unfilled.id), str(expired.id)} & everything
    narrowed = anon.get("/challenges/feed.atom", params={"q": "碳化硅"})
    assert _feed_ids(narrowed) == {str(sic.id)}
    assert "“碳化硅”" in narrowed.text and "新发布榜单" not in narrowed.text


def test_min_should_match_needs_the_specific_words_and_ignores_lone_and_generic_ones():
    from matching import SearchIndex
    from matching.query import query_units, required_count

    assert query_units("zzzz不存在") == ["zzzz"]  # 不 alone and the stop word 存在 carry nothing
    assert query_units("脑机接口") == ["脑机", "接口"]  # jieba's single characters joined back
    assert query_units("碳化硅技术路线") == ["碳化硅"]  # generic words are not required
    assert query_units("工艺 验证 流程") == ["工艺", "验证", "流程"]  # unless nothing else is left
    assert [required_count(n, 0.75) for n in (1, 2, 3, 4, 8)] == [1, 2, 2, 3, 6]
    idx = SearchIndex(lsa_components=0).fit([("a", "量子点显示材料"), ("b", "子午线轮胎的数量"),
                                             ("c", "碳化硅功率模块封装技术路线")])
    assert {h.doc_id for h in idx.search("量子", k=5)} == {"a", "b"}  # without: any 量 or 子
    assert [h.doc_id for h in idx.search("量子", k=5, min_should_match=0.75)] == ["a"]
    assert [h.doc_id for h in idx.search("碳化硅技术路线", k=5, min_should_match=0.75)] == ["c"]
    assert idx.search("zzzz不存在", k=5, min_should_match=0.75) == []
