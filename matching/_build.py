"""Fast corpus analysis for :meth:`SearchIndex.fit`: per-channel ``(doc, term, tf)`` triples.

The character channel is computed with numpy over the code points of a whole chunk of documents
(a CJK unigram is keyed by its code point, a bigram by both code points packed in one integer), so
no Python string is made per n-gram. Other tokenisers (jieba, longer n-grams) run per document,
optionally in worker processes. Every path yields exactly the terms of the channel's tokeniser.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import re
from collections.abc import Callable, Sequence

import numpy as np

from matching.tokenize import _LATIN, CharNgramTokenizer

__all__ = ["ChannelTerms", "analyze_channel", "effective_n_jobs", "release_memory"]

_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_LATIN_RE = re.compile(_LATIN)
_SEP = "\n"  # normalised text holds no newline (control characters become spaces)
_SHIFT = 21  # bits of one code point
_LATIN_BASE = 1 << (2 * _SHIFT)  # keys of Latin terms start here
_CHUNK = 2048  # documents per chunk (bounds the temporary memory)
_DOC_BITS = 12  # 2**_DOC_BITS >= _CHUNK

ChannelTerms = tuple[list[str], np.ndarray, np.ndarray, np.ndarray]
"""Terms of a channel, then per (document, term) pair: document row, term index, term count."""


def _count_pairs(doc: np.ndarray, key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count equal ``(doc, key)`` pairs; *doc* < 2**_DOC_BITS and *key* < 2**50."""
    packed, counts = np.unique((key << _DOC_BITS) | doc, return_counts=True)
    return packed & ((1 << _DOC_BITS) - 1), packed >> _DOC_BITS, counts


