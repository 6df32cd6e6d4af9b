"""Pages: drafting, submitting and withdrawing bids (揭榜方案); formal review and export (officers)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from marketplace.accounts import queries as account_queries
from marketplace.accounts.models import Organisation, TeamProfile
from marketplace.bids import export, partners, permissions, queries, supplements
from marketplace.bids import files as bid_files
from marketplace.bids import service as bids
from marketplace.bids.models import (
    BID_STATUS_LABELS,
    PARTNER_STATUS_LABELS,
    Bid,
    BidStatus,
    receipt_code,
    status_label,
)
from marketplace.bids.schemas import BidIn, PartnerAnswerIn, ReviewCorrectionIn, ReviewIn, SupplementRequestIn
from marketplace.challenges import queries as challenge_queries
from marketplace.challenges.models import Challenge
from marketplace.clock import utcnow
from marketplace.credit import service as credit
from marketplace.errors import Conflict, RuleViolation
from marketplace.money import plain_yuan
from marketplace.reviews import affinity
from marketplace.validation import parse
from marketplace.web import htmx
from marketplace.web.context import flash
from marketplace.web.deps import CurrentActor, OfficerOnly, SessionDep
from marketplace.web.downloads import download, file_download
from marketplace.web.forms import FormDep
from marketplace.web.forms.bids import (
    MONEY_FIELDS,
    ROWS,
    TEXT_FIELDS,
    edit_rows,
    form_to_data,
    partner_answer_values,
    review_values,
    row_edit,
    submitting,
    supplement_request_values,
)
from marketplace.web.forms.bids import (
    blanks as form_blanks,
)
from marketplace.web.forms.uploads import uploads_from
from marketplace.web.templating import render, templates

router = APIRouter(include_in_schema=False)
public_router = APIRouter(include_in_schema=False)  # nothing about bids is public

templates.env.filters.setdefault("bid_status", lambda s, sealed=False: status_label(s, sealed=sealed))
templates.env.filters.setdefault("receipt_code", receipt_code)


def bid_values(bid: Bid) -> dict:
    """A stored bid as form values."""
    values = bid.model_dump()
    for money in MONEY_FIELDS:
        values[money] = plain_yuan(getattr(bid, money.replace("_yuan", "_fen")))
    return values


def _new_values(session, actor) -> dict:
    """A new bid starts with the team profile this user manages, if any."""
    own = account_queries.team_owned_by(session=session, user_id=actor.user_id)
    return {"team_id": own} if own else {}


def _form_ctx(session, actor, challenge: Challenge, bid: Bid | None, values: dict,
              errors: dict | None = None, error: str = "", blanks: dict | None = None) -> dict:
    return {"challenge": challenge, "bid": bid, "values": values, "errors": errors or {}, "error": error,
            "teams": queries.teams_of(session=session, actor=actor),
            "partner_orgs": queries.partner_choices(
                session=session, exclude=(actor.organisation_id, challenge.organisation_id)),
            "indicator_names": [i.get("name") for i in challenge.indicators], "blank": blanks or form_blanks(None),
            "attachments": bid_files.of_bid(session=session, bid=bid) if bid else []}


def _biddable(session, actor, challenge_id: int) -> Challenge:
    return bids.open_challenge(session=session, actor=actor, challenge_id=challenge_id, now=utcnow())


@router.get("/bids/mine")
def bids_mine(request: Request, session: SessionDep, actor: CurrentActor):
    """The bids of the actor's organisation (我的揭榜)."""
    rows = queries.mine(session=session, actor=actor)
    challenges = {c.id: c for c in (session.get(Challenge, b.challenge_id) for b in rows) if c}
    titles = {i: c.title for i, c in challenges.items()}
    teams = queries.names(session=session, model=TeamProfile, ids={b.team_id for b in rows})
    now = utcnow()
    sealed_ids = {b.id for b in rows if b.challenge_id in challenges
                  and permissions.is_sealed(b, challenges[b.challenge_id], now)}
    return render(request, "bids/mine.html", {"bids": rows, "titles": titles, "teams": teams,
                                              "sealed_ids": sealed_ids}, block="content")


