"""CSRF (double-submit token, form field or header) and security headers."""

from __future__ import annotations

import secrets

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

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


class SecurityMiddleware(BaseHTTPMiddleware):
    """Issue the CSRF cookie and set security headers on every response."""

    def __init__(self, app, *, prod: bool) -> None:  # noqa: ANN001
        super().__init__(app)
        self.prod = prod
        self.session_cookie, self.csrf_cookie = cookie_names(prod)

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        token = request.cookies.get(self.csrf_cookie)
        fresh = not token or len(token) != 43
        if fresh:
            token = secrets.token_urlsafe(32)
        request.state.csrf_token = token
        response = await call_next(request)
        if fresh:
            response.set_cookie(self.csrf_cookie, token, httponly=True, samesite="lax",
                                secure=self.prod, path="/")
        if getattr(request.state, "clear_flash", False) and not any(
            h.startswith("jb_flash=") for h in response.headers.getlist("set-cookie")
        ):
            response.delete_cookie("jb_flash", path="/")
        path = request.url.path
        response.headers.setdefault("Content-Security-Policy",
                                    DOCS_CSP if path in ("/docs", "/redoc") else CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if not path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        if self.prod:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


async def csrf_protect(request: Request) -> None:
    """Refuse unsafe requests without the CSRF token (bearer-token API calls carry no cookie)."""
    if request.method in SAFE_METHODS:
        return
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
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
