"""Bid commands against a database session: rules, refusals that write nothing, receipts, audit."""

import pytest
from sqlmodel import func, select

from marketplace.actor import Role
from marketplace.audit.models import AuditEvent
from marketplace.bids import service
from marketplace.bids.models import Bid, BidStatus
from marketplace.bids.schemas import BidIn, ReviewIn
from marketplace.errors import Conflict, Forbidden, InvalidTransition, NotFound, RuleViolation
from marketplace.notifications.models import Kind, Notification
from tests import factories as f
from tests.bids import helpers as h


def counts(session):
    return (session.exec(select(func.count()).select_from(Bid)).one(),
            session.exec(select(func.count()).select_from(AuditEvent)).one(),
            session.exec(select(func.count()).select_from(Notification)).one())


def test_submission_returns_a_receipt_and_tells_the_company_only_that_a_bid_arrived(session):
    w = h.cast(session)
    bid = h.submit(session, w.team, w.profile, w.challenge)
    assert bid.status == BidStatus.SUBMITTED and bid.submitted_at is not None
    assert bid.receipt_hash == service.receipt_hash(session.get(Bid, bid.id))
    assert bid.price_fen == 80_000_000 and bid.budget_subsidy_fen == 16_000_000
    note = session.exec(select(Notification).where(Notification.user_id == w.owner.id)).one()
    assert note.kind == Kind.BID_RECEIVED and note.title == "榜单收到一份新的揭榜方案"
    assert w.profile.name not in note.title + note.body
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.subject_type == "bid",
                                                           AuditEvent.subject_id == str(bid.id))).all()
    assert actions == ["bid.created", "bid.submit"]


def test_resubmission_after_an_edit_replaces_the_receipt(session):
    w = h.cast(session)
    bid = h.submit(session, w.team, w.profile, w.challenge)
    first = bid.receipt_hash
    edited = service.update_bid(session=session, actor=f.actor(session, w.team), bid_id=bid.id,
                                data=BidIn.model_validate(h.payload(w.profile.id, technical_route="新的路线")))
    assert edited.status == BidStatus.SUBMITTED and edited.receipt_hash != first
    assert edited.receipt_hash == service.receipt_hash(edited)


@pytest.mark.parametrize("who, change, error", [
    ("team", {"price_yuan": "1000000.01"}, RuleViolation),
    ("team", {"milestones": [{"title": "x", "due_month": 3, "indicators": ["不存在的指标"]}]}, RuleViolation),
    ("team", {"milestones": [{"title": "x", "due_month": 25, "indicators": []}]}, RuleViolation),
    ("team", {"declare_ownership": False}, RuleViolation),
    ("team", {"declare_no_double_funding": False}, RuleViolation),
    ("team", {"team_id": "other"}, RuleViolation),
    ("team", {"partners": [{"organisation_id": "owner", "share_percent": 10}]}, RuleViolation),
    ("owner", {}, Forbidden),
    ("expert", {}, Forbidden),
    ("officer", {}, Forbidden),
    ("unverified", {}, Forbidden),
    ("own_company_team", {}, Forbidden),
])
def test_refusals_write_nothing(session, who, change, error):
    w = h.cast(session)
    w.unverified = f.user(session, role=Role.TEAM, verified=False)
    w.own_company_team = f.user(session, role=Role.TEAM, org=h._org(session, w.owner))
    user = getattr(w, who)
    profile = w.profile if who == "team" else f.team(session, owner=user)
    if change.get("team_id") == "other":
        change["team_id"] = w.other_profile.id
    if change.get("partners"):
        change["partners"][0]["organisation_id"] = w.owner.organisation_id
    session.commit()
    before = counts(session)
    with pytest.raises(error):
        h.submit(session, user, profile, w.challenge, **change)
    assert counts(session) == before


def test_bidding_after_the_deadline_is_refused_by_the_server_clock(session):
    w = h.cast(session)
    draft = service.create_draft(session=session, actor=f.actor(session, w.team), challenge_id=w.challenge.id,
                                 data=BidIn.model_validate(h.payload(w.profile.id)))
    h.close(session, w.challenge)  # status still "published": the tick has not run
    before = counts(session)
    with pytest.raises(Conflict, match="截止"):
        service.submit(session=session, actor=f.actor(session, w.team), bid_id=draft.id)
    with pytest.raises(Conflict):
        service.withdraw(session=session, actor=f.actor(session, w.team), bid_id=draft.id)
    with pytest.raises(Conflict):
        h.submit(session, w.other_team, w.other_profile, w.challenge)
    assert counts(session) == before


def test_one_live_bid_per_team_and_a_new_one_after_withdrawal(session):
    w = h.cast(session)
    actor = f.actor(session, w.team)
    bid = h.submit(session, w.team, w.profile, w.challenge)
    with pytest.raises(Conflict, match="该团队已有一份有效的揭榜方案"):
        service.create_draft(session=session, actor=actor, challenge_id=w.challenge.id,
                             data=BidIn.model_validate(h.payload(w.profile.id)))
    withdrawn = service.withdraw(session=session, actor=actor, bid_id=bid.id)
    assert withdrawn.status == BidStatus.WITHDRAWN and withdrawn.live_slot is None
    again = service.create_draft(session=session, actor=actor, challenge_id=w.challenge.id,
                                 data=BidIn.model_validate(h.payload(w.profile.id)))
    assert again.id != bid.id and again.live_slot == 1
    with pytest.raises(InvalidTransition):
        service.submit(session=session, actor=actor, bid_id=withdrawn.id)


def test_consortium_partner_shares_must_leave_the_lead_a_share(session):
    w = h.cast(session)
    partner = f.organisation(session, kind="institute")
    ok = h.submit(session, w.team, w.profile, w.challenge,
                  partners=[{"organisation_id": partner.id, "share_percent": 40, "role": "测试"}])
    assert ok.partners == [{"organisation_id": partner.id, "share_percent": 40, "role": "测试"}]
    with pytest.raises(Exception, match="小于 100"):
        BidIn.model_validate(h.payload(w.profile.id, partners=[
            {"organisation_id": partner.id, "share_percent": 60},
            {"organisation_id": w.other_team.organisation_id, "share_percent": 40}]))


def test_mass_assignment_is_refused():
    with pytest.raises(Exception, match="extra"):
        BidIn.model_validate(h.payload(1, status="qualified"))


def test_formal_review_only_after_the_deadline_and_the_team_is_told(session):
    w = h.cast(session)
    bid = h.submit(session, w.team, w.profile, w.challenge)
    officer = f.actor(session, w.officer)
    with pytest.raises(NotFound):  # sealed: the officer may not even know the bid exists yet
        service.review(session=session, actor=officer, bid_id=bid.id, data=ReviewIn(qualified=True))
    h.close(session, w.challenge)
    with pytest.raises(Exception, match="理由"):
        ReviewIn.model_validate({"qualified": False, "reason": ""})
    done = service.review(session=session, actor=officer, bid_id=bid.id,
                          data=ReviewIn(qualified=False, reason="缺少合作协议"))
    assert done.status == BidStatus.DISQUALIFIED and done.review_reason == "缺少合作协议"
    note = session.exec(select(Notification).where(Notification.user_id == w.team.id,
                                                   Notification.kind == Kind.REVIEW_OUTCOME)).one()
    assert "未通过" in note.title
    with pytest.raises(InvalidTransition):
        service.review(session=session, actor=officer, bid_id=bid.id, data=ReviewIn(qualified=True))
    with pytest.raises(Forbidden):
        service.review(session=session, actor=f.actor(session, w.owner), bid_id=bid.id,
                       data=ReviewIn(qualified=True))
