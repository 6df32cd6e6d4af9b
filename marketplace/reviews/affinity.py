"""Expert–bid affinity from the search index, and the experts recommended for a bid (never conflicted)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session

from marketplace.bids.models import Bid
from marketplace.challenges.models import Challenge
from marketplace.reviews import coi
from marketplace.search import index as search_index
from marketplace.search import recommend


@dataclass(frozen=True)
class Match:
    score: float               # 0–1: share of the best expert's score for this bid
    terms: tuple[str, ...]     # the matched words that explain it


def bid_query(challenge: Challenge, bid: Bid) -> str:
    return f"{challenge.title}\n{challenge.title}\n{challenge.bottleneck}\n{bid.technical_route}"


def for_bids(*, session: Session, challenge: Challenge, bids: Iterable[Bid],
             expert_ids: Iterable[int]) -> dict[tuple[int, int], Match]:
    """(bid id, expert id) → Match, for every expert the index knows that matches at all."""
    idx = search_index.index(session)
    allowed = [f"expert:{e}" for e in expert_ids if f"expert:{e}" in idx]
    result: dict[tuple[int, int], Match] = {}
    if not allowed:
        return result
    for bid in bids:
        query = bid_query(challenge, bid)
        hits = idx.search(query, k=len(allowed), allowed=allowed)
        best = max((h.score for h in hits), default=0.0)
        for h in hits:
            if h.score <= 0 or best <= 0:
                continue
            terms = tuple(t.term for t in idx.explain(query, h.doc_id, n=6) if len(t.term) >= 2)
            result[(bid.id, int(h.doc_id.split(":", 1)[1]))] = Match(min(1.0, h.score / best), terms)
    return result


def experts_for_bid(*, session: Session, bid: Bid, challenge: Challenge, k: int = 5) -> list[recommend.Recommendation]:
    """Review experts for a bid: matched on the challenge and the technical route, never from an
    organisation in conflict with it (coi.organisations_in_conflict)."""
    # 匹配度 is the share of what the challenge's own text scores for this query: comparable across
    # challenges (the best of a weak list is not 100%).
    return recommend.experts_for(session=session, query=bid_query(challenge, bid), k=k,
                                 excluded_organisation_ids=coi.organisations_in_conflict(bid, challenge),
                                 self_id=f"challenge:{challenge.id}", floor=recommend.EXPERT_MIN_SELF_SHARE)
