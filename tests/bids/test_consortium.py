"""Issue 13.5: consortium partners (创新联合体) are told and confirm their participation and share before
the bid counts as a consortium bid; a partner may decline (the bidding team is told). Role matrix through
the API, the pages without JavaScript, re-submission asking again, and 50 simultaneous confirmations."""

import pytest
from sqlmodel import select

from marketplace.actor import Role
from marketplace.audit.models import AuditEvent
from marketplace.bids import partners, service
from marketplace.bids import stats as bid_stats
from marketplace.bids.models import PartnerConfirmation
from marketplace.bids.schemas import BidIn, PartnerAnswerIn
from marketplace.challenges.stats import StatsFilter
from marketplace.notifications.models import Notification
from tests import factories as f
from tests.bids import helpers as h


def _world(session):
    w = h.cast(session)
    w.partner_org = f.organisation(session, kind="university")
    w.partner_company = f.user(session, role=Role.COMPANY, org=w.partner_org)
    w.partner_lab = f.user(session, role=Role.TEAM, org=w.partner_org)
    w.partner_expert = f.user(session, role=Role.EXPERT, org=w.partner_org)
    w.partner_unverified = f.user(session, role=Role.TEAM, org=f.organisation(session, verified=False))
    return w


def _submit(session, w, share=30, bid_id=None, **kw):
    data = h.payload(w.profile.id, partners=[{"organisation_id": w.partner_org.id, "share_percent": share,
                                              "role": "可靠性测试"}], **kw)
    bid = service.save(session=session, actor=f.actor(session, w.team), challenge_id=w.challenge.id,
                       data=BidIn(**data), submit=bid_id is None, bid_id=bid_id)
    return bid, session.exec(select(PartnerConfirmation).where(PartnerConfirmation.bid_id == bid.id)).one()


def _notes(session, user):
    return [n.title for n in session.exec(select(Notification).where(Notification.user_id == user.id)).all()]


def test_named_partners_are_told_and_the_bid_shows_pending_until_they_confirm(client, session):
    w = _world(session)
    bid, row = _submit(session, w)
    assert row.status == "pending" and row.share_percent == 30
    assert any("创新联合体合作单位" in t for t in _notes(session, w.partner_company))
    assert any("创新联合体合作单位" in t for t in _notes(session, w.partner_lab))
    f.login(client, session, w.team)
    assert "待确认" in client.get(f"/bids/{bid.id}").text
    h.close(session, w.challenge)
    w.challenge.status = "closed"  # opened: the consortium would now be counted
    session.add(w.challenge)
    session.commit()
    assert bid_stats.participation(session, StatsFilter())["consortium_bids"] == 0  # not confirmed yet
    partners.answer(session=session, actor=f.actor(session, w.partner_lab), confirmation_id=row.id,
                    data=PartnerAnswerIn(confirm=True))
    assert bid_stats.participation(session, StatsFilter())["consortium_bids"] == 1
    assert any("确认参与" in t for t in _notes(session, w.team))
    page = client.get(f"/bids/{bid.id}").text
    assert "已确认" in page and "各合作单位确认参与及份额后" not in page


def test_the_partner_page_confirms_and_declines_without_javascript(client, session):
    w = _world(session)
    bid, row = _submit(session, w)
    f.login(client, session, w.partner_company)
    page = client.get("/partner-requests").text
    assert w.challenge.title in page and "30%" in page and 'value="confirm"' in page
    r = client.post(f"/partner-requests/{row.id}", data={"csrf_token": f.csrf(client), "decision": "decline",
                                                         "reason": "   "}, follow_redirects=False)
    assert r.status_code == 303
    session.refresh(row)
    assert row.status == "pending"  # a decline needs a reason: nothing written
    assert "拒绝时请填写理由" in client.get("/partner-requests").text
    r = client.post(f"/partner-requests/{row.id}", data={"csrf_token": f.csrf(client), "decision": "decline",
                                                         "reason": "份额与前期沟通不一致"}, follow_redirects=False)
    assert r.status_code == 303
    session.refresh(row)
    assert row.status == "declined" and row.reason == "份额与前期沟通不一致"
    assert any("拒绝参与" in t for t in _notes(session, w.team))
    f.login(client, session, w.team)
    assert "有合作单位拒绝" in client.get(f"/bids/{bid.id}").text


