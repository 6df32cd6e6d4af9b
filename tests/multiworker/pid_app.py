"""The real app, with each response naming the worker process that answered it (tests only)."""

import os

from marketplace.main import app as _app

PID = str(os.getpid()).encode()


async def app(scope, receive, send):
    if scope["type"] != "http":
        return await _app(scope, receive, send)

    async def send_with_pid(message):
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), (b"x-test-worker-pid", PID)]
        await send(message)

    return await _app(scope, receive, send_with_pid)
