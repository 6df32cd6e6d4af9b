"""Shared set-up for the web benchmarks: throw-away databases, demo data, tokens."""

from __future__ import annotations

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import text

from marketplace import db, migrate
from marketplace.clock import to_shanghai, utcnow

PASSWORD = "jiebang-demo-2026"
PG_URL = os.environ.get("JIEBANG_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


class Database:
    """A fresh database on `backend` (sqlite file or a new PostgreSQL database), dropped on exit."""

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self.var_dir = Path(tempfile.mkdtemp(prefix=f"jiebang-bench-{backend}-"))
        self.name = ""
        if backend == "sqlite":
            self.url = f"sqlite:///{self.var_dir}/bench.db"
        else:
            self.name = f"jiebang_bench_{secrets.token_hex(4)}"
            self._admin(f'CREATE DATABASE "{self.name}"')
            self.url = PG_URL.rsplit("/", 1)[0] + f"/{self.name}"

    def _admin(self, sql: str) -> None:
        admin = db.make_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(sql))
        admin.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.name:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def env(self, **extra: str) -> dict[str, str]:
        return {"JIEBANG_DATABASE_URL": self.url, "JIEBANG_VAR_DIR": str(self.var_dir), "JIEBANG_ENV": "dev",
                "JIEBANG_SECRET_KEY": "bench-secret-" + "x" * 40, **extra}

    def load_demo(self) -> None:
        from marketplace import demo
        from marketplace.config import get_settings

        # The demo's audit chain is signed with the server's key, or the server's checkpoint job refuses it.
        os.environ.update({k: v for k, v in self.env().items() if k != "JIEBANG_DATABASE_URL"})
        get_settings.cache_clear()
        migrate.upgrade(self.url)
        engine = db.make_engine(self.url)
        with db.new_session(engine) as session:
            demo.load(session=session)
        engine.dispose()


def token(base: str, account: str) -> dict[str, str]:
    r = httpx.post(base + "/api/v1/auth/token", json={"account": account, "password": PASSWORD}, timeout=60)
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def challenge_body(title: str, days: int = 20) -> dict:
    deadline = to_shanghai(utcnow() + timedelta(days=days)).replace(tzinfo=None).isoformat(timespec="minutes")
    return {"title": title, "industry": "新能源与节能环保", "background": f"{title}是量产瓶颈。" * 2,
            "bottleneck": "湿热 85/85 条件下功率衰减过快。", "deliverables": "测试规范与样品",
            "indicators": [{"name": "功率保持率", "target": "≥95%"}], "committed_funds_yuan": "3000000",
            "offered_yuan": "2000000", "bid_deadline": deadline}


def submitted_challenges(base: str, company: dict[str, str], n: int) -> list[int]:
    """n challenges created and submitted by the demo company (they wait for the bureau)."""
    ids = []
    with httpx.Client(base_url=base, headers=company, timeout=60) as c:
        for i in range(n):
            r = c.post("/api/v1/challenges", json=challenge_body(f"压测榜单{i:03d}钙钛矿组件老化测试"))
            r.raise_for_status()
            cid = r.json()["id"]
            c.post(f"/api/v1/challenges/{cid}/submit").raise_for_status()
            ids.append(cid)
    return ids