# who → expected API status of a confirmation (200 confirmed; 403 refused; 404 cannot even see it)
MATRIX = {"partner_company": 200, "partner_lab": 200, "team": 403, "officer": 403, "other_company": 404,
          "other_team": 404, "partner_expert": 404, "partner_unverified": 404, "owner": 404}


@pytest.mark.parametrize("who", MATRIX)
def test_who_may_answer_a_partner_request(client, session, who):
    w = _world(session)
    _, row = _submit(session, w)
    f.login(client, session, getattr(w, who))
    r = client.post(f"/api/v1/partner-requests/{row.id}/answer", json={"confirm": True},
                    headers={"X-CSRFToken": f.csrf(client)})
    assert r.status_code == MATRIX[who], r.text
    session.refresh(row)
    assert (row.status == "confirmed") is (MATRIX[who] == 200)
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "bid_partner.confirm")).all()
    assert len(events) == (1 if MATRIX[who] == 200 else 0)


def test_answering_twice_or_after_withdrawal_is_a_conflict(client, session):
    w = _world(session)
    bid, row = _submit(session, w)
    f.login(client, session, w.partner_lab)
    url, headers = f"/api/v1/partner-requests/{row.id}/answer", {"X-CSRFToken": f.csrf(client)}
    assert client.post(url, json={"confirm": True}, headers=headers).status_code == 200
    r = client.post(url, json={"confirm": False, "reason": "改变主意"}, headers=headers)
    assert r.status_code == 409
    listed = client.get("/api/v1/partner-requests").json()
    assert [(x["id"], x["status"], x["share_percent"]) for x in listed] == [(row.id, "confirmed", 30)]
    w2 = _world(session)
    bid2, row2 = _submit(session, w2)
    service.withdraw(session=session, actor=f.actor(session, w2.team), bid_id=bid2.id)
    f.login(client, session, w2.partner_lab)
    r = client.post(f"/api/v1/partner-requests/{row2.id}/answer", json={"confirm": True},
                    headers={"X-CSRFToken": f.csrf(client)})
    assert r.status_code == 409 and "撤回" in r.text


def test_a_resubmission_with_a_changed_share_asks_again_and_a_removed_partner_goes(session):
    w = _world(session)
    bid, row = _submit(session, w, share=30)
    partners.answer(session=session, actor=f.actor(session, w.partner_lab), confirmation_id=row.id,
                    data=PartnerAnswerIn(confirm=True))
    _, row = _submit(session, w, share=40, bid_id=bid.id)  # re-submission with another share
    assert row.status == "pending" and row.share_percent == 40 and row.decided_at is None
    assert sum("调整了贵单位的份额" in t for t in _notes(session, w.partner_lab)) == 1
    service.save(session=session, actor=f.actor(session, w.team), challenge_id=w.challenge.id,
                 data=BidIn(**h.payload(w.profile.id)), bid_id=bid.id)
    assert session.exec(select(PartnerConfirmation)).all() == []


def test_partner_events_in_the_audit_log_stay_sealed_with_the_bid(session):
    from marketplace.audit import queries as audit_queries
    from marketplace.bids import queries as bid_queries
    from marketplace.clock import utcnow

    w = _world(session)
    _submit(session, w)
    officer = f.actor(session, w.officer)

    def shown():
        now = utcnow()
        readable = {"bid": bid_queries.readable_ids(actor=officer, now=now),
                    "bid_partner": bid_queries.readable_partner_ids(actor=officer, now=now)}
        rows, _ = audit_queries.recent(session=session, readable=readable)
        return [e.action for e in rows if e.subject_type == "bid_partner"]

    assert shown() == []  # before the deadline: nothing says who bids with whom
    h.close(session, w.challenge)
    assert shown() == ["bid_partner.requested"]
