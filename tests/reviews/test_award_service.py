"""Award services: opinion, decision rules, 公示 batches in working days, objections, finalising, feedback."""

from datetime import datetime

import pytest
import time_machine
from sqlmodel import func, select

from marketplace.audit.models import AuditEvent
from marketplace.awards import queries, service
from marketplace.awards.models import AwardDecision, Objection
from marketplace.challenges.models import Challenge
from marketplace.clock import SHANGHAI
from marketplace.errors import Conflict, Forbidden, RuleViolation
from marketplace.notifications.models import Notification
from tests import factories as f
from tests.reviews import scenario


def count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def scored(session, **kw):
    s = scenario.build(session, **kw)
    scenario.start(session, s)
    scenario.assign_and_score(session, s, totals={s.bids[0].id: 9, s.bids[1].id: 7})
    return s


def status(session, s) -> str:
    session.expire_all()
    return session.get(Challenge, s.challenge.id).status


@pytest.mark.parametrize(("winners", "reason", "field"), [
    ("second", "", "reason"),                 # against the ranking without a reason
    ("second", "更好", "reason"),              # a reason shorter than 10 characters
    ("disqualified", "理由" * 10, "winning_bid_ids"),
    ("foreign", "理由" * 10, "winning_bid_ids"),
    ("both", "理由" * 10, "winning_bid_ids"),  # two winners on a single-winner challenge
    ("none", "理由" * 10, "winning_bid_ids"),
])
def test_a_bad_decision_is_refused_and_nothing_written(session, winners, reason, field):
    s = scored(session)
    other = f.bid(session, challenge=f.challenge(session, status="in_review"), status="qualified")
    ids = {"second": [s.bids[1].id], "disqualified": [s.disqualified.id], "foreign": [other.id],
           "both": [s.bids[0].id, s.bids[1].id], "none": []}[winners]
    events = count(session, AuditEvent)
    with pytest.raises(RuleViolation) as caught:
        service.decide(session=session, actor=f.actor(session, s.officer), challenge_id=s.challenge.id,
                       winning_bid_ids=ids, reason=reason)
    assert field in caught.value.fields
    assert count(session, AwardDecision) == 0 and count(session, AuditEvent) == events
    assert status(session, s) == "in_review"


def test_a_decision_against_the_ranking_keeps_reason_and_ranking_in_one_audit_event(session):
    s = scored(session)
    officer = f.actor(session, s.officer)
    row = service.decide(session=session, actor=officer, challenge_id=s.challenge.id,
                         winning_bid_ids=[s.bids[1].id], reason="企业意见：第二名方案产线适配性更好，成本更低")
    assert not row.follows_ranking and status(session, s) == "decided"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "challenge.decide")).one()
    assert event.summary["computed_ranking"][0]["bid_id"] == s.bids[0].id
    assert event.summary["reason"].startswith("企业意见")
    with pytest.raises(Conflict):
        service.decide(session=session, actor=officer, challenge_id=s.challenge.id,
                       winning_bid_ids=[s.bids[0].id], reason="")


def test_the_company_gives_an_opinion_once_and_sees_no_scores(session):
    s = scored(session)
    company = f.actor(session, s.company)
    rows, _ = queries.shortlist(session=session, actor=company, challenge_id=s.challenge.id)
    assert [r.bid_id for r in rows] == [s.bids[0].id, s.bids[1].id]
    assert not any(hasattr(r, "score") for r in rows)
    service.give_opinion(session=session, actor=company, challenge_id=s.challenge.id,
                         preferred_bid_ids=[s.bids[1].id], opinion="倾向第二名，产线适配性好")
    with pytest.raises(Conflict):
        service.give_opinion(session=session, actor=company, challenge_id=s.challenge.id,
                             preferred_bid_ids=[], opinion="再次提出意见")
    with pytest.raises(Forbidden):
        service.give_opinion(session=session, actor=f.actor(session, s.teams[0]), challenge_id=s.challenge.id,
                             preferred_bid_ids=[], opinion="我们也想提意见")


@pytest.mark.parametrize("days", [0, 100, -1, True])
def test_a_publication_period_outside_1_to_30_working_days_is_refused(session, days):
    s = scored(session)
    officer = f.actor(session, s.officer)
    service.decide(session=session, actor=officer, challenge_id=s.challenge.id, winning_bid_ids=[s.bids[0].id],
                   reason="")
    with pytest.raises(RuleViolation):
        service.publish(session=session, actor=officer, challenge_ids=[s.challenge.id], period_days=days)
    assert status(session, s) == "decided"


