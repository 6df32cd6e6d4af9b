"""Tables of the subsidy ledger (issue 11): one subsidy per ended contract, its disbursements, and
an append-only ledger (no UPDATE/DELETE/TRUNCATE: database triggers; corrections are reversals).

The subsidy row is the only mutable one (its state, who checked/approved, and `disbursed_fen`, kept
in the same guarded UPDATE as every payment so that two payments can never both pass the check).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Column, Text, UniqueConstraint
from sqlmodel import JSON, Field, SQLModel

from marketplace.clock import utcnow
from marketplace.types import UTCDateTime


class SubsidyStatus(StrEnum):
    COMPUTED = "computed"   # 已测算，待复核
    CHECKED = "checked"     # 已复核，待批准
    APPROVED = "approved"   # 已批准，待拨付（可分期）
    PAID = "paid"           # 已全部拨付
    REJECTED = "rejected"   # 不予补助
    CLAWBACK = "clawback"   # 追回（合同失败或终止后已拨付部分）
    MANUAL = "manual"       # 合同失败或终止、已拨付、政策不追回：待工作人员人工决定
    WAIVED = "waived"       # 人工决定：免予追回已拨付部分，停止拨付其余


STATUS_LABELS = {
    SubsidyStatus.COMPUTED: "已测算，待复核",
    SubsidyStatus.CHECKED: "已复核，待批准",
    SubsidyStatus.APPROVED: "已批准，待拨付",
    SubsidyStatus.PAID: "已拨付",
    SubsidyStatus.REJECTED: "不予补助",
    SubsidyStatus.CLAWBACK: "追回中",
    SubsidyStatus.MANUAL: "合同未完成，待人工决定",
    SubsidyStatus.WAIVED: "免予追回，停止拨付",
}


class Account(StrEnum):
    ENTITLEMENT = "entitlement"  # awards and their reversals: what caps and pools count
    PAID = "paid"                # installments paid out
    RECEIVABLE = "receivable"    # refunds owed back (negative)


class EntryKind(StrEnum):
    AWARD = "award"                              # entitlement reserved (counts for caps and pools)
    PAYMENT = "payment"                          # one installment paid
    CLAWBACK_RECEIVABLE = "clawback_receivable"  # money the beneficiary must refund (negative)
    REVERSAL = "reversal"                        # cancels exactly one earlier entry


ENTRY_LABELS = {EntryKind.AWARD: "核定补助", EntryKind.PAYMENT: "拨付",
                EntryKind.CLAWBACK_RECEIVABLE: "应追回款", EntryKind.REVERSAL: "冲销"}


class Subsidy(SQLModel, table=True):
    """免申即享: the subsidy of one ended contract, with the exact engine input it was computed from."""

    __table_args__ = (UniqueConstraint("contract_id", name="uq_subsidy_contract_id"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(index=True)
    challenge_id: int = Field(index=True)
    title: str = Field(max_length=300)
    beneficiary_org_id: int = Field(index=True)   # the company whose checked payments are the base
    team_org_id: int
    policy_code: str = Field(max_length=60)
    policy_version: str = Field(max_length=80)    # code@sha256(policy file)[:16]
    year: int = Field(index=True)                 # of the determinant date (ended_on)
    case: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))    # simulate's input file
    result: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))  # simulate's output entry
    explanation: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    entitlement_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    awarded_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    disbursed_fen: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    clawback_fen: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    status: str = Field(default=SubsidyStatus.COMPUTED, max_length=20, index=True)
    version: int = Field(default=1)
    computed_by: int | None = Field(default=None, foreign_key="user.id")
    checked_by: int | None = Field(default=None, foreign_key="user.id")
    approved_by: int | None = Field(default=None, foreign_key="user.id")
    override_reason: str = Field(default="", max_length=1000)
    decision_note: str = Field(default="", max_length=1000)
    computed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Disbursement(SQLModel, table=True):
    """One installment paid: at most one per (subsidy, installment), one per idempotency key."""

    __table_args__ = (
        UniqueConstraint("subsidy_id", "installment", name="uq_disbursement_subsidy_installment"),
        UniqueConstraint("idempotency_key", name="uq_disbursement_idempotency_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subsidy_id: int = Field(foreign_key="subsidy.id", index=True)
    installment: int
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    idempotency_key: str = Field(max_length=200)
    paid_by: int | None = Field(default=None, foreign_key="user.id")
    paid_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LedgerEntry(SQLModel, table=True):
    """Append-only. A reversal names the entry it cancels (once: a UNIQUE column; never a reversal)."""

    __table_args__ = (UniqueConstraint("reverses_id", name="uq_ledgerentry_reverses_id"),)

    id: int | None = Field(default=None, primary_key=True)
    subsidy_id: int = Field(foreign_key="subsidy.id", index=True)
    kind: str = Field(max_length=30)
    account: str = Field(max_length=20, index=True)
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))  # signed
    beneficiary_org_id: int = Field(index=True)
    policy_code: str = Field(max_length=60)
    award_date: date                       # the determinant date: puts the award in a year/window
    pool: str | None = Field(default=None, max_length=60, index=True)
    installment: int | None = None
    disbursement_id: int | None = Field(default=None, foreign_key="disbursement.id")
    idempotency_key: str | None = Field(default=None, max_length=200)
    reverses_id: int | None = Field(default=None, foreign_key="ledgerentry.id")
    memo: str = Field(default="", max_length=500)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SubsidyPool(SQLModel, table=True):
    """An annual budget for one policy (SUBSIDY.md §5.1); without a row the year is unlimited."""

    __table_args__ = (UniqueConstraint("policy_code", "year", name="uq_subsidypool_policy_code_year"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, unique=True)
    policy_code: str = Field(max_length=60)
    year: int
    total_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    mode: str = Field(default="first_come_partial", max_length=40)


class PolicyVersionStatus(StrEnum):
    DRAFT = "draft"        # 草稿：待另一名工作人员批准
    APPROVED = "approved"  # 已批准：并入政策（按生效日期）


POLICY_VERSION_LABELS = {PolicyVersionStatus.DRAFT: "草稿，待批准", PolicyVersionStatus.APPROVED: "已批准，已生效"}


class PolicyVersion(SQLModel, table=True):
    """A successor version of a shipped policy, loaded inside the platform (maker-checker): the
    document and the verbatim clause it rests on, its period, and the parameter values it changes
    (`{name: value-as-text}`, each citing `clause`). Approved versions are merged into the policies
    the engine reads, dated from `effective_from` ("valid until the next date")."""

    id: int | None = Field(default=None, primary_key=True)
    policy_code: str = Field(max_length=60, index=True)
    document: str = Field(max_length=100)
    document_title: str = Field(max_length=300)
    clause: str = Field(max_length=100)
    clause_text: str = Field(sa_column=Column(Text, nullable=False))
    effective_from: date
    effective_to: date
    parameters: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default=PolicyVersionStatus.DRAFT, max_length=20, index=True)
    drafted_by: int | None = Field(default=None, foreign_key="user.id")
    approved_by: int | None = Field(default=None, foreign_key="user.id")
    drafted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
