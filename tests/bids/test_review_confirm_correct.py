"""Formal review asks for confirmation (a page, no JavaScript), can be corrected with a reason before expert
review starts (audited, the team told), and the approving button is not red (issue 13)."""

from sqlmodel import select

from marketplace.audit.models import AuditEvent
from marketplace.bids.models import Bid, BidStatus
from marketplace.notifications.models import Notification
from tests import factories as f
from tests.bids import helpers as h


def test_the_decision_waits_for_confirmation_and_can_be_corrected_with_a_reason(client, session):
    w = h.cast(session)
    bid = h.submit(session, w.team, w.profile, w.challenge)
    h.close(session, w.challenge)
    f.login(client, session, w.officer)
    review = client.get(f"/officer/challenges/{w.challenge.id}/review").text
    qualify = review[review.index('value="qualify"') - 60:review.index('value="qualify"')]
    assert "btn-ok" in qualify and "btn-danger" not in qualify  # 通过 is not red

    first = client.post(f"/officer/bids/{bid.id}/review", data={"csrf_token": f.csrf(client), "decision": "qualify"})
    assert first.status_code == 200 and 'id="review-confirm"' in first.text and "确认提交" in first.text
    assert 'name="confirm" value="1"' in first.text
    session.refresh(bid)
    assert bid.status == BidStatus.SUBMITTED  # nothing written yet
    client.post(f"/officer/bids/{bid.id}/review",
                data={"csrf_token": f.csrf(client), "decision": "qualify", "confirm": "1"})
    session.refresh(bid)
    assert bid.status == BidStatus.QUALIFIED

    page = client.get(f"/officer/challenges/{w.challenge.id}/review").text
    assert f"/officer/bids/{bid.id}/review/correction" in page and "更正为不通过" in page
    no_reason = client.post(f"/officer/bids/{bid.id}/review/correction",
                            data={"csrf_token": f.csrf(client), "decision": "disqualify", "reason": " ",
                                  "confirm": "1"}, follow_redirects=True)
    assert "更正形式审查结论必须填写理由" in no_reason.text
    asked = client.post(f"/officer/bids/{bid.id}/review/correction",
                        data={"csrf_token": f.csrf(client), "decision": "disqualify", "reason": "缺少盖章的承诺书"})
    assert 'id="review-confirm"' in asked.text and "原结论" in asked.text
    session.refresh(bid)
    assert bid.status == BidStatus.QUALIFIED
    client.post(f"/officer/bids/{bid.id}/review/correction",
                data={"csrf_token": f.csrf(client), "decision": "disqualify", "reason": "缺少盖章的承诺书",
                      "confirm": "1"})
    session.refresh(bid)
    assert bid.status == BidStatus.DISQUALIFIED and bid.review_reason == "缺少盖章的承诺书"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "bid.correct_review",
                                                  AuditEvent.subject_id == str(bid.id))).one()
    assert event.summary["reason"] == "缺少盖章的承诺书" and event.summary["before"] == "qualified"
    told = session.exec(select(Notification).where(Notification.title.like("形式审查结论已更正%"))).all()
    assert told and "缺少盖章的承诺书" in told[0].body


def test_no_correction_once_expert_review_started_nor_to_the_same_conclusion(client, session):
    w = h.cast(session)
    bid = h.submit(session, w.team, w.profile, w.challenge)
    h.close(session, w.challenge)
    f.login(client, session, w.officer)
    client.post(f"/officer/bids/{bid.id}/review",
                data={"csrf_token": f.csrf(client), "decision": "qualify", "confirm": "1"})
    client.cookies.clear()
    from tests.web.test_join_organisation import bearer

    headers = bearer(session, w.officer)
    same = client.post(f"/api/v1/bids/{bid.id}/review/correction", json={"qualified": True, "reason": "复核"},
                       headers=headers)
    assert same.status_code == 409
    assert client.post(f"/api/v1/bids/{bid.id}/review/correction", json={"qualified": False},
                       headers=headers).status_code == 422
    w.challenge.status = "in_review"
    session.add(w.challenge)
    session.commit()
    late = client.post(f"/api/v1/bids/{bid.id}/review/correction", json={"qualified": False, "reason": "复核"},
                       headers=headers)
    assert late.status_code == 409 and "专家评审" in late.json()["error"]["message"]
    assert session.get(Bid, bid.id).status == BidStatus.QUALIFIED
