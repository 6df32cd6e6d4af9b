"""Benchmark: our SearchIndex against rank_bm25, bm25s and tantivy on the CSL dev split.

Run ``python -m matching.bench [--quick] [--out results.json] [--data DIR]``. Peers get the same
tokens as our character channel (normalised text, CJK 1-2-grams, whole Latin terms).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from matching.evaluate import _percentile, evaluate_run, read_corpus, read_qrels, read_queries
from matching.index import SearchIndex
from matching.normalize import normalize
from matching.tokenize import CharNgramTokenizer

DEFAULT_DATA = Path(os.environ.get("JIEBANG_CSL_EVAL", "/work/shared/data/csl/eval"))
SETS = {
    "kw": ("queries.jsonl", "qrels.tsv", "mrr@10"),
    "kw2": ("queries_kw2.jsonl", "qrels_kw2.tsv", "mrr@10"),
    "kwabsent": ("queries_kwabsent.jsonl", "qrels_kwabsent.tsv", "mrr@10"),
    "title": ("queries_title.jsonl", "qrels_title.tsv", "mrr@10"),
    "graded": ("queries.jsonl", "qrels_graded.tsv", "ndcg@10"),
}


def _rss_mib() -> float:
    """Resident set size of this process in MiB."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _index_mib(index: SearchIndex) -> float:
    """Bytes held by our index's arrays and Python containers, in MiB (texts included)."""
    P = index.postings_
    total = P.data.nbytes + P.indices.nbytes + P.indptr.nbytes + index.df_.nbytes
    total += index.term_channel_.nbytes + index.alive_.nbytes
    total += sys.getsizeof(index.vocab_) + sum(sys.getsizeof(t) for t in index.terms_)
    total += sys.getsizeof(index.terms_) + sys.getsizeof(index.row_of_)
    total += sum(sys.getsizeof(t) + sys.getsizeof(i) for t, i in zip(index.texts_, index.ids_))
    return total / 2**20


class Engine:
    """A uniform wrapper: build over (id, text) pairs, search returns a ranked list of ids."""

    name = ""

    def build(self, corpus: list[tuple[str, str]]) -> None:
        """Index *corpus*."""
        raise NotImplementedError

    def search(self, query: str, k: int) -> list[str]:
        """Return the ids of the *k* best documents."""
        raise NotImplementedError


class Ours(Engine):
    """Our SearchIndex with the platform's default configuration."""

    name = "ours"

    def build(self, corpus):
        self.index = SearchIndex().fit(corpus)

    def search(self, query, k):
        return [h.doc_id for h in self.index.search(query, k=k)]


class _Tokenised(Engine):
    """Base for peers fed with our character-channel tokens."""

    def __init__(self):
        self.tok = CharNgramTokenizer((1, 2))

    def tokens(self, text: str) -> list[str]:
        """Our character-channel tokens of *text*."""
        return self.tok(normalize(text))


class RankBM25(_Tokenised):
    """rank_bm25.BM25Okapi (pure Python/numpy, scores every document)."""

    name = "rank_bm25"

    def build(self, corpus):
        from rank_bm25 import BM25Okapi

        self.ids = [d for d, _ in corpus]
        self.bm25 = BM25Okapi([self.tokens(t) or [""] for _, t in corpus])

    def search(self, query, k):
        scores = self.bm25.get_scores(self.tokens(query))
        top = np.argpartition(scores, -k)[-k:] if k < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        return [self.ids[i] for i in top if scores[i] > 0]


class BM25S(_Tokenised):
    """bm25s (lucene variant) given token lists; top-k by argpartition as bm25s does."""

    name = "bm25s"

    def build(self, corpus):
        import bm25s

        self.ids = [d for d, _ in corpus]
        self.retriever = bm25s.BM25(method="lucene")
        self.retriever.index([self.tokens(t) or [""] for _, t in corpus], show_progress=False)
        self.vocab = self.retriever.vocab_dict

    def search(self, query, k):
        toks = [t for t in self.tokens(query) if t in self.vocab]
        if not toks:
            return []
        scores = self.retriever.get_scores(toks)
        top = np.argpartition(scores, -k)[-k:] if k < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        return [self.ids[i] for i in top if scores[i] > 0]


class Tantivy(_Tokenised):
    """tantivy over space-joined tokens (whitespace analyzer, one-thread writer)."""

    name = "tantivy"

    def build(self, corpus):
        import tantivy

        self.tantivy = tantivy
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("body", stored=False, tokenizer_name="whitespace")
        self.schema = sb.build()
        self.index = tantivy.Index(self.schema)
        writer = self.index.writer(heap_size=200_000_000, num_threads=1)
        for doc_id, text in corpus:
            writer.add_document(tantivy.Document(id=doc_id, body=" ".join(self.tokens(text))))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def search(self, query, k):
        t = self.tantivy
        toks = self.tokens(query)
        if not toks:
            return []
        q = t.Query.boolean_query(
            [(t.Occur.Should, t.Query.term_query(self.schema, "body", tok)) for tok in toks]
        )
        hits = self.searcher.search(q, k).hits
        return [self.searcher.doc(addr)["id"][0] for _, addr in hits]


def _build(engine: Engine, corpus) -> tuple[float, float]:
    """Build *engine*; return seconds and RSS growth in MiB."""
    gc.collect()
    before = _rss_mib()
    t0 = time.perf_counter()
    engine.build(corpus)
    seconds = time.perf_counter() - t0
    gc.collect()
    return seconds, _rss_mib() - before


def _latency(search: Callable[[str], object], queries: list[str]) -> tuple[float, float]:
    """Median and p95 latency in ms over *queries*."""
    times = []
    for q in queries:
        t0 = time.perf_counter()
        search(q)
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times), _percentile(times, 95)


