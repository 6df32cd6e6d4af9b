"""查重 (duplicate check) at formal review: each opened bid of a challenge against every earlier bid on the
platform and every funded project, for the officer only.

Two stages. The matching engine (matching.SearchIndex, BM25 over character n-grams, Traditional
folded to Simplified) picks the few most similar earlier texts; then a passage comparison finds what
was actually copied: a passage (a sentence) of the bid counts as overlapping when most of its
character pairs occur in one passage of the other text. The pair's score is the share of the bid's
characters in overlapping passages. A flag is a prompt to read both texts, never a decision.

Sealed bids stay sealed: only bids the officer may open (submitted, past their challenge's deadline)
are compared or shown, through bids.queries.readable_ids.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import String, cast, column, table
from sqlmodel import Session, col, select

from marketplace.accounts.models import Organisation
from marketplace.actor import Actor
from marketplace.bids import queries as bid_queries
from marketplace.bids.models import Bid
from marketplace.challenges import permissions as challenge_permissions
from marketplace.challenges import queries as challenge_queries
from marketplace.challenges.models import Challenge
from marketplace.clock import as_utc, utcnow
from marketplace.config import get_settings
from marketplace.errors import Forbidden, NotFound
from matching import SearchIndex
from matching.normalize import normalize

# A bid is flagged when at least this share of its text sits in passages nearly copied from one other
# text. On the demo's bids only the planted near-copy passes (0.76; tests/reviews/test_demo_similarity.py):
# bids in one field share vocabulary (碳化硅, 烧结, 可靠性) but rarely whole sentences.
THRESHOLD = 0.30
# ... and at least this many characters of it are copied: a shared one-line formula ("分阶段攻关：工艺验证→
# 样机→可靠性考核", 20 characters, in six demo contracts) is boilerplate, not a copied proposal.
MIN_COPIED_CHARS = 60
PASSAGE_MATCH = 0.6   # share of a passage's character pairs found in one passage of the other text
MIN_PASSAGE = 8       # shorter fragments (headings, list numbers) never count
CANDIDATES = 5        # earlier texts the engine hands to the passage comparison, per bid
# Funded projects are the bids that became contracts. marketplace/contracts imports this package, so the
# table is named here in SQL terms instead of importing its model (no two packages import each other).
FUNDED = table("contract", column("bid_id"))
_SPLIT = re.compile(r"(?<=[。！？；!?;])|\n")
_SKIP = re.compile(r"[\s\W_]", re.UNICODE)


def passages(text: str) -> list[str]:
    return [p.strip() for p in _SPLIT.split(text or "") if len(p.strip()) >= MIN_PASSAGE]


def _folded(text: str) -> list[str]:
    return [normalize(ch) or " " for ch in text]


def _pairs(folded: list[str]) -> set[str]:
    kept = [c for c in folded if not _SKIP.fullmatch(c)]
    return {a + b for a, b in zip(kept, kept[1:], strict=False)}


@dataclass
class PassagePair:
    left: list[tuple[str, bool]]   # the bid's passage as (text, overlapping?) segments
    right: list[tuple[str, bool]]  # the other text's passage, likewise
    share: float


@dataclass
class Overlap:
    score: float
    copied_chars: int = 0
    pairs: list[PassagePair] = field(default_factory=list)


def _segments(text: str, folded: list[str], other: set[str]) -> list[tuple[str, bool]]:
    """Mark each character that belongs to a character pair also found in the other passage."""
    idx = [i for i, c in enumerate(folded) if not _SKIP.fullmatch(c)]
    hit = [False] * len(text)
    for a, b in zip(idx, idx[1:], strict=False):
        if folded[a] + folded[b] in other:
            hit[a] = hit[b] = True
    segments: list[tuple[str, bool]] = []
    for ch, h in zip(text, hit, strict=True):
        if segments and segments[-1][1] == h:
            segments[-1] = (segments[-1][0] + ch, h)
        else:
            segments.append((ch, h))
    return segments


def compare(text: str, earlier: str) -> Overlap:
    """How much of `text` is nearly copied from `earlier`, with the overlapping passages side by side."""
    mine = [(p, _folded(p)) for p in passages(text)]
    theirs = [(p, _folded(p)) for p in passages(earlier)]
    their_pairs = [_pairs(f) for _, f in theirs]
    total = sum(len(p) for p, _ in mine) or 1
    copied, found = 0, []
    for p, f in mine:
        grams = _pairs(f)
        if not grams:
            continue
        best, j = max(((len(grams & tp) / len(grams), j) for j, tp in enumerate(their_pairs)), default=(0.0, -1))
        if best >= PASSAGE_MATCH:
            copied += len(p)
            found.append(PassagePair(_segments(p, f, their_pairs[j]),
                                     _segments(theirs[j][0], theirs[j][1], grams), round(best, 2)))
    return Overlap(round(copied / total, 4), copied, found)


def bid_text(bid: Bid) -> str:
    return f"{bid.technical_route}\n{bid.prior_results}"


# ---------------------------------------------------------------- the officer's check
@dataclass
class Flag:
    bid_id: int
    bid_label: str
    other_bid_id: int
    other_label: str
    other_challenge_id: int
    other_challenge_title: str
    funded: bool
    score: float
    pairs: list[PassagePair]


def _labels(session: Session, bids: list[Bid]) -> dict[int, str]:
    names = dict(session.exec(select(Organisation.id, Organisation.name).where(
        col(Organisation.id).in_({b.organisation_id for b in bids} or {-1}))).all())
    return {b.id: names.get(b.organisation_id, "") for b in bids}


# (database, challenge, actor's role) → (fingerprint of the compared bids, the pairs found). Recomputing
# fits a search index over every opened bid on the platform on each view; the result changes only when one
# of those bids changes (text, status or time stamps: every change moves `updated_at`), when another bid
# opens (a deadline passes: the set of readable bids grows), or when a bid is funded. In-process and filled
# on GET without any write; each worker keeps its own copy, checked against the database on every view.
_RESULTS: OrderedDict[tuple, tuple[str, list[tuple[int, int, float, list[PassagePair]]]]] = OrderedDict()
_RESULTS_LOCK = threading.Lock()
_RESULTS_MAX = 64


def check(*, session: Session, actor: Actor, challenge_id: int, now: datetime | None = None) -> list[Flag]:
    """Flags for the opened bids of a challenge past its deadline (officers only), highest score first."""
    if not actor.is_officer:
        raise Forbidden("只有科技局工作人员可以查看查重结果")
    now = now or utcnow()
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    if not challenge_permissions.has_closed(challenge, now):
        raise NotFound("榜单尚未截止，方案仍密封")
    readable = bid_queries.readable_ids(actor=actor, now=now)
    stamps = session.exec(select(Bid.id, Bid.challenge_id, Bid.status, Bid.updated_at, Bid.submitted_at,
                                 Bid.created_at).where(cast(Bid.id, String).in_(readable))
                          .order_by(col(Bid.id))).all()
    if not any(row[1] == challenge.id for row in stamps):
        return []
    funded = sorted(set(session.exec(select(FUNDED.c.bid_id)).all()))
    fingerprint = hashlib.sha256(repr((stamps, funded)).encode()).hexdigest()
    key = (repr(session.get_bind().engine.url), challenge.id, actor.role)
    keep = get_settings().page_cache_seconds > 0  # 0 (the tests' setting) turns every cache off
    with _RESULTS_LOCK:
        hit = _RESULTS.get(key) if keep else None
    if hit is not None and hit[0] == fingerprint:
        found = hit[1]
    else:
        ids = [row[0] for row in stamps]
        found = _pairs_found(session, challenge.id, ids, set(funded))
        if keep:
            with _RESULTS_LOCK:
                _RESULTS[key] = (fingerprint, found)
                _RESULTS.move_to_end(key)
                while len(_RESULTS) > _RESULTS_MAX:
                    _RESULTS.popitem(last=False)
    return _flags(session, found, set(funded))


def _pairs_found(session: Session, challenge_id: int, ids: list[int],
                 funded: set[int]) -> list[tuple[int, int, float, list[PassagePair]]]:
    """(bid, earlier text, score, passages) for each of the challenge's bids that passes the thresholds."""
    opened = list(session.exec(select(Bid).where(col(Bid.id).in_(ids or [-1])).order_by(col(Bid.id))).all())
    mine = [b for b in opened if b.challenge_id == challenge_id]
    corpus = {b.id: b for b in opened}
    index = SearchIndex(lsa_components=0).fit((str(b.id), bid_text(b)) for b in corpus.values())
    found = []
    for bid in mine:
        mine_at = as_utc(bid.submitted_at or bid.created_at)
        earlier = [str(o.id) for o in corpus.values() if o.id != bid.id
                   and (o.id in funded or as_utc(o.submitted_at or o.created_at) < mine_at)]
        if not earlier:
            continue
        for hit in index.search(bid_text(bid), k=CANDIDATES, allowed=earlier):
            other = corpus[int(hit.doc_id)]
            overlap = compare(bid_text(bid), bid_text(other))
            if overlap.score >= THRESHOLD and overlap.copied_chars >= MIN_COPIED_CHARS:
                found.append((bid.id, other.id, overlap.score, overlap.pairs))
    return found


def _flags(session: Session, found, funded: set[int]) -> list[Flag]:  # noqa: ANN001
    """The pairs with today's names: organisation and challenge titles are read on every view."""
    ids = {i for bid_id, other_id, _, _ in found for i in (bid_id, other_id)}
    bids = list(session.exec(select(Bid).where(col(Bid.id).in_(ids or {-1}))).all())
    by_id = {b.id: b for b in bids}
    labels = _labels(session, bids)
    titles = dict(session.exec(select(Challenge.id, Challenge.title).where(
        col(Challenge.id).in_({b.challenge_id for b in bids} or {-1}))).all())
    flags = [Flag(bid_id, labels[bid_id], other_id, labels[other_id], by_id[other_id].challenge_id,
                  titles.get(by_id[other_id].challenge_id, ""), other_id in funded, score, pairs)
             for bid_id, other_id, score, pairs in found]
    return sorted(flags, key=lambda fl: (-fl.score, fl.bid_id, fl.other_bid_id))
