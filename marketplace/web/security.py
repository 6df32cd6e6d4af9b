"""CSRF (a token bound to the session, form field or header; Origin checked) and security headers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from contextvars import ContextVar
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from marketplace.errors import Forbidden, NotFound

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRFToken"

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


def cookie_names(prod: bool) -> tuple[str, str]:
    """(session cookie, CSRF cookie); `__Host-` prefixed in production."""
    prefix = "__Host-" if prod else ""
    return f"{prefix}jb_session", f"{prefix}jb_csrf"


# Whether this request is served in production; set by the middleware for code that sees only a response
# (the flash cookie), so the cookie's name and Secure flag follow the app's own settings.
_PROD: ContextVar[bool] = ContextVar("jb_prod", default=False)


def flash_cookie() -> tuple[str, bool]:
    """(name, secure) of the flash-message cookie for the current request."""
    prod = _PROD.get()
    return ("__Host-jb_flash" if prod else "jb_flash"), prod


def session_csrf_token(secret: str, session_token: str) -> str:
    """The CSRF token of a logged-in browser: an HMAC of its session token.

    A plain double-submit cookie can be planted by anyone who can set a cookie for the host (a sibling
    subdomain, a man-in-the-middle on plain HTTP) together with a matching form field. Binding the
    token to the session secret, which only the server and the victim's browser know, closes that.
    Anonymous forms (login, registration) keep the random cookie token; a new login gets a new session
    and so a new token.
    """
    digest = hmac.new(secret.encode(), b"csrf\x00" + session_token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class SecurityMiddleware:
    """Issue the CSRF cookie and set security headers on every response.

    A pure ASGI middleware: as a BaseHTTPMiddleware it ran every request through a task group and a
    pair of memory streams (a measurable share of a request's CPU at the benchmark's load, issue 8).
    """

    def __init__(self, app: ASGIApp, *, prod: bool, secret: str) -> None:
        self.app = app
        self.prod = prod
        self.secret = secret
        self.session_cookie, self.csrf_cookie = cookie_names(prod)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        _PROD.set(self.prod)
        request = Request(scope)
        token = request.cookies.get(self.csrf_cookie)
        fresh = not token or len(token) != 43
        if fresh:
            token = secrets.token_urlsafe(32)
        session_token = request.cookies.get(self.session_cookie)
        request.state.csrf_token = (session_csrf_token(self.secret, session_token) if session_token
                                    else token)
        path = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if fresh:
                    headers.append("set-cookie", _cookie_header(self.csrf_cookie, token, secure=self.prod))
                flash_name, flash_secure = flash_cookie()
                if getattr(request.state, "clear_flash", False) and not any(
                    h.startswith(f"{flash_name}=") for h in headers.getlist("set-cookie")
                ):
                    headers.append("set-cookie", _cookie_header(flash_name, "", secure=flash_secure, delete=True))
                _default(headers, "Content-Security-Policy", DOCS_CSP if path in ("/docs", "/redoc") else CSP)
                _default(headers, "X-Content-Type-Options", "nosniff")
                _default(headers, "X-Frame-Options", "DENY")
                _default(headers, "Referrer-Policy", "same-origin")
                _default(headers, "Permissions-Policy", "camera=(), microphone=(), geolocation=()")
                if not path.startswith("/static/"):
                    _default(headers, "Cache-Control", "no-store")
                if self.prod:
                    _default(headers, "Strict-Transport-Security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _default(headers: MutableHeaders, name: str, value: str) -> None:
    if name not in headers:
        headers[name] = value


def _cookie_header(name: str, value: str, *, secure: bool, delete: bool = False) -> str:
    """A Set-Cookie value exactly as Response.set_cookie / delete_cookie writes it."""
    probe = Response()
    if delete:
        probe.delete_cookie(name, path="/", secure=secure, httponly=True)
    else:
        probe.set_cookie(name, value, httponly=True, samesite="lax", secure=secure, path="/")
    return probe.headers["set-cookie"]


def _same_origin(source: str, request: Request) -> bool:
    """Whether an Origin or Referer value names this host (host and port; the scheme may differ behind
    a TLS-terminating proxy). `null` (sandboxed frames, some redirects) is never same-origin."""
    if source == "null":
        return False
    host = request.headers.get("host", "")
    try:
        netloc = urlsplit(source).netloc
    except ValueError:
        return False
    return bool(host) and netloc.lower() == host.lower()


async def csrf_protect(request: Request) -> None:
    """Refuse unsafe requests without the CSRF token (bearer-token API calls carry no cookie)."""
    if request.method in SAFE_METHODS:
        return
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        raise Forbidden("跨站请求被拒绝", code="csrf_failed")
    # Browsers send Origin on unsafe requests (older ones at least Referer); a foreign one is refused
    # even with a valid token. Neither header (scripts, privacy proxies) leaves the token to decide.
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if source is not None and not _same_origin(source, request):
        raise Forbidden("跨站请求被拒绝", code="csrf_failed")
    # Without a session cookie there is no ambient authority to abuse: bearer-token calls and JSON
    # bodies (which a cross-site form cannot send without a CORS preflight we never grant) pass.
    has_session_cookie = any(name.endswith("jb_session") for name in request.cookies)
    is_json = request.headers.get("content-type", "").startswith("application/json")
    is_bearer = request.headers.get("Authorization", "").lower().startswith("bearer ")
    if not has_session_cookie and (is_bearer or is_json):
        return
    expected = getattr(request.state, "csrf_token", None)
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not expected or not sent or not secrets.compare_digest(expected, sent):
        raise Forbidden("页面已过期或请求来源无法验证，请刷新页面后重试", code="csrf_failed")


MAX_ID = 2**31 - 1  # the id columns are INTEGER (int4 on PostgreSQL)


async def ids_in_range(request: Request) -> None:
    """An id no row can have is a 404 before any query runs (keeps PostgreSQL transactions clean)."""
    for name, value in request.path_params.items():
        if name.endswith("_id"):
            try:
                number = int(value)
            except (TypeError, ValueError):
                continue  # the route's own validation answers with 422
            if not 1 <= number <= MAX_ID:
                raise NotFound("记录不存在")
