"""Review tables: round-trip through the migrated schema, and the pair constraints hold in the database."""

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from marketplace.accounts.models import ExpertProfile
from marketplace.actor import Role
from marketplace.reviews.models import ExpertAffiliation, ReviewAssignment, ReviewPanel, ReviewScore
from tests import factories as f


def panel_with_bid(session):
    officer = f.user(session, role=Role.OFFICER)
    challenge = f.challenge(session, status="closed")
    bid = f.bid(session, challenge=challenge, status="qualified")
    expert = ExpertProfile(user_id=f.user(session, role=Role.EXPERT).id, fields=["功率半导体"])
    panel = ReviewPanel(challenge_id=challenge.id, created_by=officer.id,
                        criteria=[{"name": "技术路线与创新性", "weight": "100"}])
    session.add_all([expert, panel])
    session.flush()
    return panel, bid, expert


def test_a_panel_assignment_and_score_round_trip(session):
    panel, bid, expert = panel_with_bid(session)
    session.add(ExpertAffiliation(expert_id=expert.id, organisation_name="某大学", uscc=f.valid_uscc(7),
                                  end_on=date(2024, 6, 30)))
    assignment = ReviewAssignment(panel_id=panel.id, bid_id=bid.id, expert_id=expert.id, affinity_micro=820_000)
    session.add(assignment)
    session.flush()
    session.add(ReviewScore(assignment_id=assignment.id, scores=[8], comments=[""], total="80.00"))
    session.commit()
    session.expire_all()
    score = session.exec(select(ReviewScore).where(ReviewScore.assignment_id == assignment.id)).one()
    assert score.total == "80.00" and score.scores == [8] and not score.set_aside
    affiliation = session.exec(select(ExpertAffiliation).where(ExpertAffiliation.expert_id == expert.id)).one()
    assert affiliation.end_on == date(2024, 6, 30)


def test_an_expert_is_assigned_to_a_bid_at_most_once(session):
    panel, bid, expert = panel_with_bid(session)
    session.add(ReviewAssignment(panel_id=panel.id, bid_id=bid.id, expert_id=expert.id))
    session.flush()
    nested = session.begin_nested()
    session.add(ReviewAssignment(panel_id=panel.id, bid_id=bid.id, expert_id=expert.id))
    with pytest.raises(IntegrityError):
        session.flush()
    nested.rollback()
