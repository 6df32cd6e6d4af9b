"""Database engine and sessions: SQLite (WAL, foreign keys, BEGIN IMMEDIATE for writes) or PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

# Named constraints, so that Alembic's batch mode can drop them on SQLite.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata
P = ParamSpec("P")
R = TypeVar("R")

# Sessions from an engine with execution option jb_read=True start SQLite transactions as deferred
# (plain BEGIN); every other session writes and takes the write lock up front (BEGIN IMMEDIATE).
READ_OPTION = "jb_read"


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with this project's SQLite pragmas and transaction recipe."""
    if url.startswith("sqlite"):
        connect_args = kwargs.pop("connect_args", {})
        connect_args.setdefault("check_same_thread", False)
        connect_args.setdefault("timeout", 30)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _install_sqlite_recipe(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _install_sqlite_recipe(engine: Engine) -> None:
    """SQLAlchemy's documented pysqlite recipe: we emit BEGIN ourselves (IMMEDIATE for writes)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        read_only = conn.get_execution_options().get(READ_OPTION, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def analyze(engine: Engine) -> None:
    """Refresh the query planner's statistics after migrations and bulk loads.

    Without them SQLite picks indexes blind (after migration 2026-12-03_load_listing_indexes it scanned
    by the wrong index at 10k challenges) and PostgreSQL's autovacuum may not have sampled a fresh
    table yet. SQLite: `ANALYZE` then `PRAGMA optimize`; PostgreSQL: `ANALYZE`. Cheap on small data.
    """
    with engine.connect() as conn:
        if is_sqlite(engine):
            conn.exec_driver_sql("ANALYZE")
            conn.exec_driver_sql("PRAGMA optimize")
        else:
            conn.exec_driver_sql("ANALYZE")
        conn.commit()


def serialize_writers(session: Session, key: int) -> None:
    """Serialise concurrent writers of one kind (PostgreSQL advisory lock; SQLite already is)."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def ping(engine: Engine) -> None:
    """Reach the database as a reader (no write lock): the health check."""
    with engine.execution_options(**{READ_OPTION: True}).connect() as conn:
        conn.execute(text("SELECT 1")).one()


_engine: Engine | None = None


def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    global _engine
    if _engine is None:
        from marketplace.config import get_settings

        settings = get_settings()
        if settings.database_url.startswith("sqlite:///"):
            settings.var_dir.mkdir(parents=True, exist_ok=True)
        _engine = make_engine(settings.database_url, **pool_options(settings.database_url,
                                                                    settings.db_pool_size))
    return _engine


def pool_options(url: str, size: int) -> dict[str, Any]:
    """A fixed pool of `size` connections (no overflow: the request limit keeps us under it)."""
    if url.startswith("sqlite") and (":memory:" in url or url.rstrip("/") in ("sqlite:", "sqlite:/")):
        return {}
    return {"pool_size": size, "max_overflow": 0, "pool_timeout": 30}


def set_engine(engine: Engine | None) -> None:
    """Point the process at another engine (tests, CLI with --database)."""
    global _engine
    _engine = engine


def new_session(engine: Engine | None = None, *, write: bool = True) -> Session:
    """A session whose objects stay usable after commit; `write=False` for read-only requests."""
    bind = engine or get_engine()
    if not write:
        bind = bind.execution_options(**{READ_OPTION: True})
    return Session(bind, expire_on_commit=False)


_DEPTH = "jb_use_case_depth"


@contextmanager
def atomic(session: Session) -> Iterator[Session]:
    """One use case, one transaction: commit once at the end, roll back everything on any error.

    Nested use cases join the outer one (only the outermost commits), so a service may call another
    service's use case and still commit once.
    """
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield session
        if depth == 0:
            session.commit()
    except BaseException:
        if depth == 0:
            session.rollback()
        raise
    finally:
        session.info[_DEPTH] = depth


def use_case(command: Callable[P, R]) -> Callable[P, R]:
    """Decorator: run a service command (called with `session=` as a keyword) inside `atomic`."""

    @wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        session = kwargs.get("session")
        if not isinstance(session, Session):
            raise TypeError(f"{command.__qualname__} must be called with session=<Session>")
        with atomic(session):
            return command(*args, **kwargs)

    return run
