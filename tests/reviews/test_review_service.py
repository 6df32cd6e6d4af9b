"""The review services on the database: panel, suggestions, assignment, declaration, waiver, scores."""

import pytest
from sqlmodel import func, select

from marketplace.accounts.models import User
from marketplace.audit.models import AuditEvent
from marketplace.errors import Conflict, Forbidden, NotFound, RuleViolation
from marketplace.reviews import queries, service
from marketplace.reviews.models import ConflictDeclaration, ReviewAssignment, ReviewScore
from tests import factories as f
from tests.reviews import scenario


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_start_review_moves_closed_to_in_review_with_one_audit_event(session):
    s = scenario.build(session)
    before = count(session, AuditEvent)
    scenario.start(session, s)
    session.refresh(s.challenge)
    assert s.challenge.status == "in_review"
    assert count(session, AuditEvent) == before + 1


def test_suggestions_never_offer_a_conflicted_expert(session):
    s = scenario.build(session)
    scenario.start(session, s)
    offered = service.suggestions(session=session, actor=f.actor(session, s.officer), challenge_id=s.challenge.id)
    assert offered, "the pool matches the challenge text"
    assert (s.bids[0].id, s.conflicted.id) not in {(x.bid_id, x.expert_id) for x in offered}
    assert all(x.terms for x in offered)
    assert (s.bids[1].id, s.conflicted.id) in {(x.bid_id, x.expert_id) for x in offered}


def test_manual_assignment_of_a_conflicted_expert_is_refused_and_nothing_written(session):
    s = scenario.build(session)
    scenario.start(session, s)
    with pytest.raises(Conflict, match="利益冲突"):
        service.assign(session=session, actor=f.actor(session, s.officer), challenge_id=s.challenge.id,
                       bid_id=s.bids[0].id, expert_id=s.conflicted.id)
    assert count(session, ReviewAssignment) == 0


def test_auto_assignment_fills_every_seat_without_a_conflict(session):
    s = scenario.build(session, bids=3, experts=3)
    scenario.start(session, s, reviewers=2, load=3)
    result = service.auto_assign(session=session, actor=f.actor(session, s.officer), challenge_id=s.challenge.id)
    assert result.complete
    assert s.conflicted.id not in result.panels[s.bids[0].id]
    assert all(len(p) == 2 for p in result.panels.values())


def test_an_expert_must_declare_before_opening_and_a_declared_conflict_blocks(session):
    s = scenario.build(session)
    scenario.start(session, s)
    officer = f.actor(session, s.officer)
    service.assign(session=session, actor=officer, challenge_id=s.challenge.id, bid_id=s.bids[0].id,
                   expert_id=s.experts[0].id)
    me = f.actor(session, s.expert_users[0])
    with pytest.raises(NotFound):
        queries.bid_for_expert(session=session, actor=me, bid_id=s.bids[0].id)
    with pytest.raises(RuleViolation):
        service.declare(session=session, actor=me, bid_id=s.bids[0].id, has_conflict=True, statement="  ")
    service.declare(session=session, actor=me, bid_id=s.bids[0].id, has_conflict=True, statement="曾指导其负责人")
    with pytest.raises(NotFound):
        queries.bid_for_expert(session=session, actor=me, bid_id=s.bids[0].id)
    with pytest.raises(RuleViolation):  # a waiver needs a reason
        service.waive(session=session, actor=officer, bid_id=s.bids[0].id, expert_id=s.experts[0].id, reason=" ")
    service.waive(session=session, actor=officer, bid_id=s.bids[0].id, expert_id=s.experts[0].id,
                  reason="指导关系已结束十年，领域内专家不足")
    assert queries.bid_for_expert(session=session, actor=me, bid_id=s.bids[0].id).bid.id == s.bids[0].id
    waived = session.exec(select(AuditEvent).where(AuditEvent.action == "review.waived")).one()
    assert waived.summary["reason"].startswith("指导关系")


def test_an_automatic_conflict_cannot_be_waived(session):
    s = scenario.build(session)
    scenario.start(session, s)
    # Written directly: the service would never assign this pair.
    panel = queries.panel_of(session=session, challenge_id=s.challenge.id)
    session.add(ReviewAssignment(panel_id=panel.id, bid_id=s.bids[0].id, expert_id=s.conflicted.id))
    session.add(ConflictDeclaration(bid_id=s.bids[0].id, expert_id=s.conflicted.id, has_conflict=True,
                                    statement="本单位"))
    session.commit()
    with pytest.raises(Conflict, match="不能豁免"):
        service.waive(session=session, actor=f.actor(session, s.officer), bid_id=s.bids[0].id,
                      expert_id=s.conflicted.id, reason="理由理由理由理由理由")
    with pytest.raises(NotFound):  # and the expert can never open it
        queries.bid_for_expert(session=session, actor=f.actor(session, session.get(User, s.conflicted.user_id)),
                               bid_id=s.bids[0].id)


@pytest.mark.parametrize(("points", "comments", "field"), [
    (11, {}, "score_0"),          # above the scale
    (-1, {}, "score_0"),          # below it
    (5, {}, "comment_0"),         # below 6 without a comment
])
def test_a_bad_score_sheet_is_refused_and_nothing_written(session, points, comments, field):
    s = scenario.build(session)
    scenario.start(session, s)
    service.assign(session=session, actor=f.actor(session, s.officer), challenge_id=s.challenge.id,
                   bid_id=s.bids[0].id, expert_id=s.experts[0].id)
    me = f.actor(session, s.expert_users[0])
    service.declare(session=session, actor=me, bid_id=s.bids[0].id, has_conflict=False)
    events = count(session, AuditEvent)
    with pytest.raises(RuleViolation) as caught:
        service.submit_score(session=session, actor=me, bid_id=s.bids[0].id, scores=scenario.score_sheet(points),
                             comments=comments)
    assert field in caught.value.fields
    assert count(session, ReviewScore) == 0 and count(session, AuditEvent) == events


def test_an_expert_sees_other_scores_only_after_submitting(session):
    s = scenario.build(session, bids=1, experts=2)
    scenario.start(session, s)
    officer = f.actor(session, s.officer)
    for e in s.experts:
        service.assign(session=session, actor=officer, challenge_id=s.challenge.id, bid_id=s.bids[0].id,
                       expert_id=e.id)
    first, second = (f.actor(session, u) for u in s.expert_users)
    for me in (first, second):
        service.declare(session=session, actor=me, bid_id=s.bids[0].id, has_conflict=False)
    service.submit_score(session=session, actor=first, bid_id=s.bids[0].id, scores=scenario.score_sheet(9),
                         comments={})
    with pytest.raises(Forbidden):
        service.sheets_for_bid(session=session, actor=second, bid_id=s.bids[0].id)
    service.submit_score(session=session, actor=second, bid_id=s.bids[0].id, scores=scenario.score_sheet(7),
                         comments={})
    seen = service.sheets_for_bid(session=session, actor=second, bid_id=s.bids[0].id)
    assert sorted(x.total for x in seen) == ["70.00", "90.00"]
    assert [x.expert_id for x in seen if x.total == "90.00"] == [None]  # the other expert is not named
    with pytest.raises(Conflict):
        service.submit_score(session=session, actor=second, bid_id=s.bids[0].id, scores=scenario.score_sheet(7),
                             comments={})
    p = service.progress(session=session, actor=officer, challenge_id=s.challenge.id)
    assert p.by_bid[s.bids[0].id] == (2, 2)
