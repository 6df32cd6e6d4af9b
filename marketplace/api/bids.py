"""API: bids (揭榜方案). Sealed: every read goes through bids.queries."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from marketplace import idempotency
from marketplace.accounts.models import Organisation
from marketplace.api.schemas import ErrorOut
from marketplace.bids import export, partners, queries, supplements
from marketplace.bids import files as bid_files
from marketplace.bids import service as bids
from marketplace.bids.models import Bid, PartnerConfirmation
from marketplace.bids.schemas import (
    BidIn,
    BidOut,
    PartnerAnswerIn,
    PartnerRequestOut,
    ReceiptOut,
    ReviewCorrectionIn,
    ReviewIn,
    SupplementRequestIn,
)
from marketplace.challenges import queries as challenge_queries
from marketplace.challenges.files import Upload
from marketplace.challenges.models import Challenge
from marketplace.clock import utcnow
from marketplace.errors import RuleViolation
from marketplace.validation import parse
from marketplace.web.deps import CurrentActor, SessionDep, current_actor
from marketplace.web.downloads import download
from marketplace.web.forms.bids import api_bid_parts
from marketplace.web.idempotent import ApiKey, api_once

ERRORS = {code: {"model": ErrorOut} for code in (401, 403, 404, 409, 422)}
router = APIRouter(dependencies=[Depends(current_actor)], responses=ERRORS, tags=["bids"])


@router.post("/challenges/{challenge_id}/bids", response_model=BidOut, status_code=201)
def create_bid(challenge_id: int, data: BidIn, session: SessionDep, actor: CurrentActor, key: ApiKey):
    """Draft a bid on a published challenge (verified research teams)."""
    return api_once(session, actor, key, lambda: bids.create_draft(
        session=session, actor=actor, challenge_id=challenge_id, data=data), model=BidOut, status_code=201)


@router.post("/challenges/{challenge_id}/bids/with-files", response_model=BidOut, status_code=201,
             openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["bid"], "properties": {
                     "bid": {"type": "string", "description": "the bid as JSON (the BidIn shape)"},
                     "submit": {"type": "string", "enum": ["true", "false"]},
                     "file": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}}})
async def create_bid_with_files(challenge_id: int, request: Request, session: SessionDep, actor: CurrentActor,
                                key: ApiKey):
    """Draft a bid with its files in one transaction (multipart: `bid` JSON, `file` parts; `submit=true` also
    submits it, the receipt covering the files). All or nothing: a bad file leaves neither bid nor files.
    With an Idempotency-Key a retry (even with another multipart boundary) returns the first answer."""
    settings = request.app.state.settings
    form = await request.form(max_part_size=settings.upload_max_bytes + 1)
    raw, submit, uploads = api_bid_parts(form)
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise RuleViolation("bid 须为揭榜方案的 JSON 对象", fields={"bid": "须为 JSON 对象"})
    if key is not None:
        key = (key[0], idempotency.fingerprint(request.method, request.url.path,
                                               bid_files.request_fingerprint(data, submit, uploads)))
    parsed = parse(BidIn, data)
    return api_once(session, actor, key, lambda: bids.save_with_files(
        session=session, actor=actor, challenge_id=challenge_id, data=parsed, submit=submit, uploads=uploads,
        uploads_dir=settings.uploads_dir, max_bytes=settings.upload_max_bytes), model=BidOut, status_code=201)


@router.put("/bids/{bid_id}", response_model=BidOut)
def update_bid(bid_id: int, data: BidIn, session: SessionDep, actor: CurrentActor):
    """Edit a draft; editing a submitted bid re-submits it with a new receipt."""
    return bids.update_bid(session=session, actor=actor, bid_id=bid_id, data=data)


@router.post("/bids/{bid_id}/submit", response_model=ReceiptOut)
def submit_bid(bid_id: int, session: SessionDep, actor: CurrentActor, key: ApiKey):
    """Submit a draft; returns the receipt (server time and SHA-256 of the content)."""

    def work() -> ReceiptOut:
        bid = bids.submit(session=session, actor=actor, bid_id=bid_id)
        return ReceiptOut(bid_id=bid.id, submitted_at=bid.submitted_at, receipt_hash=bid.receipt_hash)

    return api_once(session, actor, key, work, model=ReceiptOut)


@router.post("/bids/{bid_id}/withdraw", response_model=BidOut)
def withdraw_bid(bid_id: int, session: SessionDep, actor: CurrentActor):
    """Withdraw a bid before the deadline."""
    return bids.withdraw(session=session, actor=actor, bid_id=bid_id)


@router.get("/bids", response_model=list[BidOut])
def my_bids(session: SessionDep, actor: CurrentActor, mine: bool = True):
    """The bids of the actor's organisation (`mine=1`; no one lists other bidders' bids)."""
    return queries.mine(session=session, actor=actor)


@router.get("/bids/{bid_id}", response_model=BidOut)
def get_bid(bid_id: int, session: SessionDep, actor: CurrentActor):
    """One bid, if the sealing rules let the actor read it (else 404)."""
    return queries.get_for(session=session, actor=actor, bid_id=bid_id, now=utcnow())


@router.get("/challenges/{challenge_id}/bids", response_model=list[BidOut])
def challenge_bids(challenge_id: int, session: SessionDep, actor: CurrentActor):
    """The bids on a challenge the actor may read (own bids; all opened ones after the deadline)."""
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    return queries.visible_on_challenge(session=session, actor=actor, challenge=challenge, now=utcnow())


@router.post("/bids/{bid_id}/review", response_model=BidOut)
def review_bid(bid_id: int, data: ReviewIn, session: SessionDep, actor: CurrentActor):
    """Formal review (形式审查) of a submitted bid after the deadline (officers)."""
    return bids.review(session=session, actor=actor, bid_id=bid_id, data=data)


@router.post("/bids/{bid_id}/review/correction", response_model=BidOut)
def correct_review(bid_id: int, data: ReviewCorrectionIn, session: SessionDep, actor: CurrentActor):
    """Correct a formal-review conclusion with a reason, before expert review starts (officers; audited)."""
    return bids.correct_review(session=session, actor=actor, bid_id=bid_id, data=data)


@router.get("/challenges/{challenge_id}/bids.xlsx", response_class=Response,
            responses={200: {"content": {export.MEDIA_TYPE: {}}}})
def challenge_bids_xlsx(challenge_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    """The bid summary as .xlsx (officers, after the deadline)."""
    content = export.summary_xlsx(session=session, actor=actor, challenge_id=challenge_id, now=utcnow())
    return download(content, filename=f"揭榜方案汇总_榜单{challenge_id}.xlsx",
                    fallback=f"challenge-{challenge_id}-bids.xlsx", media_type=export.MEDIA_TYPE)


# ---------------------------------------------------------------- consortium partners (创新联合体)
def _partner_out(session, row: PartnerConfirmation) -> PartnerRequestOut:  # noqa: ANN001
    bid = session.get(Bid, row.bid_id)
    challenge = session.get(Challenge, bid.challenge_id)
    lead = session.get(Organisation, bid.organisation_id)
    return PartnerRequestOut(id=row.id, bid_id=row.bid_id, organisation_id=row.organisation_id,
                             share_percent=row.share_percent, role=row.role, status=row.status, reason=row.reason,
                             decided_at=row.decided_at, challenge_id=challenge.id, challenge_title=challenge.title,
                             lead_organisation=lead.name if lead else "")


@router.get("/partner-requests", response_model=list[PartnerRequestOut])
def partner_requests(session: SessionDep, actor: CurrentActor):
    """The consortium confirmations addressed to the actor's organisation (pending first)."""
    return [_partner_out(session, r) for r, _, _ in partners.for_organisation(session=session, actor=actor)]


