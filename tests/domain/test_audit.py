import random

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from marketplace.actor import SYSTEM
from marketplace.audit import service as audit
from marketplace.audit.models import AuditEvent


def write_events(session, n):
    for i in range(n):
        audit.record(session=session, actor=SYSTEM, action="test.event", subject_type="thing",
                     subject_id=i, summary={"i": i, "文字": "中文"})
    session.commit()


def test_a_written_chain_verifies(session):
    write_events(session, 5)
    report = audit.verify_chain(session=session)
    assert report.ok and report.checked >= 5


def test_the_database_refuses_updates_and_deletes_of_audit_rows(session):
    write_events(session, 1)
    for statement in ("UPDATE auditevent SET action = 'x'", "DELETE FROM auditevent"):
        nested = session.begin_nested()
        with pytest.raises(DBAPIError, match="audit log is append-only"):
            session.execute(text(statement))
        nested.rollback()


def _drop_triggers(session):
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("DROP TRIGGER auditevent_no_change ON auditevent"))
    else:
        session.execute(text("DROP TRIGGER auditevent_no_update"))
        session.execute(text("DROP TRIGGER auditevent_no_delete"))


@pytest.mark.parametrize("tamper", ["modify", "delete", "relink"])
def test_tampering_is_found_at_the_right_row(session, tamper):
    write_events(session, 12)
    rows = session.exec(select(AuditEvent).order_by(AuditEvent.seq)).all()
    victim_seq = random.Random(7).choice(rows[1:-1]).seq
    _drop_triggers(session)  # rolled back with the test
    if tamper == "modify":
        session.execute(text("UPDATE auditevent SET summary = :s WHERE seq = :q"),
                        {"s": '{"i": 999}', "q": victim_seq})
    elif tamper == "delete":
        session.execute(text("DELETE FROM auditevent WHERE seq = :q"), {"q": victim_seq})
    else:
        session.execute(text("UPDATE auditevent SET prev_hash = :h WHERE seq = :q"),
                        {"h": "f" * 64, "q": victim_seq})
    session.expire_all()
    report = audit.verify_chain(session=session)
    assert not report.ok
    assert report.first_bad_seq == victim_seq
