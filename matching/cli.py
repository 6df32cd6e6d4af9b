"""Command line: ``jiebang match eval`` (mounted by the platform CLI as ``match``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from matching.evaluate import read_corpus, read_qrels, read_queries, run_eval

match_app = typer.Typer(help="Text matching: evaluate the search index on TREC-style files.")


@match_app.callback()
def _main() -> None:
    """Text matching commands."""


@match_app.command("eval")
def eval_command(
    corpus: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="corpus.jsonl")],
    queries: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="queries.jsonl")],
    qrels: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="qrels (qid 0 docid rel)")],
    k: Annotated[int, typer.Option(min=1, help="cut-off for MRR, NDCG and Recall")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Evaluate the platform's search configuration: MRR, NDCG, Recall, build time, latency."""
    try:
        result = run_eval(read_corpus(corpus), read_queries(queries), read_qrels(qrels), k=k)
    except (ValueError, KeyError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    if as_json:
        typer.echo(json.dumps(result))
        return
    for name, value in result.items():
        typer.echo(f"{name:<14}{value:.4f}" if isinstance(value, float) else f"{name:<14}{value}")
