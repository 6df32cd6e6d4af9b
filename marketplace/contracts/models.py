"""Tables of the contract stage: the 任务书, its parties and signatures, amendments, milestones and
their reports, company payments, files, and acceptance (验收) with its panel and votes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from marketplace.clock import utcnow
from marketplace.types import UTCDateTime


class ContractStatus(StrEnum):
    SIGNING = "signing"                  # awaiting every party's signature
    SIGNED = "signed"                    # 执行中
    AMENDING = "amending"                # an amendment awaits every party (execution goes on)
    RECTIFYING = "rectifying"            # mid-term check: rectify by a date
    ACCEPTING = "accepting"              # 验收中
    ACCEPTANCE_RECTIFYING = "acceptance_rectifying"  # failed but rectifiable: one window, then re-acceptance
    ACCEPTED = "accepted"
    FAILED = "failed"
    TERMINATED = "terminated"


CONTRACT_STATUS_LABELS = {
    ContractStatus.SIGNING: "签署中", ContractStatus.SIGNED: "执行中", ContractStatus.AMENDING: "变更待签署",
    ContractStatus.RECTIFYING: "中期整改中", ContractStatus.ACCEPTING: "验收中",
    ContractStatus.ACCEPTANCE_RECTIFYING: "验收整改中", ContractStatus.ACCEPTED: "验收通过",
    ContractStatus.FAILED: "验收不通过", ContractStatus.TERMINATED: "已终止",
}
EXECUTING = (ContractStatus.SIGNED, ContractStatus.AMENDING, ContractStatus.RECTIFYING)
ENDED = (ContractStatus.ACCEPTED, ContractStatus.FAILED, ContractStatus.TERMINATED)


class Verdict(StrEnum):
    PASSED = "passed"
    PASSED_AFTER_RECTIFICATION = "passed_after_rectification"
    FAILED_RECTIFIABLE = "failed_rectifiable"
    FAILED = "failed"


VERDICT_LABELS = {Verdict.PASSED: "验收通过", Verdict.PASSED_AFTER_RECTIFICATION: "整改后通过",
                  Verdict.FAILED_RECTIFIABLE: "不通过（可整改一次）", Verdict.FAILED: "验收不通过"}


class PartyRole(StrEnum):
    COMPANY = "company"   # 甲方：发榜企业
    TEAM = "team"         # 乙方：揭榜牵头单位
    PARTNER = "partner"   # 乙方联合体成员
    BUREAU = "bureau"     # 丙方：科技局


PARTY_LABELS = {PartyRole.COMPANY: "甲方（发榜企业）", PartyRole.TEAM: "乙方（揭榜牵头单位）",
                PartyRole.PARTNER: "乙方联合体成员", PartyRole.BUREAU: "丙方（科技局）"}


class Contract(SQLModel, table=True):
    """The tripartite 任务书 of an awarded challenge (one per challenge and winning bid)."""

    __table_args__ = (UniqueConstraint("challenge_id", "bid_id"),)

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    bid_id: int = Field(foreign_key="bid.id")
    title: str = Field(max_length=200)
    company_org_id: int = Field(foreign_key="organisation.id", index=True)
    team_org_id: int = Field(foreign_key="organisation.id", index=True)
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    committed_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    # Σ of payments not rejected; raised by a guarded UPDATE so concurrent payments never exceed the amount.
    recorded_fen: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    start_on: date
    end_on: date
    terms: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    policy_id: str | None = Field(default=None, max_length=60)
    status: str = Field(default=ContractStatus.SIGNING, max_length=30, index=True)
    version: int = Field(default=1)
    revision: int = Field(default=1)  # the text the parties sign: 1 = original, n = after n-1 amendments
    signed_on: date | None = None
    rectify_by: date | None = None
    midterm_note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    outcome: str | None = Field(default=None, max_length=40)
    ended_on: date | None = None
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ContractParty(SQLModel, table=True):
    """A signing party: `party` is company / team / partner:<org id> / bureau (the bureau signs through
    any officer, so its organisation may be unknown)."""

    __table_args__ = (UniqueConstraint("contract_id", "party"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    party: str = Field(max_length=40)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    role: str = Field(max_length=20)
    share_percent: int = Field(default=0)  # the consortium's split of the team side (lead = rest)


class ContractSignature(SQLModel, table=True):
    """One party's signature of one revision; the unique key makes a double signature impossible."""

    __table_args__ = (UniqueConstraint("contract_id", "revision", "party"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    revision: int
    party: str = Field(max_length=40)
    signed_by: int = Field(foreign_key="user.id")
    signed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ContractAmendment(SQLModel, table=True):
    """A proposed change of dates or amounts; applied when every party signed its revision (history kept)."""

    __table_args__ = (UniqueConstraint("contract_id", "revision"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    revision: int
    changes: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    previous: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    proposed_by: int = Field(foreign_key="user.id")
    proposed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    applied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MilestoneStatus(StrEnum):
    PENDING = "pending"
    REPORTED = "reported"
    CONFIRMED = "confirmed"
    RETURNED = "returned"


MILESTONE_LABELS = {MilestoneStatus.PENDING: "待提交", MilestoneStatus.REPORTED: "待企业确认",
                    MilestoneStatus.CONFIRMED: "已确认", MilestoneStatus.RETURNED: "已退回修改"}


class Milestone(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("contract_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    seq: int
    title: str = Field(max_length=200)
    due_month: int
    due_on: date = Field(index=True)
    indicators: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    payment_share_percent: int = Field(default=0)
    status: str = Field(default=MilestoneStatus.PENDING, max_length=20, index=True)
    version: int = Field(default=1)
    overdue_since: date | None = None  # set once by the scheduler tick (reminders go out then)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MilestoneReport(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    milestone_id: int = Field(foreign_key="milestone.id", index=True)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    submitted_by: int = Field(foreign_key="user.id")
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decision: str = Field(default="", max_length=20)  # confirmed / returned
    decision_note: str = Field(default="", max_length=1000)
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PaymentStatus(StrEnum):
    RECORDED = "recorded"    # the company recorded it
    RECEIVED = "received"    # the team confirmed receipt
    CHECKED = "checked"      # an officer checked it: counts as 企业投入资金
    REJECTED = "rejected"    # disputed by the team or rejected by the officer


PAYMENT_LABELS = {PaymentStatus.RECORDED: "待团队确认到账", PaymentStatus.RECEIVED: "待科技局核验",
                  PaymentStatus.CHECKED: "已核验", PaymentStatus.REJECTED: "未通过"}


class Payment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    paid_on: date
    voucher_file_id: int = Field(foreign_key="contractfile.id")
    note: str = Field(default="", max_length=500)
    status: str = Field(default=PaymentStatus.RECORDED, max_length=20, index=True)
    version: int = Field(default=1)
    recorded_by: int = Field(foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    confirmed_by: int | None = Field(default=None, foreign_key="user.id")
    checked_by: int | None = Field(default=None, foreign_key="user.id")
    checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str = Field(default="", max_length=1000)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ContractFile(SQLModel, table=True):
    """Evidence and vouchers: stored under var/uploads by a random name, like challenge attachments."""

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    purpose: str = Field(max_length=20)  # report / voucher / acceptance
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=64, unique=True)
    uploaded_by: int = Field(foreign_key="user.id")
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    report_id: int | None = Field(default=None, foreign_key="milestonereport.id")


class Acceptance(SQLModel, table=True):
    """One acceptance round (1, or 2 after the one rectification window)."""

    __table_args__ = (UniqueConstraint("contract_id", "round"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    round: int = Field(default=1)
    # {indicator name: {"target": …, "unit": …, "measured": …, "file_id": …}}: every indicator, always
    measurements: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    requested_by: int = Field(foreign_key="user.id")
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    verdict: str | None = Field(default=None, max_length=40)
    verdict_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    rectify_by: date | None = None
    concluded_by: int | None = Field(default=None, foreign_key="user.id")
    concluded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AcceptanceExpert(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("acceptance_id", "expert_id"),)

    id: int | None = Field(default=None, primary_key=True)
    acceptance_id: int = Field(foreign_key="acceptance.id", index=True)
    expert_id: int = Field(foreign_key="expertprofile.id", index=True)
    assigned_by: int = Field(foreign_key="user.id")
    recused: bool = Field(default=False)  # the expert declared a conflict: no vote
    recusal_statement: str = Field(default="", max_length=1000)


class AcceptanceVote(SQLModel, table=True):
    """One voter's pass/fail per indicator (experts of the panel, and the company); once per voter."""

    __table_args__ = (UniqueConstraint("acceptance_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    acceptance_id: int = Field(foreign_key="acceptance.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    voter: str = Field(max_length=20)  # expert / company
    results: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # {indicator: bool}
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    voted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProgressConsent(SQLModel, table=True):
    """One side's agreement that the project's progress be shown publicly (`/projects/{id}`): the page
    exists only while both the company and the lead team agree. Withdrawing deletes the row."""

    __table_args__ = (UniqueConstraint("contract_id", "party"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    party: str = Field(max_length=20)  # company / team
    agreed_by: int = Field(foreign_key="user.id")
    agreed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
