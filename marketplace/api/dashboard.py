"""/api/v1/dashboard: the bureau dashboard's panels as JSON (officers; 401 anonymous, 403 others)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from marketplace.challenges.stats import parse_filter
from marketplace.clock import to_shanghai, utcnow
from marketplace.reports import dashboard
from marketplace.reports.schemas import DashboardOut
from marketplace.web.deps import CurrentActor, OfficerOnly, SessionDep, current_actor

router = APIRouter(tags=["dashboard"], dependencies=[Depends(current_actor)])


@router.get("/dashboard", response_model=DashboardOut, dependencies=[OfficerOnly])
def dashboard_json(request: Request, session: SessionDep, actor: CurrentActor, year: str = "", industry: str = "",
                   district: str = "", start: str = "", end: str = "") -> DashboardOut:
    """Every panel's table, the same numbers /officer/dashboard shows; bad filters are a 422 with per-field
    messages (unknown industry or district, a year out of range, a reversed or half date range)."""
    flt = parse_filter(year=year, industry=industry, district=district, start=start, end=end,
                       this_year=to_shanghai(utcnow()).year)
    board = dashboard.build(session=session, actor=actor, flt=flt,
                            cache_seconds=request.app.state.settings.page_cache_seconds)
    return dashboard.as_out(board)
