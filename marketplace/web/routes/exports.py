"""Exports: the public Atom feed of new challenges and the officers' challenge list (.xlsx)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from marketplace.clock import utcnow
from marketplace.reports import exports
from marketplace.web.deps import CurrentActor, OfficerOnly, SessionDep
from marketplace.web.downloads import download

public_router = APIRouter(include_in_schema=False)
router = APIRouter(include_in_schema=False)


@public_router.get("/challenges/feed.atom")
def challenges_feed(request: Request, session: SessionDep):
    """Atom 1.0 feed of newly published challenges (public)."""
    params, now = request.query_params, utcnow()
    body = exports.atom_feed(exports.feed_challenges(session=session, params=params, now=now),
                             base_url=str(request.base_url), now=now, title=exports.feed_title(params))
    return Response(body, media_type=f"{exports.ATOM_MEDIA_TYPE}; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=300"})


@router.get("/officer/exports/challenges.xlsx", dependencies=[OfficerOnly])
def challenges_xlsx(session: SessionDep, actor: CurrentActor):
    """The full challenge list as a workbook (officers)."""
    body, name, fallback = exports.challenges_xlsx(session=session, actor=actor, now=utcnow())
    return download(body, filename=name, fallback=fallback, media_type=exports.XLSX_MEDIA_TYPE)
