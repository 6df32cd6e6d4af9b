"""Every GET route of the app, filled with ids and fetched as a page and as an HTMX fragment.

Shared by the sealed-bid canary (tests/bids/test_bid_canary.py) and the XSS crawl (tests/web/test_xss.py).
"""

from __future__ import annotations

import io
import re
import zipfile

from starlette.routing import Mount, Route

SKIP = ("/static", "/vendor/", "/docs", "/openapi.json")


def get_paths(routes, prefix=""):
    """Every GET path template of the app, through included routers (FastAPI ≥0.16x wraps them)."""
    for route in routes:
        if hasattr(route, "original_router"):
            yield from get_paths(route.original_router.routes, prefix + route.include_context.prefix)
        elif isinstance(route, Route) and "GET" in (route.methods or ()):
            yield prefix + route.path
        elif isinstance(route, Mount) and route.routes:
            yield from get_paths(route.routes, prefix + route.path)


def fill(path: str, ids: dict) -> str:
    """The path with its {parameters} replaced by ids (an unknown name takes ids["id"])."""
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(ids.get(m.group(1), ids["id"])), path)


def bodies(response):
    """The response text, and every file inside it when it is a zip (xlsx)."""
    yield response.content.decode("utf-8", "replace")
    if response.content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(response.content)) as z:
            for name in z.namelist():
                yield z.read(name).decode("utf-8", "replace")


def urls(app, ids: dict) -> list[str]:
    return sorted({fill(p, ids) for p in get_paths(app.routes) if not p.startswith(SKIP)})


def crawl(client, app, ids):
    """(url, response, body) for every GET route: pages also as HTMX fragments, lists also with ?mine=1."""
    for url in urls(app, ids):
        for headers in ({}, {"HX-Request": "true"})[:1 if url.startswith("/api/") else 2]:
            for query in ("", "?mine=1")[:2 if url.endswith("/bids") else 1]:
                response = client.get(url + query, headers=headers, follow_redirects=False)
                for body in bodies(response):
                    yield url + query, response, body
