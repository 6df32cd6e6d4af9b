"""`jiebang subsidy simulate`: run a case file through the policies and print or save the result."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from marketplace.subsidies.engine.cases import CaseFileError
from marketplace.subsidies.engine.errors import PolicyFileError
from marketplace.subsidies.engine.policies import DEFAULT_POLICIES_DIR, load_policies
from marketplace.subsidies.engine.render import table, workbook
from marketplace.subsidies.engine.simulate import run_cases

subsidy_app = typer.Typer(help="补助测算")


class OutputFormat(StrEnum):
    json = "json"
    table = "table"
    xlsx = "xlsx"



def _read_cases(path: Path) -> object:
    """JSON with floats kept as float (so the engine can refuse them) — never rounded silently."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CaseFileError(f"无法读取案例文件 {path}：{exc}") from None


@subsidy_app.callback()
def _main() -> None:
    """补助测算：按政策文件测算补助、分担和分期。"""


@subsidy_app.command()
def simulate(
    cases: Annotated[Path, typer.Option("--cases", help="案例文件（JSON）")],
    policies: Annotated[Path, typer.Option("--policies", help="政策文件或文件夹")] = DEFAULT_POLICIES_DIR,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="json / table / xlsx")] = OutputFormat.json,
    summary: Annotated[bool, typer.Option("--summary", help="附加按政策、出资方、资金池的汇总")] = False,
    out: Annotated[Path, typer.Option("--out", help="xlsx 输出文件")] = Path("subsidy-simulation.xlsx"),
) -> None:
    """按政策测算案例文件中的每个案例（按文件顺序，即审批顺序）。"""
    try:
        loaded = load_policies(policies)
        entries, totals = run_cases(_read_cases(cases), loaded)
    except (PolicyFileError, CaseFileError) as exc:
        typer.echo(f"错误：{exc}", err=True)
        raise typer.Exit(code=2) from None
    shown = totals if summary else None
    if output_format is OutputFormat.json:
        body = {"results": entries, "summary": totals} if summary else entries
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
    elif output_format is OutputFormat.table:
        typer.echo(table(entries, shown), nl=False)
    else:
        typer.echo(f"已写入 {workbook(entries, out, shown)}")
