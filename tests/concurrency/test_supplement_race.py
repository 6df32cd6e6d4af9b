"""补正 under load (issue 13.5): fifty officers opening the window at once open it once; fifty hand-ins of the
same bid at once move it once and keep exactly one set of files (the losers' files are removed), on SQLite
and PostgreSQL."""

from datetime import timedelta

from sqlmodel import select

from marketplace import db
from marketplace.actor import Role
from marketplace.audit.models import AuditEvent
from marketplace.bids import service, supplements
from marketplace.bids.models import Bid, BidAttachment
from marketplace.bids.schemas import ReviewIn, SupplementRequestIn
from marketplace.challenges.files import Upload
from marketplace.clock import utcnow
from marketplace.errors import Conflict, InvalidTransition
from tests import factories as f
from tests.bids import helpers as h
from tests.bids.test_bid_concurrency import race

N = 50


def _disqualified(engine):
    with db.new_session(engine) as s:
        w = h.cast(s)
        bid = h.submit(s, w.team, w.profile, w.challenge)
        h.close(s, w.challenge)
        service.review(session=s, actor=f.actor(s, w.officer), bid_id=bid.id,
                       data=ReviewIn(qualified=False, reason="缺少资质证明"))
        officers = [f.user(s, role=Role.OFFICER) for _ in range(N)]
        s.commit()
        return bid.id, f.actor(s, w.team), [f.actor(s, o) for o in officers]


def _events(engine, bid_id, action):
    with db.new_session(engine) as s:
        return s.exec(select(AuditEvent).where(AuditEvent.action == action,
                                               AuditEvent.subject_id == str(bid_id))).all()


def test_fifty_officers_opening_the_window_open_it_once(live_engine):
    bid_id, _, officers = _disqualified(live_engine)
    data = SupplementRequestIn(deadline=utcnow() + timedelta(days=3), note="资质证明")

    def open_window(i):
        with db.new_session(live_engine) as s:
            return supplements.request(session=s, actor=officers[i], bid_id=bid_id, data=data)

    results = race(N, open_window)
    assert all(isinstance(r, (Bid, Conflict, InvalidTransition)) for r in results), results
    assert sum(isinstance(r, Bid) for r in results) == 1
    assert len(_events(live_engine, bid_id, "bid.request_supplement")) == 1


def test_fifty_hand_ins_at_once_keep_one_set_of_files(live_engine, tmp_path):
    bid_id, team, officers = _disqualified(live_engine)
    with db.new_session(live_engine) as s:
        supplements.request(session=s, actor=officers[0], bid_id=bid_id,
                            data=SupplementRequestIn(deadline=utcnow() + timedelta(days=3), note="资质证明"))
    uploads_dir = tmp_path / "uploads"

    def hand_in(i):
        with db.new_session(live_engine) as s:
            return supplements.supplement(session=s, actor=team, bid_id=bid_id, uploads_dir=uploads_dir,
                                          uploads=[Upload(f"资质证明{i}.pdf", b"%PDF-1.7 " + bytes(str(i), "ascii"))],
                                          max_bytes=10_000)

    results = race(N, hand_in)
    assert all(isinstance(r, (Bid, Conflict, InvalidTransition)) for r in results), results
    assert sum(isinstance(r, Bid) for r in results) == 1
    with db.new_session(live_engine) as s:
        assert s.get(Bid, bid_id).status == "supplemented"
        rows = s.exec(select(BidAttachment).where(BidAttachment.bid_id == bid_id)).all()
    assert len(rows) == 1
    assert sorted(p.name for p in uploads_dir.iterdir()) == [rows[0].storage_key]  # the losers left nothing
    assert len(_events(live_engine, bid_id, "bid.supplement")) == 1
