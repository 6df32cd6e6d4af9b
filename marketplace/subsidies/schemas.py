"""Input and output shapes of the subsidy ledger, shared by the forms and the API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from marketplace.validation import CleanStr, PositiveYuanStr, StrictIn


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


class ManualDecisionIn(StrictIn):
    decision: str = Field(description="waive（免予追回，停止拨付）或 clawback（仍予追回已拨付款）")
    reason: CleanStr = Field(default="", max_length=1000)


class PolicyVersionIn(StrictIn):
    """A draft successor version of a policy: the document, the verbatim clause, the period and the
    parameter values it changes (each citing the clause). Ratios and amounts as text (“0.20”, 元)."""

    policy_code: CleanStr = Field(min_length=1, max_length=60)
    document: CleanStr = Field(min_length=1, max_length=100, description="文号，如 穗科〔2026〕1号")
    document_title: CleanStr = Field(min_length=1, max_length=300)
    clause: CleanStr = Field(min_length=1, max_length=100, description="条款路径，如 三、（二）")
    clause_text: CleanStr = Field(min_length=5, max_length=5000, description="条款原文")
    effective_from: date
    effective_to: date
    ratio: CleanStr | None = Field(default=None, max_length=20, description="补助比例，如 \"0.20\"")
    cap_per_project: CleanStr | None = Field(default=None, max_length=30, description="单个项目最高补助（元）")
    cap_per_year: CleanStr | None = Field(default=None, max_length=30, description="每家企业每年最高（元）")

    def changed(self) -> dict[str, str]:
        return {name: value for name in ("ratio", "cap_per_project", "cap_per_year")
                if (value := getattr(self, name))}


class PolicyVersionOut(BaseModel):
    id: int
    policy_code: str
    document: str
    document_title: str
    clause: str
    clause_text: str
    effective_from: date
    effective_to: date
    parameters: dict[str, str]
    status: str
    drafted_by: int | None
    approved_by: int | None
    drafted_at: datetime
    approved_at: datetime | None


class ParameterValueOut(BaseModel):
    valid_from: date
    value: str | None  # None: ended
    clause: str | None
    value_id: str
    note: str


class PolicyOut(BaseModel):
    code: str
    name: str
    document: str
    document_title: str
    clause: str
    clause_text: str
    effective_from: date
    effective_to: date | None
    version: str  # file hash and approved DB versions
    parameters: dict[str, list[ParameterValueOut]]
    versions: list[PolicyVersionOut]


class PoolIn(StrictIn):
    policy_code: CleanStr = Field(min_length=1, max_length=100, description="政策代码（或政策名称）")
    year: int = Field(ge=2000, le=2100)
    budget_yuan: PositiveYuanStr


class BudgetIn(StrictIn):
    budget_yuan: PositiveYuanStr
    reason: CleanStr = Field(default="", max_length=1000)
    expected_fen: int | None = Field(default=None, ge=0, description="修改前的预算（分）：防止覆盖他人同时的修改")


class PoolOut(BaseModel):
    id: int
    name: str
    policy_code: str
    year: int
    total_fen: int
    mode: str
