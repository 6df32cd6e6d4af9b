"""Highlighting matched terms in original (un-normalised) text."""

from __future__ import annotations

import re
from collections.abc import Iterable

from matching.normalize import normalize, normalize_with_offsets

__all__ = ["highlight"]

_ALNUM = re.compile(r"[0-9a-z]")


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
