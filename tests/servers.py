"""Start the real app under uvicorn on a free loopback port (for multi-worker and browser tests)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from marketplace import db, migrate


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_demo_database(url: str) -> None:
    """Migrate and load the demo data."""
    from marketplace import demo

    migrate.upgrade(url)
    engine = db.make_engine(url)
    with db.new_session(engine) as session:
        demo.load(session=session)
    engine.dispose()


@contextlib.contextmanager
def uvicorn_server(url: str, var_dir: Path, workers: int = 1, app: str = "marketplace.main:app") -> Iterator[str]:
    """Serve the app on the given database; yields the base URL, stops the server afterwards."""
    port = free_port()
    env = {**os.environ, "JIEBANG_DATABASE_URL": url, "JIEBANG_VAR_DIR": str(var_dir)}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", app, "--port", str(port),
                             "--workers", str(workers), "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 180  # generous: a loaded CI machine starts workers slowly
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"uvicorn did not start on {base} (exit code {proc.poll()})") from None
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)
