"""API of the subsidy ledger: list, detail, maker-checker steps, idempotent disbursement, 公示."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse

from marketplace.api.schemas import ErrorOut
from marketplace.errors import Forbidden, RuleViolation
from marketplace.subsidies import queries, service
from marketplace.validation import CleanStr, StrictIn
from marketplace.web.deps import CurrentActor, SessionDep, current_actor

ERRORS = {code: {"model": ErrorOut} for code in (401, 403, 404, 409, 422)}
public = APIRouter(responses=ERRORS, tags=["subsidies"])
authed = APIRouter(dependencies=[Depends(current_actor)], responses=ERRORS, tags=["subsidies"])


class InstallmentOut(BaseModel):
    installment: int
    amount_fen: int
    status: str  # "due" | "paid"
    trigger: str
    paid_at: datetime | None = None


class EntryOut(BaseModel):
    id: int
    kind: str
    account: str
    amount_fen: int
    installment: int | None
    reverses_id: int | None
    idempotency_key: str | None
    memo: str
    created_at: datetime


class SubsidyRow(BaseModel):
    id: int
    contract_id: int
    title: str
    status: str
    policy_code: str
    year: int
    entitlement_fen: int
    awarded_fen: int
    disbursed_fen: int


class SubsidyOut(SubsidyRow):
    challenge_id: int
    beneficiary_org_id: int
    beneficiary: str
    policy_version: str
    clawback_fen: int
    case: dict[str, Any]
    result: dict[str, Any]
    explanation: str
    installments: list[InstallmentOut]
    ledger: list[EntryOut]
    checked_by: int | None
    approved_by: int | None
    override_reason: str
    decision_note: str = ""


class PublicityRow(BaseModel):
    id: int
    title: str
    beneficiary: str
    policy_code: str
    policy: str  # the policy's Chinese name
    year: int
    awarded_fen: int
    status: str


class DisbursementIn(StrictIn):
    installment: int = Field(ge=1, le=100)


class DisbursementOut(BaseModel):
    id: int
    subsidy_id: int
    installment: int
    amount_fen: int
    idempotency_key: str
    paid_at: datetime
    replayed: bool


class ReasonIn(StrictIn):
    reason: CleanStr = Field(default="", max_length=1000)


@public.get("/subsidies/publicity", response_model=list[PublicityRow])
def publicity(session: SessionDep):
    """补助公示：已批准（拨付前公示）的补助。"""
    return queries.publicity(session=session)


@authed.get("/subsidies", response_model=list[SubsidyRow])
def listing(session: SessionDep, actor: CurrentActor, status: str | None = None):
    return queries.listing(session=session, actor=actor, status=status)


class PoolRow(BaseModel):
    pool: str | None  # None: no budget set for this policy and year (open)
    policy_code: str
    policy: str
    year: int
    budget_fen: int | None
    committed_fen: int  # computed, checked or approved, not yet paid
    paid_fen: int
    remaining_fen: int | None
    subsidies: int


@authed.get("/subsidies/pools", response_model=list[PoolRow])
def pools(session: SessionDep, actor: CurrentActor):
    """资金池预算（科技局）：每个资金池和年度的预算、已核定待拨付、已拨付、剩余。"""
    if not actor.is_officer:
        raise Forbidden("只有科技局工作人员可以查看资金池预算")
    return queries.pool_budgets(session=session)


@authed.get("/subsidies/{subsidy_id}", response_model=SubsidyOut)
def detail(subsidy_id: int, session: SessionDep, actor: CurrentActor):
    return queries.detail(session, queries.get(session=session, actor=actor, subsidy_id=subsidy_id))


def _detail(session, actor, subsidy_id: int) -> dict[str, Any]:
    return queries.detail(session, queries.get(session=session, actor=actor, subsidy_id=subsidy_id))


@authed.post("/subsidies/{subsidy_id}/check", response_model=SubsidyOut)
def check(subsidy_id: int, session: SessionDep, actor: CurrentActor):
    queries.get(session=session, actor=actor, subsidy_id=subsidy_id)
    service.check(session=session, actor=actor, subsidy_id=subsidy_id)
    return _detail(session, actor, subsidy_id)


@authed.post("/subsidies/{subsidy_id}/approve", response_model=SubsidyOut)
def approve(subsidy_id: int, session: SessionDep, actor: CurrentActor):
    queries.get(session=session, actor=actor, subsidy_id=subsidy_id)
    service.approve(session=session, actor=actor, subsidy_id=subsidy_id)
    return _detail(session, actor, subsidy_id)


@authed.post("/subsidies/{subsidy_id}/override", response_model=SubsidyOut)
def override(subsidy_id: int, data: ReasonIn, session: SessionDep, actor: CurrentActor):
    queries.get(session=session, actor=actor, subsidy_id=subsidy_id)
    service.override_approve(session=session, actor=actor, subsidy_id=subsidy_id, reason=data.reason)
    return _detail(session, actor, subsidy_id)


@authed.post("/subsidies/{subsidy_id}/reject", response_model=SubsidyOut)
def reject(subsidy_id: int, data: ReasonIn, session: SessionDep, actor: CurrentActor):
    queries.get(session=session, actor=actor, subsidy_id=subsidy_id)
    service.reject(session=session, actor=actor, subsidy_id=subsidy_id, reason=data.reason)
    return _detail(session, actor, subsidy_id)


class ManualDecisionIn(StrictIn):
    decision: str = Field(description="waive（免予追回，停止拨付）或 clawback（仍予追回已拨付款）")
    reason: CleanStr = Field(default="", max_length=1000)


@authed.post("/subsidies/{subsidy_id}/decision", response_model=SubsidyOut)
def decide_manual(subsidy_id: int, data: ManualDecisionIn, session: SessionDep, actor: CurrentActor):
    """合同失败或终止、已拨付且政策不追回的补助（状态 manual）：工作人员决定免予追回或仍予追回（须说明理由）。"""
    queries.get(session=session, actor=actor, subsidy_id=subsidy_id)
    service.decide_manual(session=session, actor=actor, subsidy_id=subsidy_id, decision=data.decision,
                          reason=data.reason)
    return _detail(session, actor, subsidy_id)


@authed.post("/subsidies/{subsidy_id}/disbursements", response_model=DisbursementOut, status_code=201,
             responses={200: {"model": DisbursementOut, "description": "重放：返回首次的拨付记录"}})
def disburse(subsidy_id: int, data: DisbursementIn, session: SessionDep, actor: CurrentActor,
             key: Annotated[str | None, Header(alias="Idempotency-Key",
                                               description="每笔拨付一个键：重试时带上相同的键")] = None):
    """拨付一期：同一个键重试返回同一笔拨付；该期已用另一个键拨付 → 409；未批准或超出核定 → 4xx。"""
    if key is None:
        raise RuleViolation("拨付须带 Idempotency-Key 请求头", fields={"Idempotency-Key": "必填"},
                            code="idempotency_key_required")
    queries.get(session=session, actor=actor, subsidy_id=subsidy_id)
    paid = service.disburse(session=session, actor=actor, subsidy_id=subsidy_id,
                            installment=data.installment, key=key)
    d = paid.disbursement
    body = jsonable_encoder(DisbursementOut(
        id=d.id, subsidy_id=d.subsidy_id, installment=d.installment, amount_fen=d.amount_fen,
        idempotency_key=d.idempotency_key, paid_at=d.paid_at, replayed=paid.replayed))
    headers = {"Idempotent-Replayed": "true"} if paid.replayed else None
    return JSONResponse(body, status_code=200 if paid.replayed else 201, headers=headers)


router = APIRouter()
router.include_router(public)
router.include_router(authed)
