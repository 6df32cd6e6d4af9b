"""A cache of the public pages as anonymous visitors see them (issue 8, item 12).

The hall (`/challenges`, with its search and filter parameters), a challenge's page, `/results`, the
home page and the API's list (`/api/v1/challenges`, same parameters) are the same for every anonymous
visitor, yet rendering them at 10,000 challenges cost 5–20 ms of CPU each. This pure ASGI middleware
keeps the rendered page in memory and serves it again while nothing it shows can have changed:

* Only anonymous requests: a GET with no session cookie, no `Authorization` header, no flash message
  and no HTMX header. A logged-in user's page is never stored or served from here, so sealed bids and
  personal headers never reach another visitor.
* Keyed by the path, the query string as sent and the large-print cookie.
* Valid while the audit chain's head (`audit.queries.content_version`) is unchanged: every state change
  appends to that chain in its own transaction, in any worker or process, so a publication or a
  withdrawal makes the next request render afresh. One indexed lookup per request.
* And for at most `ttl` seconds, because a page also depends on the clock (a challenge whose deadline
  passed shows as closed without any write).

The page embeds the visitor's CSRF token (the header's display switch is a form): the stored copy is
rendered with a placeholder token and each visitor gets their own token substituted in; a visitor
without a CSRF cookie gets a fresh one, exactly as `SecurityMiddleware` would issue it.
"""

from __future__ import annotations

import re
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass

import anyio
from sqlalchemy.engine import Engine
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from marketplace import db
from marketplace.audit.queries import content_version
from marketplace.web.security import cookie_names

# The hall, a challenge's page, /results, the home page and the API's public list (issue 8: 61 req/s at 10k
# challenges without this; the anonymous list is the hall's data as JSON, bid counts included, nothing sealed).
CACHEABLE = re.compile(r"^/(?:challenges(?:/[0-9]{1,10})?|results|api/v1/challenges)?$")
# A CSRF cookie value (43 URL-safe characters, like secrets.token_urlsafe(32)) no visitor is ever given.
PLACEHOLDER = "jbPageCacheCsrfPlaceholder0000000000000000x"
assert len(PLACEHOLDER) == 43


@dataclass(frozen=True)
class Entry:
    version: int
    expires: float
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


class PublicPageCache:
    """Serve repeated anonymous GETs of the public pages from memory (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, prod: bool, ttl: float = 10.0, max_entries: int = 2048,
                 max_body: int = 512 * 1024) -> None:
        self.app = app
        self.prod = prod
        self.ttl = ttl
        self.max_entries = max_entries
        self.max_body = max_body
        self.session_cookie, self.csrf_cookie = cookie_names(prod)
        self.flash_cookie = "__Host-jb_flash" if prod else "jb_flash"
        self.entries: OrderedDict[tuple, Entry] = OrderedDict()
        self.hits = self.misses = 0
        self._reader: tuple[Engine, Engine] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key, cookies = self._key(scope) if self.ttl > 0 else (None, {})
        if key is None:
            await self.app(scope, receive, send)
            return
        version = await self._version(scope["app"].state.engine)
        token = cookies.get(self.csrf_cookie) or ""
        set_cookie = None
        if len(token) != 43 or token == PLACEHOLDER:
            token = secrets.token_urlsafe(32)
            set_cookie = self._csrf_cookie_header(token)
        entry = self.entries.get(key)
        if entry is not None and entry.version == version and time.monotonic() < entry.expires:
            self.hits += 1
            self.entries.move_to_end(key)
            await self._send(send, entry, token, set_cookie)
            return
        self.misses += 1
        await self._render(scope, receive, send, key, version, cookies, token, set_cookie)

    def _key(self, scope: Scope) -> tuple[tuple | None, dict[str, str]]:
        if scope["type"] != "http" or scope["method"] != "GET" or not CACHEABLE.match(scope["path"]):
            return None, {}
        headers = Headers(scope=scope)
        if "authorization" in headers or "hx-request" in headers:
            return None, {}
        cookies = cookie_parser(headers.get("cookie", ""))
        if self.session_cookie in cookies or self.flash_cookie in cookies or "jb_session" in cookies:
            return None, {}
        # The query string exactly as sent: reordering would merge `?q=a&q=b` with `?q=b&q=a`, which a
        # route reading the first value renders differently.
        query = scope.get("query_string", b"")
        return (scope["path"], query, cookies.get("jb_display") == "large"), cookies

    async def _version(self, engine: Engine) -> int:
        if self._reader is None or self._reader[0] is not engine:
            self._reader = (engine, engine.execution_options(**{db.READ_OPTION: True}))
        reader = self._reader[1]
        if db.is_sqlite(engine):  # a local read of one index page: cheaper than a thread hop
            return _read_version(reader)
        return await anyio.to_thread.run_sync(_read_version, reader)

    def _csrf_cookie_header(self, token: str) -> tuple[bytes, bytes]:
        probe = Response()
        probe.set_cookie(self.csrf_cookie, token, httponly=True, samesite="lax", secure=self.prod, path="/")
        return next((k, v) for k, v in probe.raw_headers if k == b"set-cookie")

    async def _send(self, send: Send, entry: Entry, token: str, set_cookie: tuple[bytes, bytes] | None) -> None:
        body = entry.body.replace(PLACEHOLDER.encode(), token.encode())
        headers = [*entry.headers, (b"content-length", str(len(body)).encode())]
        if set_cookie:
            headers.append(set_cookie)
        await send({"type": "http.response.start", "status": entry.status, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    async def _render(self, scope: Scope, receive: Receive, send: Send, key: tuple, version: int,
                      cookies: dict[str, str], token: str, set_cookie: tuple[bytes, bytes] | None) -> None:
        """Render with the placeholder token, keep a 200 without cookies, answer with the visitor's token."""
        cookies = {**cookies, self.csrf_cookie: PLACEHOLDER}
        cookie_header = "; ".join(f"{k}={v}" for k, v in cookies.items()).encode("latin-1")
        inner = dict(scope)
        inner["headers"] = [(k, v) for k, v in scope["headers"] if k != b"cookie"] + [(b"cookie", cookie_header)]
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(inner, receive, capture)
        if start is None:
            return
        headers = tuple((k, v) for k, v in start.get("headers", []) if k != b"content-length")
        entry = Entry(version=version, expires=time.monotonic() + self.ttl, status=start["status"],
                      headers=tuple(h for h in headers if h[0] != b"set-cookie"), body=b"".join(chunks))
        storable = (start["status"] == 200 and len(entry.body) <= self.max_body
                    and not any(k == b"set-cookie" for k, _ in headers))
        if storable:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)
        # What the visitor receives: the response as rendered (its own cookies included), their token in it.
        await self._send(send, Entry(entry.version, entry.expires, entry.status, headers, entry.body),
                         token, set_cookie)


def _read_version(reader: Engine) -> int:
    with reader.connect() as conn:
        return content_version(conn)

