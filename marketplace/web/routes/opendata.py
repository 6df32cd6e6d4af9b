"""Open data pages (the schema, licence and update date, the CSV download), the public results
(`/results`, its Atom feed) and the public project progress pages (`/projects`). No login, except the
parties' consent to publish a project's progress."""

from __future__ import annotations

from email.utils import format_datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from marketplace.clock import to_shanghai, utcnow
from marketplace.contracts import progress
from marketplace.reports import opendata, results
from marketplace.web import htmx
from marketplace.web.context import flash
from marketplace.web.deps import CurrentActor, SessionDep
from marketplace.web.downloads import download
from marketplace.web.forms import FormDep
from marketplace.web.forms import contracts as contract_forms
from marketplace.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/open-data")
def open_data(request: Request, session: SessionDep):
    first = opendata.projects(session, page=1, page_size=1)
    return render(request, "portal/open_data.html",
                  {"schema": opendata.SCHEMA, "total": first.total, "updated_at": first.updated_at,
                   "licence": opendata.LICENCE, "publisher": opendata.PUBLISHER})


@router.get("/open-data/projects.csv")
def open_data_csv(session: SessionDep) -> Response:
    """Every record as CSV; the update date (更新日期) is in the file name and the Last-Modified header."""
    changed = opendata.last_change(session)
    stamp = f"_{to_shanghai(changed):%Y%m%d}" if changed else ""
    response = download(opendata.projects_csv(session).encode("utf-8"), filename=f"揭榜挂帅公开数据{stamp}.csv",
                        fallback=f"jiebang-projects{stamp}.csv", media_type="text/csv; charset=utf-8")
    if changed:
        response.headers["Last-Modified"] = format_datetime(changed, usegmt=True)
    return response


@router.get("/results")
def results_page(request: Request, session: SessionDep, page: str = "1"):
    """Public results: awarded challenges with winners and amounts, and each 公示's window."""
    number = int(page) if page.isascii() and page.isdigit() and 0 < int(page) <= 100_000 else 1
    data = results.page_of(session, number)
    projects = progress.published_by_challenge(session, [r.challenge_id for r in data.items])
    return render(request, "reports/results.html",
                  {"results": data.items, "total": data.total, "page": data.page, "pages": data.pages,
                   "status_labels": results.STATUS_LABELS, "projects": projects})


@router.get("/results/feed.atom")
def results_feed(request: Request, session: SessionDep) -> Response:
    """Atom 1.0 feed of the award results (public)."""
    body = results.atom_feed(results.page_of(session, 1).items, base_url=str(request.base_url), now=utcnow())
    return Response(body, media_type=f"{results.ATOM_MEDIA_TYPE}; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=300"})


@router.get("/projects")
def projects_page(request: Request, session: SessionDep):
    """Contracted projects whose company and lead team agreed to publish their progress."""
    return render(request, "reports/projects.html", {"projects": progress.published_projects(session)})


@router.get("/projects/{contract_id:int}")
def project_page(request: Request, contract_id: int, session: SessionDep):
    """One project's public progress: milestones done / due, weighted progress, status or acceptance verdict."""
    view = progress.public_progress(session=session, contract_id=contract_id, today=to_shanghai(utcnow()).date())
    return render(request, "reports/project.html", {"p": view})


@router.post("/contracts/{contract_id:int}/progress-consent")
def progress_consent(request: Request, contract_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """The company or the lead team agrees (agree=1) or withdraws (agree=0) publishing the progress."""
    agree = contract_forms.consent(form)
    progress.set_consent(session=session, actor=actor, contract_id=contract_id, agree=agree)  # a repeat: 409
    return flash(htmx.redirect(request, f"/contracts/{contract_id}#progress-consent"),
                 "已同意公开项目进展" if agree else "已撤回公开项目进展的同意")
