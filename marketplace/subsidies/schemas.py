"""Input and output shapes of the subsidy ledger, shared by the forms and the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from marketplace.validation import CleanStr, StrictIn


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
