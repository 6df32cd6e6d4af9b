"""Issue 13.3 and 13.5: files chosen in the challenge and bid creation forms are stored with the record in one
transaction (the same checks as the detail-page upload; nothing half-written on error), and the 补正 window:
the officer opens it on a disqualified bid, the team hands in the missing documents within it (refused in
Chinese after it), the officer reviews again."""

from datetime import timedelta

import pytest
import time_machine
from sqlmodel import select

from marketplace.actor import Role
from marketplace.audit.models import AuditEvent
from marketplace.bids import service, supplements
from marketplace.bids.models import Bid, BidAttachment
from marketplace.bids.schemas import ReviewIn, SupplementRequestIn
from marketplace.challenges.models import Attachment, Challenge
from marketplace.clock import to_shanghai, utcnow
from marketplace.errors import Conflict, Forbidden, InvalidTransition, NotFound, RuleViolation
from marketplace.notifications.models import Notification
from tests import factories as f
from tests.bids import helpers as h
from tests.bids.test_bid_pages import form as bid_form
from tests.challenges.test_pages import form_fields

PDF = ("方案说明.pdf", b"%PDF-1.7 test document", "application/pdf")


def _stored(client):
    """The files in the uploads folder (shared by the tests of a run: compare before and after)."""
    folder = client.app.state.settings.uploads_dir
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


# ---------------------------------------------------------------- attachments in the creation forms
def test_a_bid_saved_with_files_keeps_them_and_its_team_downloads_them(client, session):
    w = h.cast(session)
    f.login(client, session, w.team)
    r = client.post(f"/challenges/{w.challenge.id}/bid", data=bid_form(f.csrf(client), w.profile.id, action="draft"),
                    files=[("attachments", PDF), ("attachments", ("预算.xlsx", b"PK\x03\x04data", "application/zip"))],
                    follow_redirects=False)
    assert r.status_code == 303
    bid = session.exec(select(Bid)).one()
    files = session.exec(select(BidAttachment).where(BidAttachment.bid_id == bid.id)).all()
    assert sorted(a.filename for a in files) == ["方案说明.pdf", "预算.xlsx"]
    detail = client.get(f"/bids/{bid.id}").text
    assert "方案说明.pdf" in detail
    got = client.get(f"/bids/{bid.id}/attachments/{files[0].id}")
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    f.login(client, session, w.other_team)
    assert client.get(f"/bids/{bid.id}/attachments/{files[0].id}").status_code == 404  # sealed like the bid


@pytest.mark.parametrize("bad", [("报告\u202efdp.exe.pdf", b"%PDF-1.7", "application/pdf"),
                                 ("tool.exe", b"MZ...", "application/octet-stream"),
                                 ("假的.pdf", b"not a pdf", "application/pdf")])
def test_a_bad_file_in_the_bid_form_saves_neither_bid_nor_files(client, session, bad):
    w = h.cast(session)
    f.login(client, session, w.team)
    before = _stored(client)
    r = client.post(f"/challenges/{w.challenge.id}/bid", data=bid_form(f.csrf(client), w.profile.id, action="submit"),
                    files=[("attachments", PDF), ("attachments", bad)])
    assert r.status_code == 422 and "附件" in r.text and "铜夹片烧结路线" in r.text  # the typed content is kept
    assert session.exec(select(Bid)).all() == [] and session.exec(select(BidAttachment)).all() == []
    assert _stored(client) == before


def test_a_failing_bid_save_removes_the_files_already_written(client, session):
    w = h.cast(session)
    f.login(client, session, w.team)
    data = bid_form(f.csrf(client), w.profile.id, action="submit", price_yuan="9000000000")  # over the amount
    before = _stored(client)
    r = client.post(f"/challenges/{w.challenge.id}/bid", data=data, files=[("attachments", PDF)])
    assert r.status_code == 422 and "请修改后重新选择附件" in r.text
    assert session.exec(select(Bid)).all() == [] and _stored(client) == before


def test_the_challenge_form_saves_files_with_the_new_challenge_or_nothing(client, session):
    company = f.user(session, role=Role.COMPANY)
    f.login(client, session, company)
    assert 'name="attachments"' in client.get("/challenges/new").text
    data = {"csrf_token": f.csrf(client), **form_fields(f.challenge_data()), "action": "submit"}
    before = _stored(client)
    rlo = ("attachments", ("x\u202ey.pdf", b"%PDF-1.7", "application/pdf"))
    bad = client.post("/challenges", data=data, files=[("attachments", PDF), rlo])
    assert bad.status_code == 422 and "方向控制字符" in bad.text, bad.text[bad.text.find("flash-error"):][:300]
    assert session.exec(select(Challenge)).all() == [] and _stored(client) == before
    data["csrf_token"] = f.csrf(client)
    data["form_token"] = "t-" + "x" * 30
    r = client.post("/challenges", data=data, files=[("attachments", PDF)], follow_redirects=False)
    assert r.status_code == 303
    challenge = session.exec(select(Challenge)).one()
    assert challenge.status == "submitted"
    assert [a.filename for a in session.exec(select(Attachment)).all()] == ["方案说明.pdf"]
    assert len(_stored(client) - before) == 1


# ---------------------------------------------------------------- 补正
def _disqualified(session, w):
    bid = h.submit(session, w.team, w.profile, w.challenge)
    h.close(session, w.challenge)
    service.review(session=session, actor=f.actor(session, w.officer), bid_id=bid.id,
                   data=ReviewIn(qualified=False, reason="缺少单位资质证明"))
    return bid


def _local(delta: timedelta) -> str:
    return to_shanghai(utcnow() + delta).strftime("%Y-%m-%dT%H:%M")


