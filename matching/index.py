"""SearchIndex: the estimator facade of the matching engine.

BM25-weighted TF-IDF over several token channels with an inverted index, then a topical rerank.
The jobs live in their own modules; this one keeps the scikit-learn estimator API (parameters in
``__init__``, ``fit`` returning self, fitted attributes with a trailing underscore) and wires them:

* text to terms per channel: :mod:`matching.normalize`, :mod:`matching.tokenize`, :mod:`matching._build`;
* documents, BM25 term weights, incremental changes, scoring: :mod:`matching.postings`;
* query terms, keyword balance, pseudo-relevance feedback: :mod:`matching.query`;
* LSA topical rerank: :mod:`matching.rerank`;
* term contributions and highlighting: :mod:`matching.explain`;
* the file format: :mod:`matching.persist`;
* the one declaration of the fitted state they share: :mod:`matching.fitted`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from matching import persist
from matching._build import analyze_channel, effective_n_jobs, release_memory
from matching.explain import TermContribution, contributions
from matching.fitted import expose
from matching.normalize import normalize
from matching.persist import FORMAT_VERSION, IndexCorrupt
from matching.postings import Postings, saturate, top_rows
from matching.query import expand, query_terms, query_units, required_count, unit_terms
from matching.rerank import Lsa
from matching.tokenize import CharNgramTokenizer, JiebaTokenizer

__all__ = ["FORMAT_VERSION", "Hit", "IndexCorrupt", "SearchIndex", "TermContribution"]

_WORD_PREFIX = "\x01"  # word-channel terms live in the same vocabulary under this prefix


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: a document id and its relevance score."""

    doc_id: str
    score: float



_SCORE_MEMO = 8  # queries whose scores are kept per index state (see SearchIndex._score_query)


