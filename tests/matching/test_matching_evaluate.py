import json
import math

import pytest
from typer.testing import CliRunner

from matching.cli import match_app
from matching.evaluate import (
    evaluate_run,
    mrr_at_k,
    ndcg_at_k,
    read_qrels,
    recall_at_k,
)

RELS = {"d1": 2, "d2": 1, "d3": 0, "d9": 1}


def test_mrr_hand_computed():
    assert mrr_at_k(["x", "d2", "d1"], RELS) == 0.5
    assert mrr_at_k(["x", "d3", "y"], RELS) == 0.0  # rel 0 is not relevant
    assert mrr_at_k(["x"] * 10 + ["d1"], RELS, k=10) == 0.0  # beyond the cut-off


def test_ndcg_hand_computed():
    ranked = ["d2", "x", "d1"]
    dcg = 1 / math.log2(2) + 2 / math.log2(4)
    idcg = 2 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at_k(ranked, RELS) == pytest.approx(dcg / idcg)
    assert ndcg_at_k(["d1", "d2", "d9"], RELS) == pytest.approx(1.0)
    assert ndcg_at_k(["unjudged"], RELS) == 0.0


def test_recall_hand_computed():
    assert recall_at_k(["d1", "x", "d9"], RELS, 10) == pytest.approx(2 / 3)
    assert recall_at_k(["d1", "x", "d9"], RELS, 1) == pytest.approx(1 / 3)


def test_evaluate_run_counts_missing_queries_as_zero():
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 0}}
    result = evaluate_run({"q1": ["a"]}, qrels)
    assert result["mrr@10"] == 0.5  # q3 has no relevant doc and is not averaged
    assert result["recall@100"] == 0.5


def test_read_qrels_rejects_malformed(tmp_path):
    path = tmp_path / "q.tsv"
    path.write_text("q1 0 d1 1\nq1 0 d2\n")
    with pytest.raises(ValueError):
        read_qrels(path)


@pytest.fixture
def trec_files(tmp_path):
    corpus = [
        {"id": "d1", "title": "", "text": "锂离子电池的固态电解质"},
        {"id": "d2", "title": "", "text": "OLED柔性显示面板"},
        {"id": "d3", "title": "", "text": "轨道交通信号系统故障诊断"},
    ]
    queries = [{"id": "q1", "text": "固態電解質"}, {"id": "q2", "text": "轨道交通"}]
    paths = {n: tmp_path / n for n in ("corpus.jsonl", "queries.jsonl", "qrels.tsv")}
    paths["corpus.jsonl"].write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in corpus))
    paths["queries.jsonl"].write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in queries))
    paths["qrels.tsv"].write_text("q1 0 d1 1\nq2 0 d2 1\n")  # q2's judged doc is the wrong one
    return paths


def test_cli_eval_json(trec_files):
    args = ["eval", "--corpus", str(trec_files["corpus.jsonl"]),
            "--queries", str(trec_files["queries.jsonl"]), "--qrels", str(trec_files["qrels.tsv"]),
            "--json"]
    result = CliRunner().invoke(match_app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"mrr@10", "ndcg@10", "recall@10", "recall@100", "build_s",
                         "query_ms_p50", "query_ms_p95", "n_queries"}
    assert data["mrr@10"] == 0.5 and data["recall@10"] == 0.5 and data["n_queries"] == 2


def test_cli_eval_text_and_missing_file(trec_files, tmp_path):
    args = ["eval", "--corpus", str(trec_files["corpus.jsonl"]),
            "--queries", str(trec_files["queries.jsonl"]), "--qrels", str(trec_files["qrels.tsv"])]
    result = CliRunner().invoke(match_app, args)
    assert result.exit_code == 0 and "mrr@10" in result.output
    args[2] = str(tmp_path / "absent.jsonl")
    assert CliRunner().invoke(match_app, args).exit_code != 0