def _char_chunk(
    norms: Sequence[str], ngram_range: tuple[int, int], latin_ids: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Character 1-2-gram keys of a chunk of normalised texts, counted per document."""
    joined = _SEP.join(norms) + _SEP
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    ends = np.flatnonzero(cps == ord(_SEP))
    doc_of = np.zeros(len(cps), dtype=np.int64)
    doc_of[ends[:-1] + 1] = 1
    doc_of = np.cumsum(doc_of)
    cjk = np.zeros(len(cps), dtype=bool)
    for lo, hi in _CJK_RANGES:
        cjk |= (cps >= lo) & (cps <= hi)
    docs, keys = [], []
    if ngram_range[0] <= 1:
        pos = np.flatnonzero(cjk)
        docs.append(doc_of[pos])
        keys.append(cps[pos])
    if ngram_range[0] <= 2 <= ngram_range[1]:
        pos = np.flatnonzero(cjk[:-1] & cjk[1:])
        docs.append(doc_of[pos])
        keys.append((cps[pos] << _SHIFT) | cps[pos + 1])
    lat_pos, lat_key = [], []
    for m in _LATIN_RE.finditer(joined):
        lat_pos.append(m.start())
        lat_key.append(_LATIN_BASE + latin_ids.setdefault(m.group(), len(latin_ids)))
    if lat_pos:
        docs.append(doc_of[np.asarray(lat_pos, dtype=np.int64)])
        keys.append(np.asarray(lat_key, dtype=np.int64))
    if not docs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return _count_pairs(np.concatenate(docs), np.concatenate(keys))


def _key_to_term(key: int, latin: list[str]) -> str:
    """The term string of a character-channel key."""
    if key < 1 << _SHIFT:
        return chr(key)
    if key < _LATIN_BASE:
        return chr(key >> _SHIFT) + chr(key & ((1 << _SHIFT) - 1))
    return latin[key - _LATIN_BASE]


def _char_channel(norms: Sequence[str], ngram_range: tuple[int, int]) -> ChannelTerms:
    """Vectorised character channel (n-gram lengths 1 and/or 2 only)."""
    latin_ids: dict[str, int] = {}
    docs, keys, tfs = [], [], []
    for start in range(0, len(norms), _CHUNK):
        d, k, c = _char_chunk(norms[start : start + _CHUNK], ngram_range, latin_ids)
        docs.append(d + start)
        keys.append(k)
        tfs.append(c)
    doc = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64)
    key = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
    tf = np.concatenate(tfs) if tfs else np.zeros(0, dtype=np.int64)
    uniq, term = np.unique(key, return_inverse=True)
    latin = list(latin_ids)
    terms = [_key_to_term(k, latin) for k in uniq.tolist()]
    return terms, doc, term.reshape(-1), tf


_worker_tokenizer: Callable[[str], list[str]] | None = None  # inherited by forked workers


def _tokenize_chunk(norms: Sequence[str]) -> tuple[str, list[int]]:
    """Tokenise a chunk with the current tokeniser; tokens joined by NUL (never in a token)."""
    tokenizer = _worker_tokenizer
    tokens: list[str] = []
    lengths = []
    for text in norms:
        toks = tokenizer(text)
        tokens.extend(toks)
        lengths.append(len(toks))
    return "\0".join(tokens), lengths


def _generic_channel(
    norms: Sequence[str], tokenizer: Callable[[str], list[str]], n_jobs: int
) -> ChannelTerms:
    """Any tokeniser, per document; in *n_jobs* forked worker processes when above one.

    The tokeniser is warmed up (dictionaries loaded) once here, then inherited by the workers
    through ``fork`` rather than pickled for every chunk.
    """
    global _worker_tokenizer
    chunks = [norms[s : s + _CHUNK] for s in range(0, len(norms), _CHUNK)]
    tokenizer("")  # load dictionaries before forking
    _worker_tokenizer = tokenizer
    try:
        if n_jobs > 1 and len(chunks) > 1 and "fork" in multiprocessing.get_all_start_methods():
            with multiprocessing.get_context("fork").Pool(min(n_jobs, len(chunks))) as pool:
                return _collect(pool.imap(_tokenize_chunk, chunks))
        return _collect(map(_tokenize_chunk, chunks))
    finally:
        _worker_tokenizer = None


def _collect(results) -> ChannelTerms:
    """Turn tokenised chunks into counted ``(doc, term, tf)`` triples."""
    vocab: dict[str, int] = {}
    setdefault = vocab.setdefault
    docs, terms, tfs = [], [], []
    start = 0
    for joined, lengths in results:
        toks = joined.split("\0") if joined else []
        ids = np.fromiter(
            (setdefault(t, len(vocab)) for t in toks), dtype=np.int64, count=len(toks)
        )
        doc = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        d, t, c = _count_pairs(doc, ids)
        docs.append(d + start)
        terms.append(t)
        tfs.append(c)
        start += len(lengths)
    return list(vocab), _cat(docs), _cat(terms), _cat(tfs)


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    """Concatenate int64 arrays (an empty list gives an empty array)."""
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def analyze_channel(
    norms: Sequence[str], tokenizer: Callable[[str], list[str]], n_jobs: int = 1
) -> ChannelTerms:
    """Analyse normalised texts with one channel's tokeniser.

    Returns
    -------
    tuple
        ``(terms, doc, term, tf)``: the channel's distinct terms, and for every (document, term)
        pair its document row, its index into ``terms`` and its count.
    """
    if isinstance(tokenizer, CharNgramTokenizer) and tokenizer.ngram_range[1] <= 2:
        return _char_channel(norms, tokenizer.ngram_range)
    return _generic_channel(norms, tokenizer, n_jobs)


def effective_n_jobs(n_jobs: int | None, n_chars: int) -> int:
    """Worker processes for a corpus of *n_chars* characters (``None``: all cores if big)."""
    cores = os.cpu_count() or 1
    if n_jobs is None:
        return cores if n_chars >= 2_000_000 else 1
    return cores + 1 + n_jobs if n_jobs < 0 else max(1, n_jobs)


def release_memory() -> None:
    """Hand freed heap memory back to the system (glibc ``malloc_trim``; a no-op elsewhere).

    A fit frees several hundred megabytes of temporary arrays at 100k documents; without this,
    glibc keeps much of it mapped and the process looks twice as large as its index.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass
