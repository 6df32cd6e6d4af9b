"""/api/v1 auth: API tokens for scripts (issue with account and password, revoke)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from marketplace.api.schemas import ErrorOut
from marketplace.auth import service as auth
from marketplace.auth.schemas import TokenIn, TokenOut
from marketplace.web.deps import CurrentActor, SessionDep, bearer_token, client_address, current_actor

ERRORS = {code: {"model": ErrorOut} for code in (401, 403, 404, 409, 422, 429)}
router = APIRouter(responses=ERRORS)
authed = APIRouter(dependencies=[Depends(current_actor)], responses=ERRORS)


@router.post("/auth/token", response_model=TokenOut, tags=["auth"])
def issue_token(data: TokenIn, request: Request, session: SessionDep) -> TokenOut:
    """Log a script in with account and password; returns a revocable bearer token."""
    token = auth.issue_api_token(session=session, account=data.account, password=data.password,
                                 address=client_address(request), label=data.label)
    return TokenOut(token=token)


@authed.delete("/auth/token", status_code=204, tags=["auth"])
def revoke_token(request: Request, session: SessionDep, actor: CurrentActor) -> None:
    """Revoke the bearer token used for this request."""
    token = bearer_token(request)
    if token:
        auth.logout(session=session, actor=actor, token=token)


router.include_router(authed)
