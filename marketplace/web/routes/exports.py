"""Exports: the public Atom feed of new challenges and the officers' challenge list (.xlsx)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import Response

from marketplace import exports
from marketplace.clock import utcnow
from marketplace.web.deps import CurrentActor, OfficerOnly, SessionDep

public_router = APIRouter(include_in_schema=False)
router = APIRouter(include_in_schema=False)


def content_disposition(filename: str, fallback: str) -> str:
    """`attachment` with an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 5987 filename*)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@public_router.get("/challenges/feed.atom")
def challenges_feed(request: Request, session: SessionDep):
    """Atom 1.0 feed of newly published challenges (public)."""
    body = exports.atom_feed(exports.feed_challenges(session=session),
                             base_url=str(request.base_url), now=utcnow())
    return Response(body, media_type=f"{exports.ATOM_MEDIA_TYPE}; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=300"})


def _challenges_xlsx(session, actor) -> Response:  # noqa: ANN001
    rows = exports.challenge_rows(session=session, actor=actor)
    now = utcnow()
    names = [exports.export_filename(prefix, now, ".xlsx") for prefix in ("榜单清单", "challenges")]
    return Response(exports.challenges_workbook(rows), media_type=exports.XLSX_MEDIA_TYPE,
                    headers={"Content-Disposition": content_disposition(*names)})


@router.get("/officer/exports/challenges.xlsx", dependencies=[OfficerOnly])
def challenges_xlsx(session: SessionDep, actor: CurrentActor):
    """The full challenge list as a workbook (officers)."""
    return _challenges_xlsx(session, actor)


@router.get("/api/v1/exports/challenges.xlsx", dependencies=[OfficerOnly])
def challenges_xlsx_api(session: SessionDep, actor: CurrentActor):
    """The same workbook for scripts with a bearer token (officers)."""
    return _challenges_xlsx(session, actor)
