"""Migration h13a0c0de001: consortium bids handed in before partners confirmed get a confirmed row per named
partner (so they no longer show 待确认 for ever); drafts get none; rows that exist are left alone; the
downgrade removes only the rows it made."""

import pytest
from sqlmodel import Session, select

from marketplace import db, migrate
from marketplace.bids import partners, service
from marketplace.bids.models import Bid, PartnerConfirmation
from marketplace.bids.schemas import BidIn
from tests import factories as f
from tests.bids import helpers as h
from tests.conftest import BACKENDS, drop_pg_database, fresh_database_url

BEFORE = "h11a0c0de001"  # the migration before this one


def _bid(session, w, partner_orgs, *, submit: bool, team=None, profile=None):
    data = h.payload((profile or w.profile).id, partners=[
        {"organisation_id": o.id, "share_percent": 10 + n, "role": f"分工{n}"} for n, o in enumerate(partner_orgs)])
    return service.save(session=session, actor=f.actor(session, team or w.team), challenge_id=w.challenge.id,
                        data=BidIn(**data), submit=submit)


@pytest.mark.parametrize("backend", BACKENDS)
def test_pre_feature_consortium_bids_are_backfilled_as_confirmed(backend, tmp_path_factory):
    url = fresh_database_url(backend, tmp_path_factory)
    engine = db.make_engine(url)
    try:
        migrate.upgrade(url)
        with Session(engine) as session:
            w = h.cast(session)
            a, b = f.organisation(session, kind="university"), f.organisation(session, kind="institute")
            old = _bid(session, w, [a, b], submit=True)              # handed in "before the feature"
            draft = _bid(session, w, [a], submit=False, team=w.other_team, profile=w.other_profile)
            answered = _bid(session, w, [b], submit=True, team=w.same_org_team, profile=w.sibling_profile)
            session.commit()
            kept = session.exec(select(PartnerConfirmation).where(PartnerConfirmation.bid_id == answered.id)).one()
            # the state before the feature: no confirmation rows for the first bid
            for row in session.exec(select(PartnerConfirmation).where(PartnerConfirmation.bid_id == old.id)):
                session.delete(row)
            session.commit()
            ids = old.id, draft.id, answered.id, kept.id
            a_id, b_id = a.id, b.id
            assert partners.consortium_state(session.get(Bid, old.id), partners.rows_of(session, old.id)) == "pending"
        migrate.downgrade(url, BEFORE)
        migrate.upgrade(url)
        with Session(engine) as session:
            old_id, draft_id, answered_id, kept_id = ids
            rows = partners.rows_of(session, old_id)
            assert sorted((r.organisation_id, r.share_percent, r.role, r.status) for r in rows) == \
                [(a_id, 10, "分工0", "confirmed"), (b_id, 11, "分工1", "confirmed")]
            bid = session.get(Bid, old_id)
            assert all(r.decided_at == bid.submitted_at and r.decided_by is None for r in rows)
            assert partners.consortium_state(bid, rows) == "confirmed"
            assert partners.rows_of(session, draft_id) == []
            again = partners.rows_of(session, answered_id)
            assert [(r.id, r.status) for r in again] == [(kept_id, "pending")]  # untouched
        migrate.downgrade(url, BEFORE)
        with Session(engine) as session:
            assert partners.rows_of(session, old_id) == []
            assert [r.id for r in partners.rows_of(session, answered_id)] == [kept_id]
    finally:
        engine.dispose()
        if backend == "postgres":
            drop_pg_database(url)
