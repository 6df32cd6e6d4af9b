"""Review tests share the racing engine (real commits on a file database and PostgreSQL)."""

from tests.concurrency.conftest import live_engine  # noqa: F401
