"""The user's own account: password change."""

from __future__ import annotations

from fastapi import APIRouter, Request

from marketplace.accounts import service as accounts
from marketplace.accounts.schemas import PasswordChangeIn
from marketplace.errors import RuleViolation
from marketplace.validation import parse
from marketplace.web import htmx
from marketplace.web.context import flash
from marketplace.web.deps import CurrentActor, SessionDep
from marketplace.web.forms import FormDep
from marketplace.web.forms import accounts as account_forms
from marketplace.web.security import cookie_names
from marketplace.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/account/password")
def password_page(request: Request, actor: CurrentActor):
    """The password-change form."""
    return render(request, "account/password.html", {"errors": {}})


@router.post("/account/password")
def password_submit(request: Request, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Change the password; every session ends, so the user logs in again."""
    try:
        accounts.change_password(session=session, actor=actor,
                                 data=parse(PasswordChangeIn, account_forms.password_change(form)))
    except RuleViolation as exc:
        return render(request, "account/password.html", {"errors": exc.fields, "error": exc.message},
                      block="form", status_code=422)
    response = htmx.redirect(request, "/login")
    response.delete_cookie(cookie_names(request.app.state.settings.is_prod)[0], path="/")
    return flash(response, "密码已修改，所有登录会话已失效，请重新登录")
