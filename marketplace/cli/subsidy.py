"""`jiebang subsidy simulate`: run a case file through the policies and print or save the result."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

# The engine is imported inside the commands: `jiebang --help` must not pay for it. Same folder as
# engine.policies.DEFAULT_POLICIES_DIR (a test checks they agree).
DEFAULT_POLICIES_DIR = Path(__file__).resolve().parents[2] / "seeds" / "policies"

subsidy_app = typer.Typer(help="补助测算")


class OutputFormat(StrEnum):
    json = "json"
    table = "table"
    xlsx = "xlsx"



def _read_cases(path: Path) -> object:
    """JSON with floats kept as float (so the engine can refuse them) — never rounded silently."""
    from marketplace.subsidies.engine.cases import CaseFileError

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
    approved_versions: Annotated[bool, typer.Option(
        "--approved-versions", help="并入平台数据库中已批准的延续政策版本（与平台测算时相同）")] = False,
) -> None:
    """按政策测算案例文件中的每个案例（按文件顺序，即审批顺序）。"""
    from marketplace.subsidies.engine.cases import CaseFileError
    from marketplace.subsidies.engine.errors import PolicyFileError
    from marketplace.subsidies.engine.policies import load_policies
    from marketplace.subsidies.engine.simulate import run_cases

    try:
        if approved_versions:
            from marketplace import db, models  # noqa: F401
            from marketplace.subsidies import service

            with db.new_session(write=False) as session:
                loaded = service.policies(policies, session)[0]
        else:
            loaded = load_policies(policies)
        entries, totals = run_cases(_read_cases(cases), loaded)
    except (PolicyFileError, CaseFileError) as exc:
        typer.echo(f"错误：{exc}", err=True)
        raise typer.Exit(code=2) from None
    from marketplace.subsidies.engine.render import table, workbook

    shown = totals if summary else None
    if output_format is OutputFormat.json:
        body = {"results": entries, "summary": totals} if summary else entries
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
    elif output_format is OutputFormat.table:
        typer.echo(table(entries, shown), nl=False)
    else:
        typer.echo(f"已写入 {workbook(entries, out, shown)}")


@subsidy_app.command()
def compute(year: Annotated[int | None, typer.Option("--year", help="只测算该年度结束的合同")] = None) -> None:
    """免申即享：为每个已结束、尚无补助记录的合同测算补助（失败或终止的按政策追回）。"""
    from marketplace import db, models  # noqa: F401 — models installs the contract facts
    from marketplace.subsidies import service

    with db.new_session() as session:
        try:
            report = service.compute_all(session=session, year=year)
        except RuntimeError as exc:  # no contract source installed in this deployment
            typer.echo(f"错误：无法读取合同：{exc}", err=True)
            raise typer.Exit(code=2) from None
    typer.echo(f"新测算 {len(report.computed)} 项，追回 {len(report.clawed_back)} 项，"
               f"不予补助 {len(report.rejected)} 项，错误 {len(report.errors)} 项")
    for line in report.errors:
        typer.echo(f"错误：{line}", err=True)
    if report.errors:
        raise typer.Exit(code=1)


@subsidy_app.command()
def recompute(subsidy_id: Annotated[int, typer.Argument(help="补助记录编号")]) -> None:
    """用存储的测算输入重新测算，检查结果是否一致（一致：退出码 0；不一致：1）。"""
    from marketplace import db, models  # noqa: F401
    from marketplace.errors import DomainError
    from marketplace.subsidies import service

    with db.new_session(write=False) as session:
        try:
            again = service.recompute(session=session, subsidy_id=subsidy_id)
        except DomainError as exc:
            typer.echo(f"错误：{exc.message}", err=True)
            raise typer.Exit(code=2) from None
    same_policy = again.policy_version_then == again.policy_version_now
    typer.echo(f"补助 {subsidy_id}：存储 {again.stored.get('entitlement')} 元，"
               f"重新测算 {again.fresh.get('entitlement')} 元")
    typer.echo(f"政策版本：测算时 {again.policy_version_then}，现在 {again.policy_version_now}"
               + ("" if same_policy else "（政策文件已变更）"))
    if again.agrees:
        typer.echo("一致")
        return
    typer.echo(f"不一致：{', '.join(again.differences)}")
    raise typer.Exit(code=1)
