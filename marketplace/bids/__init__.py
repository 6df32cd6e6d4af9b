"""Bids (揭榜方案): drafting, sealed submission, withdrawal, formal review.

The bid package answers the challenge commands' questions about bids (challenges/bidding.py), so that
imports run bids → challenges only.
"""

from marketplace.bids import queries as _queries
from marketplace.challenges import bidding as _bidding

_bidding.install(_queries)