@router.post("/partner-requests/{confirmation_id}/answer", response_model=PartnerRequestOut)
def answer_partner_request(confirmation_id: int, data: PartnerAnswerIn, session: SessionDep, actor: CurrentActor):
    """Confirm (`confirm: true`) or decline with a reason; 409 when it was already answered."""
    row = partners.answer(session=session, actor=actor, confirmation_id=confirmation_id, data=data)
    return _partner_out(session, row)


# ---------------------------------------------------------------- 补正
@router.post("/bids/{bid_id}/supplement-request", response_model=BidOut)
def request_supplement(bid_id: int, data: SupplementRequestIn, session: SessionDep, actor: CurrentActor):
    """Open a 补正 window on a disqualified bid (officers; `deadline` without a zone is Beijing time)."""
    return supplements.request(session=session, actor=actor, bid_id=bid_id, data=data)


@router.post("/bids/{bid_id}/supplement", response_model=BidOut,
             openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
                 "type": "object", "properties": {"file": {"type": "array", "items": {
                     "type": "string", "format": "binary"}}}}}}}})
async def hand_in_supplement(bid_id: int, request: Request, session: SessionDep, actor: CurrentActor):
    """The team hands in the missing documents (multipart `file`s) within the window; 409 after it."""
    settings = request.app.state.settings
    form = await request.form(max_part_size=settings.upload_max_bytes + 1)
    uploads = [Upload(filename=i.filename or "", data=await i.read())
               for i in form.getlist("file") if isinstance(i, UploadFile)]
    return supplements.supplement(session=session, actor=actor, bid_id=bid_id, uploads=uploads,
                                  uploads_dir=settings.uploads_dir, max_bytes=settings.upload_max_bytes)
