"""Bursts of simultaneous requests against a real uvicorn worker: they queue and succeed (issue 8.1).

On main these bursts ended in 500s ("QueuePool limit … reached", SQLite "database is locked"):
requests held connections while waiting for threads and vice versa. No timing is asserted here;
`python -m marketplace.bench.repro` prints the figures (and /healthz's latency during each burst).
"""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest

from marketplace.bench.common import submitted_challenges, token
from tests.conftest import BACKENDS, drop_pg_database, fresh_database_url
from tests.servers import prepare_demo_database, uvicorn_server

N = 100


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory):
    url = fresh_database_url(request.param, tmp_path_factory)
    prepare_demo_database(url)
    with uvicorn_server(url, tmp_path_factory.mktemp("var")) as base:
        yield base
    if request.param == "postgres":
        drop_pg_database(url)


def burst(base: str, requests: list[tuple[str, str, dict]]) -> Counter:
    """Send every request at once (one connection each); the status codes, or the transport error."""

    async def run() -> Counter:
        limits = httpx.Limits(max_connections=len(requests) + 5, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=300) as client:

            async def one(method: str, path: str, headers: dict) -> int | str:
                try:
                    kwargs = {"json": {}} if method == "POST" else {}
                    return (await client.request(method, path, headers=headers, **kwargs)).status_code
                except httpx.HTTPError as exc:
                    return type(exc).__name__

            return Counter(await asyncio.gather(*(one(*r) for r in requests)))

    return asyncio.run(run())


def test_a_hundred_anonymous_reads_at_once_all_succeed(server):
    codes = burst(server, [("GET", "/api/v1/challenges", {})] * (N // 2) + [("GET", "/challenges", {})] * (N // 2))
    assert codes == {200: N}


def test_a_hundred_logged_in_pages_at_once_all_succeed(server):
    users = [token(server, f"{who}@jiebang.demo") for who in ("company", "officer", "team")]
    codes = burst(server, [("GET", "/dashboard", users[i % 3]) for i in range(N)])
    assert codes == {200: N}


def test_a_hundred_publications_at_once_all_succeed(server):
    company, officer = token(server, "company@jiebang.demo"), token(server, "officer@jiebang.demo")
    ids = submitted_challenges(server, company, N)
    codes = burst(server, [("POST", f"/api/v1/challenges/{cid}/publish", officer) for cid in ids])
    assert codes == {200: N}
    with httpx.Client(base_url=server, timeout=60) as c:
        assert {c.get(f"/api/v1/challenges/{cid}").json()["status"] for cid in ids} == {"published"}


def test_a_hundred_officers_publishing_one_challenge_make_one_publication(server):
    company, officer = token(server, "company@jiebang.demo"), token(server, "officer@jiebang.demo")
    [cid] = submitted_challenges(server, company, 1)
    codes = burst(server, [("POST", f"/api/v1/challenges/{cid}/publish", officer)] * N)
    assert codes == {200: 1, 409: N - 1}
    with httpx.Client(base_url=server, timeout=60) as c:
        trail = c.get(f"/api/v1/challenges/{cid}").json()
    assert trail["status"] == "published"
