"""Request dependencies: the database session, the acting user, role guards."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Annotated

import anyio
from fastapi import Depends, Request
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from marketplace import db
from marketplace.actor import ANONYMOUS, Actor, Role
from marketplace.auth import service as auth
from marketplace.errors import Forbidden, Unauthenticated
from marketplace.web.security import SAFE_METHODS, cookie_names

log = logging.getLogger("jiebang.web")


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; commands commit inside the handler, never after the response.

    Function-scoped: the session is closed (its connection back in the pool) as soon as the
    handler has built its response, before the response is sent to a possibly slow client.

    The signed-in session's activity (last_seen_at, at most once a minute) is recorded after the
    request's own session is closed, in a short write transaction of its own: a GET's session only
    reads and is never committed, and a request holds one connection at a time.
    """
    session = db.new_session(request.app.state.engine, write=request.method not in SAFE_METHODS)
    request.state.session = session  # the page's own session, for the navigation badge (request_session)
    try:
        # Who is asking, read here on the thread this dependency already runs on: `optional_actor` and
        # the guards then answer in the event loop. Each sync dependency is a thread-pool hop of its
        # own (≈0.5 ms of CPU each at the benchmark's load), and a logged-in page took seven.
        _resolve_actor(request, session)
        yield session
    finally:
        request.state.session = None
        session.close()
        if (seen := getattr(request.state, "seen", None)) is not None:
            request.state.seen = None
            try:
                auth.record_seen(request.app.state.engine, seen)
            except SQLAlchemyError:  # bookkeeping only: retried on the next request, never fails this one
                log.warning("could not record session activity", exc_info=True)


def request_session(request: Request) -> Session | None:
    """The request's own open session, if it has one (not on error pages rendered after it closed)."""
    return getattr(request.state, "session", None)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def session_token(request: Request) -> str | None:
    """The web session token from the cookie, if any."""
    return request.cookies.get(cookie_names(request.app.state.settings.is_prod)[0])


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def _resolve_actor(request: Request, session: Session) -> Actor:
    """The acting user, or ANONYMOUS, read once per request (kept on request.state)."""
    cached = getattr(request.state, "actor", None)
    if cached is not None:
        return cached
    user, seen = None, None
    if token := bearer_token(request):
        user, seen = auth.resolve_token(session=session, token=token, kind="api")
    elif token := session_token(request):
        user, seen = auth.resolve_token(session=session, token=token, kind="web")
    request.state.seen = seen  # recorded by get_session once this request's session is closed
    actor = auth.actor_for(session=session, user=user) if user else ANONYMOUS
    request.state.actor = actor
    return actor


# The one form an anonymous client sends files with: registration takes the business licence (issue 13). Its
# body is bounded by the body size limit (web/limits.py) and the registration is rate-limited per address.
ANONYMOUS_UPLOADS = frozenset({"/register"})


async def optional_actor(request: Request, session: SessionDep) -> Actor:
    """The acting user, or ANONYMOUS (resolved by get_session on its thread; read here otherwise, as
    when a test provides the session itself)."""
    actor = getattr(request.state, "actor", None)
    if actor is None:
        actor = await anyio.to_thread.run_sync(_resolve_actor, request, session)
    return actor


async def refuse_anonymous_uploads(request: Request, actor: Annotated[Actor, Depends(optional_actor)]) -> None:
    """Refuse a multipart body from an anonymous client before anything reads it.

    The CSRF check reads a form to find its token, and Starlette reads the whole body to parse a form:
    without this, an anonymous 300 MB upload was received in full before the refusal. Every multipart
    route but registration (ANONYMOUS_UPLOADS) needs a login, so anonymous ones are turned away here
    (401 / login page) from the headers alone.
    A logged-in user who may not upload to a given challenge is refused after the body is read, which
    the body size limit keeps bounded (the decision needs the form's CSRF token first).
    """
    if request.method in SAFE_METHODS or request.url.path in ANONYMOUS_UPLOADS:
        return
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return
    if actor.is_anonymous:
        raise Unauthenticated("请先登录")


# The guards below only look at the actor: `async def`, so that FastAPI runs them in the event loop
# instead of sending each one to the thread pool (a hop per guard per request, measurable at 10k).
async def current_actor(actor: Annotated[Actor, Depends(optional_actor)]) -> Actor:
    """The acting user; anonymous requests are refused (login page / 401)."""
    if actor.is_anonymous:
        raise Unauthenticated("请先登录")
    return actor


OptionalActor = Annotated[Actor, Depends(optional_actor)]
CurrentActor = Annotated[Actor, Depends(current_actor)]


def require_role(*roles: str) -> Callable[[Actor], Actor]:
    """A dependency that admits only the given roles."""

    async def _check(actor: CurrentActor) -> Actor:
        if actor.role not in roles:
            raise Forbidden("您的账号无权访问此页面")
        return actor

    return _check


OfficerOnly = Depends(require_role(Role.OFFICER, Role.ADMIN))
AdminOnly = Depends(require_role(Role.ADMIN))


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
