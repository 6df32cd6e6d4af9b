"""REVIEW.md §4: the decision rule — qualified bids of this challenge, 赛马, reasons against the ranking."""

from datetime import datetime
from decimal import Decimal

import pytest

from marketplace.errors import RuleViolation
from marketplace.reviews.decision import decide
from marketplace.reviews.scoring import BidResult, rank

RECEIVED = datetime(2026, 11, 20, 9, 0)
BIDS = {1: True, 2: True, 3: True, 4: False}  # bid id → qualified; 4 was disqualified at formal review
RANKING = rank([BidResult(b, RECEIVED, Decimal(s), Decimal(8), Decimal(0), 3)
                for b, s in [(1, "79.17"), (2, "82.00"), (3, "75.83")]])  # computed order: 2, 1, 3
REASON = "企业意见认为方案一的工艺路线更易于产线落地"


def test_choosing_the_top_ranked_bid_needs_no_reason():
    decision = decide(winning_bid_ids=[2], reason="", bids=BIDS, ranking=RANKING)
    assert decision.follows_ranking and decision.winning_bid_ids == (2,)


def test_choosing_against_the_ranking_needs_a_reason_of_ten_characters():
    with pytest.raises(RuleViolation, match="至少 10 个字的理由") as caught:
        decide(winning_bid_ids=[1], reason="方案一更好 更好 更好", bids=BIDS, ranking=RANKING)  # 9 non-blank
    assert "reason" in caught.value.fields
    decision = decide(winning_bid_ids=[1], reason=REASON, bids=BIDS, ranking=RANKING)
    assert not decision.follows_ranking


def test_the_audit_data_keeps_the_computed_ranking_beside_the_decision():
    data = decide(winning_bid_ids=[1], reason=f"  {REASON}  ", bids=BIDS, ranking=RANKING).audit_data()
    assert data == {
        "winning_bid_ids": [1], "reason": REASON, "follows_ranking": False,
        "computed_ranking": [{"rank": 1, "bid_id": 2, "score": "82.00"}, {"rank": 2, "bid_id": 1, "score": "79.17"},
                             {"rank": 3, "bid_id": 3, "score": "75.83"}],
    }


@pytest.mark.parametrize("winners, horse_race, message", [
    ([], False, "请至少选择一个中选方案"),
    ([2, 2], True, "不能重复"),
    ([2, 1], False, "本榜单不是赛马制，只能选择一个中选方案"),
    ([99], False, "揭榜方案 #99 不属于本榜单"),
    ([4], False, "揭榜方案 #4 未通过形式审查，不能中选"),
    ([2, 4], True, "揭榜方案 #4 未通过形式审查"),
])
def test_bad_winners_are_refused_in_chinese(winners, horse_race, message):
    with pytest.raises(RuleViolation, match=message) as caught:
        decide(winning_bid_ids=winners, reason=REASON, bids=BIDS, ranking=RANKING, horse_race=horse_race)
    assert "winning_bid_ids" in caught.value.fields


def test_a_horse_race_may_have_several_winners_and_the_top_two_follow_the_ranking():
    assert decide(winning_bid_ids=[1, 2], reason="", bids=BIDS, ranking=RANKING, horse_race=True).follows_ranking
    with pytest.raises(RuleViolation, match="理由"):
        decide(winning_bid_ids=[2, 3], reason="", bids=BIDS, ranking=RANKING, horse_race=True)


def test_without_a_computed_ranking_any_choice_needs_a_reason():
    with pytest.raises(RuleViolation, match="理由"):
        decide(winning_bid_ids=[2], reason="", bids=BIDS, ranking=())