def test_the_supplement_round_trip_through_the_pages(client, session):
    w = h.cast(session)
    bid = _disqualified(session, w)
    f.login(client, session, w.officer)
    page = client.get(f"/officer/challenges/{w.challenge.id}/review").text
    assert f'id="supplement-{bid.id}"' in page
    r = client.post(f"/officer/bids/{bid.id}/supplement-request", follow_redirects=False,
                    data={"csrf_token": f.csrf(client), "deadline": _local(timedelta(days=3)), "note": "单位资质证明"})
    assert r.status_code == 303
    session.refresh(bid)
    assert bid.status == "supplementing" and bid.supplement_note == "单位资质证明"
    notes = session.exec(select(Notification).where(Notification.user_id == w.team.id)).all()
    assert any("补正" in n.title for n in notes)
    f.login(client, session, w.team)
    detail = client.get(f"/bids/{bid.id}").text
    assert "单位资质证明" in detail and f'action="/bids/{bid.id}/supplement"' in detail
    r = client.post(f"/bids/{bid.id}/supplement", data={"csrf_token": f.csrf(client)},
                    files=[("attachments", ("资质证明.pdf", b"%PDF-1.7 licence", "application/pdf"))],
                    follow_redirects=False)
    assert r.status_code == 303
    session.refresh(bid)
    assert bid.status == "supplemented"
    assert [a.supplement for a in session.exec(select(BidAttachment)).all()] == [True]
    f.login(client, session, w.officer)
    page = client.get(f"/officer/challenges/{w.challenge.id}/review").text
    assert "资质证明.pdf" in page and 'value="qualify"' in page
    client.post(f"/officer/bids/{bid.id}/review", data={"csrf_token": f.csrf(client), "decision": "qualify",
                                                          "confirm": "1"})
    session.refresh(bid)
    assert bid.status == "qualified"
    actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.subject_type == "bid",
                                                                        AuditEvent.subject_id == str(bid.id))).all()]
    assert {"bid.request_supplement", "bid.supplement", "bid.attachment_added", "bid.qualify"} <= set(actions)


def test_after_the_window_the_team_is_refused_in_chinese_and_nothing_is_written(client, session):
    w = h.cast(session)
    bid = _disqualified(session, w)
    supplements.request(session=session, actor=f.actor(session, w.officer), bid_id=bid.id,
                        data=SupplementRequestIn(deadline=utcnow() + timedelta(hours=1), note="资质证明"))
    f.login(client, session, w.team)
    headers = {"X-CSRFToken": f.csrf(client)}
    before = _stored(client)
    with time_machine.travel(utcnow() + timedelta(hours=1, minutes=1)):
        r = client.post(f"/api/v1/bids/{bid.id}/supplement", headers=headers,
                        files=[("file", ("资质证明.pdf", b"%PDF-1.7 licence", "application/pdf"))])
        assert r.status_code == 409 and "补正期限已过" in r.json()["error"]["message"]
        page = client.post(f"/bids/{bid.id}/supplement", data={"csrf_token": f.csrf(client)},
                           files=[("attachments", ("资质证明.pdf", b"%PDF-1.7 licence", "application/pdf"))])
        assert "补正期限已过" in page.text
        assert "补正期限已过" in client.get(f"/bids/{bid.id}").text
    session.refresh(bid)
    assert bid.status == "supplementing"
    assert session.exec(select(BidAttachment)).all() == [] and _stored(client) == before


def test_who_may_open_and_use_a_supplement_window(session, tmp_path):
    w = h.cast(session)
    bid = _disqualified(session, w)
    data = SupplementRequestIn(deadline=utcnow() + timedelta(days=2), note="资质证明")
    with pytest.raises(Forbidden):
        supplements.request(session=session, actor=f.actor(session, w.team), bid_id=bid.id, data=data)
    with pytest.raises(RuleViolation):
        supplements.request(session=session, actor=f.actor(session, w.officer), bid_id=bid.id,
                            data=SupplementRequestIn(deadline=utcnow() - timedelta(minutes=1), note="资质证明"))
    with pytest.raises(RuleViolation):
        supplements.request(session=session, actor=f.actor(session, w.officer), bid_id=bid.id,
                            data=SupplementRequestIn(deadline=utcnow() + timedelta(days=31), note="资质证明"))
    supplements.request(session=session, actor=f.actor(session, w.officer), bid_id=bid.id, data=data)
    with pytest.raises((Conflict, InvalidTransition)):  # already open
        supplements.request(session=session, actor=f.actor(session, w.officer), bid_id=bid.id, data=data)
    upload = [supplements.Upload(filename="a.pdf", data=b"%PDF-1.7")]
    uploads_dir = tmp_path / "uploads"
    with pytest.raises(NotFound):  # another team cannot even see the bid
        supplements.supplement(session=session, actor=f.actor(session, w.other_team), bid_id=bid.id,
                               uploads=upload, uploads_dir=uploads_dir, max_bytes=10_000)
    with pytest.raises(RuleViolation):  # nothing chosen
        supplements.supplement(session=session, actor=f.actor(session, w.team), bid_id=bid.id, uploads=[],
                               uploads_dir=uploads_dir, max_bytes=10_000)


def test_a_qualified_bid_cannot_be_sent_to_supplement(client, session):
    w = h.cast(session)
    bid = h.submit(session, w.team, w.profile, w.challenge)
    h.close(session, w.challenge)
    service.review(session=session, actor=f.actor(session, w.officer), bid_id=bid.id, data=ReviewIn(qualified=True))
    f.login(client, session, w.officer)
    r = client.post(f"/api/v1/bids/{bid.id}/supplement-request", headers={"X-CSRFToken": f.csrf(client)},
                    json={"deadline": (utcnow() + timedelta(days=2)).isoformat(), "note": "资质证明"})
    assert r.status_code == 409
