"""Recommended teams are found by a bounded query (issue 9): the index ranks, SQL loads only the best
few teams of other organisations, and the results on the demo data are those of loading every team."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlmodel import select

from marketplace import db, migrate
from marketplace.accounts.models import TeamProfile
from marketplace.challenges.documents import challenge_text
from marketplace.challenges.models import Challenge
from marketplace.search import index as search_index
from marketplace.search import recommend


@pytest.fixture(scope="module")
def demo_session(tmp_path_factory):
    from marketplace import demo

    url = f"sqlite:///{tmp_path_factory.mktemp('bounded')}/demo.db"
    migrate.upgrade(url)
    engine = db.make_engine(url)
    with db.new_session(engine) as s:
        demo.load(session=s)
    with db.new_session(engine, write=False) as s:
        yield s
    engine.dispose()


def every_team_reference(session, challenge: Challenge, k: int) -> list[recommend.Recommendation]:
    """The former implementation: every other organisation's team loaded into Python, then ranked."""
    idx = search_index.index(session)
    query = challenge_text(challenge)
    teams = {t.id: t for t in session.exec(select(TeamProfile).where(
        TeamProfile.organisation_id != challenge.organisation_id)).all()}
    hits = idx.search(query, k=k, allowed=[f"team:{i}" for i in teams])
    recs = [recommend.Recommendation(teams[i], s, idx.explain(query, f"team:{i}", n=8))
            for i, s in recommend._ids(hits, "team:")]
    return recommend._credible(recs, recommend._self_score(idx, query, f"challenge:{challenge.id}", hits))


def shape(recs):
    return [(r.item.id, round(r.score, 9), round(r.relative, 9), [t.term for t in r.terms]) for r in recs]


def test_same_recommendations_as_loading_every_team_on_the_demo_data(demo_session):
    challenges = demo_session.exec(select(Challenge)).all()
    assert len(challenges) >= 5
    compared = 0
    for c in challenges:
        for k in (1, 10):
            expected = shape(every_team_reference(demo_session, c, k))
            assert shape(recommend.teams_for_challenge(session=demo_session, challenge=c, k=k)) == expected
            compared += bool(expected)
    assert compared > 10  # the comparison is not between empty lists


def test_only_the_best_few_teams_are_loaded(demo_session):
    total = len(demo_session.exec(select(TeamProfile.id)).all())
    challenge = demo_session.exec(select(Challenge).order_by(Challenge.id)).first()
    recommend.teams_for_challenge(session=demo_session, challenge=challenge, k=1)  # warm the index
    demo_session.expunge_all()
    loaded = []

    def count(target, _context) -> None:
        loaded.append(target.id)

    event.listen(TeamProfile, "load", count)
    try:
        recs = recommend.teams_for_challenge(session=demo_session, challenge=challenge, k=1)
    finally:
        event.remove(TeamProfile, "load", count)
    assert recs
    assert 1 <= len(loaded) <= 4 < total  # one window of 4 × k, not the whole table
