import copy

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from matching import FORMAT_VERSION, Hit, IndexCorrupt, SearchIndex, persist
from matching.fitted import saved_fields


def ranking(index, query, k=10):
    return [h.doc_id for h in index.search(query, k=k)]


# ---------------------------------------------------------------- estimator conventions
def test_fit_returns_self_and_clone_keeps_params(docs):
    est = SearchIndex(k1=1.5, b=0.6, word_weight=0.5)
    assert est.fit(docs) is est
    fresh = clone(est)
    assert fresh.get_params() == est.get_params()
    assert not hasattr(fresh, "postings_")


def test_init_only_stores_params():
    est = SearchIndex(k1=-3)  # validated in fit, not in __init__
    assert est.k1 == -3
    with pytest.raises(ValueError):
        est.fit([("a", "文本")])


def test_not_fitted_raises():
    with pytest.raises(NotFittedError):
        SearchIndex().search("电池")
    with pytest.raises(NotFittedError):
        SearchIndex().add("a", "电池")


def test_duplicate_ids_rejected():
    with pytest.raises(ValueError):
        SearchIndex().fit([("a", "电池"), ("a", "芯片")])


# ---------------------------------------------------------------- search
def test_search_finds_relevant_documents(index):
    assert ranking(index, "动力电池")[0] in {"team:1", "challenge:1"}
    assert ranking(index, "OLED 柔性显示")[0] == "team:2"
    assert ranking(index, "SiC 功率器件")[0] == "team:3"
    assert ranking(index, "caco-2 细胞")[0] == "team:4"
    assert ranking(index, "defect detection")[0] == "challenge:3"


def test_traditional_query_ranks_like_simplified(index):
    simp = index.search("城市轨道交通 故障诊断")
    trad = index.search("城市軌道交通 故障診斷")
    assert simp == trad


def test_results_are_sorted_hits(index):
    hits = index.search("电池 芯片 机器人", k=5)
    assert all(isinstance(h, Hit) for h in hits)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)
    assert len(index.search("电池", k=1)) == 1


@pytest.mark.parametrize(
    "query", ["", "   ", "😀", "\x00\x07", "的的的", "zzzzqqq", None, "中" * 100_000]
)
def test_bad_queries_do_not_crash(index, query):
    hits = index.search(query)
    assert isinstance(hits, list)


def test_empty_and_unknown_queries_return_nothing(index):
    assert index.search("") == []
    assert index.search("😀 ✨") == []
    assert index.search("qqqzzz") == []
    assert index.search("电池", k=0) == []


def test_allowed_restricts_candidates(index):
    hits = index.search("电池", allowed={"challenge:1", "team:2", "nope"})
    assert {h.doc_id for h in hits} <= {"challenge:1", "team:2"}
    assert hits[0].doc_id == "challenge:1"
    assert index.search("电池", allowed=set()) == []


def test_allowed_ids_given_twice_give_one_hit(index):
    index.update("challenge:1", "动力电池热失控预警算法")
    for allowed in (["challenge:1", "challenge:1"], index.ids_):
        hits = index.search("动力电池", allowed=allowed)
        assert len({h.doc_id for h in hits}) == len(hits) and "challenge:1" in {h.doc_id for h in hits}


def test_documents_without_chinese(index):
    index.add("team:9", "Quantum key distribution over fibre, 100 km, BB84.")
    assert ranking(index, "quantum key distribution")[0] == "team:9"
    assert ranking(index, "bb84")[0] == "team:9"


def test_empty_corpus_and_empty_documents():
    empty = SearchIndex().fit([])
    assert empty.search("电池") == [] and len(empty) == 0
    empty.add("a", "锂电池")
    assert ranking(empty, "锂电池") == ["a"]
    blank = SearchIndex().fit([("a", ""), ("b", "😀")])
    assert blank.search("电池") == []


