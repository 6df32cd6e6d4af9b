"""Challenge commands against the database: lifecycle, rules, audit, notifications, the clock."""

from datetime import timedelta

import pytest
import time_machine
from sqlmodel import func, select

from marketplace.actor import Role
from marketplace.audit.models import AuditEvent
from marketplace.challenges import clarifications, lifecycle, service
from marketplace.challenges.models import Challenge
from marketplace.challenges.schemas import AnswerIn, ChallengeIn, PublishIn, QuestionIn, ReturnIn, WithdrawIn
from marketplace.clock import utcnow
from marketplace.errors import Conflict, Forbidden, InvalidTransition, NotFound, RuleViolation
from marketplace.notifications.models import Notification
from marketplace.validation import parse
from tests import factories as f


def audit_actions(session, challenge_id):
    return [e.action for e in session.exec(select(AuditEvent).where(
        AuditEvent.subject_type == "challenge", AuditEvent.subject_id == str(challenge_id))
        .order_by(AuditEvent.seq)).all()]


def notes(session, user_id):
    return [n.title for n in session.exec(select(Notification).where(Notification.user_id == user_id)).all()]


@pytest.fixture
def people(session):
    company = f.user(session, role=Role.COMPANY)
    return {"company": company, "company_actor": f.actor(session, company),
            "officer": f.actor(session, f.user(session, role=Role.OFFICER))}


def test_draft_return_resubmit_publish_with_audit_and_notifications(session, people):
    company, officer = people["company_actor"], people["officer"]
    c = service.create_draft(session=session, actor=company, data=parse(ChallengeIn, f.challenge_data()))
    assert c.status == "draft" and c.committed_funds_fen == 800_000_000
    service.submit(session=session, actor=company, challenge_id=c.id)
    service.return_for_changes(session=session, actor=officer, challenge_id=c.id,
                               data=ReturnIn(comment="请补充功率循环测试条件"))
    assert c.status == "returned" and c.officer_comment == "请补充功率循环测试条件"
    assert any("退回" in t for t in notes(session, people["company"].id))
    service.update_challenge(session=session, actor=company, challenge_id=c.id,
                             data=parse(ChallengeIn, f.challenge_data(requirements="具备功率循环测试条件")))
    service.submit(session=session, actor=company, challenge_id=c.id)
    service.publish(session=session, actor=officer, challenge_id=c.id, data=PublishIn())
    assert c.status == "published" and c.published_at is not None
    assert audit_actions(session, c.id) == ["challenge.created", "challenge.submit", "challenge.return",
                                            "challenge.edit", "challenge.submit", "challenge.publish"]
    assert any("已发布" in t for t in notes(session, people["company"].id))


@pytest.mark.parametrize("overrides, field, message", [
    ({"bid_deadline": "2020-01-01T10:00"}, "bid_deadline", "晚于当前时间"),
    ({"committed_funds_yuan": "0"}, "committed_funds_yuan", "大于零"),
    ({"committed_funds_yuan": "-5"}, "committed_funds_yuan", "负数"),
    ({"committed_funds_yuan": "10000000000.01"}, "committed_funds_yuan", "100 亿元"),
    ({"offered_yuan": "9000000"}, "__all__", "不能超过企业投入资金"),
    ({"indicators": []}, "indicators", "至少填写一项技术指标"),
    ({"industry": "房地产"}, "industry", "产业领域"),
    ({"title": "标" * 101}, "title", "过长"),
])
def test_bad_challenges_are_refused_with_their_own_message_and_nothing_written(session, people, overrides,
                                                                                 field, message):
    before = session.exec(select(func.count()).select_from(Challenge)).one()
    with pytest.raises(RuleViolation) as caught:
        service.create_draft(session=session, actor=people["company_actor"],
                             data=parse(ChallengeIn, f.challenge_data(**overrides)))
    assert message in caught.value.fields[field]
    session.rollback()
    assert session.exec(select(func.count()).select_from(Challenge)).one() == before


def test_unverified_companies_draft_but_cannot_post_and_other_roles_cannot_draft(session):
    pending_user, team_user = f.user(session, role=Role.COMPANY, verified=False), f.user(session, role=Role.TEAM)
    session.commit()
    pending, team = f.actor(session, pending_user), f.actor(session, team_user)
    with pytest.raises(Forbidden):
        service.create_draft(session=session, actor=team, data=parse(ChallengeIn, f.challenge_data()))
    draft = service.create_draft(session=session, actor=pending, data=parse(ChallengeIn, f.challenge_data()))
    session.commit()
    edited = service.update_challenge(session=session, actor=pending, challenge_id=draft.id,
                                      data=parse(ChallengeIn, f.challenge_data(title="认证前修改的草稿标题")))
    session.commit()
    assert edited.status == "draft" and edited.title == "认证前修改的草稿标题"
    with pytest.raises(Forbidden, match="认证"):  # submitting waits for the verification
        service.submit(session=session, actor=pending, challenge_id=draft.id)
    with pytest.raises(Forbidden, match="认证"):  # save-and-submit writes nothing
        service.save(session=session, actor=pending, data=parse(ChallengeIn, f.challenge_data(title="不应保存")),
                     and_submit=True)
    assert session.exec(select(Challenge).where(Challenge.title == "不应保存")).first() is None
    assert session.get(Challenge, draft.id).status == "draft"


