"""The vectorised build, parallel tokenising and the LSA rerank (state kept through changes)."""

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from matching import CharNgramTokenizer, JiebaTokenizer, SearchIndex, normalize
from matching._build import analyze_channel
from matching.evaluate import read_corpus

DATA = Path(__file__).parent / "data"

ODD = [
    "ＧＢ／Ｔ 7714-2015 與 caco-2、c++ 和 h.264，5G 與15g 電池",
    "",
    "😀 ✨",
    "abc def 中",
    "𠀀𠀁 扩展区 B 字符 㐀㐁",  # CJK extension B is not in the CJK ranges, extension A is
    "x" * 50,
]


@pytest.fixture(scope="module")
def csl():
    return read_corpus(DATA / "csl_subset_corpus.jsonl")


@pytest.fixture(scope="module")
def csl_index(csl):
    return SearchIndex().fit(csl)


def _as_counters(result, n_docs):
    terms, doc, term, tf = result
    out = [Counter() for _ in range(n_docs)]
    for d, t, c in zip(doc.tolist(), term.tolist(), tf.tolist(), strict=True):
        out[d][terms[t]] += c
    return out


@pytest.mark.parametrize("ngram_range", [(1, 2), (1, 1), (2, 2), (1, 3)])
def test_vectorised_channel_equals_the_tokeniser(csl, ngram_range):
    norms = [normalize(t) for _, t in csl[:300]] + [normalize(t) for t in ODD]
    tok = CharNgramTokenizer(ngram_range)
    got = _as_counters(analyze_channel(norms, tok), len(norms))
    assert got == [Counter(tok(n)) for n in norms]


def test_parallel_jieba_equals_serial(csl):
    norms = [normalize(t) for _, t in csl[:250]] * 20  # several chunks
    tok = JiebaTokenizer()
    serial = _as_counters(analyze_channel(norms, tok, n_jobs=1), len(norms))
    parallel = _as_counters(analyze_channel(norms, tok, n_jobs=2), len(norms))
    assert serial == parallel
    assert serial[:3] == [Counter(tok(n)) for n in norms[:3]]


def test_fit_matches_incremental_statistics(csl):
    """Postings built in bulk hold the same BM25 weights as documents analysed one by one."""
    docs = csl[:200]
    index = SearchIndex(word_weight=0.5, lsa_components=0).fit(docs)
    for row in (0, 57, 199):
        for c, counts in enumerate(index._analyze(docs[row][1])):
            dl = sum(counts.values())
            for term, tf in counts.items():
                t = index.vocab_[term]
                expected = index._saturate(float(tf), dl / index.avgdl_[c])
                assert index.postings_[t, row] == pytest.approx(expected, rel=1e-6)


def test_lsa_vectors_are_unit_and_fixed_by_seed(csl, csl_index):
    vecs = csl_index.doc_vectors_
    assert vecs.shape == (len(csl), csl_index.lsa_components)
    assert np.allclose(np.linalg.norm(vecs, axis=1)[np.abs(vecs).sum(axis=1) > 0], 1.0, atol=1e-4)
    again = SearchIndex().fit(csl)
    assert np.array_equal(again.doc_vectors_, vecs)
    # a fitted document re-embedded through the incremental path lands on its own vector
    counts = csl_index._analyze(csl[3][1])[0]
    assert np.allclose(csl_index._embed_counts(counts), vecs[3], atol=1e-4)


def test_rerank_changes_order_only_among_candidates(csl, csl_index):
    plain = SearchIndex(lsa_components=0).fit(csl)
    query = "锂离子电池 正极材料"
    top = [h.doc_id for h in csl_index.search(query, k=10)]
    pool = {h.doc_id for h in plain.search(query, k=csl_index.rerank_depth)}
    assert set(top) <= pool
    scores = [h.score for h in csl_index.search(query, k=10)]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)


def test_lsa_survives_add_remove_compact_and_save(csl, tmp_path):
    index = SearchIndex().fit(csl[:600])
    for doc_id, text in csl[600:700]:
        index.add(doc_id, text)
    index.remove(csl[5][0])
    index.update(csl[650][0], csl[10][1])
    before = [index.search(t[:20]) for _, t in csl[100:110]]
    vectors = index.doc_vectors_[index.alive_].copy()
    index.compact()
    assert np.allclose(index.doc_vectors_, vectors)
    assert [index.search(t[:20]) for _, t in csl[100:110]] == before
    path = tmp_path / "idx.bin"
    index.save(path)
    loaded = SearchIndex.load(path)
    assert [loaded.search(t[:20]) for _, t in csl[100:110]] == before
    loaded.add("new", csl[20][1])
    assert "new" in [h.doc_id for h in loaded.search(csl[20][1][:30], k=3)]
