"""The challenge machine, checked cell by cell against the machine written out in tests/machines.py."""

from datetime import UTC

import pytest

from marketplace.challenges import states
from marketplace.challenges.models import ChallengeStatus
from tests import machines


@pytest.mark.parametrize("state", machines.CHALLENGE_STATES)
def test_every_state_action_role_cell_matches_the_hand_written_machine(state):
    assert machines.mismatches(states.transition, machines.CHALLENGE, (state,)) == []


def test_the_table_has_no_step_the_hand_written_machine_lacks():
    assert set(states.TRANSITIONS) == set(machines.CHALLENGE)
    assert set(ChallengeStatus) == set(machines.CHALLENGE_STATES)


def test_only_the_clock_closes_and_publishes_scheduled_challenges():
    assert states.TRANSITIONS[(ChallengeStatus.PUBLISHED, "close")].roles == {"system"}
    assert states.TRANSITIONS[(ChallengeStatus.SCHEDULED, "go_live")].roles == {"system"}


def test_buttons_come_from_the_same_table():
    labels = [t.label for _, t in states.available(state="submitted", role="officer")]
    assert "审核通过并发布" in labels and "退回修改" in labels
    assert states.available(state="submitted", role="team") == []


def test_visible_actions_follow_the_withdrawal_rules():
    from datetime import datetime

    from marketplace.actor import Actor
    from marketplace.challenges.models import Challenge
    from marketplace.challenges.permissions import visible_actions

    owner = Actor(user_id=1, role="company", organisation_id=7, org_verified=True)
    officer = Actor(user_id=2, role="officer")
    stranger = Actor(user_id=3, role="company", organisation_id=8, org_verified=True)
    c = Challenge(organisation_id=7, created_by=1, title="t", industry="区块链", background="", bottleneck="",
                  deliverables="", committed_funds_fen=1, offered_fen=1, status="published",
                  bid_deadline=datetime(2030, 1, 1, tzinfo=UTC))
    assert visible_actions(owner, c, has_bids=False) == {"request_change", "withdraw"}
    assert visible_actions(owner, c, has_bids=True) == {"request_change", "request_withdrawal"}
    assert visible_actions(officer, c, has_bids=True) == {"withdraw"}
    c.withdrawal_requested_at = datetime(2029, 1, 1, tzinfo=UTC)
    assert visible_actions(owner, c, has_bids=True) == {"request_change"}
    assert visible_actions(officer, c, has_bids=True) == {"withdraw", "approve_withdrawal"}
    c.pending_change = {"offered_fen": 1}
    assert visible_actions(officer, c, has_bids=True) == {"withdraw", "approve_withdrawal", "approve_change",
                                                          "reject_change"}
    assert visible_actions(stranger, c, has_bids=True) == set()
