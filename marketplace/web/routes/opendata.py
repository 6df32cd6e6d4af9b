"""Open data pages (the schema, licence and update date, the CSV download) and the public results
(`/results`, its Atom feed). No login."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from marketplace.clock import utcnow
from marketplace.reports import opendata, results
from marketplace.web.deps import SessionDep
from marketplace.web.downloads import download
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
    return download(opendata.projects_csv(session).encode("utf-8"), filename="揭榜挂帅公开数据.csv",
                    fallback="jiebang-projects.csv", media_type="text/csv; charset=utf-8")


@router.get("/results")
def results_page(request: Request, session: SessionDep, page: str = "1"):
    """Public results: awarded challenges with winners and amounts, and each 公示's window."""
    number = int(page) if page.isascii() and page.isdigit() and 0 < int(page) <= 100_000 else 1
    data = results.page_of(session, number)
    return render(request, "reports/results.html",
                  {"results": data.items, "total": data.total, "page": data.page, "pages": data.pages,
                   "status_labels": results.STATUS_LABELS})


@router.get("/results/feed.atom")
def results_feed(request: Request, session: SessionDep) -> Response:
    """Atom 1.0 feed of the award results (public)."""
    body = results.atom_feed(results.page_of(session, 1).items, base_url=str(request.base_url), now=utcnow())
    return Response(body, media_type=f"{results.ATOM_MEDIA_TYPE}; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=300"})
