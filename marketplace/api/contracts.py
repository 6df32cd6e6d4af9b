"""API: contracts (任务书), signatures, amendments, milestones, payments, acceptance (/api/v1/contracts…).

Files (evidence, vouchers) are multipart fields named `file`; every other body is JSON.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from starlette.datastructures import UploadFile

from marketplace.api.schemas import ErrorOut
from marketplace.contracts import files, queries, service
from marketplace.contracts.schemas import (
    AcceptanceIn,
    AcceptanceOut,
    AmendmentIn,
    AmendmentOut,
    CheckIn,
    ConcludeIn,
    ConfirmIn,
    ContractDetailOut,
    ContractIn,
    ContractOut,
    ExpertIn,
    MidtermIn,
    MilestoneOut,
    PartyOut,
    PaymentIn,
    PaymentOut,
    ReportDecisionIn,
    ReportIn,
    VoteIn,
    VoteOut,
)
from marketplace.errors import RuleViolation
from marketplace.validation import parse
from marketplace.web.deps import CurrentActor, SessionDep, current_actor
from marketplace.web.idempotent import ApiKey, api_once

ERRORS = {code: {"model": ErrorOut} for code in (401, 403, 404, 409, 422)}
router = APIRouter(dependencies=[Depends(current_actor)], responses=ERRORS, tags=["contracts"])


def _out(model: type[BaseModel], row: object) -> BaseModel:
    return model.model_validate(row, from_attributes=True)


@router.get("/contracts", response_model=list[ContractOut])
def contracts(session: SessionDep, actor: CurrentActor, status: str | None = None):
    """Contracts the actor is party to (officers: all; experts: their acceptance panels)."""
    return [_out(ContractOut, c) for c in queries.visible(session=session, actor=actor, status=status)]


@router.get("/contracts/{contract_id}", response_model=ContractDetailOut)
def contract(contract_id: int, session: SessionDep, actor: CurrentActor):
    d = queries.detail(session=session, actor=actor, contract_id=contract_id)
    signed = {s.party for s in d.signatures if s.revision == d.contract.revision}
    return ContractDetailOut(
        **_out(ContractOut, d.contract).model_dump(),
        parties=[PartyOut(party=p.party, organisation_id=p.organisation_id, role=p.role,
                          share_percent=p.share_percent, signed=p.party in signed) for p in d.parties],
        milestones=[_out(MilestoneOut, m) for m in d.milestones],
        payments=[_out(PaymentOut, p) for p in d.payments],
        amendments=[_out(AmendmentOut, a) for a in d.amendments],
        acceptances=[_out(AcceptanceOut, a) for a in d.acceptances], checked_fen=d.checked_fen)


@router.post("/challenges/{challenge_id}/contracts", response_model=ContractOut, status_code=201)
def create(challenge_id: int, data: ContractIn, session: SessionDep, actor: CurrentActor):
    """Draft the 任务书 of an awarded challenge (its company or an officer); one per winning bid."""
    return _out(ContractOut, service.create(session=session, actor=actor, challenge_id=challenge_id, data=data))


@router.post("/contracts/{contract_id}/signatures", response_model=ContractOut, status_code=201)
def sign(contract_id: int, session: SessionDep, actor: CurrentActor):
    """The actor's party signs the current revision (409 when it already has)."""
    return _out(ContractOut, service.sign(session=session, actor=actor, contract_id=contract_id))


@router.post("/contracts/{contract_id}/amendments", response_model=AmendmentOut, status_code=201)
def amend(contract_id: int, data: AmendmentIn, session: SessionDep, actor: CurrentActor):
    """Propose new dates or amounts; every party signs again before they apply."""
    return _out(AmendmentOut, service.propose_amendment(session=session, actor=actor, contract_id=contract_id,
                                                         data=data))


async def _multipart(request: Request) -> tuple[dict, list[files.Upload]]:
    form = await request.form(max_part_size=request.app.state.settings.upload_max_bytes + 1)
    items = [i for i in form.getlist("file") if isinstance(i, UploadFile)]
    fields = {k: v for k, v in form.items() if isinstance(v, str) and k != "file"}
    return fields, [files.Upload(filename=i.filename or "", data=await i.read()) for i in items]


def _storage(request: Request) -> dict:
    settings = request.app.state.settings
    return {"uploads_dir": settings.uploads_dir, "max_bytes": settings.upload_max_bytes}


@router.post("/milestones/{milestone_id}/reports", status_code=201,
             openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
                 "type": "object", "properties": {"summary": {"type": "string"},
                                                  "file": {"type": "array", "items": {"type": "string",
                                                                                      "format": "binary"}}}}}}}})
