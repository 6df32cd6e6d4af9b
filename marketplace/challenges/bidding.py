"""What the challenge commands need to know about the bids on a challenge — and nothing more.

Imports run bids → challenges only (issue 9): the challenge package never imports the bid package.
The bid package answers these questions (bids/queries.py) and installs itself here when it is
imported (marketplace/bids/__init__.py, which every entry point loads through marketplace.models).
A command that runs before that fails loudly instead of guessing that there are no bids.
"""

from __future__ import annotations

from typing import Protocol

from sqlmodel import Session


class BidFacts(Protocol):
    def submitted_count(self, *, session: Session, challenge_id: int) -> int:
        """How many bids were handed in (never who; drafts are the teams' own business)."""

    def submitted_counts(self, *, session: Session, challenge_ids: list[int]) -> dict[int, int]:
        """The same, for a page of challenges in one query."""

    def bidder_user_ids(self, *, session: Session, challenge_id: int) -> list[int]:
        """The accounts of every team with a live bid, drafts included (they hear of changes)."""

    def live_bids(self, *, session: Session, challenge_id: int) -> list[tuple[int, int, int]]:
        """(team_id, bid_id, price_fen) of every live bid, drafts included."""

    def sealed_receipts(self, *, session: Session, challenge_id: int) -> list[dict]:
        """Receipt time and hash of every submitted bid, for the opening record (no content)."""


_facts: BidFacts | None = None


def install(facts: BidFacts) -> None:
    global _facts
    _facts = facts


def facts() -> BidFacts:
    if _facts is None:
        raise RuntimeError("marketplace.bids is not loaded: import marketplace.models before running commands")
    return _facts
