"""Reproduce issue 8 item 1: bursts of concurrent requests against one uvicorn worker.

    python -m marketplace.bench.repro [sqlite|postgres] [--n 100]

Fires N simultaneous anonymous `GET /api/v1/challenges`, N logged-in `GET /dashboard`, N publish
POSTs of different challenges and N publish POSTs of one challenge, while timing `/healthz`; prints
the status codes of each burst. Before the fix: 500s after the pool's 30 s timeout and a /healthz
that waits as long; after: no 5xx, one publication of the contested challenge, 409 for the others.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter

import httpx

from marketplace.bench.common import Database, submitted_challenges, token
from marketplace.bench.server import serve


async def burst(base: str, requests: list[tuple[str, str, dict, dict | None]]) -> tuple[Counter, float, float]:
    """All requests at once; returns (statuses, seconds, slowest /healthz seen meanwhile)."""
    limits = httpx.Limits(max_connections=len(requests) + 5, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=180) as client:
        health_worst = 0.0
        done = asyncio.Event()

        async def health() -> None:
            nonlocal health_worst
            while not done.is_set():
                t0 = time.perf_counter()
                try:
                    await client.get("/healthz", timeout=180)
                except httpx.HTTPError:
                    pass
                health_worst = max(health_worst, time.perf_counter() - t0)
                await asyncio.sleep(0.2)

        async def one(method: str, path: str, headers: dict, body: dict | None) -> int | str:
            try:
                r = await client.request(method, path, headers=headers, json=body)
                return r.status_code
            except httpx.HTTPError as exc:
                return type(exc).__name__

        watcher = asyncio.create_task(health())
        t0 = time.perf_counter()
        codes = await asyncio.gather(*(one(*r) for r in requests))
        elapsed = time.perf_counter() - t0
        done.set()
        await watcher
    return Counter(codes), elapsed, health_worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("backend", nargs="?", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--n", type=int, default=100)
    args = parser.parse_args()
    n = args.n
    failures = 0
    with Database(args.backend) as database:
        database.load_demo()
        with serve("marketplace.main:app", env=database.env()) as base:
            company, officer = token(base, "company@jiebang.demo"), token(base, "officer@jiebang.demo")
            users = [company, officer, token(base, "team@jiebang.demo")]
            pending = submitted_challenges(base, company, n + 1)
            contested, separate = pending[0], pending[1:]
            bursts = {
                "GET /api/v1/challenges": [("GET", "/api/v1/challenges", {}, None)] * n,
                "GET /dashboard (logged in)": [("GET", "/dashboard", users[i % 3], None) for i in range(n)],
                "POST publish (n challenges)": [("POST", f"/api/v1/challenges/{cid}/publish", officer, {})
                                                for cid in separate],
                "POST publish (one challenge)": [("POST", f"/api/v1/challenges/{contested}/publish", officer, {})] * n,
            }
            for name, requests in bursts.items():
                codes, elapsed, health = asyncio.run(burst(base, requests))
                bad = sum(v for k, v in codes.items() if not isinstance(k, int) or k >= 500)
                failures += bad + (health > 1.0)
                print(f"{args.backend:<8} {name:<30} {dict(sorted(codes.items(), key=str))}  "
                      f"{elapsed:5.1f} s  /healthz worst {health * 1000:6.0f} ms")
            published = httpx.get(base + f"/api/v1/challenges/{contested}", timeout=60).json()["status"]
            print(f"{args.backend:<8} contested challenge is {published}")
    print("OK: no 5xx, /healthz under 1 s" if not failures else f"FAILED: {failures} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
