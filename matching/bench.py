"""Benchmark: our SearchIndex against rank_bm25, bm25s and tantivy on the CSL dev split.

Run ``python -m matching.bench [--quick] [--out results.json] [--data DIR] [--big N]``. Peers get
the same tokens as our character channel (normalised text, CJK 1-2-grams, whole Latin terms).
rank_bm25 scores every document in pure Python, so it runs on a small sample of queries (its
quality ratio compares both engines on that same sample) and its latency is timed per query.
The full run takes about five minutes on two cores, ``--quick`` well under one.
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
from matching._build import release_memory
from matching.index import SearchIndex
from matching.normalize import normalize
from matching.tokenize import CharNgramTokenizer

# The repository is cloned next to ``shared/``; JIEBANG_CSL_EVAL or --data override this.
_REPO_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "csl" / "eval"
DEFAULT_DATA = Path(os.environ.get("JIEBANG_CSL_EVAL") or _REPO_DATA)
PEERS = ("bm25s", "tantivy", "rank_bm25")
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
    release_memory()
    before = _rss_mib()
    t0 = time.perf_counter()
    engine.build(corpus)
    seconds = time.perf_counter() - t0
    gc.collect()
    release_memory()
    return seconds, _rss_mib() - before


def _latency(search: Callable[[str], object], queries: list[str]) -> tuple[float, float]:
    """Median and p95 latency in ms over *queries* (after two warm-up queries)."""
    for q in queries[:2]:
        search(q)
    times = []
    for q in queries:
        t0 = time.perf_counter()
        search(q)
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times), _percentile(times, 95)


def quality(engine: Engine, data: Path, limit: int | None, trad: bool = False) -> dict[str, float]:
    """Score *engine* on every dev query set (first *limit* queries; Traditional when *trad*)."""
    import opencc

    s2t = opencc.OpenCC("s2t")
    out = {}
    runs: dict[str, list[str]] = {}
    for name, (qf, rf, metric) in SETS.items():
        queries = read_queries(data / qf)[:limit]
        qrels = read_qrels(data / rf)
        qrels = {q: qrels[q] for q, _ in queries if q in qrels}
        run = {}
        for q, t in queries:
            text = s2t.convert(t) if trad else t
            if text not in runs:  # kw and graded share their queries
                runs[text] = engine.search(text, 100)
            run[q] = runs[text]
        out[name] = evaluate_run(run, qrels)[metric]
    return out


def replicate(corpus: list[tuple[str, str]], n: int) -> list[tuple[str, str]]:
    """Repeat *corpus* with fresh ids up to *n* documents."""
    return [(f"{corpus[i % len(corpus)][0]}#{i // len(corpus)}", corpus[i % len(corpus)][1])
            for i in range(n)]


def _update_times(index: SearchIndex, big: list[tuple[str, str]], n: int = 200) -> list[float]:
    """Milliseconds of *n* ``update`` calls that replace documents' texts with other texts."""
    times = []
    for i in range(n):
        doc_id, text = big[i][0], big[(i + 1000) % len(big)][1]
        t0 = time.perf_counter()
        index.update(doc_id, text)
        times.append((time.perf_counter() - t0) * 1000.0)
    return times


