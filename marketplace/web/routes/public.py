"""Public pages (no login): the home page and health check. Deliberately unauthenticated."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Request

from marketplace import db
from marketplace.accounts import queries as account_queries
from marketplace.challenges import queries as challenge_queries
from marketplace.clock import utcnow
from marketplace.industries import INDUSTRIES
from marketplace.web.deps import OptionalActor, SessionDep
from marketplace.web.templating import render

router = APIRouter()


@router.get("/", include_in_schema=False)
def home(request: Request, session: SessionDep, actor: OptionalActor):
    """What the platform is and for whom."""
    stats = account_queries.public_counts(session=session)
    flt = challenge_queries.ChallengeFilter(status="published", sort="newest")
    latest = challenge_queries.search_public(session=session, flt=flt, now=utcnow())
    stats["challenges"] = latest.total
    return render(request, "home.html", {"stats": stats, "industries": INDUSTRIES, "latest": latest.items[:6]})


_health_limiter: list[anyio.CapacityLimiter] = []


@router.get("/healthz", include_in_schema=False)
async def healthz(request: Request) -> dict:
    """Liveness and database reachability, answered during a burst too: it skips the request queue
    (web/concurrency.py) and pings on a thread of its own from the pool's spare connections."""
    if not _health_limiter:
        _health_limiter.append(anyio.CapacityLimiter(2))
    await anyio.to_thread.run_sync(db.ping, request.app.state.engine, limiter=_health_limiter[0])
    return {"status": "ok"}
