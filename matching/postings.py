"""Postings: the indexed documents and their BM25 term weights, term by document.

Row *t* of the term-by-document matrix holds term *t*'s saturated frequency (:func:`saturate`) in
each document that contains it; a query scores every document by summing the rows of its terms,
each scaled by the term's query weight × idf × channel weight. Documents added after the fit wait
in a per-term side list (``delta``) and removed ones stay as dead columns, until
:meth:`Postings.compact` folds both into the matrix.
"""

from __future__ import annotations

import hashlib
from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matching._build import ChannelTerms
from matching.fitted import derived, saved, working

__all__ = ["Postings", "saturate", "top_rows"]


def saturate(tf: np.ndarray, norm_len: np.ndarray, k1: float, b: float) -> np.ndarray:
    """BM25 term-frequency saturation with length normalisation."""
    return tf * (k1 + 1.0) / (tf + k1 * (1.0 - b + b * norm_len))


@dataclass(eq=False)
class Postings:
    """Documents (columns) and terms (rows) of an index, with the term weights between them.

    Fields are declared with :mod:`matching.fitted`: saved, derived or working.
    """

    ids: list[str] = saved("ids_")  # document id of every column, removed ones until compact()
    texts: list[str] = saved("texts_")  # original text of every column ("" once removed)
    terms: list[str] = saved("terms_")  # every term; word-channel terms carry the word prefix
    term_channel: np.ndarray = saved("term_channel_")  # channel of every term (int8)
    channel_weight: np.ndarray = saved("channel_weight_")  # weight of every channel
    avgdl: np.ndarray = saved("avgdl_")  # mean document length of every channel at the fit
    matrix: sp.csr_matrix = saved("postings_")  # terms × columns, saturated term frequencies
    fingerprint: str = saved("fingerprint_")  # changes with every fit and mutation
    vocab: dict[str, int] = derived("vocab_")  # term -> row
    df: np.ndarray = derived("df_")  # live documents per term
    row_of: dict[str, int] = derived("row_of_")  # live document id -> column
    alive: np.ndarray = derived("alive_")  # False for removed columns
    n_alive: int = derived("n_alive_")
    delta: dict[int, tuple[array, array]] = working()  # term -> added (columns, weights)

    def __post_init__(self) -> None:
        n_terms, n_docs = len(self.terms), len(self.ids)
        if (
            self.matrix.shape != (n_terms, n_docs)
            or len(self.texts) != n_docs
            or len(self.term_channel) != n_terms
            or len(self.avgdl) != len(self.channel_weight)
        ):
            raise ValueError("postings inconsistent")
        self.matrix.check_format(full_check=False)
        self.vocab = {t: i for i, t in enumerate(self.terms)}
        self.df = np.diff(self.matrix.indptr).astype(np.int64)
        self.row_of = {doc_id: i for i, doc_id in enumerate(self.ids)}
        self.alive = np.ones(n_docs, dtype=bool)
        self.n_alive = n_docs
        self.delta = {}

    # ------------------------------------------------------------------ building
    @classmethod
    def build(
        cls,
        ids: list[str],
        texts: list[str],
        channels: list[ChannelTerms],
        prefixes: list[str],
        weights: list[float],
        k1: float,
        b: float,
        fingerprint: str,
    ) -> Postings:
        """Build vocabulary, statistics and the term-by-document matrix from analysed channels."""
        n_docs = len(ids)
        terms: list[str] = []
        rows_p, cols_p, sat_p, chan_p = [], [], [], []
        avgdl = np.ones(len(channels))
        for c, (prefix, (c_terms, doc, term, tf)) in enumerate(zip(prefixes, channels, strict=True)):
            dl = np.bincount(doc, weights=tf, minlength=n_docs)
            avgdl[c] = max(dl.mean(), 1.0) if n_docs else 1.0
            rows_p.append(term + len(terms))
            cols_p.append(doc)
            sat_p.append(saturate(tf.astype(np.float64), dl[doc] / avgdl[c], k1, b))
            chan_p.append(np.full(len(c_terms), c, dtype=np.int8))
            terms.extend(c_terms if not prefix else [prefix + t for t in c_terms])
        term_channel = np.concatenate(chan_p) if chan_p else np.zeros(0, dtype=np.int8)
        rows = np.concatenate(rows_p).astype(np.int32)
        cols = np.concatenate(cols_p).astype(np.int32)
        sat = np.concatenate(sat_p).astype(np.float32)
        del rows_p, cols_p, sat_p
        # Each channel yields the documents of a term in ascending order: a stable sort keeps it.
        order = np.argsort(rows, kind="stable")
        counts = np.bincount(rows, minlength=len(terms)) if len(terms) else np.zeros(0, np.int64)
        indptr = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        matrix = sp.csr_matrix(
            (sat[order], cols[order], indptr.astype(np.int32) if indptr[-1] < 2**31 else indptr),
            shape=(len(terms), n_docs),
        )
        weight = np.asarray(weights, dtype=np.float64)
        return cls(ids, texts, terms, term_channel, weight, avgdl, matrix, fingerprint)

    # ------------------------------------------------------------------ incremental updates
    def add(self, doc_id: str, text: str, analyzed: list[Counter], k1: float, b: float) -> None:
        """Append one document given its term counts per channel (statistics stay from the fit)."""
        row = len(self.ids)
        self.ids.append(doc_id)
        self.texts.append(text)
        self.row_of[doc_id] = row
        self.alive = np.append(self.alive, True)
        self.n_alive += 1
        new_chan = []
        for c, counts in enumerate(analyzed):
            for term in counts:
                if term not in self.vocab:
                    self.vocab[term] = len(self.terms)
                    self.terms.append(term)
                    new_chan.append(c)
        if new_chan:  # grow the per-term arrays once per document, not once per term
            self.term_channel = np.concatenate([self.term_channel, np.asarray(new_chan, dtype=np.int8)])
            self.df = np.concatenate([self.df, np.zeros(len(new_chan), dtype=np.int64)])
        for c, counts in enumerate(analyzed):
            dl = sum(counts.values())
            for term, tf in counts.items():
                t = self.vocab[term]
                self.df[t] += 1
                w = float(saturate(np.float64(tf), np.float64(dl / self.avgdl[c]), k1, b))
                # arrays, not lists: they hold no references, so the garbage collector skips them
                rows, weights = self.delta.setdefault(t, (array("i"), array("f")))
                rows.append(row)
                weights.append(w)
        self._advance("add", doc_id, text)

    def remove(self, doc_id: str, analyze: Callable[[str], list[Counter]]) -> None:
        """Drop one document from the statistics and the results (KeyError for an unknown id)."""
        row = self.row_of.pop(doc_id)
        for counts in analyze(self.texts[row]):
            for term in counts:
                self.df[self.vocab[term]] -= 1
        self.alive[row] = False
        self.n_alive -= 1
        self.texts[row] = ""
        self._advance("remove", doc_id, "")

    def _advance(self, op: str, doc_id: str, text: str) -> None:
        """Move the fingerprint on after a change."""
        h = hashlib.sha256(f"{self.fingerprint}\0{op}\0{doc_id}\0".encode())
        h.update(text.encode("utf-8", "replace"))
        self.fingerprint = h.hexdigest()[:32]

    def compact(self) -> np.ndarray:
        """Fold added documents into the matrix, drop removed ones; return the columns kept."""
        n_terms, n_rows = len(self.terms), len(self.ids)
        base = self.matrix
        base = sp.csr_matrix((base.data, base.indices, base.indptr), shape=(base.shape[0], n_rows))
        base.resize((n_terms, n_rows))
        if self.delta:
            r, c, v = [], [], []
            for t, (rows, weights) in self.delta.items():
                r.extend([t] * len(rows))
                c.extend(rows)
                v.extend(weights)
            delta = sp.csr_matrix((np.asarray(v, dtype=np.float32), (r, c)), shape=(n_terms, n_rows))
            base = (base + delta).tocsr()
        keep = np.flatnonzero(self.alive)
        if len(keep) < n_rows:
            base = base[:, keep].tocsr()
            self.ids = [self.ids[i] for i in keep]
            self.texts = [self.texts[i] for i in keep]
            self.row_of = {doc_id: i for i, doc_id in enumerate(self.ids)}
            self.alive = np.ones(len(keep), dtype=bool)
        base.sort_indices()
        self.matrix = base
        self.delta = {}
        return keep if len(keep) < n_rows else np.arange(n_rows)

    # ------------------------------------------------------------------ scoring
    def idf(self, df: np.ndarray) -> np.ndarray:
        """BM25 idf of document frequencies *df* among the live documents."""
        n = max(self.n_alive, 1)
        return np.log1p((n - df + 0.5) / (df + 0.5))

    def term_weights(self, qterms: dict[int, float], unigram_weight: float) -> tuple[np.ndarray, np.ndarray]:
        """Return term ids and their query weight × idf × channel weight."""
        t_ids = np.fromiter(qterms.keys(), dtype=np.int64, count=len(qterms))
        qw = np.fromiter(qterms.values(), dtype=np.float64, count=len(qterms))
        idf = self.idf(self.df[t_ids])
        scale = self.channel_weight[self.term_channel[t_ids]]
        if unigram_weight != 1.0:
            single = np.fromiter(
                (len(self.terms[t]) == 1 and self.terms[t] >= "\u3400" for t in t_ids.tolist()),
                dtype=bool,
                count=len(t_ids),
            )
            scale = np.where(single & (self.term_channel[t_ids] == 0), scale * unigram_weight, scale)
        return t_ids, qw * idf * scale

    def scores(self, t_ids: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Accumulate every column's score for weighted query terms."""
        P = self.matrix
        n_rows = len(self.ids)
        idx_parts, val_parts = [], []
        indptr, indices, data = P.indptr, P.indices, P.data
        n_base = P.shape[0]
        for t, wt in zip(t_ids.tolist(), w.tolist(), strict=True):
            if t < n_base:
                s, e = indptr[t], indptr[t + 1]
                if e > s:
                    idx_parts.append(indices[s:e])
                    val_parts.append(data[s:e] * np.float32(wt))
            extra = self.delta.get(t)
            if extra is not None:
                idx_parts.append(np.frombuffer(extra[0], dtype=np.intc))
                val_parts.append(np.frombuffer(extra[1], dtype=np.float32) * np.float32(wt))
        if not idx_parts:
            return np.zeros(n_rows, dtype=np.float64)
        if len(idx_parts) == 1:
            return np.bincount(idx_parts[0], weights=val_parts[0], minlength=n_rows)
        return np.bincount(np.concatenate(idx_parts), weights=np.concatenate(val_parts), minlength=n_rows)

    def weights(self, t_ids: np.ndarray, rows: list[int]) -> np.ndarray:
        """:meth:`weight` of every term in *t_ids* (lines) for every column in *rows* (columns), at once."""
        out = np.zeros((len(t_ids), len(rows)), dtype=np.float64)
        if not len(t_ids) or not rows:
            return out
        P = self.matrix
        want = np.asarray(rows, dtype=np.int64)
        order = np.argsort(want, kind="stable")
        sorted_rows = want[order]

        def place(lines: np.ndarray, cols: np.ndarray, values: np.ndarray) -> None:
            j = np.minimum(np.searchsorted(sorted_rows, cols), len(sorted_rows) - 1)
            hit = sorted_rows[j] == cols
            out[lines[hit], order[j[hit]]] = values[hit]

        base = np.flatnonzero(t_ids < P.shape[0])
        if len(base):
            starts, ends = P.indptr[t_ids[base]], P.indptr[t_ids[base] + 1]
            lengths = (ends - starts).astype(np.int64)
            if lengths.sum():
                # every posting of the base terms, labelled with its line in `out`
                pos = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
                place(np.repeat(base, lengths), P.indices[pos].astype(np.int64), P.data[pos].astype(np.float64))
        for line, t in enumerate(t_ids.tolist()):
            extra = self.delta.get(t)
            if extra is not None:  # added documents override, as in `weight`
                cols = np.frombuffer(extra[0], dtype=np.intc).astype(np.int64)
                place(np.full(len(cols), line), cols, np.frombuffer(extra[1], dtype=np.float32).astype(np.float64))
        return out

    def weight(self, t: int, row: int) -> float:
        """Saturated frequency of term *t* in column *row* (0 where it does not occur)."""
        P = self.matrix
        value = 0.0
        if t < P.shape[0]:
            s, e = P.indptr[t], P.indptr[t + 1]
            j = s + np.searchsorted(P.indices[s:e], row)
            if j < e and P.indices[j] == row:
                value = float(P.data[j])
        extra = self.delta.get(t)
        if extra is not None and row in extra[0]:
            value = extra[1][extra[0].index(row)]
        return value


def top_rows(scores: np.ndarray, k: int, rows: np.ndarray | None) -> np.ndarray:
    """Rows of the *k* best positive scores, best first, without sorting everything."""
    cand = scores if rows is None else scores[rows]
    if k < len(cand):
        part = _top_k_candidates(cand, k)
        if len(part) > k:
            sub = np.argpartition(cand[part], len(part) - k)[len(part) - k :]
            part = part[sub]
    else:
        part = np.arange(len(cand))
    part = part[cand[part] > 0]
    part = part[np.lexsort((part, -cand[part]))]
    return part if rows is None else rows[part]


def _top_k_candidates(scores: np.ndarray, k: int, block: int = 64) -> np.ndarray:
    """Indices of a small superset of the *k* largest scores.

    The k-th largest block maximum is a lower bound for the k-th largest score (the k best blocks
    each hold one value at least that high), so only values above it need a partial sort.
    """
    n = len(scores)
    if n <= 4 * block or k * block >= n:
        return np.arange(n)
    full = n - n % block
    maxima = scores[:full].reshape(-1, block).max(axis=1)
    if n > full:
        maxima = np.append(maxima, scores[full:].max())
    if k >= len(maxima):
        return np.arange(n)
    threshold = np.partition(maxima, len(maxima) - k)[len(maxima) - k]
    return np.flatnonzero(scores >= threshold)
