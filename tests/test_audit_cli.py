"""`jiebang audit checkpoint [--export]`, `audit verify [--against]` and `db create-app-role` (T34)."""

import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from marketplace import db
from marketplace.actor import SYSTEM
from marketplace.audit import service as audit
from marketplace.cli import app
from marketplace.config import get_settings
from tests.test_demo_and_cli import cli_db  # noqa: F401  (the fixture)


@pytest.fixture
def cp_path(tmp_path, monkeypatch):
    path = tmp_path / "var" / "audit-checkpoints.jsonl"
    monkeypatch.setattr(get_settings(), "audit_checkpoint_file", path)
    return path


def drop_guards(engine):
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE auditevent DISABLE TRIGGER USER"))
            conn.execute(text("ALTER TABLE auditcheckpoint DISABLE TRIGGER USER"))
        else:
            for name in ("auditevent_no_delete", "auditcheckpoint_no_delete"):
                conn.execute(text(f"DROP TRIGGER {name}"))


def test_checkpoint_export_and_verify_against_find_a_deleted_tail(cli_db, cp_path, tmp_path):  # noqa: F811
    runner = CliRunner()
    with db.new_session(cli_db) as s:
        for i in range(40):
            audit.record(session=s, actor=SYSTEM, action="test.event", subject_type="thing", subject_id=i)
        s.commit()
    exported = tmp_path / "bureau-2026-12-03.json"
    made = runner.invoke(app, ["audit", "checkpoint", "--export", str(exported)])
    assert made.exit_code == 0, made.output
    seq = json.loads(exported.read_text())["seq"]
    assert seq > 25 and cp_path.exists()
    ok = runner.invoke(app, ["audit", "verify", "--against", str(exported)])
    assert ok.exit_code == 0 and f"第 {seq} 条" in ok.output

    drop_guards(cli_db)
    with cli_db.begin() as conn:
        conn.execute(text("DELETE FROM auditevent WHERE seq > :s"), {"s": seq - 25})
    broken = runner.invoke(app, ["audit", "verify", "--json"])
    assert broken.exit_code == 1
    assert json.loads(broken.output)["first_bad_seq"] == seq - 24

    # Table and file wiped as well: the copy the bureau keeps still finds it.
    with cli_db.begin() as conn:
        conn.execute(text("DELETE FROM auditcheckpoint"))
    cp_path.unlink()
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    against = runner.invoke(app, ["audit", "verify", "--against", str(exported)])
    assert against.exit_code == 1 and f"第 {seq - 24} 条" in against.output
    assert "末尾记录被删除" in against.output


def test_verify_says_when_there_is_no_checkpoint_yet(cli_db, cp_path):  # noqa: F811
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 0 and "尚无检查点" in result.output


def test_create_app_role_refuses_sqlite_and_prints_its_sql(cli_db):  # noqa: F811
    result = CliRunner().invoke(app, ["db", "create-app-role", "jiebang_app", "--print-sql"])
    if cli_db.dialect.name == "postgresql":
        assert result.exit_code == 0
        assert 'GRANT SELECT, INSERT ON public."auditcheckpoint", public."auditevent"' in result.output
        assert "NOSUPERUSER" in result.output and "TRUNCATE" not in result.output
    else:
        assert result.exit_code == 2 and "PostgreSQL" in result.output
