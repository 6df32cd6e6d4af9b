"""`make load`: 100 clients for 60 s against one uvicorn worker, reads and writes mixed, on SQLite
and on PostgreSQL (demo data). Prints requests, statuses, transport errors, p50/p99. Target: no 5xx.

    python -m marketplace.bench.load [--backend sqlite|postgres|both] [--clients 100] [--seconds 60]

Mix per request: 35 % hall/search pages, 25 % API list, 15 % detail pages, 10 % logged-in dashboards,
10 % new challenge drafts (POST /api/v1/challenges), 5 % publications racing for submitted challenges.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from marketplace.bench import loadgen
from marketplace.bench.common import Database, challenge_body, submitted_challenges, token
from marketplace.bench.server import serve


def run_backend(backend: str, clients: int, seconds: float) -> loadgen.Result:
    with Database(backend) as database:
        database.load_demo()
        with serve("marketplace.main:app", env=database.env()) as base:
            company, officer = token(base, "company@jiebang.demo"), token(base, "officer@jiebang.demo")
            team = token(base, "team@jiebang.demo")
            pending = submitted_challenges(base, company, 40)
            draft = json.dumps(challenge_body("负载测试榜单：储能电池热失控预警")).encode()
            json_headers = {"Content-Type": "application/json"}

            def make(n: int) -> loadgen.Request:
                roll = n % 100
                if roll < 25:
                    return loadgen.Request("GET", "/challenges", label="GET /challenges")
                if roll < 35:
                    return loadgen.Request("GET", "/challenges?q=%E7%94%B5%E6%B1%A0", label="GET /challenges?q=")
                if roll < 60:
                    return loadgen.Request("GET", "/api/v1/challenges?page=1", label="GET /api/v1/challenges")
                if roll < 75:
                    return loadgen.Request("GET", f"/challenges/{1 + n % 17}", label="GET /challenges/{id}")
                if roll < 85:
                    who = (company, officer, team)[n % 3]
                    return loadgen.Request("GET", "/dashboard", who, label="GET /dashboard")
                if roll < 95:
                    return loadgen.Request("POST", "/api/v1/challenges", company | json_headers, draft,
                                           label="POST /api/v1/challenges")
                cid = pending[n % len(pending)]
                return loadgen.Request("POST", f"/api/v1/challenges/{cid}/publish", officer | json_headers, b"{}",
                                       label="POST publish")

            return asyncio.run(loadgen.run(base, make, connections=clients, duration=seconds))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", default="both", choices=["sqlite", "postgres", "both"])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    failed = 0
    for backend in (["sqlite", "postgres"] if args.backend == "both" else [args.backend]):
        r = run_backend(backend, args.clients, args.seconds)
        failed += r.server_errors
        print(f"\n{backend}: {args.clients} clients, {args.seconds:.0f} s, one worker")
        print(loadgen.report("all requests", r))
        for label in sorted(r.by_label):
            values = r.by_label[label]
            print(f"  {label:<30} {len(values):>6} req  p50 {r.percentile(50, label) * 1000:>7.1f} ms  "
                  f"p99 {r.percentile(99, label) * 1000:>7.1f} ms")
    print("OK: no server errors" if not failed else f"FAILED: {failed} server or transport errors")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