# ---------------------------------------------------------------- incremental updates
def test_incremental_changes_match_a_rebuild(docs):
    base, extra = docs[:6], docs[6:]
    inc = SearchIndex().fit(base)
    for doc_id, text in extra:
        inc.add(doc_id, text)
    inc.update("team:2", "动力电池回收与梯次利用")
    inc.remove("challenge:2")
    expected = [(d, t) for d, t in docs if d != "challenge:2"]
    expected = [(d, "动力电池回收与梯次利用" if d == "team:2" else t) for d, t in expected]
    full = SearchIndex().fit(expected)
    for query in ["动力电池", "轨道交通 故障", "defect detection", "芯片", "机器人", "回收"]:
        assert ranking(inc, query) == ranking(full, query), query
    assert len(inc) == len(full) == 7
    assert "challenge:2" not in inc and "team:2" in inc


def test_add_then_remove_restores_scores(index):
    before = index.search("动力电池 芯片")
    index.add("team:9", "动力电池芯片")
    assert ranking(index, "动力电池 芯片")[0] == "team:9"
    index.remove("team:9")
    after = index.search("动力电池 芯片")
    assert [h.doc_id for h in after] == [h.doc_id for h in before]
    assert np.allclose([h.score for h in after], [h.score for h in before])


def test_compact_keeps_results(index):
    index.add("team:9", "动力电池芯片")
    index.remove("team:1")
    before = index.search("动力电池 芯片")
    index.compact()
    assert index.search("动力电池 芯片") == before


def test_mutation_errors(index):
    with pytest.raises(KeyError):
        index.add("team:1", "重复")
    with pytest.raises(KeyError):
        index.remove("nope")
    index.update("new:1", "新增文档 电池")  # update of an unknown id adds it
    assert "new:1" in index


def test_fingerprint_changes_with_every_mutation_and_is_content_based(docs):
    a, b = SearchIndex().fit(docs), SearchIndex().fit(docs)
    assert a.fingerprint == b.fingerprint
    seen = {a.fingerprint}
    a.add("x", "文本")
    seen.add(a.fingerprint)
    a.update("x", "另一个文本")
    seen.add(a.fingerprint)
    a.remove("x")
    seen.add(a.fingerprint)
    assert len(seen) == 4
    assert SearchIndex(k1=2.0).fit(docs).fingerprint != b.fingerprint


def test_fitted_state_is_read_only_outside_the_index(index):
    for name in ("fingerprint_", "ids_", "postings_", "lsa_basis_"):
        with pytest.raises(AttributeError):
            setattr(index, name, None)
    assert len(index.ids_) == len(index) and isinstance(index.fingerprint_, str)


def test_set_fingerprint_labels_the_index_and_its_saved_file(index, tmp_path):
    assert index.set_fingerprint("db#v7") is index
    assert index.fingerprint == index.fingerprint_ == "db#v7"
    path = tmp_path / "idx.bin"
    index.save(path)
    assert SearchIndex.load(path, fingerprint="db#v7").fingerprint == "db#v7"
    index.add("x", "文本")
    assert index.fingerprint != "db#v7"
    with pytest.raises(NotFittedError):
        SearchIndex().set_fingerprint("db#v7")


def test_doc_ids_lists_each_live_document_once(index):
    index.update("challenge:1", "动力电池热失控预警算法")
    index.remove("team:2")
    assert index.doc_ids("challenge:") == ["challenge:2", "challenge:3", "challenge:4", "challenge:1"]
    assert index.ids_.count("challenge:1") == 2  # the old column stays until compact()
    assert sorted(index.doc_ids()) == sorted(index.row_of_)
    assert len(index.doc_ids()) == len(index) == 7


# ---------------------------------------------------------------- explanations
def test_explain_gives_shares_and_positions(index):
    terms = index.explain("固態電池 管理系统", "team:1")
    assert terms and sum(t.share for t in terms) == pytest.approx(1.0)  # fewer than n terms
    shares = [t.share for t in terms]
    assert shares == sorted(shares, reverse=True)
    text = dict(zip(index.ids_, index.texts_, strict=True))["team:1"]
    for t in terms:
        assert 0 < t.share <= 1 and t.positions
        for start, end in t.positions:
            assert text[start:end] == t.term or text[start:end].lower() == t.term
    assert terms[0].term in {"管理系统", "固态电", "电池"}
    assert len(index.explain("固態電池 管理系统", "team:1", n=1)) == 1


