"""The user's own account: password change; join requests to the user's organisation."""

from __future__ import annotations

from fastapi import APIRouter, Request

from marketplace.accounts import evidence
from marketplace.accounts import queries as account_queries
from marketplace.accounts import service as accounts
from marketplace.accounts.models import ROLE_LABELS
from marketplace.accounts.schemas import PasswordChangeIn
from marketplace.auth import joins
from marketplace.errors import Conflict, Forbidden, NotFound, RuleViolation
from marketplace.uploads import Upload
from marketplace.validation import parse
from marketplace.web import htmx
from marketplace.web.context import flash
from marketplace.web.deps import CurrentActor, SessionDep
from marketplace.web.downloads import file_download
from marketplace.web.forms import FormDep, multipart_form
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


@router.get("/organisation/join-requests")
def join_requests(request: Request, session: SessionDep, actor: CurrentActor):
    """Join requests of colleagues registering with this organisation's 统一社会信用代码 (bureau: all)."""
    return render(request, "account/join_requests.html",
                  {"pending": joins.pending_for(session=session, actor=actor), "role_labels": ROLE_LABELS})


@router.post("/organisation/join-requests/{request_id}")
def join_decide(request: Request, request_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Approve or reject one join request (a plain form; the first decision wins)."""
    approve, reason = account_forms.join_decision(form)
    try:
        joins.decide(session=session, actor=actor, request_id=request_id, approve=approve, reason=reason)
    except (RuleViolation, Conflict, NotFound) as exc:
        return flash(htmx.redirect(request, "/organisation/join-requests"),
                     exc.fields.get("reason", exc.message) if isinstance(exc, RuleViolation) else exc.message,
                     "error")
    return flash(htmx.redirect(request, "/organisation/join-requests"), "已同意加入" if approve else "已拒绝该申请")


@router.get("/organisation/evidence")
def evidence_page(request: Request, session: SessionDep, actor: CurrentActor):
    """The organisation's verification evidence: legal representative and business licence."""
    if actor.organisation_id is None:
        raise NotFound("您的账号不属于任何单位")
    org = account_queries.get_organisation(session=session, organisation_id=actor.organisation_id)
    return render(request, "account/evidence.html", {"org": org, "errors": {}, "error": "",
                                                     "can_give": evidence.can_give(actor, org)})


@router.post("/organisation/evidence")
async def evidence_submit(request: Request, session: SessionDep, actor: CurrentActor):
    """Record the legal representative and upload the licence (multipart; the CSRF field first)."""
    rep, item = account_forms.evidence(await multipart_form(request))
    upload = Upload(filename=item.filename or "", data=await item.read()) if item is not None else None
    settings = request.app.state.settings
    try:
        evidence.give(session=session, actor=actor, organisation_id=actor.organisation_id or 0,
                      legal_representative=rep, upload=upload,
                      uploads_dir=settings.uploads_dir, max_bytes=settings.upload_max_bytes)
    except (RuleViolation, Conflict, Forbidden, NotFound) as exc:
        org = account_queries.get_organisation(session=session, organisation_id=actor.organisation_id or 0)
        status = 422 if isinstance(exc, RuleViolation) else 409 if isinstance(exc, Conflict) else 403
        return render(request, "account/evidence.html",
                      {"org": org, "errors": getattr(exc, "fields", {}), "error": exc.message,
                       "can_give": evidence.can_give(actor, org)}, status_code=status)
    return flash(htmx.redirect(request, "/organisation/evidence"), "认证材料已提交，科技局将据此认证本单位")


@router.get("/organisations/{organisation_id}/licence")
def licence_download(request: Request, organisation_id: int, session: SessionDep, actor: CurrentActor):
    """The licence file (officers and the organisation's own users), always as a download."""
    org, path, media = evidence.open_licence(session=session, actor=actor, organisation_id=organisation_id,
                                             uploads_dir=request.app.state.settings.uploads_dir)
    return file_download(path, filename=org.licence_filename, media_type=media)
