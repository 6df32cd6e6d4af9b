"""The only bridge to matching/: documents from domain rows, a per-process index kept fresh.

Every worker holds the index in memory. The database stores its version: a change made here
updates this worker's index at once and bumps the version in the caller's transaction; a worker
that sees another version rebuilds (from the saved file when it matches, else from the rows).
"""

from __future__ import annotations

import functools
import logging
import secrets
import threading
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session, col, select

from marketplace.accounts.models import ExpertProfile, Organisation, TeamProfile, User
from marketplace.challenges import permissions as challenge_permissions
from marketplace.challenges.models import Challenge, ChallengeStatus
from marketplace.clock import utcnow
from marketplace.indexstate import IndexState
from marketplace.industries import INDUSTRIES, WEAK_LINKS
from matching import IndexCorrupt, SearchIndex, TermContribution, highlight
from matching.query import specific_chars

log = logging.getLogger("jiebang.recommend")
INDEX_NAME = "main"
SALT = 1 << 20
_lock = threading.RLock()


@dataclass
class _Local:
    index: SearchIndex | None = None
    version: int | None = None


_locals: dict[str, _Local] = {}  # one index per database (tests use several)


def _db_key(session: Session) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=True)


def _local_for(session: Session) -> _Local:
    return _locals.setdefault(_db_key(session), _Local())


# ---------------------------------------------------------------- documents
def challenge_text(c: Challenge) -> str:
    indicators = "；".join(f"{i.get('name', '')} {i.get('target', '')}{i.get('unit', '')}"
                          for i in c.indicators)
    parts = [c.title, c.title, c.industry, c.weak_link or "", c.background, c.bottleneck,
             indicators, c.deliverables, c.scenario]
    return "\n".join(p for p in parts if p)


def team_text(t: TeamProfile) -> str:
    parts = [t.name, " ".join(t.fields), " ".join(t.fields), " ".join(t.industries), t.profile,
             t.achievements, " ".join(t.patents)]
    return "\n".join(p for p in parts if p)


def expert_text(e: ExpertProfile) -> str:
    return "\n".join([" ".join(e.fields), " ".join(e.fields), e.title, e.bio])


def _documents(session: Session) -> list[tuple[str, str]]:
    docs: list[tuple[str, str]] = []
    for c in session.exec(select(Challenge)).all():
        if challenge_permissions.is_public(c):
            docs.append((f"challenge:{c.id}", challenge_text(c)))
    docs += [(f"team:{t.id}", team_text(t)) for t in session.exec(select(TeamProfile)).all()]
    docs += [(f"expert:{e.id}", expert_text(e)) for e in session.exec(select(ExpertProfile)).all()]
    return docs


# ---------------------------------------------------------------- freshness
def _stored_version(session: Session) -> int | None:
    row = session.get(IndexState, INDEX_NAME)
    return row.version if row else None


def _index_path():  # noqa: ANN202
    from marketplace.config import get_settings

    path = get_settings().index_dir
    path.mkdir(parents=True, exist_ok=True)
    return path / f"{INDEX_NAME}.idx"


def _fingerprint_for(version: int, session: Session) -> str:
    return f"{_db_key(session)}#v{version}"


def index(session: Session) -> SearchIndex:
    """This worker's index, rebuilt if another worker (or a restart) moved the stored version."""
    version = _stored_version(session)
    with _lock:
        _local = _local_for(session)
        if _local.index is not None and _local.version == version:
            return _local.index
        wanted = _fingerprint_for(version, session)
        try:
            if version is None:  # nothing was ever versioned: build from the rows, trust no file
                raise IndexCorrupt("no stored version")
            idx = SearchIndex.load(_index_path(), fingerprint=wanted)
        except IndexCorrupt:
            idx = SearchIndex().fit(_documents(session) or [("empty:0", "")])
            idx.set_fingerprint(wanted)
            if version is not None:
                _save(idx)
        _local.index, _local.version = idx, version
        return idx


