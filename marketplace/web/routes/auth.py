"""Login, logout and self-registration pages (public by nature)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from marketplace.accounts import evidence
from marketplace.accounts.models import REGION_LABELS
from marketplace.accounts.schemas import RegistrationIn
from marketplace.accounts.validators import GUANGZHOU_DISTRICTS, QUALIFICATIONS
from marketplace.auth import joins
from marketplace.auth import service as auth
from marketplace.errors import Conflict, RateLimited, RuleViolation, Unauthenticated
from marketplace.industries import INDUSTRIES
from marketplace.validation import parse
from marketplace.web import htmx
from marketplace.web.context import flash
from marketplace.web.deps import OptionalActor, SessionDep, client_address, session_token
from marketplace.web.forms import FormDep
from marketplace.web.forms import accounts as account_forms
from marketplace.web.idempotent import form_once
from marketplace.web.redirect_target import same_site_path
from marketplace.web.security import cookie_names
from marketplace.web.templating import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """After login: the requested page when it is on this site, the dashboard when none was asked."""
    return same_site_path(target) if target else "/dashboard"


@router.get("/login")
def login_page(request: Request, next: str | None = None):  # noqa: A002
    """The login form."""
    return render(request, "auth/login.html", {"next": _safe_next(next), "account": ""})


@router.post("/login")
def login_submit(request: Request, session: SessionDep, form: FormDep):
    """Check credentials; on success set the session cookie and go on."""
    account, password, next_ = account_forms.login(form)
    target = _safe_next(next_)
    try:
        _user, token = auth.login(session=session, account=account, password=password,
                                  address=client_address(request))
    except (Unauthenticated, RateLimited) as exc:
        status = 429 if isinstance(exc, RateLimited) else 401
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return render(request, "auth/login.html", {"error": exc.message, "next": target,
                                                   "account": account},
                      block="form", status_code=status, headers=headers)
    response = htmx.redirect(request, target)
    settings = request.app.state.settings
    response.set_cookie(cookie_names(settings.is_prod)[0], token, httponly=True, samesite="lax",
                        secure=settings.is_prod, path="/",
                        max_age=settings.session_absolute_hours * 3600)
    return flash(response, "登录成功")


@router.post("/logout")
def logout(request: Request, session: SessionDep, actor: OptionalActor):
    """End this session (server-side) and clear the cookie."""
    token = session_token(request)
    if token:
        auth.logout(session=session, actor=actor, token=token)
    response = htmx.redirect(request, "/")
    response.delete_cookie(cookie_names(request.app.state.settings.is_prod)[0], path="/")
    return flash(response, "已退出登录")


def _register_context(values: dict | None = None, errors: dict | None = None, message: str = "") -> dict:
    return {"values": values or {}, "errors": errors or {}, "error": message,
            "districts": GUANGZHOU_DISTRICTS, "qualifications": QUALIFICATIONS,
            "industries": INDUSTRIES, "regions": list(REGION_LABELS.items())}


@router.get("/register")
def register_page(request: Request):
    """Self-registration for companies and research teams."""
    return render(request, "auth/register.html", _register_context())


@router.post("/register")
def register_submit(request: Request, session: SessionDep, form: FormDep) -> Response:
    """Create a pending organisation and its first account."""
    data = account_forms.registration(form)
    licence = account_forms.registration_licence(form)
    settings = request.app.state.settings

    def work() -> tuple[str, Response]:
        parsed, address = parse(RegistrationIn, data), client_address(request)
        if address is not None:  # counted on its own, even when the registration fails
            joins.note_registration(session=session, address=address)
        user = evidence.register_with_licence(
            session=session, register=lambda: joins.register(session=session, data=parsed), upload=licence,
            uploads_dir=settings.uploads_dir, max_bytes=settings.upload_max_bytes)
        message = ("注册成功。单位信息将由科技局审核认证，认证通过前可以登录查看，但不能发榜或揭榜。"
                   + ("营业执照已随注册提交。" if licence else
                      "登录后请在“单位认证材料”上传营业执照或法人证书，便于科技局尽快认证。"))
        if not user.is_active:  # the 统一社会信用代码 is registered: a join request (加入已注册单位)
            message = ("该单位已在平台注册，已向本单位已认证的账号和科技局提交您的加入申请；"
                       "同意后将通过站内信和邮件通知您，届时即可登录。")
        return "/login", flash(htmx.redirect(request, "/login"), message)

    try:  # a double click makes one account; the replay goes to the login page
        return form_once(request, session, None, form, work, address=client_address(request), waiting="/login")
    except (RuleViolation, Conflict, RateLimited) as exc:
        data.pop("password", None)
        status = {Conflict: 409, RateLimited: 429}.get(type(exc), 422)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return render(request, "auth/register.html", _register_context(data, exc.fields, exc.message),
                      block="form", status_code=status, headers=headers)
