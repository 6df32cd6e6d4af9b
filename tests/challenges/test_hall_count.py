"""The hall's total is counted as two index ranges (listed states + withdrawn after publication);
it must equal the rule `permissions.is_public` applied row by row."""

from sqlmodel import select

from marketplace.challenges import permissions, queries
from marketplace.challenges.models import Challenge
from marketplace.clock import utcnow
from tests import factories as f


def test_hall_total_counts_exactly_the_public_challenges(session):
    company = f.user(session)
    for status in ("draft", "submitted", "published", "closed", "unfilled", "awarded", "returned"):
        f.challenge(session, company=company, status=status)
    f.challenge(session, company=company, status="withdrawn")  # withdrawn after publication: listed
    f.challenge(session, company=company, status="withdrawn", published_at=None)  # never public
    session.flush()
    expected = sum(1 for c in session.exec(select(Challenge)).all() if permissions.is_public(c))
    page = queries.search_public(session=session, flt=queries.ChallengeFilter(), now=utcnow())
    assert page.total == expected
    officer = queries.search_public(session=session, flt=queries.ChallengeFilter(any_state=True), now=utcnow())
    assert officer.total == len(session.exec(select(Challenge.id)).all())
    assert set(page.org_names) == {c.organisation_id for c in page.items}
