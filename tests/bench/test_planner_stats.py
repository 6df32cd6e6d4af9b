"""Migrations and bulk loads leave the planner statistics fresh (db.analyze)."""

from sqlalchemy import text

from marketplace import db, migrate


def test_upgrade_leaves_sqlite_planner_statistics(tmp_path):
    url = f"sqlite:///{tmp_path}/fresh.db"
    migrate.upgrade(url)
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars())
        assert "sqlite_stat1" in tables  # ANALYZE ran after the migrations
    finally:
        engine.dispose()