@expose(postings=Postings, lsa=Lsa)
class SearchIndex(BaseEstimator):
    """Ranked retrieval over Chinese technical text.

    Each document is normalised (:func:`matching.normalize`) and tokenised into channels:
    character n-grams inside CJK runs and, optionally, jieba words; Latin and number terms stay
    whole in both. Every channel is weighted with BM25 (sublinear, saturating term frequency, idf,
    document-length normalisation); a document's score is the weighted sum of its channel scores,
    computed by sparse products over an inverted index.

    Parameters
    ----------
    ngram_range : tuple of int
        Character n-gram lengths inside CJK runs.
    char_weight : float
        Weight of the character n-gram channel (0 disables it).
    unigram_weight : float
        Extra factor on single CJK characters inside the character channel.
    word_weight : float
        Weight of the jieba word channel (0 disables it and skips jieba entirely).
    k1 : float
        BM25 term-frequency saturation.
    b : float
        BM25 document-length normalisation.
    max_df : float
        Query terms found in more than this share of the documents are ignored (unless nothing
        else is left): they barely move the ranking and dominate the query time. Applied only
        from ``matching.query.MAX_DF_MIN_DOCS`` documents on; small corpora keep every term.
    prf_docs : int
        Pseudo-relevance feedback: number of top documents to expand the query from (0 = off).
    prf_terms : int
        Number of expansion terms added by pseudo-relevance feedback.
    prf_weight : float
        Weight of the expansion terms relative to the original query.
    lsa_components : int
        Dimensions of the latent semantic (LSA, truncated SVD) document vectors used to rerank the
        best BM25 candidates (0 disables the rerank).
    lsa_weight : float
        Weight of the topical similarity in the rerank; a candidate's score becomes
        ``bm25 / best_bm25 + lsa_weight * max(cos(doc, centroid), 0)``, times the best BM25 score.
    lsa_feedback : int
        The centroid is the score-weighted mean vector of this many top BM25 documents.
    rerank_depth : int
        Number of BM25 candidates reranked.
    max_query_chars : int
        Queries are cut to this many characters.
    keyword_balance : float
        For a keyword-list query (at least two whitespace-separated keywords, none longer than
        ``matching.query.KEYWORD_MAX_CHARS`` characters), each keyword's terms are weighted by
        ``(mean terms per keyword / this keyword's terms) ** keyword_balance``, so a long keyword
        (many n-grams) does not outweigh the short ones. 0 turns it off; other queries (running
        text, a single phrase) are never rebalanced.
    n_jobs : int or None
        Worker processes for tokenisers that run per document (jieba): ``None`` uses every core
        for corpora over two million characters and one process otherwise; negative counts back
        from the number of cores (-1 = all). Results do not depend on it.
    """

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (1, 2),
        char_weight: float = 1.0,
        unigram_weight: float = 1.0,
        word_weight: float = 0.0,
        k1: float = 0.9,
        b: float = 0.85,
        max_df: float = 0.3,
        prf_docs: int = 0,
        prf_terms: int = 10,
        prf_weight: float = 0.3,
        lsa_components: int = 128,
        lsa_weight: float = 0.5,
        lsa_feedback: int = 3,
        rerank_depth: int = 50,
        max_query_chars: int = 1000,
        keyword_balance: float = 0.25,
        n_jobs: int | None = None,
    ):
        self.ngram_range = ngram_range
        self.char_weight = char_weight
        self.unigram_weight = unigram_weight
        self.word_weight = word_weight
        self.k1 = k1
        self.b = b
        self.max_df = max_df
        self.prf_docs = prf_docs
        self.prf_terms = prf_terms
        self.prf_weight = prf_weight
        self.lsa_components = lsa_components
        self.lsa_weight = lsa_weight
        self.lsa_feedback = lsa_feedback
        self.rerank_depth = rerank_depth
        self.max_query_chars = max_query_chars
        self.keyword_balance = keyword_balance
        self.n_jobs = n_jobs

    # The fitted parts, None until fit() or load(); their public fields are this class's fitted
    # attributes (see matching.fitted). _tokenizers_ is rebuilt from the parameters alongside.
    _postings: Postings | None
    _lsa: Lsa | None

    def __sklearn_is_fitted__(self) -> bool:
        return self._postings is not None

    # ------------------------------------------------------------------ tokenising
    def _channels(self) -> list[tuple[str, object, float]]:
        """Return ``(prefix, tokenizer, weight)`` for each active channel."""
        chans = []
        if self.char_weight > 0:
            chans.append(("", CharNgramTokenizer(tuple(self.ngram_range)), float(self.char_weight)))
        if self.word_weight > 0:
            chans.append((_WORD_PREFIX, JiebaTokenizer(), float(self.word_weight)))
        return chans

    def _analyze(self, text: str) -> list[Counter]:
        """Normalise *text* and count its terms per channel."""
        norm = normalize(text)
        out = []
        for prefix, tok, _ in self._tokenizers_:
            toks = tok(norm)
            out.append(Counter(toks) if not prefix else Counter(prefix + t for t in toks))
        return out

    # ------------------------------------------------------------------ building
    def fit(self, docs: Iterable[tuple[str, str]], y=None) -> SearchIndex:
        """Index ``(doc_id, text)`` pairs from scratch and return self."""
        docs = list(docs)
        ids = [str(d[0]) for d in docs]
        texts = [d[1] if isinstance(d[1], str) else "" for d in docs]
        if len(set(ids)) != len(ids):
            raise ValueError("document ids must be unique")
        if self.char_weight <= 0 and self.word_weight <= 0:
            raise ValueError("at least one of char_weight and word_weight must be positive")
        if not (0.0 <= self.b <= 1.0) or self.k1 < 0:
            raise ValueError("need k1 >= 0 and 0 <= b <= 1")
        self._tokenizers_ = self._channels()
        norms = [normalize(t) for t in texts]
        n_jobs = effective_n_jobs(self.n_jobs, sum(map(len, norms)))
        channels = [analyze_channel(norms, tok, n_jobs) for _, tok, _ in self._tokenizers_]
        del norms
        params = {k: v for k, v in self.get_params().items() if k != "n_jobs"}
        h = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode())
        for doc_id, text in zip(ids, texts, strict=True):
            h.update(doc_id.encode() + b"\0" + text.encode("utf-8", "replace") + b"\0")
        prefixes = [prefix for prefix, _, _ in self._tokenizers_]
        weights = [w for _, _, w in self._tokenizers_]
        self._postings = Postings.build(
            ids, texts, channels, prefixes, weights, float(self.k1), float(self.b), h.hexdigest()[:32]
        )
        del channels
        dims = int(self.lsa_components) if self.char_weight > 0 else 0
        self._lsa = Lsa.fit(self._postings, dims, self.max_df)
        release_memory()
        return self

    def _saturate(self, tf: np.ndarray, norm_len: np.ndarray) -> np.ndarray:
        """BM25 term-frequency saturation with length normalisation."""
        return saturate(tf, norm_len, float(self.k1), float(self.b))

    # ------------------------------------------------------------------ incremental updates
    def add(self, doc_id: str, text: str) -> None:
        """Add one document; it is searchable at once (corpus statistics stay from the last fit)."""
        check_is_fitted(self)
        doc_id = str(doc_id)
        if doc_id in self._postings.row_of:
            raise KeyError(f"document {doc_id!r} is already indexed; use update()")
        text = text if isinstance(text, str) else ""
        analyzed = self._analyze(text)
        self._postings.add(doc_id, text, analyzed, float(self.k1), float(self.b))
        vector = self._embed_counts(analyzed[0]) if self._lsa.components > 0 else None
        self._lsa.append(vector, len(self._postings.ids))

    def remove(self, doc_id: str) -> None:
        """Remove one document; it disappears from results at once."""
        check_is_fitted(self)
        doc_id = str(doc_id)
        self._postings.remove(doc_id, self._analyze)  # KeyError for an unknown id

    def update(self, doc_id: str, text: str) -> None:
        """Replace one document's text (adds it when unknown)."""
        check_is_fitted(self)
        if str(doc_id) in self._postings.row_of:
            self.remove(doc_id)
        self.add(doc_id, text)

    def compact(self) -> SearchIndex:
        """Fold incremental additions into the main matrix and drop removed documents."""
        check_is_fitted(self)
        self._lsa.compact(self._postings.compact())
        return self

    # ------------------------------------------------------------------ topical rerank (LSA)
    @property
    def doc_vectors_(self) -> np.ndarray:
        """Unit LSA vector of every document row (``(n_rows, lsa_components_)``)."""
        return self._lsa.vectors_of(np.arange(len(self._postings.ids)))

    def _embed_counts(self, counts: Counter) -> np.ndarray:
        """LSA vector of one document from its character-channel term counts."""
        return self._lsa.embed(counts, self._postings, float(self.k1), float(self.b))

    # ------------------------------------------------------------------ querying
    def __len__(self) -> int:
        return getattr(self, "n_alive_", 0)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in getattr(self, "row_of_", {})

    @property
    def fingerprint(self) -> str:
        """A string that changes with every fit and mutation (same content, same value)."""
        check_is_fitted(self)
        return self._postings.fingerprint

    def set_fingerprint(self, fingerprint: str) -> SearchIndex:
        """Label the index with the caller's own version string; return self.

        The label stands until the next change moves it on (as any fingerprint); :meth:`save` writes
        it, and ``load(path, fingerprint=label)`` accepts only a file saved under that label.
        """
        check_is_fitted(self)
        self._postings.fingerprint = str(fingerprint)
        return self

    def doc_ids(self, prefix: str = "") -> list[str]:
        """Ids of the indexed documents that start with *prefix* (each once, in index order)."""
        check_is_fitted(self)
        P = self._postings
        return [d for d, live in zip(P.ids, P.alive.tolist(), strict=True) if live and d.startswith(prefix)]

    def _query_terms(self, query: str) -> dict[int, float]:
        """Map a query to ``{term id: weight}``; unknown terms are dropped."""
        return query_terms(
            query, self._tokenizers_, self._postings,
            max_chars=self.max_query_chars, max_df=self.max_df, keyword_balance=self.keyword_balance,
        )

    def _score_query(self, query: str) -> tuple[np.ndarray, dict[int, float]] | None:
        """Score every row for *query*, with optional pseudo-relevance feedback.

        The last few queries' scores are kept for the index's current state (its fingerprint moves
        with every change, compaction replaces the matrix): a recommendation scores the same text
        for its search, its self-match and its explanation. Callers get their own copy.
        """
        P = self._postings
        key = (query, P.fingerprint, id(P.matrix), len(P.ids), tuple(sorted(self.get_params().items())))
        memo = self.__dict__.get("_scored")
        if memo is None or memo[0] is not P:
            memo = (P, {})
            self.__dict__["_scored"] = memo
        if key in memo[1]:
            kept = memo[1][key]
            return None if kept is None else (kept[0].copy(), dict(kept[1]))
        scored = self._score_fresh(query)
        try:
            while len(memo[1]) >= _SCORE_MEMO:
                del memo[1][next(iter(memo[1]))]
        except (KeyError, RuntimeError, StopIteration):  # another thread evicted first
            pass
        memo[1][key] = scored
        return None if scored is None else (scored[0].copy(), dict(scored[1]))

    def _score_fresh(self, query: str) -> tuple[np.ndarray, dict[int, float]] | None:
        qterms = self._query_terms(query)
        if not qterms:
            return None
        P = self._postings
        scores = P.scores(*P.term_weights(qterms, self.unigram_weight))
        if self.prf_docs > 0:
            qterms = expand(
                qterms, scores, P, self._analyze, docs=self.prf_docs, terms=self.prf_terms, weight=self.prf_weight
            )
            scores = P.scores(*P.term_weights(qterms, self.unigram_weight))
        return scores, qterms

    def search(
        self, query: str, k: int = 10, allowed: Iterable[str] | None = None, min_should_match: float = 0.0
    ) -> list[Hit]:
        """Return the *k* best documents for *query*; *allowed* restricts the candidate ids.

        With *min_should_match* > 0 only documents containing enough of the query's units
        (:func:`matching.query.query_units`, words; a unit nobody contains counts as missing) are
        returned: all of one or two units, else this share of them, rounded down. A unit is present
        when all its character pairs are (needs bigrams in ``ngram_range``).
        """
        check_is_fitted(self)
        P = self._postings
        if k <= 0 or P.n_alive == 0:
            return []
        scored = self._score_query(query)
        if scored is None:
            return []
        scores = scored[0]
        rows = None
        if allowed is not None:
            row_of = P.row_of
            rows = np.unique(np.fromiter((r for d in allowed if (r := row_of.get(d)) is not None), dtype=np.int64))
            if len(rows) == 0:
                return []
        elif P.n_alive < len(P.ids):
            scores[~P.alive] = 0.0
        if min_should_match > 0:
            enough = self._units_matched(query) >= required_count(len(query_units(query)), min_should_match)
            rows = np.flatnonzero(enough & P.alive) if rows is None else rows[enough[rows]]
            if len(rows) == 0:
                return []
        if self._lsa.components > 0 and self.lsa_weight > 0:
            top = top_rows(scores, max(k, self.rerank_depth), rows)
            top, fused = self._lsa.rerank(top, scores[top], self.lsa_feedback, self.lsa_weight)
            top, scores = top[:k], np.zeros(len(P.ids))
            scores[top] = fused[:k]
        else:
            top = top_rows(scores, k, rows)
        ids = P.ids
        return [Hit(ids[r], float(scores[r])) for r in top]

    def _units_matched(self, query: str) -> np.ndarray:
        """For every column, how many of the query's units it contains (char channel)."""
        P = self._postings
        count = np.zeros(len(P.ids), dtype=np.int64)
        if self.char_weight <= 0:
            return count
        one = np.ones(1)
        for unit in query_units(query, self.max_query_chars):
            present = np.ones(len(P.ids), dtype=bool)
            for term in unit_terms(unit):
                t = P.vocab.get(term)
                if t is None or P.df[t] == 0:
                    present[:] = False
                    break
                present &= P.scores(np.array([t], dtype=np.int64), one) > 0
            count += present
        return count

    def explain(self, query: str, doc_id: str, n: int = 8) -> list[TermContribution]:
        """Return the terms that contributed most to *doc_id*'s score for *query*."""
        return self.explain_many(query, [doc_id], n)[str(doc_id)]

    def explain_many(self, query: str, doc_ids: Iterable[str], n: int = 8) -> dict[str, list[TermContribution]]:
        """:meth:`explain` for several documents, analysing and weighting the query once."""
        check_is_fitted(self)
        P = self._postings
        rows = {}
        for doc_id in doc_ids:
            row = P.row_of.get(str(doc_id))
            if row is None:
                raise KeyError(f"unknown document {doc_id!r}")
            rows[str(doc_id)] = row
        scored = self._score_query(query)
        if scored is None:
            return {d: [] for d in rows}
        t_ids, w = P.term_weights(scored[1], self.unigram_weight)
        raw = P.weights(t_ids, list(rows.values()))
        values = raw * w[:, None]
        shown = query[: self.max_query_chars]
        out = {}
        for j, (doc_id, row) in enumerate(rows.items()):
            contrib: dict[str, float] = {}
            for line in np.flatnonzero(raw[:, j] > 0).tolist():
                term = P.terms[int(t_ids[line])].removeprefix(_WORD_PREFIX)
                contrib[term] = contrib.get(term, 0.0) + float(values[line, j])
            out[doc_id] = contributions(contrib, shown, P.texts[row], n)
        return out

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike) -> None:
        """Compact, then write the index to *path* atomically (see :mod:`matching.persist`)."""
        check_is_fitted(self)
        self.compact()
        persist.save(path, self.get_params(), {"postings": self._postings, "lsa": self._lsa})

    @classmethod
    def load(cls, path: str | os.PathLike, fingerprint: str | None = None) -> SearchIndex:
        """Read an index saved by :meth:`save`; raise :class:`IndexCorrupt` if unusable.

        A file that is damaged, of another format or resource version, or (when *fingerprint*
        is given) of another fingerprint is reported as corrupt, so the caller rebuilds.
        """
        expect = None if fingerprint is None else {"postings.fingerprint": fingerprint}
        params, parts = persist.load(path, cls._fitted_parts, expect)
        try:
            params["ngram_range"] = tuple(params["ngram_range"])
            self = cls(**params)
        except (KeyError, TypeError, ValueError) as exc:
            raise IndexCorrupt(f"index file inconsistent: {exc}") from exc
        if len(parts["lsa"].vectors) != len(parts["postings"].ids):
            raise IndexCorrupt("index file inconsistent: document vectors")
        self._tokenizers_ = self._channels()
        self._postings, self._lsa = parts["postings"], parts["lsa"]
        return self
