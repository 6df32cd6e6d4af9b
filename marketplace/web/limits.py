"""A request-body size limit, enforced before and while the body is read.

Starlette reads a whole multipart body before a handler runs; a 300 MB anonymous upload was read (and
spooled to disk) before the 403. This ASGI middleware answers 413 at once when Content-Length is over
the limit, and stops a body without one (chunked) as soon as the bytes received pass it. The limit is
the upload limit plus a margin for the multipart framing and the other form fields.
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from marketplace.web.errors import error_response

TITLE = "请求内容过大"


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a streamed body passes the limit (the app's 413 handler answers).

    A FastAPI HTTPException, so that FastAPI's body parsing re-raises it instead of turning it into 400.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=TITLE)
        self.limit = limit


class BodySizeLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = exceeded = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except Exception:  # BodyTooLarge, possibly wrapped in an ExceptionGroup by a task group on the way
            if not exceeded or started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        mib = max(1, self.max_bytes // (1024 * 1024))
        response = error_response(request, 413, "too_large", f"{TITLE}（上限约 {mib} MB）")
        response.headers["Connection"] = "close"
        await response(scope, receive, send)
