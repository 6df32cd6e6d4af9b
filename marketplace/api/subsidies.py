"""API of the subsidy ledger: list, detail, maker-checker steps, idempotent disbursement, 公示."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header
from fastapi.encoders import jsonable_encoder
from starlette.responses import JSONResponse

from marketplace.api.schemas import ErrorOut
from marketplace.errors import RuleViolation
from marketplace.subsidies import bureau, queries, service
from marketplace.subsidies.schemas import (
    BudgetIn,
    DisbursementIn,
    DisbursementOut,
    ManualDecisionIn,
    PolicyOut,
    PolicyVersionIn,
    PolicyVersionOut,
    PoolIn,
    PoolOut,
    PoolRow,
    PublicityRow,
    ReasonIn,
    SubsidyOut,
    SubsidyRow,
)
from marketplace.web.deps import CurrentActor, SessionDep, current_actor

ERRORS = {code: {"model": ErrorOut} for code in (401, 403, 404, 409, 422)}
public = APIRouter(responses=ERRORS, tags=["subsidies"])
authed = APIRouter(dependencies=[Depends(current_actor)], responses=ERRORS, tags=["subsidies"])


@public.get("/subsidies/publicity", response_model=list[PublicityRow])
def publicity(session: SessionDep):
    """补助公示：已批准（拨付前公示）的补助。"""
    return queries.publicity(session=session)


@authed.get("/subsidies", response_model=list[SubsidyRow])
def listing(session: SessionDep, actor: CurrentActor, status: str | None = None):
    return queries.listing(session=session, actor=actor, status=status)


@authed.get("/subsidies/pools", response_model=list[PoolRow])
def pools(session: SessionDep, actor: CurrentActor):
    """资金池预算（科技局）：每个资金池和年度的预算、已核定待拨付、已拨付、剩余。"""
    bureau.require_officer(actor, "查看资金池预算")
    return queries.pool_budgets(session=session)


@authed.post("/subsidies/pools", response_model=PoolOut, status_code=201)
def create_pool(data: PoolIn, session: SessionDep, actor: CurrentActor):
    """设立资金池（科技局）：政策、年度、预算（元）。同一政策同一年度只有一个资金池（重复 → 409）。"""
    return bureau.create_pool(session=session, actor=actor, data=data)


@authed.post("/subsidies/pools/{pool_id}/budget", response_model=PoolOut)
def change_budget(pool_id: int, data: BudgetIn, session: SessionDep, actor: CurrentActor):
    """修改资金池预算（科技局，须说明理由，记入审计）：不能低于已核定和已拨付的金额；
    带 expected_fen 时，若预算已被他人修改 → 409。"""
    return bureau.change_budget(session=session, actor=actor, pool_id=pool_id, data=data)


@authed.get("/subsidy-policies", response_model=list[PolicyOut])
def subsidy_policies(session: SessionDep):
    """补助政策：条款原文、各参数按日期的取值（含已批准的延续版本）及各版本（含草稿）。"""
    return bureau.policy_rows(session=session)


@authed.post("/subsidy-policies/versions", response_model=PolicyVersionOut, status_code=201)
def draft_policy_version(data: PolicyVersionIn, session: SessionDep, actor: CurrentActor):
    """起草政策的新版本（科技局）：文号、标题、条款路径与原文、起止日期、变更的参数（比例、单项上限……）。
    须由另一名工作人员批准后才并入测算。"""
    return bureau.version_row(bureau.draft_version(session=session, actor=actor, data=data))


@authed.post("/subsidy-policies/versions/{version_id}/approve", response_model=PolicyVersionOut)
def approve_policy_version(version_id: int, session: SessionDep, actor: CurrentActor):
    """批准政策版本：须为起草人以外的工作人员；与已批准版本期间重叠 → 422；已批准 → 409。"""
    return bureau.version_row(bureau.approve_version(session=session, actor=actor, version_id=version_id))


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
