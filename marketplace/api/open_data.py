"""Open data API (公开数据): published challenges and their public outcome, paged. No login."""

from __future__ import annotations

from fastapi import APIRouter

from marketplace.reports import opendata
from marketplace.reports.schemas import OpenDataOut
from marketplace.web.deps import SessionDep

router = APIRouter(tags=["open-data"])


@router.get("/open-data/projects", response_model=OpenDataOut)
def open_data_projects(session: SessionDep, page: str = "1", page_size: str = "50") -> OpenDataOut:
    """Published challenges (OCDS-style records; amounts in 元 as decimal strings, currency CNY)."""
    p, size = opendata.parse_paging(page, page_size)
    result = opendata.projects(session, page=p, page_size=size)
    return OpenDataOut(items=result.items, page=result.page, page_size=result.page_size, total=result.total,
                       updated_at=result.updated_at, licence=opendata.LICENCE, publisher=opendata.PUBLISHER,
                       schema_url="/open-data#schema")
