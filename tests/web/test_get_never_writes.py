"""No GET writes (issue 8.2): crawling every page and API read past deadlines leaves the database
byte-for-byte unchanged; a passed deadline still reads as closed (computed, not stored)."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from marketplace import db, migrate
from marketplace.app import create_app
from marketplace.bids.models import Bid
from marketplace.challenges.models import Challenge
from marketplace.clock import utcnow
from marketplace.config import get_settings
from marketplace.models import metadata
from tests.conftest import BACKENDS, drop_pg_database, fresh_database_url
from tests.crawl import get_paths as canary_paths

PASSWORD = "jiebang-demo-2026"


@pytest.fixture(scope="module", params=BACKENDS)
def demo_engine(request, tmp_path_factory):
    from marketplace import demo

    url = fresh_database_url(request.param, tmp_path_factory)
    migrate.upgrade(url)
    engine = db.make_engine(url)
    with db.new_session(engine) as s:
        demo.load(session=s)
    yield engine
    engine.dispose()
    if request.param == "postgres":
        drop_pg_database(url)


# The one write a read may cause: a session's last_seen_at, touched at most once a minute for the
# idle timeout (auth/service.py record_seen, in its own write session). A slow crawl outlives that minute.
ACTIVITY = {("usersession", "last_seen_at")}


def checksum(engine) -> str:
    """A digest of every row of every table (activity timestamps aside)."""
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if (table.name, c.name) not in ACTIVITY]
            for row in conn.execute(select(*columns).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def get_paths(app, ids: dict[str, list[int]]) -> list[str]:
    """Every GET route with its path parameters filled from the data."""
    paths = []
    for template in canary_paths(app.routes):
        if template.startswith(("/static", "/vendor/")):
            continue
        names = re.findall(r"{(\w+)(?::\w+)?}", template)
        choices = [ids.get(n, [1, 2]) for n in names]
        combos = [[]]
        for options in choices:
            combos = [c + [o] for c in combos for o in options]
        for combo in combos:
            path = template
            for name, value in zip(names, combo, strict=True):
                path = re.sub(rf"{{{name}(?::\w+)?}}", str(value), path)
            paths.append(path)
    return paths + ["/challenges?q=电池", "/api/v1/challenges?q=电池&status=closed", "/challenges?status=published"]


def test_crawling_every_get_route_past_the_deadlines_writes_nothing(demo_engine):
    now = utcnow()
    with db.new_session(demo_engine) as s:
        published = s.exec(select(Challenge.id).where(Challenge.status == "published")).scalars().all()
        assert len(published) >= 3
        late, soon = published[:-1], published[-1]
        # Everything the tick would do is due: deadlines passed, and a 3-day reminder.
        s.exec(update(Challenge).where(Challenge.id.in_(late)).values(bid_deadline=now - timedelta(hours=1)))
        s.exec(update(Challenge).where(Challenge.id == soon).values(bid_deadline=now + timedelta(days=2)))
        s.commit()
        bid_ids = s.exec(select(Bid.id)).scalars().all()
    app = create_app(settings=get_settings(), engine=demo_engine)
    with TestClient(app, base_url="http://testserver") as client:
        headers = [{}]
        for who in ("company", "officer", "team", "admin", "expert"):
            r = client.post("/api/v1/auth/token", json={"account": f"{who}@jiebang.demo", "password": PASSWORD})
            headers.append({"Authorization": f"Bearer {r.json()['token']}"})
        paths = get_paths(app, {"challenge_id": [*late, soon, late[0] + 1000], "bid_id": bid_ids[:6],
                                "team_id": [1, 2], "user_id": [1, 2]})
        assert len(paths) > 100
        before = checksum(demo_engine)
        statuses = set()
        for h in headers:
            for path in paths:
                statuses.add(client.get(path, headers=h).status_code)
        after = checksum(demo_engine)
        assert 500 not in statuses
        assert after == before
        # The reads still tell the truth: a passed deadline shows as closed.
        assert client.get(f"/api/v1/challenges/{late[0]}").json()["status"] == "closed"
        assert "已截止" in client.get(f"/challenges/{late[0]}").text
        listed = client.get("/api/v1/challenges", params={"status": "published"}).json()["items"]
        assert [c["id"] for c in listed] == [soon]
        assert checksum(demo_engine) == before
