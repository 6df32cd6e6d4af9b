"""The organisation verification machine (单位认证), cell by cell through the service, against
the machine written out by hand in tests/machines.py."""

import pytest

from marketplace.accounts import service
from marketplace.accounts.schemas import VerificationIn
from marketplace.actor import ANONYMOUS, SYSTEM
from marketplace.errors import DomainError
from tests import factories as f
from tests import machines

DECISIONS = {"verify": VerificationIn(approve=True), "reject": VerificationIn(approve=False, comment="材料不全")}


def actor_for(session, role):
    if role is None:
        return ANONYMOUS
    if role == "system":
        return SYSTEM
    return f.actor(session, f.user(session, role=role))


@pytest.mark.parametrize("state", machines.ORGANISATION_STATES)
def test_every_state_decision_role_cell_matches_the_hand_written_machine(session, state):
    for action, data in DECISIONS.items():
        for role in machines.ROLES:
            org = f.organisation(session, verified=False)
            org.status = state
            session.add(org)
            session.flush()
            want = machines.expected_outcome(machines.ORGANISATION, state, action, role)
            try:
                got = service.verify_organisation(session=session, actor=actor_for(session, role),
                                                  organisation_id=org.id, data=data).status
            except DomainError:
                session.refresh(org)
                assert org.status == state, (state, action, role)
                got = "refused"
            assert got == (want if want not in ("forbidden", "invalid") else "refused"), (state, action, role)
