"""/results and its Atom feed: the announced winners and amounts, nothing sealed or scored."""

import xml.etree.ElementTree as ET

from marketplace.accounts.models import Organisation
from marketplace.awards import service
from marketplace.money import format_wanyuan
from tests import factories as f
from tests.reviews import scenario


def announced(session):
    s = scenario.build(session)
    scenario.start(session, s)
    scenario.assign_and_score(session, s, totals={s.bids[0].id: 9, s.bids[1].id: 7})
    officer = f.actor(session, s.officer)
    service.decide(session=session, actor=officer, challenge_id=s.challenge.id,
                   winning_bid_ids=[s.bids[0].id], reason="")
    service.publish(session=session, actor=officer, challenge_ids=[s.challenge.id], period_days=5)
    return s


def test_results_page_and_feed_show_the_winner_and_amounts_and_no_losing_bid(anon, session):
    s = announced(session)
    session.commit()
    winner = s.bids[0]
    winner_org = session.get(Organisation, s.bids[0].organisation_id).name
    loser_org = session.get(Organisation, s.bids[1].organisation_id).name
    page = anon.get("/results")
    assert page.status_code == 200
    assert s.challenge.title in page.text and winner_org in page.text
    assert format_wanyuan(winner.price_fen) in page.text
    if loser_org != winner_org:
        assert loser_org not in page.text
    assert "揭榜结果" in anon.get("/").text  # in the public navigation

    feed = anon.get("/results/feed.atom")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert any(s.challenge.title in t and winner_org in t for t in titles)
    assert loser_org == winner_org or all(loser_org not in t for t in titles)


def test_results_pages_beyond_the_end_and_odd_pages_are_not_errors(anon):
    for page in ("99999", "-1", "abc", "１"):
        r = anon.get(f"/results?page={page}")
        assert r.status_code == 200
