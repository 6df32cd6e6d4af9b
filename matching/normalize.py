"""Text normalisation: NFKC, Traditional to Simplified, case folding, control characters."""

from __future__ import annotations

import threading
import unicodedata
from functools import lru_cache

import opencc

__all__ = ["normalize", "normalize_with_offsets", "to_simplified"]

_local = threading.local()


def _converter() -> opencc.OpenCC:
    """Return this thread's OpenCC Traditional-to-Simplified converter."""
    conv = getattr(_local, "t2s", None)
    if conv is None:
        conv = _local.t2s = opencc.OpenCC("t2s")
    return conv


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese characters and phrases to Simplified."""
    return _converter().convert(text) if text else text


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    """Normalise one character: control/format characters to space, NFKC, case folding."""
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
        return " "
    return unicodedata.normalize("NFKC", ch).casefold()


def normalize(text: str) -> str:
    """Return the normalised form of *text* (NFKC, case-folded, Simplified, controls as spaces)."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if not folded.isprintable():
        folded = "".join(" " if not c.isprintable() and c != " " else c for c in folded)
    return to_simplified(folded)


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Normalise *text* and map every output character back to its source index.

    Returns
    -------
    tuple
        The normalised text and a list, one entry per normalised character, giving the index of
        the character of *text* it came from.
    """
    pieces: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        pieces.append(folded)
        offsets.extend([i] * len(folded))
    folded_text = "".join(pieces)
    simplified = to_simplified(folded_text)
    if len(simplified) != len(folded_text):
        # Rare phrase conversions that change length: fall back to character by character.
        simplified = "".join(to_simplified(c) if len(to_simplified(c)) == 1 else c for c in folded_text)
    return simplified, offsets
