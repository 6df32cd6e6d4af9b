"""From query text to weighted terms: keyword balance, common-term pruning, pseudo-relevance feedback."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from matching.normalize import normalize
from matching.postings import Postings, top_rows
from matching.tokenize import JiebaTokenizer, iter_spans, load_stopwords

__all__ = [
    "KEYWORD_MAX_CHARS", "MAX_DF_MIN_DOCS", "expand", "query_terms", "query_units", "required_count", "specific_chars",
    "unit_terms",
]

MAX_DF_MIN_DOCS = 2000
KEYWORD_MAX_CHARS = 20  # a longer whitespace-separated piece makes the query running text

Channels = Sequence[tuple[str, Callable[[str], list[str]], float]]  # (prefix, tokenizer, weight)


def query_terms(
    query: str, channels: Channels, postings: Postings, *, max_chars: int, max_df: float, keyword_balance: float
) -> dict[int, float]:
    """Map a query to ``{term id: weight}``; unknown terms are dropped."""
    if not isinstance(query, str):
        return {}
    norm = normalize(query[:max_chars])
    pieces = norm.split()
    if keyword_balance > 0 and len(pieces) >= 2 and max(map(len, pieces)) <= KEYWORD_MAX_CHARS:
        segments = [_known_terms(p, channels, postings) for p in pieces]
    else:
        segments = [_known_terms(norm, channels, postings)]
    # Pruning common terms is a speed measure for large corpora; in a small one (a district's
    # few hundred challenges and teams) the shared domain words ARE the signal, so keep them.
    n_alive, df = postings.n_alive, postings.df
    if max_df < 1.0 and n_alive >= MAX_DF_MIN_DOCS:
        limit = max_df * n_alive
        kept = [{t: w for t, w in seg.items() if df[t] <= limit} for seg in segments]
        if any(kept):
            segments = kept
    segments = [seg for seg in segments if seg]
    out: dict[int, float] = {}
    if not segments:
        return out
    sizes = [sum(seg.values()) for seg in segments]
    mean = sum(sizes) / len(sizes)
    for seg, size in zip(segments, sizes, strict=True):
        factor = (mean / size) ** keyword_balance if len(segments) > 1 else 1.0
        for t, qtf in seg.items():
            out[t] = out.get(t, 0.0) + qtf * factor
    return out


def _known_terms(norm: str, channels: Channels, postings: Postings) -> dict[int, float]:
    """Count the indexed terms of normalised text: ``{term id: count}``."""
    out: dict[int, float] = {}
    vocab, df = postings.vocab, postings.df
    for prefix, tok, _ in channels:
        for term in tok(norm):
            t = vocab.get(prefix + term if prefix else term)
            if t is not None and df[t] > 0:
                out[t] = out.get(t, 0.0) + 1.0
    return out


def expand(
    qterms: dict[int, float],
    scores: np.ndarray,
    postings: Postings,
    analyze: Callable[[str], list[Counter]],
    *,
    docs: int,
    terms: int,
    weight: float,
) -> dict[int, float]:
    """RM3-like expansion: add the *terms* best terms of the *docs* best documents to the query."""
    P = postings
    if P.n_alive < len(P.ids):
        scores = np.where(P.alive, scores, 0.0)
    top = top_rows(scores, docs, None)
    if len(top) == 0:
        return qterms
    total = sum(qterms.values())
    gain: Counter = Counter()
    n = max(P.n_alive, 1)
    top_score = scores[top].sum()
    for row in top:
        share = scores[row] / top_score
        for counts in analyze(P.texts[row]):
            dl = sum(counts.values()) or 1
            for term, tf in counts.items():
                t = P.vocab.get(term)
                if t is None or t in qterms:
                    continue
                df = P.df[t]
                idf = np.log1p((n - df + 0.5) / (df + 0.5))
                gain[t] += share * tf / dl * idf
    expanded = dict(qterms)
    best = gain.most_common(terms)
    if not best:
        return qterms
    norm = sum(g for _, g in best)
    for t, g in best:
        expanded[t] = weight * total * g / norm
    return expanded


_WORDS = JiebaTokenizer()  # the domain dictionary, stop words removed


def query_units(query: str, max_chars: int = 200) -> list[str]:
    """The meaningful units of a search-box query, each once: its words (jieba with the domain
    dictionary, stop words out) and whole Latin/number terms, without single CJK characters,
    generic research words, boilerplate and place or institution names (``generic_terms.txt``)
    unless nothing else is left.

    Minimum-should-match counts these: a result must contain enough of them.
    """
    norm = normalize(query[:max_chars]) if isinstance(query, str) else ""
    words: list[str] = []
    joining = False  # the last word is made of single characters
    for w in _WORDS(norm):
        if not w.strip():
            continue
        if joining and _lone_cjk(w):
            words[-1] += w  # "脑", "机" -> "脑机": jieba's unknown words come as single characters
        else:
            words.append(w)
            joining = _lone_cjk(w)
    words = list(dict.fromkeys(words))
    generic = load_stopwords("generic_terms.txt")
    specific = [w for w in words if w not in generic and not _lone_cjk(w)]
    return specific or words


def _lone_cjk(word: str) -> bool:
    """A single CJK character ("不", "矽"): too weak to be required on its own."""
    return len(word) == 1 and word >= "\u3400"


def specific_chars(term: str) -> int:
    """How many characters of *term* belong to specific words (not stop words, single characters,
    generic research words, boilerplate or place and institution names): the evidence it carries."""
    norm = normalize(term)
    generic = load_stopwords("generic_terms.txt")
    if norm in generic:
        return 0
    return sum(len(w) for w in _WORDS(norm) if w not in generic and not _lone_cjk(w))


def unit_terms(unit: str) -> list[str]:
    """The character-channel terms that together show a unit occurs in a document: its character
    pairs (a one-character unit: itself; a Latin/number term: itself, whole)."""
    terms: list[str] = []
    for kind, start, end in iter_spans(unit):
        run = unit[start:end]
        if kind == "latin" or len(run) == 1:
            terms.append(run)
        else:
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    return terms


def required_count(n_units: int, share: float) -> int:
    """How many of *n_units* query units a result must contain: all of one or two, else the share
    rounded down ("2<75%" in Elasticsearch's minimum_should_match), never fewer than two."""
    if n_units <= 2:
        return n_units
    return max(2, int(np.floor(share * n_units + 1e-9)))
