"""Fifty accounts of a consortium partner confirming (or declining) one partner request at once: one answer,
one audit event, the others a Conflict (409), on SQLite and PostgreSQL (issue 13.5)."""

from sqlmodel import select

from marketplace import db
from marketplace.actor import Role
from marketplace.audit.models import AuditEvent
from marketplace.bids import partners
from marketplace.bids.models import PartnerConfirmation
from marketplace.bids.schemas import PartnerAnswerIn
from marketplace.errors import Conflict, InvalidTransition
from tests import factories as f
from tests.bids.test_bid_concurrency import race
from tests.bids.test_consortium import _submit, _world


def test_fifty_partner_accounts_confirming_at_once_make_one_confirmation(live_engine):
    n = 50
    with db.new_session(live_engine) as s:
        w = _world(s)
        bid, row = _submit(s, w)
        accounts = [f.user(s, role=Role.TEAM if i % 2 else Role.COMPANY, org=w.partner_org) for i in range(n)]
        s.commit()
        actors, row_id = [f.actor(s, u) for u in accounts], row.id

    def confirm(i):
        with db.new_session(live_engine) as s:
            return partners.answer(session=s, actor=actors[i], confirmation_id=row_id,
                                   data=PartnerAnswerIn(confirm=i % 3 != 0, reason="" if i % 3 else "不参与"))

    results = race(n, confirm)
    # losers: Conflict (the guarded UPDATE matched nothing) or InvalidTransition (read after the commit): both 409
    assert all(isinstance(r, (PartnerConfirmation, Conflict, InvalidTransition)) for r in results), results
    assert sum(isinstance(r, PartnerConfirmation) for r in results) == 1
    with db.new_session(live_engine) as s:
        row = s.get(PartnerConfirmation, row_id)
        assert row.status in ("confirmed", "declined")
        events = s.exec(select(AuditEvent).where(AuditEvent.subject_type == "bid_partner",
                                                 AuditEvent.subject_id == str(row_id))).all()
        answers = [e.action for e in events if e.action != "bid_partner.requested"]
        assert answers == [f"bid_partner.{'confirm' if row.status == 'confirmed' else 'decline'}"]
