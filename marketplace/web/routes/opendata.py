"""Open data pages: the schema, licence and update date, and the CSV download. No login."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from marketplace.reports import opendata
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
