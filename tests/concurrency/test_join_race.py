"""Fifty users of a university approving (or rejecting) one join request at once: one decision, one audit event,
one message to the applicant; everyone else gets 409 (issue 13)."""

import threading

from sqlmodel import select

from marketplace import db
from marketplace.accounts import service as accounts
from marketplace.accounts.models import JoinRequest, Organisation, User
from marketplace.accounts.schemas import RegistrationIn
from marketplace.actor import Role
from marketplace.audit.models import AuditEvent
from marketplace.audit.service import verify_chain
from marketplace.auth import joins
from marketplace.errors import Conflict, InvalidTransition
from marketplace.notifications.models import Notification
from marketplace.validation import parse
from tests import factories as f

N = 50


def test_fifty_simultaneous_decisions_on_one_join_request_make_one(live_engine):
    with db.new_session(live_engine) as s:
        org = f.organisation(s, kind="university")
        deciders = [f.actor(s, f.user(s, role=Role.TEAM, org=org)) for _ in range(N - 5)]
        deciders += [f.actor(s, f.user(s, role=Role.OFFICER)) for _ in range(5)]
        s.commit()
        s.refresh(org)
        data = parse(RegistrationIn, {"org_kind": "university", "org_name": org.name, "uscc": org.uscc,
                                      "district": "天河区", "display_name": "孙老师", "email": "sun@race.example",
                                      "password": "second-lab-2026", "accept_terms": True})
        applicant = accounts.register(session=s, data=data)
        request_id = s.exec(select(JoinRequest.id).where(JoinRequest.user_id == applicant.id)).one()
        applicant_id = applicant.id
    barrier = threading.Barrier(N)
    outcomes: list[str] = []

    def decide(n, actor):
        with db.new_session(live_engine) as s:
            barrier.wait()
            try:
                joins.decide(session=s, actor=actor, request_id=request_id, approve=n % 2 == 0,
                             reason="" if n % 2 == 0 else "非本单位人员")
                outcomes.append("ok")
            except (Conflict, InvalidTransition):
                outcomes.append("refused")

    threads = [threading.Thread(target=decide, args=(n, a)) for n, a in enumerate(deciders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["ok"] + ["refused"] * (N - 1)
    with db.new_session(live_engine) as s:
        request = s.get(JoinRequest, request_id)
        assert request.status in ("approved", "rejected")
        assert s.get(User, applicant_id).is_active == (request.status == "approved")
        events = s.exec(select(AuditEvent).where(AuditEvent.subject_type == "join_request",
                                                 AuditEvent.subject_id == str(request_id))).all()
        assert len(events) == 1
        told = s.exec(select(Notification).where(Notification.user_id == applicant_id)).all()
        assert len(told) == 1
        assert s.get(Organisation, org.id) is not None
        assert verify_chain(session=s).ok
