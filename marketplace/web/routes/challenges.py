"""Challenge pages: the public hall (list, search, detail, attachments) and the company's and
bureau's actions. Public routes are on `public_router` because anyone may browse published
challenges; every action is on `router`, which requires login."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from marketplace.bids import queries as bid_queries
from marketplace.challenges import clarifications, files, permissions, queries, service
from marketplace.challenges.invitations import invite as invite_team
from marketplace.challenges.schemas import AnswerIn, ChallengeIn, PublishIn, QuestionIn, ReturnIn, WithdrawIn
from marketplace.errors import Conflict, DomainError, Forbidden, RuleViolation
from marketplace.validation import GENERIC, parse
from marketplace.web import htmx
from marketplace.web.challenge_views import (
    challenge_form_context,
    detail_context,
    list_context,
    officer_list_context,
    values_from_challenge,
)
from marketplace.web.context import flash
from marketplace.web.deps import CurrentActor, OfficerOnly, OptionalActor, SessionDep
from marketplace.web.downloads import file_download
from marketplace.web.forms import FormDep, multipart_form
from marketplace.web.forms.challenges import (
    answer as answer_values,
)
from marketplace.web.forms.challenges import (
    attachment,
    blank_indicator_rows,
    comment,
    edit_indicator_rows,
    form_to_challenge,
    invitation_message,
    question,
    reason,
    row_edit,
    submitting,
)
from marketplace.web.forms.challenges import (
    publish_at as publish_time,
)
from marketplace.web.forms.uploads import uploads_from
from marketplace.web.idempotent import form_once
from marketplace.web.templating import render

public_router = APIRouter(include_in_schema=False)
router = APIRouter(include_in_schema=False)


@public_router.get("/challenges")
def challenge_list(request: Request, session: SessionDep):
    """The challenge hall (榜单大厅): search, filters, sorting, pages. Reads only (no tick here)."""
    flt = queries.ChallengeFilter.from_params(request.query_params)
    chosen = bool(request.query_params.get("sort"))  # else the default: relevance with a query
    return render(request, "challenges/list.html", list_context(session, flt, sort_chosen=chosen),
                  block="results")


@public_router.get("/challenges/{challenge_id:int}")
def challenge_detail(request: Request, challenge_id: int, session: SessionDep, actor: OptionalActor):
    """One challenge, with what this actor may see and do."""
    challenge = queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    return render(request, "challenges/detail.html", detail_context(session, actor, challenge))


@public_router.get("/challenges/{challenge_id:int}/attachments/{attachment_id:int}")
def download(request: Request, challenge_id: int, attachment_id: int, session: SessionDep,
             actor: OptionalActor):
    """Download an attachment (always as an attachment, never rendered inline)."""
    item, path = files.open_attachment(session=session, actor=actor, attachment_id=attachment_id,
                                       uploads_dir=request.app.state.settings.uploads_dir)
    if item.challenge_id != challenge_id:
        raise DomainError("附件不属于该榜单")
    return file_download(path, filename=item.filename, media_type=item.content_type)


@router.get("/challenges/mine")
def my_challenges(request: Request, session: SessionDep, actor: CurrentActor):
    """The company's own challenges in every state."""
    rows = queries.of_organisation(session=session, organisation_id=actor.organisation_id or -1)
    counts = bid_queries.submitted_counts(session=session, challenge_ids=[c.id for c in rows])
    return render(request, "challenges/mine.html", {"challenges": rows, "counts": counts})


@router.get("/challenges/new")
def new_form(request: Request, actor: CurrentActor):
    """The form for a new challenge (发榜)."""
    return render(request, "challenges/form.html", challenge_form_context())


