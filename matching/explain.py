"""Explaining a match: the terms behind a score, and highlighting them in the original text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from matching.normalize import normalize, normalize_with_offsets
from matching.tokenize import iter_spans

__all__ = ["TermContribution", "contributions", "highlight"]

_ALNUM = re.compile(r"[0-9a-z]")


@dataclass(frozen=True, slots=True)
class TermContribution:
    """One term's share of a document's score and where it occurs in the document text."""

    term: str
    share: float
    positions: list[tuple[int, int]] = field(default_factory=list)


def contributions(scores: dict[str, float], query: str, text: str, n: int) -> list[TermContribution]:
    """The *n* largest of the terms' *scores* in document *text*, as shares of their sum.

    N-grams are merged into the longest query phrases found in the document, and every term
    carries its ``(start, end)`` spans in the original *text*.
    """
    total = sum(scores.values())
    if total <= 0:
        return []
    norm, offsets = normalize_with_offsets(text)
    merged = _merge_into_phrases(scores, normalize(query), norm)
    best = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return [TermContribution(term, share / total, _find_positions(norm, offsets, term)) for term, share in best]


def highlight(text: str, terms: Iterable[str]) -> list[tuple[str, bool]]:
    """Split *text* into segments, True where one of *terms* occurs (compared after normalisation).

    Latin/number terms only match whole (``5g`` does not light up inside ``15g``).
    """
    if not text:
        return []
    norm, offsets = normalize_with_offsets(text)
    marked = [False] * len(text)
    for raw in set(terms):
        term = normalize(str(raw)).strip()
        if not term:
            continue
        latin = bool(_ALNUM.match(term[0])) or bool(_ALNUM.match(term[-1]))
        start = norm.find(term)
        while start >= 0:
            end = start + len(term)
            ok = not latin or (
                (start == 0 or not _ALNUM.match(norm[start - 1]))
                and (end == len(norm) or not _ALNUM.match(norm[end]))
            )
            if ok:
                for i in range(offsets[start], offsets[end - 1] + 1):
                    marked[i] = True
            start = norm.find(term, start + 1)
    segments: list[tuple[str, bool]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or marked[i] != marked[start]:
            segments.append((text[start:i], marked[start]))
            start = i
    return segments


def _merge_into_phrases(contrib: dict[str, float], query: str, doc: str) -> dict[str, float]:
    """Fold n-gram contributions into the longest query phrases that occur in the document."""
    phrases: list[str] = []
    for kind, start, end in iter_spans(query):
        run = query[start:end]
        if kind == "latin":
            phrases.append(run)
            continue
        for i in range(len(run)):
            j = i
            while j < len(run) and run[i : j + 1] in doc:
                j += 1
            if j > i and not (phrases and run[i:j] in phrases[-1]):
                phrases.append(run[i:j])
    merged: dict[str, float] = {}
    for term, value in contrib.items():
        owner = next((p for p in phrases if term in p), term)
        merged[owner] = merged.get(owner, 0.0) + value
    return merged


def _find_positions(norm: str, offsets: list[int], term: str) -> list[tuple[int, int]]:
    """Find *term* in normalised text and return ``(start, end)`` spans of the original text."""
    spans = []
    start = norm.find(term)
    while start >= 0 and term:
        end = start + len(term)
        spans.append((offsets[start], offsets[end - 1] + 1))
        start = norm.find(term, start + 1)
    return spans
