"""Reading HTML forms into the shared input schemas.

This package holds the generic readers (the form dependency, `form_dict`, `multipart_form`); each domain's
mapping of form fields to its inputs lives in one module here (accounts, challenges, bids, awards, reviews,
contracts, subsidies, notifications, credit, portal). Route modules pass the form to those functions and
never read a field themselves (tests/unit/test_architecture.py).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Depends, Request
from starlette.datastructures import FormData

from marketplace.errors import RuleViolation
from marketplace.web.security import SAFE_METHODS

LIST_SUFFIX = "[]"
NOT_UTF8 = "提交的内容含有无法识别的字符（不是有效的 UTF-8 编码），未保存任何内容。请检查输入后重新提交。"


async def form_encoding(request: Request) -> None:
    """Refuse a url-encoded form whose bytes are not UTF-8, before anything reads it.

    Starlette decodes such bytes to U+FFFD without a word, so a garbled title would be stored as
    if the user had typed it. Runs as an app-wide dependency ahead of the CSRF check (which is the
    first reader of the form); the body stays cached for the handler.
    """
    if request.method in SAFE_METHODS:
        return
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return
    body = await request.body()
    try:
        parse_qsl(body.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise RuleViolation(NOT_UTF8, code="invalid_encoding") from None


async def form_data(request: Request) -> FormData:
    """The submitted form (async, so that handlers can stay sync)."""
    return await request.form()


FormDep = Annotated[FormData, Depends(form_data)]


def form_dict(form: FormData, *, lists: tuple[str, ...] = (), bools: tuple[str, ...] = (),
              lines: tuple[str, ...] = ()) -> dict[str, Any]:
    """Plain dict from a form: `lists` via getlist, `bools` as checkbox presence, `lines` split by line."""
    data: dict[str, Any] = {}
    for key in form.keys():
        if key in ("csrf_token", "form_token") or key in lists or key in bools or key in lines:
            continue
        value = form.get(key)
        data[key] = value if isinstance(value, str) else value
    for key in lists:
        data[key] = [v for v in form.getlist(key) if isinstance(v, str) and v.strip()]
    for key in bools:
        data[key] = form.get(key) in ("on", "true", "1", "yes")
    for key in lines:
        raw = form.get(key)
        raw = raw if isinstance(raw, str) else ""
        data[key] = [line.strip() for line in raw.splitlines() if line.strip()]
    return data


async def multipart_form(request: Request) -> FormData:
    """A multipart form with uploads, each part at most the upload limit (one byte over is refused later)."""
    return await request.form(max_part_size=request.app.state.settings.upload_max_bytes + 1)
