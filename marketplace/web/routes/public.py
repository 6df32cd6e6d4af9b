"""Public pages (no login): the home page and health check. Deliberately unauthenticated."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Request
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from marketplace import db
from marketplace.accounts.models import Organisation, OrgStatus, TeamProfile
from marketplace.challenges import queries as challenge_queries
from marketplace.clock import utcnow
from marketplace.industries import INDUSTRIES
from marketplace.web.deps import OptionalActor, SessionDep
from marketplace.web.templating import render

router = APIRouter()


@router.get("/", include_in_schema=False)
def home(request: Request, session: SessionDep, actor: OptionalActor):
    """What the platform is and for whom."""
    stats = {
        "organisations": session.exec(select(func.count()).select_from(Organisation)
                                      .where(Organisation.status == OrgStatus.VERIFIED)).one(),
        "teams": session.exec(select(func.count()).select_from(TeamProfile)).one(),
    }
    flt = challenge_queries.ChallengeFilter(status="published", sort="newest")
    latest = challenge_queries.search_public(session=session, flt=flt, now=utcnow())
    stats["challenges"] = latest.total
    return render(request, "home.html", {"stats": stats, "industries": INDUSTRIES, "latest": latest.items[:6]})


_health_limiter: list[anyio.CapacityLimiter] = []


def _ping(engine: Engine) -> None:
    with engine.execution_options(**{db.READ_OPTION: True}).connect() as conn:  # a reader: no write lock
        conn.execute(select(1)).one()


@router.get("/healthz", include_in_schema=False)
async def healthz(request: Request) -> dict:
    """Liveness and database reachability, answered during a burst too: it skips the request queue
    (web/concurrency.py) and pings on a thread of its own from the pool's spare connections."""
    if not _health_limiter:
        _health_limiter.append(anyio.CapacityLimiter(2))
    await anyio.to_thread.run_sync(_ping, request.app.state.engine, limiter=_health_limiter[0])
    return {"status": "ok"}
