"""The `jiebang` command: database, demo data, users, audit, scheduler tick, matching, subsidies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from marketplace.cli.subsidy import subsidy_app


class _Lazy:
    """A module imported on first use, after marketplace.models (every table, and the facts each
    package installs for the others): `jiebang --help` and light commands start without them."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str):  # noqa: ANN204
        import importlib

        importlib.import_module("marketplace.models")
        return getattr(importlib.import_module(self._name), attr)


db = _Lazy("marketplace.db")
migrate = _Lazy("marketplace.migrate")

app = typer.Typer(help="jiebang 揭榜挂帅平台命令行", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="数据库迁移", no_args_is_help=True)
user_app = typer.Typer(help="账号管理", no_args_is_help=True)
audit_app = typer.Typer(help="审计日志", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(subsidy_app, name="subsidy")


def _match(ctx: typer.Context) -> None:
    from typer.main import get_command

    from matching.cli import match_app

    get_command(match_app).main(args=ctx.args, prog_name="jiebang match", standalone_mode=False)


# `match` is forwarded to matching's own command line, imported only when it runs (start-up time).
app.command("match", help="文本匹配评测（matching 库；jiebang match --help 查看子命令）",
            context_settings={"allow_extra_args": True, "ignore_unknown_options": True,
                              "help_option_names": []})(_match)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Migrate the database to the newest schema (or REVISION)."""
    migrate.upgrade(revision=revision)
    typer.echo(f"数据库已迁移到 {revision}")


@db_app.command("downgrade")
def db_downgrade(revision: str = typer.Argument(..., help="目标版本，如 base")) -> None:
    """Roll the schema back to REVISION."""
    migrate.downgrade(revision=revision)
    typer.echo(f"数据库已回退到 {revision}")


@db_app.command("create-app-role")
def db_create_app_role(
    role: str = typer.Argument("jiebang_app", help="应用角色名"),
    password: str = typer.Option(None, help="登录密码（不给则只用 pg_hba 认证，如 peer / cert）"),
    print_sql: bool = typer.Option(False, "--print-sql", help="只打印将执行的 SQL，不执行"),
) -> None:
    """Create (or re-grant) the least-privilege PostgreSQL role the application runs as; run as the owner."""
    from marketplace import approle
    from marketplace.errors import DomainError

    try:
        if print_sql:
            statements = approle.plan(db.get_engine(), role=role, password=password)
        else:
            statements = approle.create_app_role(db.get_engine(), role=role, password=password)
    except DomainError as exc:
        typer.echo(f"错误：{exc.message}", err=True)
        raise typer.Exit(2) from exc
    if print_sql:
        typer.echo(";\n".join(statements) + ";")
    else:
        typer.echo(f"已创建应用角色 {role}：可读写业务表，审计表只能查询和追加，不能清空或停用触发器。"
                   f"数据库变更后请重新运行本命令。")


@app.command()
def demo(if_empty: bool = typer.Option(False, "--if-empty", help="仅当数据库中还没有单位时加载")) -> None:
    """Load the demo organisations, accounts, teams, challenges and bids from seeds/."""
    from sqlmodel import select

    from marketplace import demo as demo_data
    from marketplace.accounts.models import Organisation

    with db.new_session() as session:
        if if_empty and session.exec(select(Organisation.id).limit(1)).first():
            typer.echo("数据库已有数据，跳过演示数据加载")
            return
        report = demo_data.load(session=session)
    db.analyze(db.get_engine())  # planner statistics after a bulk load
    created = "，".join(f"{k} {v}" for k, v in report.created.items()) or "无新增（已加载过）"
    typer.echo(f"演示数据已加载：{created}")


@user_app.command("create")
def user_create(
    role: str = typer.Option(..., help="officer | expert | admin | company | team"),
    name: str = typer.Option(..., help="显示名"),
    email: str = typer.Option(None), mobile: str = typer.Option(None),
    organisation_id: int = typer.Option(None, help="所属单位 id"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Create an account (officers and experts are created this way)."""
    from marketplace.accounts import service as accounts
    from marketplace.accounts.schemas import UserCreateIn
    from marketplace.actor import SYSTEM
    from marketplace.errors import DomainError
    from marketplace.validation import parse

    data = {"role": role, "display_name": name, "email": email, "mobile": mobile,
            "organisation_id": organisation_id, "password": password}
    with db.new_session() as session:
        try:
            user = accounts.create_user(session=session, actor=SYSTEM, data=parse(UserCreateIn, data))
        except DomainError as exc:
            details = "；".join(f"{k}: {v}" for k, v in exc.fields.items())
            typer.echo(f"错误：{exc.message} {details}", err=True)
            raise typer.Exit(2) from exc
    typer.echo(f"已创建账号 #{user.id}（{role}）")


def _checkpoint_path() -> Path:
    """The checkpoint file of the database this command works on."""
    from marketplace.config import get_settings

    return get_settings().audit_checkpoint_path_for(db.get_engine().url)


@audit_app.command("verify")
def audit_verify(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    against: Annotated[list[Path] | None, typer.Option(
        "--against", help="另外核对的检查点文件（如报送科技局存档的导出文件）")] = None,
) -> None:
    """Check the audit hash chain against the stored and given checkpoints; name the first bad seq."""
    from marketplace.audit import checkpoint
    from marketplace.errors import DomainError

    with db.new_session(write=False) as session:
        try:
            anchors = checkpoint.stored_anchors(session=session, path=_checkpoint_path())
            for path in against or []:
                newest = max(checkpoint.read_file(path), key=lambda c: c.seq, default=None)
                if newest is not None:
                    anchors.append(checkpoint.Anchor(f"检查点文件 {path.name} ", newest))
        except (DomainError, OSError) as exc:
            typer.echo(f"错误：无法读取检查点：{getattr(exc, 'message', exc)}", err=True)
            raise typer.Exit(2) from exc
        report = checkpoint.verify(session=session, anchors=anchors)
    if as_json:
        typer.echo(json.dumps(report.__dict__, ensure_ascii=False))
    elif report.ok:
        anchored = (f"，与检查点（第 {report.anchored_seq} 条）一致" if report.anchored_seq is not None
                    else "（尚无检查点，无法发现末尾记录被删除：请运行 jiebang audit checkpoint）")
        typer.echo(f"审计链完整：已校验 {report.checked} 条记录{anchored}")
    else:
        typer.echo(f"审计链校验失败：第 {report.first_bad_seq} 条记录 — {report.reason}", err=True)
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(
    export: Annotated[Path | None, typer.Option("--export", help="同时把检查点导出为 JSON 文件，供科技局存档")] = None,
) -> None:
    """Sign the chain's head into the checkpoint table and file (run it periodically, e.g. hourly)."""
    from marketplace.audit import checkpoint
    from marketplace.errors import DomainError

    with db.new_session() as session:
        try:
            cp = checkpoint.take(session=session, path=_checkpoint_path())
        except DomainError as exc:
            typer.echo(f"错误：{exc.message}", err=True)
            raise typer.Exit(1) from exc
    if export is not None:
        checkpoint.export(cp, export)
    typer.echo(f"已写入审计检查点：第 {cp.seq} 条记录，{cp.at:%Y-%m-%d %H:%M:%S} UTC"
               + (f"，已导出到 {export}" if export is not None else ""))


@app.command()
def tick() -> None:
    """Apply due time-driven transitions (scheduled publication, deadlines, reminders); for cron."""
    from marketplace.scheduler import tick as run_tick

    with db.new_session() as session:
        report = run_tick(session=session)
    typer.echo(f"定时发布 {len(report.published)} 项，截止 {len(report.closed)} 项，"
               f"流榜 {len(report.unfilled)} 项，截止提醒 {report.reminded} 条，里程碑逾期 {len(report.overdue)} 项")
    from marketplace.scheduler import subsidy_tick

    subsidy_tick(db.get_engine())
    _checkpoint_if_due()
    from marketplace.reports import digests

    with db.new_session() as session:
        sent = digests.send_due(session=session)
    if sent:
        typer.echo(f"每周摘要 {sent} 条")


def _checkpoint_if_due() -> None:
    """The periodic audit checkpoint rides on the tick (every audit_checkpoint_minutes)."""
    from datetime import timedelta

    from marketplace.audit import checkpoint
    from marketplace.config import get_settings
    from marketplace.errors import DomainError

    settings = get_settings()
    with db.new_session() as session:
        try:
            cp = checkpoint.take_if_due(session=session, path=_checkpoint_path(),
                                        every=timedelta(minutes=settings.audit_checkpoint_minutes))
        except DomainError as exc:
            typer.echo(f"错误：{exc.message}", err=True)
            raise typer.Exit(1) from exc
    if cp is not None:
        typer.echo(f"已写入审计检查点：第 {cp.seq} 条记录")


mail_app = typer.Typer(help="邮件发件箱", no_args_is_help=True)
app.add_typer(mail_app, name="mail")


@mail_app.command("send")
def mail_send(limit: int = 200) -> None:
    """Send queued notification e-mails through JIEBANG_SMTP_HOST (does nothing when unset)."""
    from marketplace.config import get_settings
    from marketplace.notifications.mailer import send_pending

    with db.new_session() as session:
        result = send_pending(session, get_settings().smtp_host, limit=limit)
    typer.echo(result.message)


index_app = typer.Typer(help="搜索与匹配索引", no_args_is_help=True)
app.add_typer(index_app, name="index")


@index_app.command("rebuild")
def index_rebuild() -> None:
    """Rebuild the platform's search index from the database (every worker picks it up)."""
    from marketplace.search import index as search_index

    with db.new_session() as session:
        count = search_index.rebuild(session)
    typer.echo(f"索引已重建：{count} 个文档")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
          reload: bool = False) -> None:
    """Serve the platform with uvicorn (each worker starts the scheduler; one of them runs ticks)."""
    import uvicorn

    uvicorn.run("marketplace.main:app", host=host, port=port, workers=workers, reload=reload,
                proxy_headers=False)
