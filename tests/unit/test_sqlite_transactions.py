"""SQLite write sessions take the write lock up front; read sessions do not."""

from sqlalchemy import event, text

from marketplace import db


def statements(engine, write: bool) -> list[str]:
    seen: list[str] = []

    def capture(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with db.new_session(engine, write=write) as session:
            session.execute(text("SELECT 1"))
            session.commit()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return seen


def test_write_sessions_begin_immediate_and_read_sessions_begin_deferred(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path}/t.db")
    assert "BEGIN IMMEDIATE" in statements(engine, write=True)
    reads = statements(engine, write=False)
    assert "BEGIN" in reads and "BEGIN IMMEDIATE" not in reads


def test_pragmas_wal_and_foreign_keys(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path}/t.db")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
