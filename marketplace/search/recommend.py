"""Recommendations and searches over the index: teams for a challenge, open challenges for a team,
experts for a text. Each rests on shared words and a share of the self-match score (the floor)."""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from sqlmodel import Session, col, select

from marketplace.accounts.documents import team_text
from marketplace.accounts.models import ExpertProfile, Organisation, TeamProfile, User
from marketplace.challenges.documents import challenge_text
from marketplace.challenges.models import Challenge, ChallengeStatus
from marketplace.clock import utcnow
from marketplace.industries import INDUSTRIES, WEAK_LINKS
from marketplace.search import index
from matching import Hit, SearchIndex, TermContribution, highlight
from matching.query import specific_chars

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


def _serialised(fn: Callable[P, R]) -> Callable[P, R]:
    """Searches run under the index lock: an add/update in another thread resizes the arrays a
    search is reading (BufferError found by `make load`, 100 clients mixing publications and searches)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with index.LOCK:
            return fn(*args, **kwargs)

    return wrapper


@dataclass
class Recommendation:
    item: object
    score: float
    terms: list[TermContribution]
    relative: float = 1.0  # score as a share of the best in the same list (shown as 匹配度 %)


# A recommendation must rest on shared words (six characters' worth at least) — not on single
# characters, and not just on the industry's name (which both texts carry as a label).
MIN_SHARED_CHARS = 6
# A match must reach this share of the score the query text gets against itself (its own document):
# measured on the demo data, intended matches score 0.28–0.53 and unrelated pairs 0.08–0.14.
MIN_SELF_SHARE = 0.15
LABEL_TERMS = frozenset(INDUSTRIES) | frozenset(WEAK_LINKS)
EXPERT_MIN_SELF_SHARE = 0.12  # measured on the demo bids: precision@3 0.93
# Open challenges for a team: on the demo teams (tests/recommend/data/team_labels.yaml) the fitting
# challenges score 0.30–0.55 of the team's self-match (one at 0.23), unrelated ones 0.16–0.24; at 0.25
# precision@3 goes from 0.54 to 1.00 and one fitting challenge (of 14) is no longer suggested
# (tests/firsthour/test_team_recommendations.py).
TEAM_MIN_SELF_SHARE = 0.25


def _self_score(idx: SearchIndex, query: str, own_id: str, hits: Sequence[Hit]) -> float:
    """The query document's score against itself (falls back to the best hit if it is not indexed)."""
    own = idx.search(query, k=1, allowed=[own_id]) if own_id in idx else []
    return own[0].score if own else max((h.score for h in hits), default=0.0)


def _credible(recs: list[Recommendation], self_score: float, floor: float = MIN_SELF_SHARE) -> list[Recommendation]:
    """Keep recommendations that share real words and enough of the self-match score."""
    kept = []
    for r in recs:
        # Evidence is specific words only: no generic research words, boilerplate or organisation
        # and place names (matching/resources/generic_terms.txt), no single characters.
        r.terms = [t for t in r.terms if len(t.term) >= 2 and specific_chars(t.term) > 0]
        r.relative = min(1.0, r.score / self_score) if self_score > 0 else 0.0
        shared = sum(specific_chars(t.term) for t in r.terms if t.term not in LABEL_TERMS)
        if shared >= MIN_SHARED_CHARS and r.relative >= floor:
            kept.append(r)
    return kept


def _ids(hits: Sequence[Hit], prefix: str, floor: float = 0.0) -> list[tuple[int, float]]:
    best = max((h.score for h in hits), default=0.0)
    return [(int(h.doc_id.split(":", 1)[1]), h.score) for h in hits
            if h.doc_id.startswith(prefix) and h.score >= floor * best]


def search_challenge_ids(*, session: Session, query: str, k: int = 500) -> list[int]:
    """Public challenges by relevance to a search-box query (Traditional script welcome)."""
    return index.matching_ids(session=session, kind="challenge", query=query, k=k)


@_serialised
def search_teams(*, session: Session, query: str, k: int = 50) -> list[Recommendation]:
    idx = index.index(session)
    hits = idx.search(query, k=k, allowed=idx.doc_ids("team:"))
    teams = {t.id: t for t in session.exec(select(TeamProfile).where(
        col(TeamProfile.id).in_([i for i, _ in _ids(hits, "team:")] or [-1]))).all()}
    return [Recommendation(teams[i], s, []) for i, s in _ids(hits, "team:") if i in teams]


@_serialised
def teams_for_challenge(*, session: Session, challenge: Challenge, k: int = 10) -> list[Recommendation]:
    """Research teams ranked for a challenge, excluding the posting company's own organisation.

    Bounded like `challenges_for_team`: the index ranks every team, and only the best few are loaded
    (another organisation's, in SQL); the window widens until k are found.
    """
    idx = index.index(session)
    query = challenge_text(challenge)

    def load(ids: list[int]) -> dict[int, TeamProfile]:
        return {t.id: t for t in session.exec(select(TeamProfile).where(
            col(TeamProfile.id).in_(ids or [-1]), TeamProfile.organisation_id != challenge.organisation_id)).all()}

    hits, teams = _best_loaded(idx, query, "team:", k, load)
    terms = idx.explain_many(query, [h.doc_id for h in hits], n=8)
    recs = [Recommendation(teams[i], s, terms[f"team:{i}"]) for i, s in _ids(hits, "team:")]
    return _credible(recs, _self_score(idx, query, f"challenge:{challenge.id}", hits))


