"""Topical rerank: latent semantic (LSA, truncated SVD) document vectors fused with BM25.

The best BM25 candidates are reordered by their similarity to the centroid of the top few: a
candidate's score becomes ``bm25 / best_bm25 + weight * max(cos(doc, centroid), 0)``, times the
best BM25 score. The latent space is spanned by the most frequent character-channel terms,
fitted on a sample of documents; every document is then projected onto it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD

from matching.fitted import derived, saved, working
from matching.postings import Postings, saturate

__all__ = ["Lsa"]

LSA_TERMS = 20_000  # most frequent character-channel terms that span the latent space
LSA_SAMPLE = 5_000  # documents the SVD is fitted on (all documents are then projected)


@dataclass(eq=False)
class Lsa:
    """The latent space and the unit vector of every document column (fields: :mod:`matching.fitted`)."""

    terms: np.ndarray = saved("lsa_terms_")  # postings rows spanning the space (int64), ascending
    term_weights: np.ndarray = saved("lsa_term_weights_")  # their idf at the fit (float32)
    basis: np.ndarray = saved("lsa_basis_")  # components × terms (float32)
    vectors: np.ndarray = saved()  # unit vector of every column at the last fit or compact (float32)
    components: int = derived("lsa_components_")  # 0 when the rerank is off
    extra: np.ndarray | None = working()  # vectors of the columns added since, in a doubling buffer
    col: dict[int, int] | None = working()  # postings row -> basis column, made on the first add

    def __post_init__(self) -> None:
        self.terms = np.asarray(self.terms, dtype=np.int64)
        self.term_weights = np.asarray(self.term_weights, dtype=np.float32)
        self.basis = np.ascontiguousarray(self.basis, dtype=np.float32)
        self.vectors = np.ascontiguousarray(self.vectors, dtype=np.float32)
        self.components = self.basis.shape[0]
        if (
            self.basis.ndim != 2
            or self.vectors.ndim != 2
            or self.vectors.shape[1] != self.components
            or self.basis.shape[1] != len(self.terms)
            or len(self.term_weights) != len(self.terms)
        ):
            raise ValueError("LSA state inconsistent")

    @classmethod
    def off(cls, n_docs: int) -> Lsa:
        """No latent space: every document's vector is empty and the rerank is skipped."""
        return cls(
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.float32),
            np.zeros((0, 0), dtype=np.float32),
            np.zeros((n_docs, 0), dtype=np.float32),
        )

    @classmethod
    def fit(cls, postings: Postings, dims: int, max_df: float) -> Lsa:
        """Fit the basis on a sample of the documents and project every document (``off`` if too few)."""
        n_docs = len(postings.ids)
        if dims <= 0:
            return cls.off(n_docs)
        df = postings.df
        cand = np.flatnonzero((postings.term_channel == 0) & (df >= 3) & (df <= max_df * n_docs))
        cand = cand[np.argsort(-df[cand], kind="stable")[:LSA_TERMS]]
        if len(cand) <= dims or n_docs <= 2 * dims:
            return cls.off(n_docs)
        cand.sort()
        idf = np.log1p((n_docs - df[cand] + 0.5) / (df[cand] + 0.5)).astype(np.float32)
        X = sp.csr_matrix(postings.matrix[cand].T.multiply(idf[None, :]), dtype=np.float32)
        X = _l2_rows(X)
        rng = np.random.default_rng(0)
        sample = np.sort(rng.choice(n_docs, min(LSA_SAMPLE, n_docs), replace=False))
        svd = TruncatedSVD(dims, n_iter=4, random_state=0).fit(X[sample])
        basis = np.ascontiguousarray(svd.components_, dtype=np.float32)
        return cls(cand, idf, basis, _l2_dense(np.asarray(X @ basis.T, dtype=np.float32)))

    def embed(self, counts: Counter, postings: Postings, k1: float, b: float) -> np.ndarray:
        """Unit vector of one document from its character-channel term counts."""
        col = self.col
        if col is None:
            col = self.col = {int(t): j for j, t in enumerate(self.terms.tolist())}
        vocab = postings.vocab
        pairs = [(j, tf) for term, tf in counts.items() if (j := col.get(vocab[term])) is not None]
        if not pairs:
            return np.zeros(self.components, dtype=np.float32)
        cols = np.fromiter((j for j, _ in pairs), dtype=np.int64, count=len(pairs))
        tf = np.fromiter((t for _, t in pairs), dtype=np.float64, count=len(pairs))
        x = saturate(tf, np.float64(sum(counts.values()) / postings.avgdl[0]), k1, b)
        x = x * self.term_weights[cols]
        return _l2_dense(self.basis[:, cols] @ x.astype(np.float32))

    def append(self, vector: np.ndarray | None, n_rows: int) -> None:
        """Store the vector of the newest of *n_rows* columns.

        Columns added after the fit go to a small side buffer that doubles when full, so an addition
        never copies the fitted documents' vectors; :meth:`compact` merges the two.
        """
        extra = self.extra
        n_extra = n_rows - len(self.vectors)
        if extra is None or n_extra > len(extra):
            grown = np.zeros((max(2 * n_extra, 64), self.vectors.shape[1]), dtype=np.float32)
            if extra is not None:
                grown[: len(extra)] = extra
            extra = self.extra = grown
        extra[n_extra - 1] = 0.0 if vector is None else vector

    def vectors_of(self, rows: np.ndarray) -> np.ndarray:
        """Vectors of document columns *rows* (fitted and added ones)."""
        n_base = len(self.vectors)
        if len(rows) == 0 or rows.max() < n_base:
            return self.vectors[rows]
        out = np.empty((len(rows), self.vectors.shape[1]), dtype=np.float32)
        base = rows < n_base
        out[base] = self.vectors[rows[base]]
        out[~base] = self.extra[rows[~base] - n_base]
        return out

    def compact(self, kept: np.ndarray) -> None:
        """Keep the vectors of columns *kept* (see :meth:`Postings.compact`), in one array."""
        self.vectors = np.ascontiguousarray(self.vectors_of(kept))
        self.extra = None

    def rerank(
        self, rows: np.ndarray, bm25: np.ndarray, feedback: int, weight: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Fuse BM25 with similarity to the top *feedback* documents' centroid; return rows and scores."""
        if len(rows) == 0:
            return rows, bm25
        best = bm25[0]
        vectors = self.vectors_of(rows)
        m = max(1, min(int(feedback), len(rows)))
        centroid = (bm25[:m, None] * vectors[:m]).sum(axis=0)
        norm = np.linalg.norm(centroid)
        if norm <= 0:
            return rows, bm25
        sim = np.maximum(vectors @ (centroid / norm), 0.0)
        fused = (bm25 / best + weight * sim) * best
        order = np.lexsort((rows, -fused))
        return rows[order], fused[order]


def _l2_rows(X: sp.csr_matrix) -> sp.csr_matrix:
    """Scale the rows of a CSR matrix to unit length (empty rows stay empty)."""
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags((1.0 / norms).astype(np.float32)) @ X)


def _l2_dense(V: np.ndarray) -> np.ndarray:
    """Scale the rows of a dense array to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(V, axis=-1, keepdims=True)
    return (V / np.where(norms > 0, norms, 1.0)).astype(np.float32)
