"""The decision rule (REVIEW.md §4): who may win, and when a written reason is needed.

Winners must be qualified bids of this challenge; one winner unless the challenge is a 赛马 (horse-race)
challenge, which may have several. Choosing anything other than the top of the computed ranking (the
top k for k winners) needs a written reason of at least 10 characters, and the audit event keeps the
computed ranking beside the decision. "Exactly one decision per challenge" is the database's job (a
unique constraint), not this module's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from marketplace.errors import RuleViolation
from marketplace.reviews.scoring import RankedBid

MIN_REASON = 10


@dataclass(frozen=True)
class Decision:
    winning_bid_ids: tuple[int, ...]
    reason: str
    follows_ranking: bool
    computed_ranking: tuple[RankedBid, ...]

    def audit_data(self) -> dict[str, Any]:
        """What the audit event keeps: the decision and, beside it, the ranking it was taken against."""
        return {
            "winning_bid_ids": list(self.winning_bid_ids),
            "reason": self.reason,
            "follows_ranking": self.follows_ranking,
            "computed_ranking": [{"rank": r.rank, "bid_id": r.bid_id, "score": str(r.result.score)}
                                 for r in self.computed_ranking],
        }


def _refuse(message: str, field: str = "winning_bid_ids") -> RuleViolation:
    return RuleViolation(message, fields={field: message})


def _check_winners(winners: Sequence[int], bids: Mapping[int, bool], horse_race: bool) -> None:
    if not winners:
        raise _refuse("请至少选择一个中选方案")
    if len(set(winners)) != len(winners):
        raise _refuse("中选方案不能重复")
    if len(winners) > 1 and not horse_race:
        raise _refuse("本榜单不是赛马制，只能选择一个中选方案")
    for bid_id in winners:
        if bid_id not in bids:
            raise _refuse(f"揭榜方案 #{bid_id} 不属于本榜单")
        if not bids[bid_id]:
            raise _refuse(f"揭榜方案 #{bid_id} 未通过形式审查，不能中选")


def decide(*, winning_bid_ids: Sequence[int], reason: str, bids: Mapping[int, bool],
           ranking: Sequence[RankedBid], horse_race: bool = False) -> Decision:
    """Check a decision; `bids` maps this challenge's bid ids to whether they are qualified."""
    winners = tuple(winning_bid_ids)
    _check_winners(winners, bids, horse_race)
    ordered = tuple(sorted(ranking, key=lambda r: r.rank))
    follows = set(winners) == {r.bid_id for r in ordered[:len(winners)]}
    reason = reason.strip()
    if not follows and len("".join(reason.split())) < MIN_REASON:
        raise _refuse(f"所选方案与计算排名不一致，须填写至少 {MIN_REASON} 个字的理由", "reason")
    return Decision(winners, reason, follows, ordered)
