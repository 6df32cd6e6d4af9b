"""A small closed-loop HTTP/1.1 load generator on asyncio streams (keep-alive, one request in flight
per connection), so the benchmark needs nothing outside the virtualenv. It is lighter than an HTTP
client library: on this machine it drives a bare FastAPI hello world at about the rate wrk does with
one thread, so the ratios it prints are the server's, not the generator's.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Request:
    method: str = "GET"
    path: str = "/"
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    label: str = ""


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, successful and failed alike
    statuses: Counter = field(default_factory=Counter)
    by_label: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)  # transport errors by exception name
    elapsed: float = 0.0

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float, label: str | None = None) -> float:
        values = sorted(self.by_label.get(label, []) if label else self.latencies)
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 500) + sum(self.errors.values())


class _Conn:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, req: Request, host_header: str) -> tuple[int, bytes, dict[str, str]]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = [f"{req.method} {req.path} HTTP/1.1", f"Host: {host_header}"]
        head += [f"{k}: {v}" for k, v in req.headers.items()]
        if req.body or req.method not in ("GET", "HEAD"):
            head.append(f"Content-Length: {len(req.body)}")
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + req.body)
        assert self.reader is not None
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionResetError("server closed the connection")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = bytearray()
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                body += chunk[:-2]
            data = bytes(body)
        else:
            data = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, data, headers

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def run(base: str, make_request: Callable[[int], Request], *, connections: int, duration: float = 0.0,
              total: int = 0, warmup: float = 0.0, timeout: float = 120.0) -> Result:
    """Keep `connections` connections busy for `duration` seconds (or until `total` requests)."""
    url = urlsplit(base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    host_header = url.netloc
    result = Result()
    remaining = [total]
    started = time.perf_counter()
    measure_from = started + warmup
    stop_at = started + warmup + duration if duration else float("inf")

    async def worker(n: int) -> None:
        conn = _Conn(host, port)
        rng = random.Random(n)
        try:
            while time.perf_counter() < stop_at:
                if total:
                    if remaining[0] <= 0:
                        return
                    remaining[0] -= 1
                req = make_request(rng.randrange(1 << 30))
                t0 = time.perf_counter()
                try:
                    status, _, _ = await asyncio.wait_for(conn.request(req, host_header), timeout)
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    conn.close()
                    if t0 >= measure_from:
                        result.errors[type(exc).__name__] += 1
                        result.latencies.append(time.perf_counter() - t0)
                    continue
                t1 = time.perf_counter()
                if t0 >= measure_from:
                    result.latencies.append(t1 - t0)
                    result.statuses[status] += 1
                    result.by_label.setdefault(req.label or req.path.split("?")[0], []).append(t1 - t0)
        finally:
            conn.close()

    await asyncio.gather(*(worker(n) for n in range(connections)))
    result.elapsed = time.perf_counter() - max(measure_from, started)
    return result


def report(name: str, r: Result) -> str:
    statuses = " ".join(f"{s}×{n}" for s, n in sorted(r.statuses.items()))
    errors = " ".join(f"{e}×{n}" for e, n in sorted(r.errors.items()))
    return (f"{name:<28} {r.count:>7} req {r.rate:>8.1f} req/s  p50 {r.percentile(50) * 1000:>7.1f} ms  "
            f"p99 {r.percentile(99) * 1000:>7.1f} ms  [{statuses}{' ' + errors if errors else ''}]")
