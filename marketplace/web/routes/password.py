"""找回密码: ask for a reset link, then set a new password with it (public pages)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse

from marketplace.accounts.schemas import PasswordResetIn, PasswordResetRequestIn
from marketplace.auth import reset
from marketplace.errors import RateLimited, RuleViolation
from marketplace.validation import parse
from marketplace.web.context import flash
from marketplace.web.deps import SessionDep, client_address
from marketplace.web.forms import FormDep
from marketplace.web.forms import accounts as account_forms
from marketplace.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/password/forgot")
def forgot_page(request: Request):
    return render(request, "auth/forgot.html", {"account": "", "sent": None})


@router.post("/password/forgot")
def forgot_submit(request: Request, session: SessionDep, form: FormDep):
    account = account_forms.reset_account(form)
    try:
        data = parse(PasswordResetRequestIn, {"account": account})
        sent = reset.request_reset(session=session, account=data.account, address=client_address(request),
                                   base_url=str(request.base_url))
    except RuleViolation as exc:
        return render(request, "auth/forgot.html", {"account": account, "error": exc.message, "sent": None},
                      status_code=422)
    except RateLimited as exc:
        return render(request, "auth/forgot.html", {"account": account, "error": exc.message, "sent": None},
                      status_code=429, headers={"Retry-After": str(exc.retry_after)})
    return render(request, "auth/forgot.html", {"account": "", "sent": sent})


@router.get("/password/reset")
def reset_page(request: Request, session: SessionDep, token: str = ""):
    usable = bool(token) and len(token) <= 100 and reset.token_is_usable(session=session, token=token)
    return render(request, "auth/reset.html", {"token": token, "usable": usable, "errors": {}},
                  status_code=200 if usable else 410)


@router.post("/password/reset")
def reset_submit(request: Request, session: SessionDep, form: FormDep):
    token, password, again = account_forms.password_reset(form)
    if password != again:
        return render(request, "auth/reset.html", {"token": token, "usable": True,
                                                   "errors": {"new_password_again": "两次输入的密码不一致"}},
                      status_code=422)
    try:
        reset.reset_password(session=session, **parse(PasswordResetIn, {"token": token, "new_password": password})
                             .model_dump())
    except RuleViolation as exc:
        usable = reset.token_is_usable(session=session, token=token)
        return render(request, "auth/reset.html", {"token": token, "usable": usable, "error": exc.message,
                                                   "errors": exc.fields or {}}, status_code=422)
    return flash(RedirectResponse("/login", status_code=303), "密码已重置，请用新密码登录")
