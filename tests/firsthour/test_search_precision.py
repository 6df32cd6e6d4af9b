"""Search that finds (issue 13.1): minimum-should-match on the demo data, measured.

Precision = relevant results / results returned, over every labelled query. Figures (README):
before = the same index without minimum-should-match, after = the hall's search.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from marketplace import demo
from marketplace.challenges import queries
from marketplace.challenges.models import Challenge
from marketplace.clock import utcnow
from marketplace.search import index as search_index
from tests.firsthour.search_labels import ALSO_RELEVANT, NOTHING, OWN_KEYWORDS, SIC


@pytest.fixture
def demo_titles(session):
    demo.load(session=session)
    return {c.title: c.id for c in session.exec(select(Challenge)).all()}


def _hall(session, q: str) -> list[int]:
    flt = queries.ChallengeFilter.from_params({"q": q})
    flt.page_size = 50
    return [c.id for c in queries.search_public(session=session, flt=flt, now=utcnow()).items]


def _without_min_match(session, q: str) -> list[int]:
    idx = search_index.index(session)
    hits = idx.search(q, k=50, allowed=idx.doc_ids("challenge:"))
    return [int(h.doc_id.split(":")[1]) for h in hits]


def figures(session, titles: dict[str, int], search) -> dict[str, float]:  # noqa: ANN001
    returned = relevant = found = first = 0
    for q, title in OWN_KEYWORDS.items():
        ids = search(session, q)
        good = {titles[title]} | {titles[t] for t in ALSO_RELEVANT.get(q, ()) if t in titles}
        returned += len(ids)
        relevant += sum(i in good for i in ids)
        found += titles[title] in ids
        first += bool(ids) and ids[0] in good
    empty = sum(not search(session, q) for q in NOTHING)
    returned += sum(len(search(session, q)) for q in NOTHING)
    return {"precision": relevant / returned if returned else 1.0, "recall": found / len(OWN_KEYWORDS),
            "first": first / len(OWN_KEYWORDS), "nothing_empty": empty / len(NOTHING)}


def test_search_precision_on_the_demo_data_before_and_after(session, demo_titles):
    before = figures(session, demo_titles, _without_min_match)
    after = figures(session, demo_titles, _hall)
    print(f"\nsearch figures before {before}\nsearch figures after  {after}")
    assert after["recall"] == 1.0 and after["first"] == 1.0  # every challenge found by its own keywords
    assert after["nothing_empty"] == 1.0  # "没有找到" for every query that matches no challenge
    assert after["precision"] >= 0.9
    assert before["precision"] < 0.3 and before["nothing_empty"] < 0.5  # what minimum-should-match fixed


def test_a_sic_challenge_comes_first_for_its_keyword_and_zzzz_finds_nothing_in_the_hall(client, session,
                                                                                        demo_titles):
    sic = {demo_titles[t] for t in ("车规级碳化硅功率模块低热阻封装技术攻关", *SIC)}
    page = client.get("/challenges", params={"q": "碳化硅"}).text
    assert f'href="/challenges/{demo_titles["车规级碳化硅功率模块低热阻封装技术攻关"]}"' in page
    assert "按相关度排序" in page
    assert _hall(session, "碳化硅")[0] in sic
    empty = client.get("/challenges", params={"q": "zzzz不存在"})
    assert empty.status_code == 200 and "没有找到与“zzzz不存在”相关的榜单" in empty.text
    assert "浏览全部榜单" in empty.text
