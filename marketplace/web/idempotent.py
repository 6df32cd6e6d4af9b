"""Idempotent creates at the edge: the `Idempotency-Key` header (API) and the one-time form token (pages)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.encoders import jsonable_encoder
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.responses import JSONResponse, Response

from marketplace import idempotency
from marketplace.actor import Actor
from marketplace.errors import Conflict
from marketplace.web import htmx
from marketplace.web.context import flash


async def _api_key(request: Request, key: Annotated[str | None, Header(
        alias=idempotency.HEADER, description="同一请求重试时带上相同的键：只创建一次，重放返回首次的结果")] = None,
                   ) -> tuple[str, str] | None:
    if key is None:
        return None
    body = await request.body()
    return idempotency.check_key(key), idempotency.fingerprint(request.method, request.url.path, body)


ApiKey = Annotated[tuple[str, str] | None, Depends(_api_key)]


def api_once(session: Session, actor: Actor | None, key: tuple[str, str] | None, work: Callable[[], Any], *,
             model: Any, status_code: int = 200, address: str = "") -> Response:
    """Run an API create once per key; a replay returns the stored status and body."""
    req = None
    if key is not None:
        owner = idempotency.owner_of(actor.user_id if actor and not actor.is_anonymous else None, address)
        req = idempotency.Request(owner=owner, key=key[0], fingerprint=key[1])

    def job() -> idempotency.Outcome:
        result = work()
        body = jsonable_encoder(model.model_validate(result, from_attributes=True))
        return idempotency.Outcome(status_code, body)

    outcome = idempotency.run(session, req, job)
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else None
    return JSONResponse(outcome.body, status_code=outcome.status_code, headers=headers)


def new_form_token() -> str:
    """Issued into each create form as it is rendered; consumed with the record it creates."""
    return secrets.token_urlsafe(24)


def form_once(request: Request, session: Session, actor: Actor | None, form: FormData,
              work: Callable[[], tuple[str, Response]], *, address: str = "", waiting: str = "/") -> Response:
    """Run a form's create once per form token. `work` returns (where the record lives, response);
    a second post of the same form (double click, reload, retry) goes to that record instead."""
    token = form.get(idempotency.FORM_FIELD)
    if not isinstance(token, str) or not token:
        return work()[1]
    owner = idempotency.owner_of(actor.user_id if actor and not actor.is_anonymous else None, address)
    req = idempotency.Request(owner=owner, key="form:" + token[:190], fingerprint="form")
    fresh: dict[str, Response] = {}

    def job() -> idempotency.Outcome:
        location, response = work()
        fresh["response"] = response
        return idempotency.Outcome(303, location=location)

    try:
        outcome = idempotency.run(session, idempotency.check_request(req), job)
    except Conflict:
        return flash(htmx.redirect(request, waiting), "该表单正在提交中，请稍候刷新查看结果", "info")
    if not outcome.replayed:
        return fresh["response"]
    return flash(htmx.redirect(request, outcome.location or waiting), "该表单已提交过，以下是已创建的记录", "info")
