"""Map domain errors to HTTP: a page or fragment for people, structured JSON for the API."""

from __future__ import annotations

import logging
import secrets
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from marketplace import errors
from marketplace.validation import fields_from_errors
from marketplace.web import htmx
from marketplace.web.templating import render

log = logging.getLogger("jiebang.web")

STATUS = {
    errors.NotFound: 404,
    errors.Forbidden: 403,
    errors.Unauthenticated: 401,
    errors.InvalidTransition: 409,
    errors.Conflict: 409,
    errors.RuleViolation: 422,
    errors.RateLimited: 429,
}
TITLES = {400: "请求无效", 401: "请先登录", 403: "无权访问", 404: "页面不存在", 405: "不支持的操作",
          409: "操作与当前状态冲突", 413: "文件过大", 422: "提交的信息有误", 429: "请求过于频繁",
          500: "服务器内部错误"}


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, code: str, message: str,
                   fields: dict[str, str] | None = None, headers: dict | None = None) -> Response:
    """JSON for the API, an error page (or fragment) for people."""
    if is_api(request):
        body = {"error": {"code": code, "message": message, "fields": fields or {}}}
        return JSONResponse(body, status_code=status, headers=headers)
    ctx = {"status": status, "title": TITLES.get(status, "出错了"), "message": message,
           "fields": fields or {}}
    return render(request, "errors/error.html", ctx, block="content", status_code=status,
                  headers=headers)


def install(app: FastAPI) -> None:
    """Register the exception handlers."""

    @app.exception_handler(errors.DomainError)
    async def _domain(request: Request, exc: errors.DomainError) -> Response:
        status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
        headers = None
        if isinstance(exc, errors.RateLimited):
            headers = {"Retry-After": str(exc.retry_after)}
        if status == 401 and not is_api(request):
            target = "/login?next=" + quote(request.url.path)
            if htmx.is_htmx(request):
                return Response(status_code=204, headers={"HX-Redirect": target})
            return RedirectResponse(target, status_code=303)
        if status == 403:
            log.warning("forbidden %s %s: %s", request.method, request.url.path, exc.code)
        return error_response(request, status, exc.code, exc.message, exc.fields, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        fields = fields_from_errors(exc.errors())
        return error_response(request, 422, "validation_error", "提交的信息有误，请按提示修改", fields)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(exc.status_code, "http_error")
        message = TITLES.get(exc.status_code, "请求无效")
        return error_response(request, exc.status_code, code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(request: Request, exc: Exception) -> Response:
        # A number too large for the database (e.g. an id beyond int64) is bad input, not a crash.
        return error_response(request, 422, "out_of_range", "输入的数值超出允许范围")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        incident = secrets.token_hex(6)
        log.exception("unhandled error, incident %s", incident)
        return error_response(request, 500, "internal_error",
                              f"服务器遇到意外错误，已记录（事件编号 {incident}），请稍后重试")
