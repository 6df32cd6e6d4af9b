"""T34: a signed head checkpoint kept apart from the chain catches what the chain alone cannot."""

import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import func, select

from marketplace.actor import SYSTEM
from marketplace.audit import checkpoint
from marketplace.audit import service as audit
from marketplace.audit.models import AuditEvent
from marketplace.errors import Conflict


def write_events(session, n):
    for i in range(n):
        audit.record(session=session, actor=SYSTEM, action="test.event", subject_type="thing",
                     subject_id=i, summary={"i": i})
    session.commit()


def head(session):
    return session.exec(select(func.max(AuditEvent.seq))).one() or 0


def postgres(session):
    return session.get_bind().dialect.name == "postgresql"


def drop_guards(session):
    """What an owner or superuser could do: remove the append-only triggers (rolled back with the test)."""
    if postgres(session):
        for trigger in ("auditevent_no_change", "auditevent_no_truncate"):
            session.execute(text(f"DROP TRIGGER {trigger} ON auditevent"))
    else:
        session.execute(text("DROP TRIGGER auditevent_no_update"))
        session.execute(text("DROP TRIGGER auditevent_no_delete"))


def verify(session, path, *extra):
    session.expire_all()
    anchors = checkpoint.stored_anchors(session=session, path=path) + list(extra)
    return checkpoint.verify(session=session, anchors=anchors)


@pytest.fixture
def cp_file(tmp_path):
    return tmp_path / "audit-checkpoints.jsonl"


def test_deleting_the_last_25_rows_is_reported_at_the_first_missing_seq(session, cp_file):
    write_events(session, 40)
    cp = checkpoint.take(session=session, path=cp_file)
    assert cp.seq == head(session) and verify(session, cp_file).ok
    drop_guards(session)
    session.execute(text("DELETE FROM auditevent WHERE seq > :s"), {"s": cp.seq - 25})

    assert audit.verify_chain(session=session).ok  # the chain alone does not notice
    report = verify(session, cp_file)
    assert not report.ok
    assert report.first_bad_seq == cp.seq - 24
    assert "末尾记录被删除" in report.reason and str(cp.seq) in report.reason


@pytest.mark.parametrize("how", ["delete", "truncate"])
def test_deleting_or_truncating_every_row_is_reported(session, cp_file, how):
    write_events(session, 5)
    cp = checkpoint.take(session=session, path=cp_file)
    drop_guards(session)
    if how == "truncate" and postgres(session):
        session.execute(text("TRUNCATE auditevent"))
    else:  # SQLite has no TRUNCATE: an unqualified DELETE is its truncate
        session.execute(text("DELETE FROM auditevent"))
    report = verify(session, cp_file)
    assert not report.ok and report.first_bad_seq == 1
    assert "全部被删除" in report.reason and str(cp.seq) in report.reason


def test_truncate_is_refused_by_the_database(session, cp_file):
    write_events(session, 1)
    checkpoint.take(session=session, path=cp_file)
    statement = "TRUNCATE auditevent" if postgres(session) else "DELETE FROM auditevent"
    for table in ("auditevent", "auditcheckpoint"):
        nested = session.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement.replace("auditevent", table)))
        nested.rollback()


def test_a_replaced_tail_does_not_match_the_checkpoint(session, cp_file):
    write_events(session, 10)
    cp = checkpoint.take(session=session, path=cp_file)
    drop_guards(session)
    session.execute(text("DELETE FROM auditevent WHERE seq > :s"), {"s": cp.seq - 3})
    session.expire_all()
    write_events(session, 5)  # a new, internally valid tail
    report = verify(session, cp_file)
    assert not report.ok and report.first_bad_seq == cp.seq and "不符" in report.reason


def test_the_file_catches_what_a_wiped_table_hides_and_the_export_catches_both(session, cp_file, tmp_path):
    write_events(session, 8)
    cp = checkpoint.take(session=session, path=cp_file)
    exported = tmp_path / "bureau.json"
    checkpoint.export(cp, exported)
    drop_guards(session)
    if postgres(session):
        session.execute(text("DROP TRIGGER auditcheckpoint_no_change ON auditcheckpoint"))
    else:
        session.execute(text("DROP TRIGGER auditcheckpoint_no_delete"))
    session.execute(text("DELETE FROM auditcheckpoint"))
    session.execute(text("DELETE FROM auditevent WHERE seq > :s"), {"s": cp.seq - 2})

    assert not verify(session, cp_file).ok  # the file still knows the length
    cp_file.unlink()
    assert verify(session, None).ok  # table and file both gone: only the bureau's copy is left
    bureau = checkpoint.Anchor("存档文件", checkpoint.read_file(exported)[-1])
    report = verify(session, None, bureau)
    assert not report.ok and report.first_bad_seq == cp.seq - 1 and "存档文件" in report.reason


def test_a_forged_checkpoint_is_refused(session, cp_file):
    write_events(session, 3)
    checkpoint.take(session=session, path=cp_file)
    line = json.loads(cp_file.read_text().splitlines()[-1])
    line["seq"] -= 1  # pretend the chain was shorter, to hide a deleted row
    cp_file.write_text(json.dumps(line) + "\n")
    report = verify(session, cp_file)
    assert not report.ok and "签名无效" in report.reason


def test_no_checkpoint_is_signed_over_a_tampered_chain(session, cp_file):
    write_events(session, 6)
    checkpoint.take(session=session, path=cp_file)
    drop_guards(session)
    session.execute(text("DELETE FROM auditevent WHERE seq = :s"), {"s": head(session)})
    with pytest.raises(Conflict, match="未写入检查点"):
        checkpoint.take(session=session, path=cp_file)


def test_the_tick_takes_a_checkpoint_only_when_due_and_the_chain_grew(session, cp_file):
    from datetime import timedelta

    write_events(session, 2)
    assert checkpoint.take_if_due(session=session, path=cp_file, every=timedelta(hours=1)) is not None
    write_events(session, 1)
    assert checkpoint.take_if_due(session=session, path=cp_file, every=timedelta(hours=1)) is None
    assert checkpoint.take_if_due(session=session, path=cp_file, every=timedelta(0)) is not None
    assert checkpoint.take_if_due(session=session, path=cp_file, every=timedelta(0)) is None
    assert len(cp_file.read_text().splitlines()) == 2


def test_each_database_has_its_own_checkpoint_file_whoever_connects():
    from marketplace.config import get_settings

    settings = get_settings()
    owner = settings.audit_checkpoint_path_for("postgresql://postgres@db.internal:5432/jiebang")
    app_role = settings.audit_checkpoint_path_for("postgresql://jiebang_app:pw@db.internal:5432/jiebang")
    other = settings.audit_checkpoint_path_for("postgresql://postgres@db.internal:5432/jiebang_staging")
    assert owner == app_role != other
    assert owner.parent == settings.var_dir