def quality(engine: Engine, data: Path, limit: int | None, trad: bool = False) -> dict[str, float]:
    """Score *engine* on every dev query set (Traditional-script queries when *trad*)."""
    import opencc

    s2t = opencc.OpenCC("s2t")
    out = {}
    for name, (qf, rf, metric) in SETS.items():
        queries = read_queries(data / qf)[:limit]
        qrels = read_qrels(data / rf)
        qrels = {q: qrels[q] for q, _ in queries if q in qrels}
        run = {q: engine.search(s2t.convert(t) if trad else t, 100) for q, t in queries}
        out[name] = evaluate_run(run, qrels)[metric]
    return out


def replicate(corpus: list[tuple[str, str]], n: int) -> list[tuple[str, str]]:
    """Repeat *corpus* with fresh ids up to *n* documents."""
    return [(f"{corpus[i % len(corpus)][0]}#{i // len(corpus)}", corpus[i % len(corpus)][1])
            for i in range(n)]


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark and print a report; return the results."""
    ap = argparse.ArgumentParser(prog="python -m matching.bench", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="fewer queries, 30k docs instead of 100k")
    ap.add_argument("--out", type=Path, help="write the results as JSON here")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="CSL eval directory")
    ap.add_argument("--big", type=int, default=None, help="documents in the replicated corpus")
    args = ap.parse_args(argv)
    limit = 100 if args.quick else None
    big_n = args.big or (30_000 if args.quick else 100_000)
    corpus = read_corpus(args.data / "corpus.jsonl")
    kw = [t for _, t in read_queries(args.data / "queries.jsonl")]
    results: dict = {"config": SearchIndex().get_params(), "dev": {}, "big": {"n_docs": big_n}}

    def say(msg: str) -> None:
        print(msg, flush=True)

    say(f"== dev split: {len(corpus)} docs; quality (MRR@10, graded NDCG@10), Simplified/Traditional")
    for cls in (Ours, BM25S, Tantivy, RankBM25):
        eng = cls()
        build_s, mem = _build(eng, corpus)
        # rank_bm25 scores every document in Python (~0.3 s a query here): a sample of queries.
        rank_limit = (20 if args.quick else 50) if cls is RankBM25 else limit
        row = {"build_s": build_s, "rss_mib": mem, "quality": quality(eng, args.data, rank_limit)}
        if cls is Ours:
            row["quality_trad"] = quality(eng, args.data, limit, trad=True)
        lat_queries = kw[:20] if cls is RankBM25 else kw[:200]
        row["query_ms_p50"], row["query_ms_p95"] = _latency(lambda q: eng.search(q, 10), lat_queries)
        results["dev"][eng.name] = row
        say(f"{eng.name:<10} build {build_s:6.2f}s  p50 {row['query_ms_p50']:.3f} ms  "
            f"p95 {row['query_ms_p95']:.3f} ms  "
            + "  ".join(f"{k} {v:.4f}" for k, v in row["quality"].items())
            + (f" (first {rank_limit} queries per set)" if rank_limit else ""))
        if "quality_trad" in row:
            say(f"{'  trad':<10} " + "  ".join(f"{k} {v:.4f}" for k, v in row["quality_trad"].items()))
        del eng
        gc.collect()

    say(f"== replicated corpus: {big_n} docs; kw queries, top-10, latency incl. tokenisation")
    big = replicate(corpus, big_n)
    for cls in (Ours, BM25S, Tantivy, RankBM25):
        eng = cls()
        build_s, mem = _build(eng, big)
        queries = kw[:20] if cls is RankBM25 else kw
        p50, p95 = _latency(lambda q: eng.search(q, 10), queries)
        row = {"build_s": build_s, "rss_mib": mem, "query_ms_p50": p50, "query_ms_p95": p95,
               "n_queries": len(queries)}
        if cls is Ours:
            row["index_mib"] = _index_mib(eng.index)
            ids = [d for d, _ in big[:50]]
            texts = [t for _, t in big[1000:1050]]
            times = []
            for doc_id, text in zip(ids, texts, strict=True):
                t0 = time.perf_counter()
                eng.index.update(doc_id, text)
                times.append((time.perf_counter() - t0) * 1000.0)
            row["update_ms_p50"], row["update_ms_max"] = statistics.median(times), max(times)
        results["big"][eng.name] = row
        say(f"{eng.name:<10} build {build_s:6.2f}s  rss +{mem:7.1f} MiB  p50 {p50:8.3f} ms  "
            f"p95 {p95:8.3f} ms" + (f"  index {row['index_mib']:.1f} MiB  update p50 "
                                    f"{row['update_ms_p50']:.2f} ms max {row['update_ms_max']:.2f} ms"
                                    if cls is Ours else ""))
        del eng
        gc.collect()

    say("== ratios ours/peer (quality >1 is better; time and memory <1 is better)")
    ours_dev, ours_big = results["dev"]["ours"], results["big"]["ours"]
    ratios = {}
    for peer in ("bm25s", "tantivy", "rank_bm25"):
        d, b = results["dev"][peer], results["big"][peer]
        r = {f"quality_{k}": ours_dev["quality"][k] / v for k, v in d["quality"].items() if v}
        r.update(
            build=ours_big["build_s"] / b["build_s"],
            query_p50=ours_big["query_ms_p50"] / b["query_ms_p50"],
            query_p95=ours_big["query_ms_p95"] / b["query_ms_p95"],
            rss=ours_big["rss_mib"] / b["rss_mib"] if b["rss_mib"] > 0 else float("nan"),
        )
        ratios[peer] = r
        say(f"vs {peer:<10} " + "  ".join(f"{k} {v:.3f}" for k, v in r.items()))
    results["ratios"] = ratios
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return results


if __name__ == "__main__":
    main()