def _table(results: dict) -> str:
    """The report: quality on the dev split, then speed and memory on the replicated corpus."""
    dev, big = results["dev"], results["big"]
    names = ["ours", *PEERS]
    lines = ["", "Quality on the dev split (MRR@10; graded: NDCG@10); ratio = ours / peer", ""]
    head = f"{'set':<10}" + "".join(f"{n:>11}" for n in names) + "".join(
        f"{'/' + p:>11}" for p in PEERS
    )
    lines += [head, "-" * len(head)]
    for name in SETS:
        row = f"{name:<10}" + "".join(f"{dev[n]['quality'][name]:>11.4f}" for n in names)
        for p in PEERS:
            ours = dev["ours"]["quality_sample" if p == "rank_bm25" else "quality"][name]
            peer = dev[p]["quality"][name]
            row += f"{ours / peer:>11.3f}" if peer else f"{'-':>11}"
        lines.append(row)
    trad = dev["ours"]["quality_trad"]
    lines.append("ours, Traditional queries: " + "  ".join(f"{k} {v:.4f}" for k, v in trad.items()))
    n_rank = dev["rank_bm25"]["n_queries"]
    lines.append(f"(rank_bm25: first {n_rank} queries of each set; its ratio "
                 "uses ours on the same queries)")
    lines += ["", f"Speed and memory, {big['n_docs']:,} documents (dev corpus replicated); "
              "latency = top-10 incl. tokenisation", ""]
    head = f"{'measure':<16}" + "".join(f"{n:>11}" for n in names) + "".join(
        f"{'/' + p:>11}" for p in PEERS
    )
    lines += [head, "-" * len(head)]
    for key, label in (("build_s", "build s"), ("query_ms_p50", "query p50 ms"),
                       ("query_ms_p95", "query p95 ms"), ("rss_mib", "memory MiB")):
        row = f"{label:<16}" + "".join(f"{big[n][key]:>11.3f}" for n in names)
        for p in PEERS:
            peer = big[p][key]
            row += f"{big['ours'][key] / peer:>11.3f}" if peer > 0 else f"{'-':>11}"
        lines.append(row)
    o = big["ours"]
    n_rank = big["rank_bm25"]["n_queries"]
    lines.append(f"(rank_bm25 latency over {n_rank} queries, timed one by one)")
    lines.append(f"ours: index arrays {o['index_mib']:.1f} MiB; "
                 f"update p50 {o['update_ms_p50']:.2f} ms, "
                 f"p99 {o['update_ms_p99']:.2f} ms, max {o['update_ms_max']:.2f} ms "
                 f"({o['update_gc_ms_max']:.1f} ms the longest garbage-collector pause "
                 "inside them)")
    lines.append("ratios: quality > 1 is better; time and memory < 1 is better")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark and print a report; return the results."""
    ap = argparse.ArgumentParser(prog="python -m matching.bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="100 queries a set, 20k docs (not 100k)")
    ap.add_argument("--out", type=Path, help="write the results as JSON here")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA,
                    help=f"CSL eval dir ({DEFAULT_DATA})")
    ap.add_argument("--big", type=int, default=None, help="documents in the replicated corpus")
    args = ap.parse_args(argv)
    if not (args.data / "corpus.jsonl").is_file():
        ap.error(f"no corpus.jsonl in {args.data} (set --data or JIEBANG_CSL_EVAL)")
    limit = 100 if args.quick else None
    rank_limit = 5 if args.quick else 40
    big_n = args.big or (20_000 if args.quick else 100_000)
    corpus = read_corpus(args.data / "corpus.jsonl")
    kw = [t for _, t in read_queries(args.data / "queries.jsonl")]
    results: dict = {"config": SearchIndex().get_params(), "dev": {}, "big": {"n_docs": big_n}}
    started = time.perf_counter()

    def say(msg: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {msg}", flush=True)

    say(f"dev split: {len(corpus)} docs; data {args.data}")
    for cls in (Ours, BM25S, Tantivy, RankBM25):
        eng = cls()
        build_s, mem = _build(eng, corpus)
        n_q = rank_limit if cls is RankBM25 else limit
        row = {"build_s": build_s, "rss_mib": mem, "quality": quality(eng, args.data, n_q),
               "n_queries": n_q or "all"}
        if cls is Ours:
            row["quality_trad"] = quality(eng, args.data, limit, trad=True)
            row["quality_sample"] = quality(eng, args.data, rank_limit)
        results["dev"][eng.name] = row
        say(f"{eng.name:<10} build {build_s:6.2f}s  "
            + "  ".join(f"{k} {v:.4f}" for k, v in row["quality"].items()))
        del eng
        gc.collect()

    big = replicate(corpus, big_n)
    for cls in (Ours, BM25S, Tantivy, RankBM25):
        eng = cls()
        build_s, mem = _build(eng, big)
        queries = kw[: (3 if args.quick else 20)] if cls is RankBM25 else kw
        p50, p95 = _latency(lambda q, e=eng: e.search(q, 10), queries)
        row = {"build_s": build_s, "rss_mib": mem, "query_ms_p50": p50, "query_ms_p95": p95,
               "n_queries": len(queries)}
        if cls is Ours:
            row["index_mib"] = _index_mib(eng.index)
            pauses = []

            def on_gc(phase: str, info: dict) -> None:
                pauses.append(time.perf_counter())

            gc.callbacks.append(on_gc)
            try:
                times = _update_times(eng.index, big)
            finally:
                gc.callbacks.remove(on_gc)
            gc_ms = [(b - a) * 1000.0 for a, b in zip(pauses[::2], pauses[1::2])]
            row.update(update_ms_p50=statistics.median(times), update_ms_p99=_percentile(times, 99),
                       update_ms_max=max(times), update_gc_ms_max=max(gc_ms, default=0.0))
        results["big"][eng.name] = row
        say(f"{eng.name:<10} {big_n} docs: build {build_s:6.2f}s  rss +{mem:7.1f} MiB  "
            f"p50 {p50:8.3f} ms  p95 {p95:8.3f} ms")
        del eng
        gc.collect()

    ratios = {}
    for p in PEERS:
        ours_q = results["dev"]["ours"]["quality_sample" if p == "rank_bm25" else "quality"]
        peer_dev, peer_big = results["dev"][p], results["big"][p]
        r = {f"quality_{k}": ours_q[k] / v for k, v in peer_dev["quality"].items() if v}
        for m in ("build_s", "query_ms_p50", "query_ms_p95", "rss_mib"):
            if peer_big[m] > 0:
                r[m] = results["big"]["ours"][m] / peer_big[m]
        ratios[p] = r
    results["ratios"] = ratios
    print(_table(results), flush=True)
    say("done")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return results


if __name__ == "__main__":
    main()