@router.get("/challenges/{challenge_id}/bid")
def bid_form(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor):
    """New or edit form for the actor's bid on a challenge."""
    challenge = _biddable(session, actor, challenge_id)
    bid = queries.live_bid_of(session=session, actor=actor, challenge=challenge)
    values = bid_values(bid) if bid else _new_values(session, actor)
    withdrawn = None if bid else queries.last_withdrawn_of(session=session, actor=actor, challenge=challenge)
    reused = withdrawn is not None and request.query_params.get("from") == "withdrawn"
    if reused:  # start again from the withdrawn bid's content (a new bid; the withdrawn one stays as it was)
        values = {k: v for k, v in bid_values(withdrawn).items() if k in (*TEXT_FIELDS, *ROWS, "declare_conflicts")}
    ctx = _form_ctx(session, actor, challenge, bid, values)
    ctx.update(withdrawn=withdrawn, reused=reused)
    return render(request, "bids/form.html", ctx, block="form")


@router.post("/challenges/{challenge_id}/bid")
def bid_save(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Save the draft, or submit it when the submit button was pressed."""
    challenge = _biddable(session, actor, challenge_id)
    live = queries.live_bid_of(session=session, actor=actor, challenge=challenge)
    edit = row_edit(form)
    if edit is not None:  # 添加一行 / 删除: re-render with the rows changed, save nothing
        data, blanks, message = edit_rows(form, edit)
        ctx = _form_ctx(session, actor, challenge, live, data, error=message, blanks=blanks)
        return render(request, "bids/form.html", ctx, block="form")
    data = form_to_data(form)
    settings = request.app.state.settings
    uploads = uploads_from(form)
    try:
        bid = bids.save_with_files(session=session, actor=actor, challenge_id=challenge.id,
                                   data=parse(BidIn, data), submit=submitting(form),
                                   bid_id=live.id if live else None, uploads=uploads,
                                   uploads_dir=settings.uploads_dir, max_bytes=settings.upload_max_bytes)
    except RuleViolation as exc:
        ctx = _form_ctx(session, actor, challenge, live, data, exc.fields, exc.message, blanks=form_blanks(form))
        ctx["files_dropped"] = bool(uploads)
        return render(request, "bids/form.html", ctx, block="form", status_code=422)
    sealed = bid.status == BidStatus.SUBMITTED
    message = f"揭榜方案已提交并密封，回执编号：{receipt_code(bid.receipt_hash)}" if sealed else "草稿已保存"
    return flash(htmx.redirect(request, f"/bids/{bid.id}"), message)


@router.get("/bids/{bid_id}")
def bid_detail(request: Request, bid_id: int, session: SessionDep, actor: CurrentActor):
    """One bid with its receipt and status (its team; the company and officers after the deadline)."""
    now = utcnow()
    bid, challenge = queries.with_challenge(session=session, actor=actor, bid_id=bid_id, now=now)
    orgs = queries.names(session=session, model=Organisation,
                         ids={bid.organisation_id} | {p["organisation_id"] for p in bid.partners})
    confirmations = partners.rows_of(session, bid.id)
    ctx = {"bid": bid, "challenge": challenge, "orgs": orgs, "now": now,
           "sealed": permissions.is_sealed(bid, challenge, now),
           "attachments": bid_files.of_bid(session=session, bid=bid),
           "confirmations": {r.organisation_id: r for r in confirmations},
           "consortium": partners.consortium_state(bid, confirmations),
           "can_supplement": permissions.can_supplement(actor, bid, now),
           "team": session.get(TeamProfile, bid.team_id), "own": permissions.is_own(actor, bid),
           "bid_actions": permissions.bid_actions(actor, bid, challenge, now),
           "over_offered": permissions.is_own(actor, bid) and permissions.over_offered(bid, challenge)}
    return render(request, "bids/detail.html", ctx, block="content")


@router.post("/bids/{bid_id}/submit")
def bid_submit(request: Request, bid_id: int, session: SessionDep, actor: CurrentActor):
    """Submit a draft (sealed until the deadline)."""
    try:
        bid = bids.submit(session=session, actor=actor, bid_id=bid_id)
    except RuleViolation as exc:
        return flash(htmx.redirect(request, f"/bids/{bid_id}"), _first(exc), "error")
    message = f"揭榜方案已提交并密封，回执编号：{receipt_code(bid.receipt_hash)}"
    return flash(htmx.redirect(request, f"/bids/{bid.id}"), message)


@router.post("/bids/{bid_id}/withdraw")
def bid_withdraw(request: Request, bid_id: int, session: SessionDep, actor: CurrentActor):
    """Withdraw a bid before the deadline."""
    bid = bids.withdraw(session=session, actor=actor, bid_id=bid_id)
    return flash(htmx.redirect(request, f"/bids/{bid.id}"), "揭榜方案已撤回")


def _first(exc: RuleViolation) -> str:
    return "；".join([exc.message, *exc.fields.values()])


@router.get("/officer/challenges/{challenge_id}/review", dependencies=[OfficerOnly])
def review_page(request: Request, challenge_id: int, session: SessionDep, actor: CurrentActor):
    """Formal review (形式审查) of the bids on a closed challenge."""
    now = utcnow()
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    allowed, reason = permissions.can_review(actor, challenge, now)
    if not allowed:
        raise Conflict(reason)
    rows = queries.visible_on_challenge(session=session, actor=actor, challenge=challenge, now=now)
    teams = queries.names(session=session, model=TeamProfile, ids={b.team_id for b in rows})
    orgs = queries.names(session=session, model=Organisation, ids={b.organisation_id for b in rows})
    experts = {b.id: affinity.experts_for_bid(session=session, bid=b, challenge=challenge) for b in rows}
    consortium = {b.id: partners.consortium_state(b, partners.rows_of(session, b.id)) for b in rows}
    supplement_files = {b.id: [a for a in bid_files.of_bid(session=session, bid=b) if a.supplement] for b in rows}
    credit_memory = credit.memories(session=session, actor=actor, organisation_ids={b.organisation_id for b in rows})
    return render(request, "bids/review.html", {"challenge": challenge, "bids": rows, "teams": teams,
                                                "orgs": orgs, "experts": experts, "credit": credit_memory,
                                                "consortium": consortium, "supplement_files": supplement_files,
                                                "consortium_labels": partners.CONSORTIUM_LABELS},
                  block="content")


def _confirm(request: Request, session, actor, bid_id: int, *, correction: bool, data: dict):
    """The confirmation step (a page, no JavaScript needed): nothing is written until 确认 is pressed."""
    bid = queries.get_for(session=session, actor=actor, bid_id=bid_id, now=utcnow())
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=bid.challenge_id)
    return render(request, "bids/review_confirm.html",
                  {"bid": bid, "challenge": challenge, "correction": correction, "qualified": data["qualified"],
                   "reason": data["reason"], "team": queries.names(session=session, model=TeamProfile,
                                                                   ids={bid.team_id}).get(bid.team_id, "—")})


def _review(request: Request, bid_id: int, session, actor, form, *, correction: bool):
    data, confirmed = review_values(form)
    try:
        parsed = parse(ReviewCorrectionIn if correction else ReviewIn, data)
        if not confirmed:
            return _confirm(request, session, actor, bid_id, correction=correction, data=data)
        if correction:
            bid = bids.correct_review(session=session, actor=actor, bid_id=bid_id, data=parsed)
        else:
            bid = bids.review(session=session, actor=actor, bid_id=bid_id, data=parsed)
    except (RuleViolation, Conflict) as exc:
        bid = queries.get_for(session=session, actor=actor, bid_id=bid_id, now=utcnow())
        target = f"/officer/challenges/{bid.challenge_id}/review"
        message = _first(exc) if isinstance(exc, RuleViolation) else exc.message
        if correction and isinstance(exc, RuleViolation):
            message = "更正形式审查结论必须填写理由"
        return flash(htmx.redirect(request, target), message, "error")
    done = "已更正为" if correction else ""
    message = f"方案 #{bid.id}：{done}{BID_STATUS_LABELS[bid.status]}"
    return flash(htmx.redirect(request, f"/officer/challenges/{bid.challenge_id}/review"), message)


@router.post("/officer/bids/{bid_id}/review", dependencies=[OfficerOnly])
def review_save(request: Request, bid_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Mark one bid qualified or disqualified: first a confirmation page, then (confirm=1) the decision."""
    return _review(request, bid_id, session, actor, form, correction=False)


@router.post("/officer/bids/{bid_id}/review/correction", dependencies=[OfficerOnly])
def review_correct(request: Request, bid_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Correct a conclusion with a reason before expert review starts (confirmed the same way)."""
    return _review(request, bid_id, session, actor, form, correction=True)


@router.get("/officer/challenges/{challenge_id}/bids.xlsx", dependencies=[OfficerOnly])
def bids_xlsx(challenge_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    """Download the bid summary of a closed challenge (.xlsx)."""
    content = export.summary_xlsx(session=session, actor=actor, challenge_id=challenge_id, now=utcnow())
    return download(content, filename=f"揭榜方案汇总_榜单{challenge_id}.xlsx",
                    fallback=f"challenge-{challenge_id}-bids.xlsx", media_type=export.MEDIA_TYPE)


@router.get("/bids/{bid_id}/attachments/{attachment_id}")
def bid_attachment(request: Request, bid_id: int, attachment_id: int, session: SessionDep, actor: CurrentActor):
    """Download a bid's file (whoever may read the bid; always as an attachment)."""
    item, path = bid_files.open_attachment(session=session, actor=actor, bid_id=bid_id, attachment_id=attachment_id,
                                           uploads_dir=request.app.state.settings.uploads_dir)
    return file_download(path, filename=item.filename, media_type=item.content_type)


# ---------------------------------------------------------------- 补正
@router.post("/officer/bids/{bid_id}/supplement-request", dependencies=[OfficerOnly])
def supplement_request(request: Request, bid_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Open a 补正 window on a disqualified bid (deadline in Beijing time, what is missing)."""
    bid = queries.get_for(session=session, actor=actor, bid_id=bid_id, now=utcnow())
    target = f"/officer/challenges/{bid.challenge_id}/review"
    data = supplement_request_values(form)
    try:
        supplements.request(session=session, actor=actor, bid_id=bid_id, data=parse(SupplementRequestIn, data))
    except (RuleViolation, Conflict) as exc:
        return flash(htmx.redirect(request, target), _first(exc), "error")
    return flash(htmx.redirect(request, target), f"已要求方案 #{bid_id} 补正，并已通知揭榜团队")


@router.post("/bids/{bid_id}/supplement")
def supplement_submit(request: Request, bid_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """The team uploads the missing documents and hands them in (within the window)."""
    settings = request.app.state.settings
    try:
        supplements.supplement(session=session, actor=actor, bid_id=bid_id, uploads=uploads_from(form),
                               uploads_dir=settings.uploads_dir, max_bytes=settings.upload_max_bytes)
    except (RuleViolation, Conflict) as exc:
        return flash(htmx.redirect(request, f"/bids/{bid_id}"), _first(exc), "error")
    return flash(htmx.redirect(request, f"/bids/{bid_id}"), "补正材料已提交，等待科技局重新审查")


# ---------------------------------------------------------------- consortium partners
@router.get("/partner-requests")
def partner_requests(request: Request, session: SessionDep, actor: CurrentActor):
    """The consortium requests addressed to the actor's organisation (确认参与及份额)."""
    rows = partners.for_organisation(session=session, actor=actor)
    leads = queries.names(session=session, model=Organisation, ids={b.organisation_id for _, b, _ in rows})
    teams = queries.names(session=session, model=TeamProfile, ids={b.team_id for _, b, _ in rows})
    answerable = {r.id for r, b, _ in rows if permissions.can_answer_partner(actor, r, b)[0]}
    return render(request, "bids/partner_requests.html",
                  {"rows": rows, "leads": leads, "teams": teams, "answerable": answerable,
                   "labels": PARTNER_STATUS_LABELS}, block="content")


@router.post("/partner-requests/{confirmation_id}")
def partner_answer(request: Request, confirmation_id: int, session: SessionDep, actor: CurrentActor,
                   form: FormDep):
    """Confirm or decline (decision=confirm|decline, reason when declining)."""
    data = partner_answer_values(form)
    try:
        row = partners.answer(session=session, actor=actor, confirmation_id=confirmation_id,
                              data=parse(PartnerAnswerIn, data))
    except (RuleViolation, Conflict) as exc:
        return flash(htmx.redirect(request, "/partner-requests"), _first(exc), "error")
    message = "已确认参与，牵头单位已收到通知" if row.status == "confirmed" else "已拒绝参与，牵头单位已收到通知"
    return flash(htmx.redirect(request, "/partner-requests"), message)
