"""`make bench-web`: the hall, search, a detail page and logged-in pages against a bare FastAPI hello
world, one uvicorn worker each, the same load generator (loadgen.py), at 10,000 challenges.

    python -m marketplace.bench.web [--backend sqlite|postgres] [--seconds 10] [--connections 32]
    python -m marketplace.bench.web --sequential 300     # CPU per request only, one request at a time

Prints requests/s, the ratio to hello world, p50 and p99 for every page, and the server process's CPU
time per request (user + system, from /proc): on a shared machine req/s move with the other jobs, the
CPU per request much less. `--sequential N` sends N requests per page over one connection and prints
only the CPU per request (light enough to run while others work). Figures, not assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

from marketplace import db
from marketplace.bench import dataset, loadgen
from marketplace.bench.common import Database, token
from marketplace.bench.server import cpu_seconds, serve

SEARCH_QUERY = "%E7%A2%B3%E5%8C%96%E7%A1%85%E7%83%AD%E7%AE%A1%E7%90%86"  # 碳化硅热管理


def prepare(backend: str) -> Database:
    database = Database(backend)
    t0 = time.perf_counter()
    database.load_demo()
    from marketplace.config import get_settings

    get_settings.cache_clear()
    engine = db.make_engine(database.url)
    counts = dataset.build(engine)
    engine.dispose()
    print(f"data set on {backend}: {counts} in {time.perf_counter() - t0:.0f} s")
    return database


def measure(base, path: str, headers: dict, seconds: float, connections: int,  # noqa: ANN001
            total: int = 0) -> tuple[loadgen.Result, float]:
    """(the load generator's result, server CPU seconds per request) after a one-second warm-up."""
    def make(_: int) -> loadgen.Request:
        return loadgen.Request("GET", path, headers)

    asyncio.run(loadgen.run(base, make, connections=min(connections, 4), duration=1.0))
    cpu0 = cpu_seconds(base.pid)
    result = asyncio.run(loadgen.run(base, make, connections=connections, duration=0 if total else seconds,
                                     total=total))
    return result, (cpu_seconds(base.pid) - cpu0) / max(result.count, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--sequential", type=int, default=0, metavar="N",
                        help="only CPU per request: N requests per page, one at a time")
    args = parser.parse_args()
    if args.sequential:
        args.connections = 1
    with prepare(args.backend) as database:
        with serve("marketplace.bench.hello:app") as base:
            hello = measure(base, "/", {}, args.seconds, args.connections, args.sequential)
        rows = [("hello world (FastAPI)", hello)]
        with serve("marketplace.main:app", env=database.env(JIEBANG_SCHEDULER_ENABLED="false")) as base:
            officer, company = token(base, "officer@jiebang.demo"), token(base, "company@jiebang.demo")
            detail = f"/challenges/{dataset_sample_id(database)}"
            pages = [("hall /challenges", "/challenges", {}),
                     ("search /challenges?q=", "/challenges?q=" + SEARCH_QUERY, {}),
                     ("detail " + detail, detail, {}),
                     ("API /api/v1/challenges", "/api/v1/challenges", {}),
                     ("dashboard (company)", "/dashboard", company),
                     ("dashboard (officer)", "/dashboard", officer),
                     ("officer /officer/challenges", "/officer/challenges", officer),
                     ("bureau /officer/dashboard", "/officer/dashboard", officer),
                     ("public /results", "/results", {})]
            for name, path, headers in pages:  # measure() warms caches first (search index, templates)
                rows.append((name, measure(base, path, headers, args.seconds, args.connections, args.sequential)))
    hello_rate, hello_cpu = hello[0].rate, hello[1]
    if args.sequential:
        print(f"\n{args.backend}, one uvicorn worker, {args.sequential} requests per page, one at a time")
        print(f"{'page':<34} {'CPU ms/req':>10} {'hello/page':>10}  statuses")
        for name, (r, cpu) in rows:
            statuses = " ".join(f"{s}×{n}" for s, n in sorted(r.statuses.items()))
            print(f"{name:<34} {cpu * 1000:>10.2f} {hello_cpu / cpu if cpu else 0:>10.3f}  {statuses}")
        return 0
    print(f"\n{args.backend}, one uvicorn worker, {args.connections} connections, {args.seconds:.0f} s each")
    print(f"{'page':<34} {'req/s':>8} {'× hello':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms':>7}  statuses")
    for name, (r, cpu) in rows:
        statuses = " ".join(f"{s}×{n}" for s, n in sorted(r.statuses.items()))
        print(f"{name:<34} {r.rate:>8.1f} {r.rate / hello_rate:>8.3f} {r.percentile(50) * 1000:>8.1f} "
              f"{r.percentile(99) * 1000:>8.1f} {cpu * 1000:>7.2f}  {statuses}")
    return 0


def dataset_sample_id(database: Database) -> int:
    """A challenge in the middle of the data set (published, with bids)."""
    from sqlalchemy import func, select

    from marketplace.challenges.models import Challenge

    engine = db.make_engine(database.url)
    with engine.connect() as conn:
        top = conn.execute(select(func.max(Challenge.id))).scalar_one()
    engine.dispose()
    return top - 5000


if __name__ == "__main__":
    os.environ.setdefault("JIEBANG_ENV", "dev")
    raise SystemExit(main())