@router.post("/challenges")
def create(request: Request, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Save a new draft; with action=submit also submit it for review."""
    edit = row_edit(form)
    if edit is not None:  # 添加一行 / 删除 (the one-time form token stays unused)
        return render(request, "challenges/form.html", challenge_form_context(**edit_indicator_rows(form, edit)),
                      block="form")
    data = form_to_challenge(form)
    uploads = uploads_from(form)
    settings = request.app.state.settings

    def work() -> tuple[str, Response]:
        submit = submitting(form)
        challenge = files.save_with_attachments(session=session, actor=actor, data=parse(ChallengeIn, data),
                                                and_submit=submit, uploads=uploads,
                                                uploads_dir=settings.uploads_dir, max_bytes=settings.upload_max_bytes)
        target = f"/challenges/{challenge.id}"
        if submit:
            return target, flash(htmx.redirect(request, target), "榜单已提交，等待科技局审核")
        if permissions.awaiting_verification(actor):
            return target, flash(htmx.redirect(request, target), "草稿已保存。单位通过科技局认证后即可提交审核")
        return target, flash(htmx.redirect(request, target), "草稿已保存")

    try:  # a double click or a reload of the same form makes one challenge (one-time form token)
        return form_once(request, session, actor, form, work, waiting="/challenges/mine")
    except RuleViolation as exc:
        blanks = blank_indicator_rows(form)
        ctx = challenge_form_context(data, exc.fields, exc.message, blanks=blanks)
        ctx["files_dropped"] = bool(uploads)
        return render(request, "challenges/form.html", ctx, block="form", status_code=422)
    except Forbidden as exc:
        if not permissions.awaiting_verification(actor):
            raise
        # A company awaiting verification asked to submit: what it typed comes back, not a bare 403.
        message = f"{exc.message}。您填写的内容仍在下方（尚未保存），请点“保存草稿”。"
        ctx = challenge_form_context(data, {}, message, blanks=blank_indicator_rows(form))
        ctx["files_dropped"] = bool(uploads)
        return render(request, "challenges/form.html", ctx, block="form", status_code=403)


@router.get("/challenges/{challenge_id:int}/edit")
def edit_form(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor):
    """Edit form (drafts, returned challenges, and published ones — which go back to review)."""
    challenge = queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    return render(request, "challenges/form.html",
                  challenge_form_context(values_from_challenge(challenge), challenge=challenge))


@router.post("/challenges/{challenge_id:int}/edit")
def edit(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Save changes."""
    challenge = queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    edit = row_edit(form)
    if edit is not None:
        return render(request, "challenges/form.html",
                      challenge_form_context(**edit_indicator_rows(form, edit), challenge=challenge), block="form")
    data = form_to_challenge(form)
    submit = submitting(form) and challenge.status in ("draft", "returned")
    try:
        service.save(session=session, actor=actor, challenge_id=challenge_id, data=parse(ChallengeIn, data),
                     and_submit=submit)
    except RuleViolation as exc:
        return render(request, "challenges/form.html",
                      challenge_form_context(data, exc.fields, exc.message, challenge=challenge,
                                             blanks=blank_indicator_rows(form)),
                      block="form", status_code=422)
    if submit:
        return flash(htmx.redirect(request, f"/challenges/{challenge_id}"), "已提交审核")
    if challenge.pending_change is not None:
        return flash(htmx.redirect(request, f"/challenges/{challenge_id}"),
                     "修改申请已提交科技局；批准前榜单按原内容继续揭榜")
    return flash(htmx.redirect(request, f"/challenges/{challenge_id}"), "已保存")


def _act(request: Request, page_id: int, message: str, fn, *, then=None, **kwargs):
    """Run one command; refusals come back to the challenge page as a flash message."""
    target = f"/challenges/{page_id}"
    try:
        result = fn(**kwargs)
    except (RuleViolation, Conflict) as exc:
        detail = "；".join(exc.fields.values()) if exc.fields and exc.message == GENERIC else exc.message
        return flash(htmx.redirect(request, target), detail, "error")
    return flash(htmx.redirect(request, then(result) if then else target), message)


@router.post("/challenges/{challenge_id:int}/submit")
def submit(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor):
    return _act(request, challenge_id, "已提交审核", service.submit, session=session, actor=actor,
                challenge_id=challenge_id)


@router.post("/challenges/{challenge_id:int}/return")
def return_(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Return with the officer's comments."""
    def run(**kw):
        return service.return_for_changes(**kw, data=parse(ReturnIn, comment(form)))
    return _act(request, challenge_id, "已退回企业修改", run, session=session, actor=actor,
                challenge_id=challenge_id)


@router.post("/challenges/{challenge_id:int}/publish")
def publish(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Publish now or at the given time."""
    publish_at = publish_time(form)
    def run(**kw):
        return service.publish(**kw, data=parse(PublishIn, {"publish_at": publish_at}))
    return _act(request, challenge_id, "已审核通过" + ("，将定时发布" if publish_at else "并发布"), run,
                session=session, actor=actor, challenge_id=challenge_id)


@router.post("/challenges/{challenge_id:int}/withdraw")
def withdraw(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    def run(**kw):
        return service.withdraw(**kw, data=parse(WithdrawIn, reason(form)))
    return _act(request, challenge_id, "已撤榜", run, session=session, actor=actor, challenge_id=challenge_id)


@router.post("/challenges/{challenge_id:int}/request-withdrawal")
def request_withdrawal(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor,
                       form: FormDep):
    def run(**kw):
        return service.request_withdrawal(**kw, data=parse(WithdrawIn, reason(form)))
    return _act(request, challenge_id, "撤榜申请已提交科技局", run, session=session, actor=actor,
                challenge_id=challenge_id)


@router.post("/challenges/{challenge_id:int}/approve-withdrawal", dependencies=[OfficerOnly])
def approve_withdrawal(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor):
    return _act(request, challenge_id, "已批准撤榜，并已通知揭榜团队", service.approve_withdrawal,
                session=session, actor=actor, challenge_id=challenge_id)


@router.post("/challenges/{challenge_id:int}/approve-change", dependencies=[OfficerOnly])
def approve_change(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor):
    return _act(request, challenge_id, "已批准修改，并已通知揭榜团队", service.approve_change,
                session=session, actor=actor, challenge_id=challenge_id)


@router.post("/challenges/{challenge_id:int}/reject-change", dependencies=[OfficerOnly])
def reject_change(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    def run(**kw):
        return service.reject_change(**kw, data=parse(ReturnIn, comment(form)))
    return _act(request, challenge_id, "已驳回修改申请", run, session=session, actor=actor,
                challenge_id=challenge_id)


@router.post("/challenges/{challenge_id:int}/relist")
def relist(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor):
    return _act(request, challenge_id, "已生成新的榜单草稿，请修改截止时间后提交", service.relist,
                then=lambda draft: f"/challenges/{draft.id}/edit", session=session, actor=actor,
                challenge_id=challenge_id)


@router.post("/challenges/{challenge_id:int}/questions")
def ask(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    def run(**kw):
        return clarifications.ask(**kw, data=parse(QuestionIn, question(form)))

    def work() -> tuple[str, Response]:
        response = _act(request, challenge_id, "提问已提交，企业答复后将公开", run, session=session, actor=actor,
                        challenge_id=challenge_id)
        return f"/challenges/{challenge_id}#qa", response

    return form_once(request, session, actor, form, work, waiting=f"/challenges/{challenge_id}")


@router.post("/clarifications/{clarification_id:int}/answer")
def answer(request: Request, clarification_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    item = clarifications.answer(session=session, actor=actor, clarification_id=clarification_id,
                                 data=parse(AnswerIn, answer_values(form)))
    return flash(htmx.redirect(request, f"/challenges/{item.challenge_id}#qa"), "答复已公开")


@router.post("/challenges/{challenge_id:int}/accept-terms")
def accept_terms(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor):
    return _act(request, challenge_id, "已签署保密承诺，可查看保密附件", files.accept_terms,
                session=session, actor=actor, challenge_id=challenge_id)


@router.post("/challenges/{challenge_id:int}/attachments")
async def upload(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor):
    """Upload an attachment (multipart; the CSRF field comes before the file)."""
    item, confidential = attachment(await multipart_form(request))
    if item is None:
        return flash(htmx.redirect(request, f"/challenges/{challenge_id}"), "请选择文件", "error")
    upload_ = files.Upload(filename=item.filename or "", data=await item.read())
    settings = request.app.state.settings
    return _act(request, challenge_id, "附件已上传", files.add_attachment, session=session, actor=actor,
                challenge_id=challenge_id, upload=upload_, confidential=confidential,
                uploads_dir=settings.uploads_dir, max_bytes=settings.upload_max_bytes)


@router.post("/challenges/{challenge_id:int}/invite/{team_id:int}")
def invite(request: Request, challenge_id: int, team_id: int, session: SessionDep, actor: CurrentActor,
           form: FormDep):
    """Invite a recommended team to bid, with a message (the team is notified)."""
    note = invitation_message(form)
    return _act(request, challenge_id, "已邀请该团队揭榜",
                lambda **kw: invite_team(**kw, message=note), session=session, actor=actor,
                challenge_id=challenge_id, team_id=team_id)


@router.get("/officer/challenges", dependencies=[OfficerOnly])
def review_queue(request: Request, session: SessionDep, actor: CurrentActor):
    """The bureau's queues (submitted challenges, change and withdrawal requests) and every challenge,
    a page at a time with filters (the same listing query as the hall, in every state)."""
    return render(request, "challenges/officer.html", officer_list_context(session, actor, request.query_params),
                  block="results")
