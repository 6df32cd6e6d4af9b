"""Shared fixtures: a migrated database per backend, a rolled-back session per test, a client."""

from __future__ import annotations

import os
import secrets
import tempfile

_TMP = tempfile.mkdtemp(prefix="jiebang-test-")
os.environ["JIEBANG_ENV"] = "test"
os.environ["JIEBANG_SECRET_KEY"] = "test-secret-key-" + "x" * 32
os.environ["JIEBANG_VAR_DIR"] = _TMP
os.environ["JIEBANG_DATABASE_URL"] = f"sqlite:///{_TMP}/default.db"
os.environ["JIEBANG_SCHEDULER_ENABLED"] = "false"  # tests tick explicitly (tests/test_scheduler.py)
# Tests write rows straight through factories (no audit event) inside a rolled-back transaction the
# cache's own connection cannot see: the page cache is tested on its own (tests/web/test_page_cache.py).
os.environ["JIEBANG_PAGE_CACHE_SECONDS"] = "0"

import pytest  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from marketplace import db, migrate  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

# No per-example deadline: it is a timed assertion, and a loaded CI machine trips it (speed is measured
# in `make bench`, never asserted in the suite).
hypothesis_settings.register_profile("jiebang", deadline=None)
hypothesis_settings.load_profile("jiebang")
from marketplace.config import get_settings  # noqa: E402

PG_ADMIN_URL = os.environ.get("JIEBANG_TEST_POSTGRES_URL", "")
# CI (.ci/run) sets JIEBANG_REQUIRE_ALL=1: a skipped PostgreSQL, browser or fuzz test is then a failure.
REQUIRE_ALL = os.environ.get("JIEBANG_REQUIRE_ALL") == "1"
REQUIRED_IN_CI = ("postgres", "browser", "fuzz")
# The PostgreSQL cases always exist; without a server they show as skipped, with the reason.
BACKENDS = ["sqlite", pytest.param("postgres", marks=[
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_ADMIN_URL, reason="PostgreSQL: set JIEBANG_TEST_POSTGRES_URL to run it"),
])]


def create_pg_database(prefix: str = "jiebang_test") -> str:
    """Create a throw-away PostgreSQL database; returns its URL."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = db.make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        # Throw-away data: a commit need not wait for the WAL flush. Visibility and atomicity are
        # unchanged (only a crash of the PostgreSQL server itself could lose the last commits), and a
        # busy CI disk no longer stalls a request for seconds behind another worker's bulk load.
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = db.make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def fresh_database_url(backend: str, tmp_path_factory) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db')}/test.db"
    return create_pg_database()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """A migrated database on each configured backend."""
    url = fresh_database_url(request.param, tmp_path_factory)
    migrate.upgrade(url)
    yield url
    if request.param == "postgres":
        drop_pg_database(url)


@pytest.fixture(scope="session")
def engine(database_url):
    eng = db.make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine):
    """A session whose commits become savepoints of an outer transaction rolled back after the test."""
    connection = engine.connect()
    outer = connection.begin()
    s = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield s
    finally:
        s.close()
        outer.rollback()
        connection.close()


# One app per (engine, settings), shared by the tests that use them. FastAPI builds the dependants of
# every included route on the first request an app instance serves (about a second for this app's
# routes), and a fresh app per test paid that thousands of times. The app holds no per-test state
# (settings and engine only; rate limits and sessions live in the database, rolled back per test);
# each test gets its own session override and the app's settings are restored after it.
_APPS: dict[tuple[int, int], tuple[object, object, object]] = {}


@pytest.fixture
def app(engine, session):
    from marketplace.app import create_app
    from marketplace.web.deps import get_session

    settings = get_settings()
    key = (id(engine), id(settings))
    cached = _APPS.get(key)
    if cached is None or cached[0] is not engine or cached[1] is not settings:
        cached = _APPS[key] = (engine, settings, create_app(settings=settings, engine=engine))
    application = cached[2]
    application.dependency_overrides[get_session] = lambda: session
    yield application
    application.dependency_overrides.clear()
    application.state.settings = settings
    application.state.engine = engine


@pytest.fixture
def client(app):
    with TestClient(app, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def anon(app):
    """A second, independent browser."""
    with TestClient(app, base_url="http://testserver") as c:
        yield c


@pytest.fixture(autouse=True)
def fresh_search_index():
    """Each test is a fresh worker: rolled-back rows must not linger in an in-memory index."""
    from marketplace.search import index as search_index

    search_index._locals.clear()
    yield
    search_index._locals.clear()


_ran: dict[str, int] = dict.fromkeys(REQUIRED_IN_CI, 0)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under JIEBANG_REQUIRE_ALL=1, a skipped PostgreSQL, browser or fuzz test fails instead."""
    outcome = yield
    report = outcome.get_result()
    required = [m for m in REQUIRED_IN_CI if item.get_closest_marker(m)]
    if REQUIRE_ALL and report.skipped and required:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"JIEBANG_REQUIRE_ALL=1: this {required[0]} test must run, but it was skipped: {reason}"


def pytest_runtest_logreport(report):
    if report.when == "call" and report.passed:
        for marker in REQUIRED_IN_CI:
            if marker in report.keywords:
                _ran[marker] += 1


def pytest_sessionfinish(session, exitstatus):
    """Under JIEBANG_REQUIRE_ALL=1, the run fails unless PostgreSQL, browser and fuzz tests all passed."""
    if not REQUIRE_ALL or hasattr(session.config, "workerinput") or session.config.option.collectonly:
        return
    missing = [marker for marker, n in _ran.items() if n == 0]
    if missing:
        session.config.get_terminal_writer().line(
            f"JIEBANG_REQUIRE_ALL=1: no {', '.join(missing)} test passed in this run", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="module")
def browser():
    """One Debian Chromium (Playwright) per test module (Playwright's sync API runs an event loop on this
    thread while it is open: asyncio tests in later modules need it closed); each test opens its own contexts
    (tests/browsing.py: `open_page`, `log_in`)."""
    from playwright.sync_api import sync_playwright

    from tests.browsing import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
