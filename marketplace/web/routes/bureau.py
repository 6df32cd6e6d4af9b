"""The bureau's statistics dashboard (统计看板): charts over tables, filters by year, industry and district;
the printable report; organisations' credit memory (officers only)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from marketplace import xlsx
from marketplace.accounts.models import Organisation
from marketplace.accounts.validators import GUANGZHOU_DISTRICTS
from marketplace.challenges import stats as challenge_stats
from marketplace.challenges.models import STATUS_LABELS
from marketplace.challenges.stats import FIRST_YEAR, StatsFilter, parse_filter
from marketplace.clock import to_shanghai, utcnow
from marketplace.credit import service as credit
from marketplace.credit.models import ADVERSE
from marketplace.credit.models import KIND_LABELS as CREDIT_LABELS
from marketplace.errors import NotFound, RuleViolation
from marketplace.industries import INDUSTRIES
from marketplace.reports import dashboard
from marketplace.web import htmx
from marketplace.web.context import flash
from marketplace.web.deps import CurrentActor, OfficerOnly, SessionDep
from marketplace.web.downloads import download
from marketplace.web.forms import FormDep
from marketplace.web.forms import credit as credit_forms
from marketplace.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[OfficerOnly])


@router.get("/officer/dashboard")
def officer_dashboard(request: Request, session: SessionDep, actor: CurrentActor, year: str = "",
                      industry: str = "", district: str = "", start: str = "", end: str = ""):
    """Every panel as a table (what a browser without JavaScript shows) with its chart above it."""
    this_year = to_shanghai(utcnow()).year
    error, status = None, 200
    try:
        flt = parse_filter(year=year, industry=industry, district=district, start=start, end=end,
                           this_year=this_year)
    except RuleViolation as exc:
        error, status, flt = exc.message, 422, StatsFilter()
    board = dashboard.build(session=session, actor=actor, flt=flt,
                            cache_seconds=request.app.state.settings.page_cache_seconds)
    ctx = {"board": board, "error": error, "years": list(range(this_year, FIRST_YEAR - 1, -1)),
           "industries": INDUSTRIES, "districts": GUANGZHOU_DISTRICTS,
           "echarts_available": request.app.state.echarts_available,
           "raw": {"year": year, "industry": industry, "district": district, "start": start, "end": end}}
    return render(request, "officer/dashboard.html", ctx, status_code=status)


@router.get("/officer/dashboard.xlsx")
def officer_dashboard_xlsx(session: SessionDep, actor: CurrentActor, year: str = "", industry: str = "",
                           district: str = "", start: str = "", end: str = ""):
    """The dashboard's tables, with the same filters, as a workbook (one sheet per panel)."""
    flt = parse_filter(year=year, industry=industry, district=district, start=start, end=end,
                       this_year=to_shanghai(utcnow()).year)
    board = dashboard.build(session=session, actor=actor, flt=flt)
    stamp = f"{to_shanghai(utcnow()):%Y%m%d}"
    return download(dashboard.workbook(board), filename=f"统计看板_{stamp}.xlsx", fallback=f"dashboard_{stamp}.xlsx",
                    media_type=xlsx.MEDIA_TYPE)


@router.get("/officer/report")
def officer_report(request: Request, session: SessionDep, actor: CurrentActor, year: str = "", month: str = ""):
    """A printable monthly or annual report (月报 / 年报) the bureau can file: headline, tables, projects."""
    this_year = to_shanghai(utcnow()).year
    try:
        flt = parse_filter(year=year or str(this_year), month=month, this_year=this_year)
    except RuleViolation as exc:
        return render(request, "officer/report.html", {"error": exc.message, "board": None,
                                                       "years": list(range(this_year, FIRST_YEAR - 1, -1))},
                      status_code=422)
    board = dashboard.build(session=session, actor=actor, flt=flt)
    period = f"{flt.year} 年{f' {flt.month} 月' if flt.month else '度'}"
    ctx = {"board": board, "error": None, "period": period, "status_labels": STATUS_LABELS,
           "published": challenge_stats.published_in(session, flt),
           "generated_at": utcnow(), "years": list(range(this_year, FIRST_YEAR - 1, -1)),
           "echarts_available": request.app.state.echarts_available}
    return render(request, "officer/report.html", ctx)


def _credit_page(request: Request, session, actor, organisation_id: int, *, values: dict | None = None,  # noqa: ANN001
                 errors: dict | None = None, error: str = "", status_code: int = 200):
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("单位不存在")
    rows = credit.records(session=session, actor=actor, organisation_id=organisation_id)
    return render(request, "reports/credit.html",
                  {"org": org, "rows": rows, "labels": CREDIT_LABELS, "adverse": ADVERSE, "link_of": credit.link_of,
                   "values": values or {}, "errors": errors or {}, "error": error}, status_code=status_code)


@router.get("/officer/organisations/{organisation_id:int}/credit")
def credit_memory(request: Request, organisation_id: int, session: SessionDep, actor: CurrentActor):
    """An organisation's credit memory (officers only): outcomes and breaches with their events linked."""
    return _credit_page(request, session, actor, organisation_id)


@router.post("/officer/organisations/{organisation_id:int}/credit")
def credit_record(request: Request, organisation_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Record one outcome or breach (a late report, an upheld objection…) with the event it rests on."""
    values, subject_type, subject_id = credit_forms.entry(form)
    try:
        credit.record(session=session, actor=actor, organisation_id=organisation_id, kind=values["kind"],
                      note=values["note"], subject_type=subject_type, subject_id=subject_id)
    except RuleViolation as exc:
        return _credit_page(request, session, actor, organisation_id, values=values, errors=exc.fields,
                            error=exc.message, status_code=422)
    return flash(htmx.redirect(request, f"/officer/organisations/{organisation_id}/credit"), "已记录")