async def report(milestone_id: int, request: Request, session: SessionDep, actor: CurrentActor) -> dict:
    """The team's milestone report (multipart: `summary`, evidence `file`s)."""
    fields, uploads = await _multipart(request)
    row = service.report_milestone(session=session, actor=actor, milestone_id=milestone_id,
                                   data=parse(ReportIn, fields), uploads=uploads, **_storage(request))
    return {"id": row.id, "milestone_id": row.milestone_id}


@router.post("/milestones/{milestone_id}/decision", response_model=MilestoneOut)
def decide(milestone_id: int, data: ReportDecisionIn, session: SessionDep, actor: CurrentActor):
    """The company confirms or returns (with a note) the latest report."""
    return _out(MilestoneOut, service.decide_report(session=session, actor=actor, milestone_id=milestone_id,
                                                     data=data))


@router.post("/contracts/{contract_id}/midterm", response_model=ContractOut)
def midterm(contract_id: int, data: MidtermIn, session: SessionDep, actor: CurrentActor):
    """An officer's mid-term check: continue / rectify by a date / terminate with reasons."""
    return _out(ContractOut, service.midterm(session=session, actor=actor, contract_id=contract_id, data=data))


@router.post("/contracts/{contract_id}/payments", response_model=PaymentOut, status_code=201,
             openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["amount_yuan", "paid_on", "file"],
                 "properties": {"amount_yuan": {"type": "string"}, "paid_on": {"type": "string", "format": "date"},
                                "note": {"type": "string"}, "file": {"type": "string", "format": "binary"}}}}}}})
async def record_payment(contract_id: int, request: Request, session: SessionDep, actor: CurrentActor, key: ApiKey):
    """The company records a payment with its voucher (PDF/JPG/PNG); `Idempotency-Key` makes a retry safe."""
    fields, uploads = await _multipart(request)
    data = parse(PaymentIn, fields)
    if len(uploads) != 1:
        raise RuleViolation("请上传一份付款凭证", fields={"file": "请上传一份付款凭证"})

    def work():  # noqa: ANN202
        return service.record_payment(session=session, actor=actor, contract_id=contract_id, data=data,
                                      voucher=uploads[0], **_storage(request))

    return api_once(session, actor, key, work, model=PaymentOut, status_code=201)


@router.post("/payments/{payment_id}/confirm", response_model=PaymentOut)
def confirm_payment(payment_id: int, data: ConfirmIn, session: SessionDep, actor: CurrentActor):
    """The team confirms receipt (or disputes it with a reason)."""
    return _out(PaymentOut, service.confirm_payment(session=session, actor=actor, payment_id=payment_id,
                                                     received=data.received, reason=data.reason))


@router.post("/payments/{payment_id}/check", response_model=PaymentOut)
def check_payment(payment_id: int, data: CheckIn, session: SessionDep, actor: CurrentActor):
    """An officer checks a confirmed payment: only checked payments are 企业投入资金."""
    return _out(PaymentOut, service.check_payment(session=session, actor=actor, payment_id=payment_id,
                                                   approve=data.approve, reason=data.reason))


@router.post("/contracts/{contract_id}/acceptances", response_model=AcceptanceOut, status_code=201)
def request_acceptance(contract_id: int, data: AcceptanceIn, session: SessionDep, actor: CurrentActor):
    """The team applies for acceptance with a measured value for every indicator (one missing → 422)."""
    return _out(AcceptanceOut, service.request_acceptance(session=session, actor=actor, contract_id=contract_id,
                                                           data=data))


@router.post("/contracts/{contract_id}/panel", status_code=201)
def add_expert(contract_id: int, data: ExpertIn, session: SessionDep, actor: CurrentActor) -> dict:
    """An officer adds an expert to the acceptance panel (automatic conflicts → 409)."""
    row = service.add_panel_expert(session=session, actor=actor, contract_id=contract_id, expert_id=data.expert_id)
    return {"id": row.id, "expert_id": row.expert_id}


@router.post("/contracts/{contract_id}/votes", response_model=VoteOut, status_code=201)
def vote(contract_id: int, data: VoteIn, session: SessionDep, actor: CurrentActor):
    """A panel expert or the company: pass/fail for every indicator."""
    return _out(VoteOut, service.vote(session=session, actor=actor, contract_id=contract_id, data=data))


@router.post("/contracts/{contract_id}/conclusion", response_model=AcceptanceOut)
def conclude(contract_id: int, data: ConcludeIn, session: SessionDep, actor: CurrentActor):
    """An officer's overall verdict: PASSED / PASSED_AFTER_RECTIFICATION / FAILED_RECTIFIABLE / FAILED."""
    return _out(AcceptanceOut, service.conclude(session=session, actor=actor, contract_id=contract_id, data=data))
