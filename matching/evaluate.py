"""Retrieval evaluation in TREC conventions: file readers, MRR@k, NDCG@k, Recall@k, a runner."""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

__all__ = [
    "evaluate_run",
    "mrr_at_k",
    "ndcg_at_k",
    "read_corpus",
    "read_qrels",
    "read_queries",
    "recall_at_k",
    "run_eval",
]

Qrels = Mapping[str, Mapping[str, int]]


def read_corpus(path: str | Path) -> list[tuple[str, str]]:
    """Read corpus lines ``{"id", "title", "text"}`` into ``(id, text)`` pairs (abstract only)."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                out.append((str(rec["id"]), rec.get("text") or ""))
    return out


def read_queries(path: str | Path) -> list[tuple[str, str]]:
    """Read query lines ``{"id", "text"}`` into ``(id, text)`` pairs."""
    return read_corpus(path)


def read_qrels(path: str | Path) -> dict[str, dict[str, int]]:
    """Read TREC qrels lines ``qid 0 docid rel``."""
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 4:
                raise ValueError(f"{path}:{n}: expected 'qid 0 docid rel'")
            qrels.setdefault(parts[0], {})[parts[2]] = int(parts[3])
    return qrels


def mrr_at_k(ranked: Sequence[str], rels: Mapping[str, int], k: int = 10) -> float:
    """Reciprocal rank of the first relevant document within the top *k* (0 if none)."""
    for i, doc in enumerate(ranked[:k], 1):
        if rels.get(doc, 0) > 0:
            return 1.0 / i
    return 0.0


def ndcg_at_k(ranked: Sequence[str], rels: Mapping[str, int], k: int = 10) -> float:
    """NDCG@k with linear gain and log2 discount, as trec_eval's ndcg_cut (unjudged = 0)."""
    dcg = sum(max(rels.get(d, 0), 0) / math.log2(i + 1) for i, d in enumerate(ranked[:k], 1))
    ideal = sorted((r for r in rels.values() if r > 0), reverse=True)[:k]
    idcg = sum(r / math.log2(i + 1) for i, r in enumerate(ideal, 1))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at_k(ranked: Sequence[str], rels: Mapping[str, int], k: int) -> float:
    """Share of the relevant documents found in the top *k*."""
    relevant = {d for d, r in rels.items() if r > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def evaluate_run(run: Mapping[str, Sequence[str]], qrels: Qrels, k: int = 10) -> dict[str, float]:
    """Average the metrics over every query with a relevant judgement (missing runs count 0)."""
    qids = [q for q, rels in qrels.items() if any(r > 0 for r in rels.values())]
    if not qids:
        raise ValueError("the qrels hold no relevant judgement")
    sums = {f"mrr@{k}": 0.0, f"ndcg@{k}": 0.0, f"recall@{k}": 0.0, "recall@100": 0.0}
    for q in qids:
        ranked, rels = run.get(q, []), qrels[q]
        sums[f"mrr@{k}"] += mrr_at_k(ranked, rels, k)
        sums[f"ndcg@{k}"] += ndcg_at_k(ranked, rels, k)
        sums[f"recall@{k}"] += recall_at_k(ranked, rels, k)
        sums["recall@100"] += recall_at_k(ranked, rels, 100)
    return {name: total / len(qids) for name, total in sums.items()}


def _percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile of *values* (q in 0..100)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def run_eval(
    corpus: Iterable[tuple[str, str]],
    queries: Iterable[tuple[str, str]],
    qrels: Qrels,
    *,
    k: int = 10,
    make_index: Callable | None = None,
) -> dict[str, float]:
    """Build an index over *corpus*, run *queries* and return metrics, build time and latency."""
    from matching.index import SearchIndex

    corpus = list(corpus)
    queries = list(queries)
    t0 = time.perf_counter()
    index = (make_index or SearchIndex)().fit(corpus)
    build_s = time.perf_counter() - t0
    depth = max(k, 100)
    run: dict[str, list[str]] = {}
    latencies: list[float] = []
    for qid, text in queries:
        t0 = time.perf_counter()
        hits = index.search(text, k=depth)
        latencies.append((time.perf_counter() - t0) * 1000.0)
        run[qid] = [h.doc_id for h in hits]
    judged = {q: r for q, r in qrels.items() if q in dict(queries)}
    result = evaluate_run(run, judged, k)
    result.update(
        build_s=build_s,
        query_ms_p50=statistics.median(latencies) if latencies else 0.0,
        query_ms_p95=_percentile(latencies, 95),
        n_queries=len(queries),
    )
    return result
