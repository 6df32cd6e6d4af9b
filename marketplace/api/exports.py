"""/api/v1 exports: the officers' challenge list workbook for scripts with a bearer token."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from marketplace.clock import utcnow
from marketplace.reports import exports
from marketplace.web.deps import CurrentActor, OfficerOnly, SessionDep, current_actor
from marketplace.web.downloads import download

router = APIRouter(include_in_schema=False, dependencies=[Depends(current_actor)])


@router.get("/exports/challenges.xlsx", dependencies=[OfficerOnly])
def challenges_xlsx(session: SessionDep, actor: CurrentActor):
    """The same workbook as /officer/exports/challenges.xlsx (officers)."""
    body, name, fallback = exports.challenges_xlsx(session=session, actor=actor, now=utcnow())
    return download(body, filename=name, fallback=fallback, media_type=exports.XLSX_MEDIA_TYPE)
