"""Alembic: upgrade → downgrade → upgrade on every configured database, and models match migrations."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from marketplace import db, migrate
from marketplace.models import metadata
from tests.conftest import BACKENDS, drop_pg_database, fresh_database_url


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_downgrade_upgrade(backend, tmp_path_factory):
    url = fresh_database_url(backend, tmp_path_factory)
    try:
        migrate.upgrade(url)
        engine = db.make_engine(url)
        assert "auditevent" in inspect(engine).get_table_names()
        migrate.downgrade(url, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(url)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        engine.dispose()
    finally:
        if backend == "postgres":
            drop_pg_database(url)