# A team's recommendations for the index's current state (its fingerprint moves with every indexed change):
# the team dashboard shows every lab of an organisation at once, on every view. The open status, the deadline
# and the organisation are read from the database on every call.
_TEAM_RECS: dict[str, tuple[SearchIndex, str, OrderedDict]] = {}
TEAM_RECS_KEPT = 2048


def _team_recs(session: Session, idx: SearchIndex) -> OrderedDict:
    """The kept recommendations of this database's index in its current state (emptied on any change)."""
    db_key = index.database_key(session)
    kept = _TEAM_RECS.get(db_key)
    if kept is None or kept[0] is not idx or kept[1] != idx.fingerprint:
        kept = _TEAM_RECS[db_key] = (idx, idx.fingerprint, OrderedDict())
    return kept[2]


@_serialised
def challenges_for_team(*, session: Session, team: TeamProfile, k: int = 10,
                        floor: float = TEAM_MIN_SELF_SHARE) -> list[Recommendation]:
    """Open challenges ranked for a team (never its own organisation's).

    Bounded at 10,000 challenges: the index ranks every public challenge, and only the best few
    are loaded and checked (open, another organisation's); the window widens until k are found.
    """
    idx = index.index(session)
    query = team_text(team)

    def load(ids: list[int]) -> dict[int, Challenge]:
        return {c.id: c for c in session.exec(select(Challenge).where(
            col(Challenge.id).in_(ids or [-1]), Challenge.status == ChallengeStatus.PUBLISHED,
            col(Challenge.bid_deadline) > utcnow(), Challenge.organisation_id != team.organisation_id)).all()}

    cache = _team_recs(session, idx)
    key = (team.id, team.organisation_id, query, k, floor)
    kept = cache.get(key)
    if kept is not None:
        rows = load([cid for cid, *_ in kept])
        if len(rows) == len(kept):  # every one still open: the ranking stands
            cache.move_to_end(key)
            return [Recommendation(rows[cid], score, list(terms), relative) for cid, score, terms, relative in kept]
    hits, open_ = _best_loaded(idx, query, "challenge:", k, load)
    terms = idx.explain_many(query, [h.doc_id for h in hits], n=8)
    recs = [Recommendation(open_[i], s, terms[f"challenge:{i}"]) for i, s in _ids(hits, "challenge:")]
    recs = _credible(recs, _self_score(idx, query, f"team:{team.id}", hits), floor=floor)
    cache[key] = [(r.item.id, r.score, list(r.terms), r.relative) for r in recs]
    while len(cache) > TEAM_RECS_KEPT:
        cache.popitem(last=False)
    return recs


def _best_loaded(idx: SearchIndex, query: str, prefix: str, k: int,
                 load: Callable[[list[int]], dict[int, T]]) -> tuple[list[Hit], dict[int, T]]:
    """The k best documents of a kind that `load` accepts (it reads only the ids it is given, in SQL).

    The index ranks every document of the kind; a window of 4k is loaded and filtered, and widened
    fourfold until k pass or the ranking runs out — never every row of the table.
    """
    everyone = idx.doc_ids(prefix)
    window = 4 * k
    while True:
        ranked = idx.search(query, k=window, allowed=everyone)
        rows = load([i for i, _ in _ids(ranked, prefix)])
        hits = [h for h in ranked if h.doc_id.startswith(prefix) and int(h.doc_id.split(":", 1)[1]) in rows][:k]
        if len(hits) >= k or len(ranked) < window:
            return hits, rows
        window *= 4


@_serialised
def experts_for(*, session: Session, query: str, excluded_organisation_ids: set[int],
                k: int = 10, self_id: str | None = None,
                floor: float = MIN_SELF_SHARE) -> list[Recommendation]:
    """Experts ranked for a text, excluding those of conflicted organisations (利益冲突回避)."""
    idx = index.index(session)
    rows = session.exec(select(ExpertProfile, User).join(User, col(User.id) == ExpertProfile.user_id)).all()
    eligible = {e.id: (e, u) for e, u in rows if u.organisation_id not in excluded_organisation_ids}
    hits = idx.search(query, k=max(4 * k, 20), allowed=[f"expert:{i}" for i in eligible])  # filtered below
    terms = idx.explain_many(query, [h.doc_id for h in hits if h.doc_id.startswith("expert:")], n=6)
    recs = [Recommendation(eligible[i], s, terms[f"expert:{i}"]) for i, s in _ids(hits, "expert:")]
    if self_id is None:  # no self document: compare with the best expert
        return _credible(recs, max((h.score for h in hits), default=0.0), floor=0.25)[:k]
    return _credible(recs, _self_score(idx, query, self_id, hits), floor=floor)[:k]


def marked(text_: str, terms: list[TermContribution]) -> list[tuple[str, bool]]:
    """The text in segments, True where a contributing term occurs (for <mark>)."""
    return highlight(text_, [t.term for t in terms])


def organisation_names(session: Session, ids: set[int]) -> dict[int, str]:
    return dict(session.exec(select(Organisation.id, Organisation.name)
                             .where(col(Organisation.id).in_(ids or {-1}))).all())
