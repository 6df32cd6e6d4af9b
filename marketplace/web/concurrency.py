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

import asyncio
import weakref

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

# Served without admission: they need no connection from the request pool (or none at all).
EXEMPT_PREFIXES = ("/healthz", "/static/", "/vendor/")


class RequestLimit:
    """Pure ASGI middleware: at most `limit` HTTP requests inside the application at once."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit
        # One semaphore per event loop: a server has one loop per worker, but tests run several apps'
        # clients (each with its own loop) at once, and a semaphore must never be shared across loops.
        self._semaphores: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        semaphore = self._semaphores.get(loop)
        if semaphore is None:  # created in the serving event loop, not at import
            semaphore = self._semaphores[loop] = anyio.Semaphore(self.limit, fast_acquire=True)
        async with semaphore:
            await self.app(scope, receive, send)


def size_thread_pool(threads: int) -> None:
    """Give the event loop's default thread limiter `threads` tokens (call inside the loop)."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = threads