def _save(idx: SearchIndex) -> None:
    try:
        idx.save(_index_path())
    except OSError:
        log.warning("could not save the search index to disk")


def rebuild_in(session: Session) -> None:
    """Mark the index for a full rebuild inside the caller's transaction (every worker rebuilds)."""
    with _lock:
        _local = _local_for(session)
        _local.index, _local.version = None, None
        _bump(session)


def rebuild(session: Session) -> int:
    """Full rebuild now (refreshes the statistics); returns the number of documents. Commits."""
    rebuild_in(session)
    session.commit()
    return len(index(session))


def _bump(session: Session) -> int:
    """Move the stored version (inside the caller's transaction); returns the new version."""
    if session.get(IndexState, INDEX_NAME) is None:
        session.add(IndexState(name=INDEX_NAME, version=0))
        session.flush()
    session.execute(text("UPDATE indexstate SET version = (version / :s + 1) * :s + :salt WHERE name = :n"),
                    {"n": INDEX_NAME, "s": SALT, "salt": secrets.randbelow(SALT)})
    return session.exec(select(IndexState.version).where(IndexState.name == INDEX_NAME)).one()


def _changed(session: Session, doc_id: str, body: str | None) -> None:
    with _lock:
        idx = index(session)
        _local = _local_for(session)
        previous = _local.version
        new_version = _bump(session)
        if body is None:
            if doc_id in idx:
                idx.remove(doc_id)
        elif doc_id in idx:
            idx.update(doc_id, body)
        else:
            idx.add(doc_id, body)
        # Only current if nobody else moved the version in between; else rebuild on next use.
        current = previous is not None and previous // SALT == new_version // SALT - 1
        _local.version = new_version if current else None
        idx.set_fingerprint(_fingerprint_for(new_version, session))


def challenge_changed(*, session: Session, challenge: Challenge) -> None:
    """Index a challenge once public; drop it when it is not."""
    public = challenge_permissions.is_public(challenge)
    _changed(session, f"challenge:{challenge.id}", challenge_text(challenge) if public else None)


def team_changed(*, session: Session, team: TeamProfile) -> None:
    _changed(session, f"team:{team.id}", team_text(team))


# ---------------------------------------------------------------- queries
def _serialised(fn):  # noqa: ANN001, ANN202
    """Searches run under the index lock: an add/update in another thread resizes the arrays a
    search is reading (BufferError found by `make load`, 100 clients mixing publications and searches)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        with _lock:
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


def _self_score(idx: SearchIndex, query: str, own_id: str, hits) -> float:  # noqa: ANN001
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


def _ids(hits, prefix: str, floor: float = 0.0) -> list[tuple[int, float]]:  # noqa: ANN001
    best = max((h.score for h in hits), default=0.0)
    return [(int(h.doc_id.split(":", 1)[1]), h.score) for h in hits
            if h.doc_id.startswith(prefix) and h.score >= floor * best]


# The search box returns a challenge only when it contains this share of the query's units
# (character pairs, whole Latin terms): "量子" no longer finds every text with 量 or 子.
SEARCH_MIN_SHOULD_MATCH = 0.75


@_serialised
def search_challenge_ids(*, session: Session, query: str, k: int = 500) -> list[int]:
    """Public challenges by relevance to a search-box query (Traditional script welcome)."""
    idx = index(session)
    hits = idx.search(query, k=k, allowed=idx.doc_ids("challenge:"), min_should_match=SEARCH_MIN_SHOULD_MATCH)
    return [i for i, _ in _ids(hits, "challenge:")]


@_serialised
def search_teams(*, session: Session, query: str, k: int = 50) -> list[Recommendation]:
    idx = index(session)
    hits = idx.search(query, k=k, allowed=idx.doc_ids("team:"))
    teams = {t.id: t for t in session.exec(select(TeamProfile).where(
        col(TeamProfile.id).in_([i for i, _ in _ids(hits, "team:")] or [-1]))).all()}
    return [Recommendation(teams[i], s, []) for i, s in _ids(hits, "team:") if i in teams]


@_serialised
def teams_for_challenge(*, session: Session, challenge: Challenge, k: int = 10) -> list[Recommendation]:
    """Research teams ranked for a challenge, excluding the posting company's own organisation."""
    idx = index(session)
    query = challenge_text(challenge)
    teams = {t.id: t for t in session.exec(select(TeamProfile).where(
        TeamProfile.organisation_id != challenge.organisation_id)).all()}
    hits = idx.search(query, k=k, allowed=[f"team:{i}" for i in teams])
    recs = [Recommendation(teams[i], s, idx.explain(query, f"team:{i}", n=8)) for i, s in _ids(hits, "team:")]
    return _credible(recs, _self_score(idx, query, f"challenge:{challenge.id}", hits))


