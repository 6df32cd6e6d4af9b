"""Issue 13.5: "密封" is shown while a bid is sealed and disappears once the bids are opened."""

from marketplace.bids import service
from marketplace.bids.schemas import BidIn
from tests import factories as f
from tests.bids import helpers as h


def _submitted(session, w):
    bid = service.save(session=session, actor=f.actor(session, w.team), challenge_id=w.challenge.id,
                       data=BidIn(**h.payload(w.profile.id)), submit=True)
    return bid


def test_the_sealed_label_shows_before_the_deadline_only(client, session):
    w = h.cast(session)
    bid = _submitted(session, w)
    f.login(client, session, w.team)
    for url in (f"/bids/{bid.id}", "/bids/mine", f"/challenges/{w.challenge.id}"):
        assert "已提交（密封）" in client.get(url).text, url
    assert 'id="sealed-note"' in client.get(f"/bids/{bid.id}").text
    h.close(session, w.challenge)
    for url in (f"/bids/{bid.id}", "/bids/mine", f"/challenges/{w.challenge.id}"):
        page = client.get(url).text
        assert "已提交（密封）" not in page and "已提交" in page, url
    detail = client.get(f"/bids/{bid.id}").text
    assert "发榜企业与科技局均无法查看" not in detail and 'id="opened-note"' in detail


def test_the_company_reading_an_opened_bid_sees_no_sealed_wording(client, session):
    w = h.cast(session)
    bid = _submitted(session, w)
    h.close(session, w.challenge)
    f.login(client, session, w.owner)
    page = client.get(f"/bids/{bid.id}").text
    assert "密封" not in page.split("<main")[-1] and "氮化硅AMB基板" in page
