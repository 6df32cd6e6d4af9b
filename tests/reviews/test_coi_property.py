"""Property: no assignment the service makes (suggested, automatic or manual) contains a detected conflict."""

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from marketplace.accounts.models import Organisation
from marketplace.errors import Conflict, RuleViolation
from marketplace.reviews import coi, facts, service
from marketplace.reviews import queries as review_queries
from marketplace.reviews.models import ExpertAffiliation, ExpertCollaborator, ReviewAssignment
from tests import factories as f
from tests.reviews import scenario

# Per expert: which bid organisation it is tied to (or none), how, and a collaborator link to a leader.
ties = st.lists(st.tuples(st.sampled_from([None, 0, 1, 2]), st.sampled_from(["current", "past_2y", "past_5y"]),
                          st.sampled_from([None, 0, 1, 2])), min_size=4, max_size=6)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ties=ties)
def test_no_assignment_made_by_the_service_contains_a_detected_conflict(session, ties):
    if True:  # rows of earlier examples stay in the test's (rolled-back) transaction: filtered below
        s = scenario.build(session, bids=3, experts=0)
        experts = []
        for org_index, how, leader_index in ties:
            e, _ = scenario.expert(session)
            if org_index is not None:
                org = session.get(Organisation, s.bids[org_index].organisation_id)
                end = {"current": None, "past_2y": date(2024, 6, 1), "past_5y": date(2020, 6, 1)}[how]
                session.add(ExpertAffiliation(expert_id=e.id, organisation_name=org.name, uscc=org.uscc, end_on=end))
            if leader_index is not None:
                leader = facts.bids(session, [s.bids[leader_index]])[s.bids[leader_index].id].leader
                session.add(ExpertCollaborator(expert_id=e.id, person=leader, year=2025))
            experts.append(e)
        session.commit()
        scenario.start(session, s, reviewers=1, load=3)
        officer = f.actor(session, s.officer)
        try:
            service.auto_assign(session=session, actor=officer, challenge_id=s.challenge.id)
        except RuleViolation:
            pass  # not enough conflict-free experts: nothing is written
        for e in experts:  # and by hand, every pair
            for b in s.bids:
                try:
                    service.assign(session=session, actor=officer, challenge_id=s.challenge.id, bid_id=b.id,
                                   expert_id=e.id)
                except (Conflict, RuleViolation):
                    pass
        bids = {b.id: b for b in s.bids}
        made = session.exec(select(ReviewAssignment).where(ReviewAssignment.bid_id.in_(list(bids)))).all()
        assert made
        for a in made:
            result = review_queries.assessment(session=session, challenge=s.challenge, bid=bids[a.bid_id],
                                               expert_id=a.expert_id)
            assert result.kind != coi.CoiKind.AUTOMATIC, result.reasons
