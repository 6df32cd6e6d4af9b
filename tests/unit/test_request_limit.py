"""The admission limit: requests beyond it wait (they are not refused), /healthz never waits."""

import anyio
import pytest

from marketplace.web.concurrency import RequestLimit


def _scope(path: str) -> dict:
    return {"type": "http", "path": path, "method": "GET", "headers": []}


@pytest.mark.anyio
async def test_requests_beyond_the_limit_queue_and_healthz_skips_the_queue():
    inside: list[str] = []
    release = anyio.Event()

    async def app(scope, receive, send):
        inside.append(scope["path"])
        if scope["path"] == "/slow":
            await release.wait()

    limited = RequestLimit(app, limit=1)
    async with anyio.create_task_group() as tg:
        tg.start_soon(limited, _scope("/slow"), None, None)
        await anyio.wait_all_tasks_blocked()
        tg.start_soon(limited, _scope("/next"), None, None)
        await anyio.wait_all_tasks_blocked()
        assert inside == ["/slow"]  # the second request waits its turn …
        await limited(_scope("/healthz"), None, None)
        assert inside == ["/slow", "/healthz"]  # … while the health check does not
        release.set()
    assert inside == ["/slow", "/healthz", "/next"]  # and then it is served, not refused


@pytest.fixture
def anyio_backend():
    return "asyncio"
