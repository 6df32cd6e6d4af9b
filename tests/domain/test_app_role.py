"""T34: the application's PostgreSQL role can append to the audit log and nothing more."""

import secrets

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from marketplace import approle, db, migrate
from marketplace.actor import SYSTEM
from marketplace.audit import checkpoint
from marketplace.audit import service as audit
from tests import factories as f
from tests.conftest import PG_ADMIN_URL, create_pg_database, drop_pg_database

pytestmark = pytest.mark.skipif(not PG_ADMIN_URL, reason="needs JIEBANG_TEST_POSTGRES_URL")


@pytest.fixture(scope="module")
def app_engine():
    """A migrated database, its owner's engine, and an engine logged in as a fresh application role."""
    url = create_pg_database("jiebang_role")
    role, password = f"jb_app_{secrets.token_hex(4)}", "pw:%" + secrets.token_hex(8)
    owner = db.make_engine(url)
    app_ = None
    try:
        migrate.upgrade(url)
        approle.create_app_role(owner, role=role, password=password)
        approle.create_app_role(owner, role=role, password=password)  # idempotent
        host = url.split("@", 1)[1]
        app_ = db.make_engine(f"postgresql://{role}:{password.replace('%', '%25')}@{host}")
        yield owner, app_, role
    finally:
        if app_ is not None:
            app_.dispose()
        owner.dispose()
        drop_pg_database(url)
        admin = db.make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


def test_the_role_is_no_superuser_and_owns_nothing(app_engine):
    owner, _app, role = app_engine
    with owner.connect() as conn:
        row = conn.execute(text("SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles "
                                "WHERE rolname = :r"), {"r": role}).one()
        owned = conn.execute(text("SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
                                  "WHERE r.rolname = :r"), {"r": role}).scalar()
    assert tuple(row) == (False, False, False, False) and owned == 0


def test_the_app_role_runs_the_application_and_appends_audit_events(app_engine, tmp_path):
    _owner, app_, _role = app_engine
    with Session(app_, expire_on_commit=False) as s:
        u = f.user(s)  # app tables: insert, update, delete
        u.display_name = "改名"
        s.add(u)
        audit.record(session=s, actor=SYSTEM, action="test.event", subject_type="user", subject_id=u.id)
        s.commit()
        cp = checkpoint.take(session=s, path=tmp_path / "cp.jsonl")  # inserts a checkpoint
        assert cp.seq >= 1
        assert checkpoint.verify(session=s, anchors=checkpoint.stored_anchors(session=s, path=None)).ok


@pytest.mark.parametrize("statement", [
    "UPDATE auditevent SET action = 'x'",
    "DELETE FROM auditevent",
    "TRUNCATE auditevent",
    "ALTER TABLE auditevent DISABLE TRIGGER ALL",
    "ALTER TABLE auditevent DISABLE TRIGGER auditevent_no_change",
    "DROP TRIGGER auditevent_no_truncate ON auditevent",
    "UPDATE auditcheckpoint SET seq = 0",
    "DELETE FROM auditcheckpoint",
    "TRUNCATE auditcheckpoint",
    "TRUNCATE organisation CASCADE",
    "CREATE TABLE shadow (id int)",
    "SET session_replication_role = replica",  # would skip every trigger
])
def test_the_app_role_cannot_change_the_audit_log_or_its_guards(app_engine, statement):
    _owner, app_, _role = app_engine
    with app_.connect() as conn, pytest.raises(DBAPIError) as caught:
        conn.execute(text(statement))
    assert any(word in str(caught.value) for word in ("permission denied", "must be owner",
                                                       "must be superuser"))
