"""The Jinja2 environment (with block rendering for HTMX fragments) and its filters."""

from __future__ import annotations

import secrets
from datetime import datetime

from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.requests import Request
from starlette.responses import Response

from marketplace import money
from marketplace.accounts.models import ORG_KIND_LABELS, ORG_STATUS_LABELS, ROLE_LABELS
from marketplace.challenges.models import STATUS_LABELS as CHALLENGE_STATUS_LABELS
from marketplace.challenges.permissions import effective_status
from marketplace.clock import to_shanghai, utcnow
from marketplace.config import TEMPLATES_DIR
from marketplace.search.recommend import marked as search_marked
from marketplace.web import htmx

templates = Jinja2Blocks(directory=str(TEMPLATES_DIR))


def shanghai_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC datetime shown in Asia/Shanghai."""
    return "—" if value is None else to_shanghai(value).strftime(fmt)


def marked(text: str, terms) -> list[tuple[str, bool]]:
    """Segments of `text` with the matched terms flagged (autoescaped; rendered in <mark>)."""
    return search_marked(text or "", list(terms))


templates.env.globals["new_form_token"] = lambda: secrets.token_urlsafe(24)  # see web/idempotent.py
templates.env.filters.update(
    marked=marked,
    challenge_status=lambda s: CHALLENGE_STATUS_LABELS.get(s, s or ""),
    yuan=money.format_yuan,
    wanyuan=money.format_wanyuan,
    shanghai_time=shanghai_time,
    role_label=lambda r: ROLE_LABELS.get(r, r or ""),
    org_kind_label=lambda k: ORG_KIND_LABELS.get(k, k or ""),
    org_status_label=lambda s: ORG_STATUS_LABELS.get(s, s or ""),
)


def status_of(challenge) -> str:
    """A challenge's status as readers see it now (the domain's rule, computed on read)."""
    return effective_status(challenge, utcnow())


templates.env.globals["status_of"] = status_of


def render(request: Request, name: str, context: dict | None = None, *, block: str | None = None,
           status_code: int = 200, headers: dict | None = None) -> Response:
    """Render a page, or only `block` when HTMX asks for a fragment."""
    from marketplace.web.context import base_context

    ctx = base_context(request) | dict(context or {})
    kwargs = {}
    if block and htmx.wants_fragment(request):
        kwargs["block_name"] = block
    return templates.TemplateResponse(request, name, ctx, status_code=status_code,
                                      headers=headers, **kwargs)
