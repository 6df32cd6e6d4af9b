"""Several uvicorn workers against one database: sessions, rate limits and the search index agree.

Nothing may live only in one worker's memory. Each request here opens a new connection, so the
kernel spreads them over the workers.
"""

from datetime import timedelta

import httpx
import pytest

from marketplace.clock import to_shanghai, utcnow
from tests.conftest import PG_ADMIN_URL, drop_pg_database, fresh_database_url
from tests.servers import prepare_demo_database, uvicorn_server

WORKERS = 3
PASSWORD = "jiebang-demo-2026"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    backend = "postgres" if PG_ADMIN_URL else "sqlite"
    url = fresh_database_url(backend, tmp_path_factory)
    prepare_demo_database(url)
    with uvicorn_server(url, tmp_path_factory.mktemp("var"), workers=WORKERS,
                        app="tests.multiworker.pid_app:app") as base:
        wait_for_workers(base)
        yield base
    if backend == "postgres":
        drop_pg_database(url)


def wait_for_workers(base: str, timeout: float = 180) -> None:
    """Until every worker has answered once (a loaded machine boots them one by one)."""
    import time

    seen, deadline = set(), time.monotonic() + timeout
    while len(seen) < WORKERS and time.monotonic() < deadline:
        seen.add(fresh(base, "GET", "/healthz").headers["x-test-worker-pid"])
    assert len(seen) >= 2, f"only {len(seen)} worker(s) answered"


def fresh(base: str, method: str, path: str, **kw) -> httpx.Response:
    """One request on a new connection (so successive calls land on different workers)."""
    with httpx.Client(base_url=base, timeout=30) as c:
        return c.request(method, path, **kw)


def token(base: str, account: str) -> dict:
    r = fresh(base, "POST", "/api/v1/auth/token", json={"account": account, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def workers(responses) -> set[str]:
    """The worker processes that answered (the test app adds the pid to every response)."""
    return {r.headers["x-test-worker-pid"] for r in responses}


def test_a_token_works_on_every_worker_and_its_revocation_too(server):
    headers = token(server, "company@jiebang.demo")
    valid = [fresh(server, "GET", "/api/v1/me", headers=headers) for _ in range(24)]
    assert all(r.status_code == 200 for r in valid)
    assert len(workers(valid)) >= 2  # the token was honoured by more than one worker
    assert fresh(server, "DELETE", "/api/v1/auth/token", headers=headers).status_code == 204
    revoked = [fresh(server, "GET", "/api/v1/me", headers=headers) for _ in range(24)]
    assert all(r.status_code == 401 for r in revoked)
    assert len(workers(revoked)) >= 2  # ... and its revocation too


def test_login_rate_limit_counts_failures_from_all_workers(server):
    for _ in range(5):
        r = fresh(server, "POST", "/api/v1/auth/token", json={"account": "expert@jiebang.demo",
                                                              "password": "nope-nope"})
        assert r.status_code == 401
    limited = fresh(server, "POST", "/api/v1/auth/token", json={"account": "expert@jiebang.demo", "password": PASSWORD})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0


def test_a_published_challenge_is_found_by_every_worker(server):
    term = "钙钛矿叠层光伏组件湿热老化"
    for _ in range(WORKERS * 4):  # warm every worker's index first
        items = fresh(server, "GET", "/api/v1/challenges", params={"q": term}).json()["items"]
        assert not any(term in item["title"] for item in items)
    company, officer = token(server, "company@jiebang.demo"), token(server, "officer@jiebang.demo")
    deadline = to_shanghai(utcnow() + timedelta(days=20)).replace(tzinfo=None).isoformat(timespec="minutes")
    body = {"title": f"{term}测试方法攻关", "industry": "新能源与节能环保", "background": f"{term}是量产瓶颈。" * 2,
            "bottleneck": "湿热 85/85 条件下功率衰减过快。", "deliverables": "测试规范与样品",
            "indicators": [{"name": "功率保持率", "target": "≥95%"}], "committed_funds_yuan": "3000000",
            "offered_yuan": "2000000", "bid_deadline": deadline}
    created = fresh(server, "POST", "/api/v1/challenges", json=body, headers=company)
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    assert fresh(server, "POST", f"/api/v1/challenges/{cid}/submit", headers=company).status_code == 200
    assert fresh(server, "POST", f"/api/v1/challenges/{cid}/publish", json={}, headers=officer).status_code == 200
    found = [fresh(server, "GET", "/api/v1/challenges", params={"q": term}) for _ in range(WORKERS * 8)]
    assert all(r.json()["items"][0]["id"] == cid for r in found)
    assert len(workers(found)) >= 2