def test_out_of_order_steps_are_refused(session, people):
    c = f.challenge(session, company=people["company"], status="draft")
    session.commit()  # a refused command rolls back its own use case, never the rows before it
    with pytest.raises(InvalidTransition):
        service.publish(session=session, actor=people["officer"], challenge_id=c.id, data=PublishIn())
    with pytest.raises(Forbidden):
        service.submit(session=session, actor=people["officer"], challenge_id=c.id)


def test_another_company_cannot_see_a_draft(session, people):
    c = f.challenge(session, company=people["company"], status="draft")
    other = f.actor(session, f.user(session, role=Role.COMPANY))
    with pytest.raises(NotFound):
        service.submit(session=session, actor=other, challenge_id=c.id)


def test_editing_a_published_challenge_waits_for_the_bureau_and_stays_published(session, people):
    c = f.challenge(session, company=people["company"], status="published")
    service.update_challenge(session=session, actor=people["company_actor"], challenge_id=c.id,
                             data=parse(ChallengeIn, f.challenge_data(title="修改后的榜单标题")))
    assert c.status == "published" and c.title != "修改后的榜单标题"
    assert c.pending_change["title"] == "修改后的榜单标题"


def test_withdrawal_with_bids_needs_the_bureau_and_tells_the_bidders(session, people):
    c = f.challenge(session, company=people["company"], status="published")
    bid = f.bid(session, challenge=c)
    session.commit()
    with pytest.raises(Conflict, match="科技局批准"):
        service.withdraw(session=session, actor=people["company_actor"], challenge_id=c.id,
                         data=WithdrawIn(reason="产品路线调整"))
    session.rollback()
    service.request_withdrawal(session=session, actor=people["company_actor"], challenge_id=c.id,
                               data=WithdrawIn(reason="产品路线调整"))
    service.approve_withdrawal(session=session, actor=people["officer"], challenge_id=c.id)
    assert c.status == "withdrawn"
    assert any("已撤榜" in t for t in notes(session, bid.created_by))


def test_withdrawal_without_bids_is_immediate(session, people):
    c = f.challenge(session, company=people["company"], status="published")
    service.withdraw(session=session, actor=people["company_actor"], challenge_id=c.id,
                     data=WithdrawIn(reason="需求取消"))
    assert c.status == "withdrawn"


def test_the_clock_publishes_scheduled_challenges_and_closes_at_the_deadline(session, people):
    with_bid = f.challenge(session, company=people["company"], status="published", deadline_days=2)
    bid = f.bid(session, challenge=with_bid, receipt_hash="ab" * 32)
    without = f.challenge(session, company=people["company"], status="published", deadline_days=2)
    scheduled = f.challenge(session, company=people["company"], status="scheduled", deadline_days=20,
                            publish_at=utcnow() + timedelta(days=1), published_at=None)
    session.commit()
    report = lifecycle.tick(session=session)
    assert report.closed == [] and report.reminded == 1  # the bidder is reminded, once
    assert lifecycle.tick(session=session).reminded == 0
    with time_machine.travel(utcnow() + timedelta(days=3)):
        report = lifecycle.tick(session=session)
    assert report.published == [scheduled.id]
    assert report.closed == [with_bid.id] and report.unfilled == [without.id]
    session.refresh(with_bid), session.refresh(without)
    assert (with_bid.status, without.status) == ("closed", "unfilled")
    opening = session.exec(select(AuditEvent).where(AuditEvent.action == "challenge.close",
                                                    AuditEvent.subject_id == str(with_bid.id))).one()
    assert [r["bid_id"] for r in opening.summary["receipts"]] == [bid.id]
    assert opening.summary["receipts"][0]["receipt_hash"] == bid.receipt_hash


def test_relisting_an_unfilled_challenge_makes_a_new_draft(session, people):
    old = f.challenge(session, company=people["company"], status="unfilled", deadline_days=-1)
    draft = service.relist(session=session, actor=people["company_actor"], challenge_id=old.id)
    assert draft.status == "draft" and draft.relisted_from_id == old.id and draft.title == old.title


def test_questions_are_answered_publicly_and_the_asker_is_told(session, people):
    c = f.challenge(session, company=people["company"], status="published")
    asker = f.user(session, role=Role.TEAM)
    q = clarifications.ask(session=session, actor=f.actor(session, asker), challenge_id=c.id,
                           data=QuestionIn(question="样品数量是否可以分批交付？"))
    clarifications.answer(session=session, actor=people["company_actor"], clarification_id=q.id,
                          data=AnswerIn(answer="可以分两批交付"))
    assert any("已答复" in t for t in notes(session, asker.id))
    with pytest.raises(Conflict):
        clarifications.answer(session=session, actor=people["company_actor"], clarification_id=q.id,
                              data=AnswerIn(answer="再答一次"))