@_serialised
def challenges_for_team(*, session: Session, team: TeamProfile, k: int = 10) -> list[Recommendation]:
    """Open challenges ranked for a team (never its own organisation's)."""
    idx = index(session)
    query = team_text(team)
    open_ = {c.id: c for c in session.exec(select(Challenge).where(
        Challenge.status == ChallengeStatus.PUBLISHED, col(Challenge.bid_deadline) > utcnow(),
        Challenge.organisation_id != team.organisation_id)).all()}
    hits = idx.search(query, k=k, allowed=[f"challenge:{i}" for i in open_])
    recs = [Recommendation(open_[i], s, idx.explain(query, f"challenge:{i}", n=8))
            for i, s in _ids(hits, "challenge:")]
    return _credible(recs, _self_score(idx, query, f"team:{team.id}", hits))


@_serialised
def experts_for(*, session: Session, query: str, excluded_organisation_ids: set[int],
                k: int = 10, self_id: str | None = None, floor: float = MIN_SELF_SHARE) -> list[Recommendation]:
    """Experts ranked for a text, excluding those of conflicted organisations (利益冲突回避)."""
    idx = index(session)
    rows = session.exec(select(ExpertProfile, User).join(User, col(User.id) == ExpertProfile.user_id)).all()
    eligible = {e.id: (e, u) for e, u in rows if u.organisation_id not in excluded_organisation_ids}
    hits = idx.search(query, k=max(4 * k, 20), allowed=[f"expert:{i}" for i in eligible])  # filtered below
    recs = [Recommendation(eligible[i], s, idx.explain(query, f"expert:{i}", n=6)) for i, s in _ids(hits, "expert:")]
    return _credible(recs, _self_score(idx, query, self_id, hits), floor=0.25 if self_id is None else floor)[:k]


def experts_for_bid(*, session: Session, bid, challenge: Challenge, k: int = 5) -> list[Recommendation]:  # noqa: ANN001
    """Review experts for a bid: matched on the challenge and the technical route, never from the
    bidder's, a consortium partner's or the posting company's organisation."""
    excluded = {bid.organisation_id, challenge.organisation_id}
    excluded |= {int(p["organisation_id"]) for p in bid.partners or [] if p.get("organisation_id")}
    query = f"{challenge.title}\n{challenge.title}\n{challenge.bottleneck}\n{bid.technical_route}"
    # 匹配度 is the share of what the challenge's own text scores for this query: comparable across
    # challenges (the best of a weak list is not 100%).
    return experts_for(session=session, query=query, excluded_organisation_ids=excluded, k=k,
                       self_id=f"challenge:{challenge.id}", floor=EXPERT_MIN_SELF_SHARE)


def marked(text_: str, terms: list[TermContribution]) -> list[tuple[str, bool]]:
    """The text in segments, True where a contributing term occurs (for <mark>)."""
    return highlight(text_, [t.term for t in terms])


def organisation_names(session: Session, ids: set[int]) -> dict[int, str]:
    return dict(session.exec(select(Organisation.id, Organisation.name)
                             .where(col(Organisation.id).in_(ids or {-1}))).all())