def bj(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_the_window_counts_working_days_across_the_national_day_holiday_with_a_frozen_clock(session):
    """G2: published Mon 2026-09-28 with 5 working days → ends Sat 2026-10-10 (adjusted working day)."""
    with time_machine.travel(bj(2026, 9, 28, 10, 0), tick=False):
        s = scored(session)
        officer = f.actor(session, s.officer)
        service.decide(session=session, actor=officer, challenge_id=s.challenge.id,
                       winning_bid_ids=[s.bids[0].id], reason="")
        batch = service.publish(session=session, actor=officer, challenge_ids=[s.challenge.id])
    assert batch.ends_on.isoformat() == "2026-10-10" and not batch.provisional
    objector = f.actor(session, s.outsider)
    with time_machine.travel(bj(2026, 10, 10, 23, 59, 59), tick=False):
        objection = service.lodge_objection(session=session, actor=objector, challenge_id=s.challenge.id,
                                            reasons="中选单位的业绩证明材料与事实不符，请核查")
        assert service.finalise_due(session=session) == []
    with time_machine.travel(bj(2026, 10, 11, 0, 0, 1), tick=False):
        with pytest.raises(Conflict, match="公示期已结束"):
            service.lodge_objection(session=session, actor=objector, challenge_id=s.challenge.id,
                                    reasons="迟到的异议，理由同上，请核查")
        assert service.finalise_due(session=session) == []  # an objection is still standing
        service.answer_objection(session=session, actor=officer, objection_id=objection.id, upheld=False,
                                 answer="经核查，业绩证明材料真实有效，异议不成立")
        assert service.finalise_due(session=session) == [s.challenge.id]
        assert service.finalise_due(session=session) == []  # exactly once
    assert status(session, s) == "awarded"
    assert count(session, AuditEvent, AuditEvent.action == "challenge.finalise") == 1
    told = session.exec(select(Notification.user_id).where(Notification.kind == "awarded")).all()
    assert {s.company.id, *(t.id for t in s.teams)} <= set(told)
    answered = session.exec(select(Notification).where(Notification.kind == "objection_answered")).one()
    assert answered.user_id == s.outsider.id and "异议不成立" in answered.body


def test_the_scheduler_tick_finalises_an_ended_window(session):
    from marketplace import scheduler

    with time_machine.travel(bj(2026, 12, 3, 9, 0), tick=False):
        s = scored(session)
        officer = f.actor(session, s.officer)
        service.decide(session=session, actor=officer, challenge_id=s.challenge.id,
                       winning_bid_ids=[s.bids[0].id], reason="")
        service.publish(session=session, actor=officer, challenge_ids=[s.challenge.id], period_days=5)
    last_day = scheduler.tick(session=session, now=bj(2026, 12, 10, 23, 59, 59))  # G1: ends Thu 12-10
    assert last_day.awarded == [] and status(session, s) == "announced"  # the whole last day is still open
    report = scheduler.tick(session=session, now=bj(2026, 12, 11, 0, 0, 1))
    assert report.awarded == [s.challenge.id]


@pytest.mark.parametrize("stage", ["in_review", "decided"])
def test_an_upheld_objection_reopens_the_named_stage(session, stage):
    s = scored(session)
    officer = f.actor(session, s.officer)
    service.decide(session=session, actor=officer, challenge_id=s.challenge.id, winning_bid_ids=[s.bids[0].id],
                   reason="")
    service.publish(session=session, actor=officer, challenge_ids=[s.challenge.id])
    objection = service.lodge_objection(session=session, actor=f.actor(session, s.teams[1]),
                                        challenge_id=s.challenge.id, reasons="评审专家与中选单位存在合作关系")
    with pytest.raises(RuleViolation):  # upheld must name the stage
        service.answer_objection(session=session, actor=officer, objection_id=objection.id, upheld=True,
                                 answer="经核查属实，异议成立", reopens="")
    service.answer_objection(session=session, actor=officer, objection_id=objection.id, upheld=True,
                             answer="经核查属实，异议成立", reopens=stage)
    assert status(session, s) == stage
    assert session.get(Objection, objection.id).status == "upheld"
    assert queries.announcements(session=session) == []
    if stage == "in_review":  # the decision was revoked: a new one (round 2) can be taken
        row = service.decide(session=session, actor=officer, challenge_id=s.challenge.id,
                             winning_bid_ids=[s.bids[0].id], reason="")
        assert row.round == 2
    else:
        service.publish(session=session, actor=officer, challenge_ids=[s.challenge.id])
        assert status(session, s) == "announced"


def test_every_unsuccessful_bidder_gets_feedback_after_the_announcement_only(session):
    s = scored(session)
    officer = f.actor(session, s.officer)
    loser = f.actor(session, s.teams[1])
    service.decide(session=session, actor=officer, challenge_id=s.challenge.id, winning_bid_ids=[s.bids[0].id],
                   reason="")
    with pytest.raises(Conflict):
        queries.feedback(session=session, actor=loser, challenge_id=s.challenge.id)
    service.publish(session=session, actor=officer, challenge_ids=[s.challenge.id])
    fb = queries.feedback(session=session, actor=loser, challenge_id=s.challenge.id)
    assert (fb.won, fb.band, fb.rank, fb.of) == (False, "C", 2, 2)
    assert fb.comments == ["意见"]
    results = queries.announcements(session=session)
    assert [r.challenge_id for r in results] == [s.challenge.id] and results[0].winning_price_fen == 400_000_000


def test_no_award_from_review_and_the_company_may_relist(session):
    s = scenario.build(session)
    scenario.start(session, s)
    with pytest.raises(RuleViolation):
        service.declare_no_award(session=session, actor=f.actor(session, s.officer), challenge_id=s.challenge.id,
                                 reason="不行")
    service.declare_no_award(session=session, actor=f.actor(session, s.officer), challenge_id=s.challenge.id,
                             reason="所有方案均未达到核心指标要求，无中选方案")
    assert status(session, s) == "no_award"
    from marketplace.challenges import service as challenges

    draft = challenges.relist(session=session, actor=f.actor(session, s.company), challenge_id=s.challenge.id)
    assert draft.status == "draft" and draft.relisted_from_id == s.challenge.id
