"""The bid machine, checked cell by cell against the machine written out in tests/machines.py."""

import pytest

from marketplace.bids import states
from marketplace.bids.models import BidStatus
from tests import machines


@pytest.mark.parametrize("state", machines.BID_STATES)
def test_every_state_action_role_cell_matches_the_hand_written_machine(state):
    assert machines.mismatches(states.transition, machines.BID, (state,)) == []


def test_the_table_has_no_step_the_hand_written_machine_lacks():
    assert set(states.TRANSITIONS) == set(machines.BID)
    assert set(BidStatus) == set(machines.BID_STATES)


def test_a_formally_reviewed_or_withdrawn_bid_is_final_for_the_team():
    for state in ("withdrawn", "qualified", "disqualified"):
        assert states.available(state=state, role="team") == []


def _partner_step(*, state, action, role):
    return states.PARTNER_MACHINE.step(state=state, action=action, role=role)


@pytest.mark.parametrize("state", machines.BID_PARTNER_STATES)
def test_the_partner_machine_matches_the_hand_written_one(state):
    assert machines.mismatches(_partner_step, machines.BID_PARTNER, (state,)) == []
    assert set(states.PARTNER_TRANSITIONS) == set(machines.BID_PARTNER)
