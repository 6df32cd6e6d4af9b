"""The bureau's statistics dashboard (统计看板): charts over tables, filters by year, industry and district."""

from __future__ import annotations

from fastapi import APIRouter, Request

from marketplace.accounts.validators import GUANGZHOU_DISTRICTS
from marketplace.challenges.stats import FIRST_YEAR, StatsFilter, parse_filter
from marketplace.clock import to_shanghai, utcnow
from marketplace.errors import RuleViolation
from marketplace.industries import INDUSTRIES
from marketplace.reports import dashboard
from marketplace.web.deps import CurrentActor, OfficerOnly, SessionDep
from marketplace.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[OfficerOnly])


@router.get("/officer/dashboard")
def officer_dashboard(request: Request, session: SessionDep, actor: CurrentActor,
                      year: str = "", industry: str = "", district: str = ""):
    """Every panel as a table (what a browser without JavaScript shows) with its chart above it."""
    this_year = to_shanghai(utcnow()).year
    error, status = None, 200
    try:
        flt = parse_filter(year=year, industry=industry, district=district, this_year=this_year)
    except RuleViolation as exc:
        error, status, flt = exc.message, 422, StatsFilter()
    board = dashboard.build(session=session, actor=actor, flt=flt)
    ctx = {"board": board, "error": error, "years": list(range(this_year, FIRST_YEAR - 1, -1)),
           "industries": INDUSTRIES, "districts": GUANGZHOU_DISTRICTS,
           "echarts_available": request.app.state.echarts_available,
           "raw": {"year": year, "industry": industry, "district": district}}
    return render(request, "officer/dashboard.html", ctx, status_code=status)
