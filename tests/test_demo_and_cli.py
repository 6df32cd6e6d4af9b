"""The demo data loads completely and only once; the CLI commands an operator relies on."""

import json

import pytest
from sqlalchemy import text
from sqlmodel import func, select
from typer.testing import CliRunner

from marketplace import db, migrate
from marketplace.accounts.models import Organisation, OrgStatus, TeamProfile, User
from marketplace.actor import Role
from marketplace.challenges.models import Challenge, ChallengeStatus
from marketplace.cli import app
from tests.conftest import BACKENDS, drop_pg_database, fresh_database_url


@pytest.fixture(params=BACKENDS)
def cli_db(request, tmp_path_factory, monkeypatch):
    """A fresh migrated database that the CLI's process-wide engine points at."""
    url = fresh_database_url(request.param, tmp_path_factory)
    migrate.upgrade(url)
    engine = db.make_engine(url)
    db.set_engine(engine)
    yield engine
    db.set_engine(None)
    engine.dispose()
    if request.param == "postgres":
        drop_pg_database(url)


def count(session, model, *where):
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_demo_loads_every_kind_of_data_and_loading_twice_duplicates_nothing(cli_db):
    runner = CliRunner()
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    with db.new_session(cli_db) as s:
        totals = [count(s, m) for m in (Organisation, User, TeamProfile, Challenge)]
        assert count(s, Organisation, Organisation.kind == "enterprise") >= 12
        assert count(s, Organisation, Organisation.kind.in_(["university", "institute"])) >= 6
        assert count(s, TeamProfile) >= 40
        assert count(s, Organisation, Organisation.status == OrgStatus.PENDING) >= 1
        roles = set(s.exec(select(User.role)).all())
        assert roles >= {Role.ADMIN, Role.OFFICER, Role.COMPANY, Role.TEAM, Role.EXPERT}
        states = set(s.exec(select(Challenge.status)).all())
        assert states >= {s_.value for s_ in ChallengeStatus}
        assert any("實驗室" in t.name or "團隊" in t.name for t in s.exec(select(TeamProfile)).all())
    second = runner.invoke(app, ["demo"])
    assert second.exit_code == 0 and "无新增" in second.output
    with db.new_session(cli_db) as s:
        assert [count(s, m) for m in (Organisation, User, TeamProfile, Challenge)] == totals
    assert "跳过" in runner.invoke(app, ["demo", "--if-empty"]).output


def test_user_create_and_audit_verify_name_the_tampered_row(cli_db):
    runner = CliRunner()
    made = runner.invoke(app, ["user", "create", "--role", "officer", "--name", "王处长",
                               "--email", "wang@bureau.example", "--password", "a-strong-passphrase"])
    assert made.exit_code == 0, made.output
    bad = runner.invoke(app, ["user", "create", "--role", "officer", "--name", "x",
                              "--email", "wang@bureau.example", "--password", "a-strong-passphrase"])
    assert bad.exit_code == 2 and "该邮箱已注册" in bad.output
    ok = runner.invoke(app, ["audit", "verify", "--json"])
    assert ok.exit_code == 0 and json.loads(ok.output)["ok"] is True
    with cli_db.begin() as conn:
        if cli_db.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE auditevent DISABLE TRIGGER auditevent_no_change"))
        else:
            conn.execute(text("DROP TRIGGER auditevent_no_update"))
        conn.execute(text("UPDATE auditevent SET summary = '{}' WHERE seq = 1"))
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1 and "第 1 条" in broken.output


def test_production_refuses_to_start_without_a_strong_secret(monkeypatch):
    from pydantic import ValidationError

    from marketplace.config import Settings

    monkeypatch.setenv("JIEBANG_ENV", "prod")
    monkeypatch.delenv("JIEBANG_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="JIEBANG_SECRET_KEY"):
        Settings()
    monkeypatch.setenv("JIEBANG_SECRET_KEY", "changethis")
    with pytest.raises(ValidationError, match="too weak"):
        Settings()


def test_production_hides_the_api_docs_from_anonymous_users_and_sets_secure_cookies(engine, monkeypatch):
    from fastapi.testclient import TestClient

    from marketplace.app import create_app
    from marketplace.config import Settings

    monkeypatch.setenv("JIEBANG_ENV", "prod")
    monkeypatch.setenv("JIEBANG_SECRET_KEY", "p" * 48)
    prod = TestClient(create_app(settings=Settings(), engine=engine), base_url="https://testserver")
    cookie = prod.get("/login").headers["set-cookie"]
    assert cookie.startswith("__Host-jb_csrf=") and "Secure" in cookie
    assert prod.get("/openapi.json").status_code == 404
    assert prod.get("/docs").status_code == 404
    assert "Strict-Transport-Security" in prod.get("/").headers
