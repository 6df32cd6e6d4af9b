"""Real commits on a file database (and PostgreSQL when configured), for racing threads."""

import pytest

from marketplace import db, migrate
from tests.conftest import BACKENDS, drop_pg_database, fresh_database_url


@pytest.fixture(params=BACKENDS)
def live_engine(request, tmp_path_factory):
    url = fresh_database_url(request.param, tmp_path_factory)
    migrate.upgrade(url)
    engine = db.make_engine(url, pool_size=30, max_overflow=40) if request.param == "postgres" \
        else db.make_engine(url)
    yield engine
    engine.dispose()
    if request.param == "postgres":
        drop_pg_database(url)
