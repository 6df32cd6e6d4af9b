"""Password reset over the API: ask for a link (always the same answer), then set the password with the token."""

from __future__ import annotations

from fastapi import APIRouter, Request

from marketplace.accounts.schemas import MessageOut, PasswordResetIn, PasswordResetRequestIn
from marketplace.api.schemas import ErrorOut
from marketplace.auth import reset
from marketplace.web.deps import SessionDep, client_address

router = APIRouter(tags=["auth"], responses={c: {"model": ErrorOut} for c in (422, 429)})


@router.post("/auth/password-reset", response_model=MessageOut, status_code=202)
def request_password_reset(data: PasswordResetRequestIn, request: Request, session: SessionDep) -> MessageOut:
    """Queue a reset e-mail if the account exists; the answer never says whether it does."""
    return MessageOut(message=reset.request_reset(session=session, account=data.account,
                                                  address=client_address(request), base_url=str(request.base_url)))


@router.post("/auth/password-reset/confirm", status_code=204)
def confirm_password_reset(data: PasswordResetIn, session: SessionDep) -> None:
    """Set the new password; the token works once and every session of the user ends."""
    reset.reset_password(session=session, token=data.token, new_password=data.new_password)