def test_explain_unrelated_document_is_empty(index):
    assert index.explain("OLED", "challenge:4") == []
    with pytest.raises(KeyError):
        index.explain("OLED", "nope")


# ---------------------------------------------------------------- persistence
def test_save_load_round_trip(index, tmp_path):
    index.add("team:9", "动力电池芯片")
    path = tmp_path / "idx.bin"
    index.save(path)
    loaded = SearchIndex.load(path)
    assert loaded.fingerprint == index.fingerprint
    assert loaded.get_params() == index.get_params()
    for query in ["动力电池", "OLED", "轨道交通"]:
        assert loaded.search(query) == index.search(query)
    loaded.add("team:10", "量子计算")
    assert ranking(loaded, "量子计算")[0] == "team:10"


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_corrupt_file_detected(index, tmp_path, damage):
    path = tmp_path / "idx.bin"
    index.save(path)
    raw = bytearray(path.read_bytes())
    if damage == "truncate":
        raw = raw[: len(raw) // 2]
    elif damage == "flip":
        raw[len(raw) // 2] ^= 0xFF
    elif damage == "garbage":
        raw = bytearray(b"not an index at all")
    else:
        raw = bytearray()
    path.write_bytes(bytes(raw))
    with pytest.raises(IndexCorrupt):
        SearchIndex.load(path)


def test_missing_or_stale_file_detected(index, tmp_path):
    with pytest.raises(IndexCorrupt):
        SearchIndex.load(tmp_path / "absent.bin")
    path = tmp_path / "idx.bin"
    index.save(path)
    assert SearchIndex.load(path, fingerprint=index.fingerprint).fingerprint == index.fingerprint
    with pytest.raises(IndexCorrupt):
        SearchIndex.load(path, fingerprint="another-version")


def test_every_saved_field_round_trips(index, tmp_path):
    index.add("team:9", "动力电池芯片")
    index.remove("team:3")
    path = tmp_path / "idx.bin"
    index.save(path)
    loaded = SearchIndex.load(path)
    for name, part_cls in SearchIndex._fitted_parts.items():
        for field in saved_fields(part_cls):
            mine, theirs = getattr(getattr(index, f"_{name}"), field), getattr(getattr(loaded, f"_{name}"), field)
            if sp.issparse(mine):
                assert (mine != theirs).nnz == 0 and mine.dtype == theirs.dtype, field
            elif isinstance(mine, np.ndarray):
                assert np.array_equal(mine, theirs) and mine.dtype == theirs.dtype, field
            else:
                assert mine == theirs, field
    assert loaded.row_of_ == index.row_of_ and np.array_equal(loaded.df_, index.df_)


def test_a_file_of_another_format_version_is_rebuilt_not_read(index, tmp_path, monkeypatch):
    path = tmp_path / "idx.bin"
    monkeypatch.setattr(persist, "FORMAT_VERSION", FORMAT_VERSION - 1)
    index.save(path)
    monkeypatch.undo()
    with pytest.raises(IndexCorrupt, match="another version"):
        SearchIndex.load(path)


def test_an_inconsistent_file_with_a_good_checksum_is_corrupt(index, tmp_path):
    path = tmp_path / "idx.bin"
    postings = copy.copy(index._postings)
    postings.ids = postings.ids[:-1]
    persist.save(path, index.get_params(), {"postings": postings, "lsa": index._lsa})
    with pytest.raises(IndexCorrupt, match="inconsistent"):
        SearchIndex.load(path)


def test_a_small_corpus_keeps_its_common_domain_words():
    """In a handful of documents every shared word is common; pruning them would find nothing."""
    from matching import SearchIndex

    docs = [("c", "碳化硅功率模块封装 银烧结封装可靠性"), ("t", "碳化硅功率器件的封装与可靠性研究"),
            ("e1", "碳化硅功率模块 银烧结封装 功率模块封装可靠性"), ("e2",
                                                "碳化硅功率模块 银烧结封装 功率模块封装可靠性")]
    idx = SearchIndex().fit(docs)
    hits = idx.search("碳化硅功率模块银烧结封装", k=5, allowed=["e1", "e2"])
    assert {h.doc_id for h in hits} == {"e1", "e2"}


# ---------------------------------------------------------------- keyword-list queries
def test_keyword_balance_evens_out_long_and_short_keywords(index, docs):
    flat = SearchIndex(keyword_balance=0).fit(docs)
    query = "芯片 固态电解质和动力电池管理"
    balanced, plain = index._query_terms(query), flat._query_terms(query)
    short, long_ = index.vocab_["芯片"], index.vocab_["固态"]
    assert set(balanced) == set(plain)
    assert balanced[short] > plain[short] and balanced[long_] < plain[long_]


def test_keyword_balance_leaves_running_text_and_single_phrases_alone(index, docs):
    flat = SearchIndex(keyword_balance=0).fit(docs)
    for query in ("我们团队研究锂离子电池的固态电解质和动力电池管理系统 服务新能源汽车",
                  "动力电池热失控预警", "OLED"):
        assert index._query_terms(query) == flat._query_terms(query)


def test_weights_at_once_equal_each_weight_alone_with_added_and_updated_documents(index, docs):
    # added documents live in the delta until compaction; an update rewrites a column
    index.add("extra-1", "碳化硅功率模块银烧结焊层可靠性与功率循环寿命")
    index.update(docs[0][0], docs[1][1] + " 储能电池热失控预警")
    P = index._postings
    assert P.delta, "the test needs documents outside the compacted matrix"
    t_ids = np.arange(len(P.terms), dtype=np.int64)
    rows = [P.row_of[d] for d in ("extra-1", docs[0][0], docs[2][0], docs[-1][0])]
    at_once = P.weights(t_ids, rows)
    alone = np.array([[P.weight(int(t), r) for r in rows] for t in t_ids])
    assert at_once.shape == alone.shape and (at_once > 0).sum() > 20
    np.testing.assert_array_equal(at_once, alone)


def test_explain_many_equals_the_term_by_term_explanation(index, docs):
    from matching.explain import contributions
    from matching.index import _WORD_PREFIX

    def one_by_one(query, doc_id, n):  # the explanation computed term by term, document by document
        P = index._postings
        row = P.row_of[doc_id]
        t_ids, w = P.term_weights(index._score_query(query)[1], index.unigram_weight)
        contrib = {}
        for t, wt in zip(t_ids.tolist(), w.tolist(), strict=True):
            if (value := P.weight(t, row)) > 0:
                term = P.terms[t].removeprefix(_WORD_PREFIX)
                contrib[term] = contrib.get(term, 0.0) + value * wt
        return contributions(contrib, query[: index.max_query_chars], P.texts[row], n)

    index.add("extra-1", "碳化硅功率模块银烧结焊层可靠性与功率循环寿命")
    query = docs[3][1][:80] + " 碳化硅 焊层"
    ids = ["extra-1"] + [d for d, _ in docs[:6]]
    many = index.explain_many(query, ids, n=6)
    assert sum(1 for d in ids if many[d]) >= 2
    for doc_id in ids:
        assert many[doc_id] == one_by_one(query, doc_id, 6)


def test_a_repeated_query_sees_every_change_of_the_index(index, docs):
    query = "钙钛矿叠层电池湿热老化"
    before = [h.doc_id for h in index.search(query, k=20)]
    index.add("new-1", "钙钛矿叠层电池湿热老化封装 钙钛矿叠层电池")
    assert index.search(query, k=1)[0].doc_id == "new-1" and "new-1" not in before
    index.update("new-1", "与查询无关的文本：港口起重机远程操控")
    assert "new-1" not in [h.doc_id for h in index.search(query, k=20)]
    index.remove("new-1")
    index.compact()
    assert [h.doc_id for h in index.search(query, k=20)] == before
    scores = [h.score for h in index.search(query, k=5)]
    index.set_params(unigram_weight=0.2)  # applied at query time
    assert [h.score for h in index.search(query, k=5)] != scores  # parameters are part of the state
