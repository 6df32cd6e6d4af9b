"""The few HTMX request and response headers we use."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def wants_fragment(request: Request) -> bool:
    """An HTMX request that swaps a region (not boosted navigation, not a history restore)."""
    return (is_htmx(request) and request.headers.get("HX-Boosted") != "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def trigger(response: Response, **events: object) -> Response:
    response.headers["HX-Trigger"] = json.dumps(events, ensure_ascii=False)
    return response


def redirect(request: Request, url: str) -> Response:
    """After a successful POST: HX-Redirect for HTMX, 303 See Other for plain forms."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return Response(status_code=303, headers={"Location": url})
