"""Admission control: a worker handles a bounded number of requests at once, the rest queue.

Why (issue 8, item 1): a request runs its dependencies and handler in several thread-pool steps and
its session keeps a database connection between them. With more requests in flight than pooled
connections, requests holding a connection waited for a thread while the threads waited for a
connection, until the pool's 30 s timeout turned them into 500s (and an SQLite writer held the
write lock meanwhile, so the others hit "database is locked"). Admitting at most
`request_concurrency` requests, with more threads and connections than that (config.py), means an
admitted request never waits for either; the others wait here, in the event loop, holding nothing.
"""

from __future__ import annotations

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

# Served without admission: they need no connection from the request pool (or none at all).
EXEMPT_PREFIXES = ("/healthz", "/static/", "/vendor/")


class RequestLimit:
    """Pure ASGI middleware: at most `limit` HTTP requests inside the application at once."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._semaphore: anyio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        if self._semaphore is None:  # created in the server's event loop, not at import
            self._semaphore = anyio.Semaphore(self.limit, fast_acquire=True)
        async with self._semaphore:
            await self.app(scope, receive, send)


def size_thread_pool(threads: int) -> None:
    """Give the event loop's default thread limiter `threads` tokens (call inside the loop)."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = threads
