"""The bid table. A bid's content is sealed until the challenge's deadline (see queries.py)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from marketplace.clock import utcnow
from marketplace.types import UTCDateTime


class BidStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    QUALIFIED = "qualified"
    DISQUALIFIED = "disqualified"
    SUPPLEMENTING = "supplementing"  # 补正中: the officer opened a window for missing documents
    SUPPLEMENTED = "supplemented"    # 补正已提交: waiting for the officer's second formal review


BID_STATUS_LABELS = {
    BidStatus.DRAFT: "草稿", BidStatus.SUBMITTED: "已提交", BidStatus.WITHDRAWN: "已撤回",
    BidStatus.QUALIFIED: "形式审查通过", BidStatus.DISQUALIFIED: "形式审查未通过",
    BidStatus.SUPPLEMENTING: "待补正", BidStatus.SUPPLEMENTED: "补正已提交",
}

SEALED_LABEL = "已提交（密封）"


def status_label(status: str, *, sealed: bool = False) -> str:
    """The status as users read it: "（密封）" only while the bid is actually sealed (before it opens)."""
    if sealed and status == BidStatus.SUBMITTED:
        return SEALED_LABEL
    return BID_STATUS_LABELS.get(status, status or "")


def receipt_code(digest: str | None) -> str:
    """The short receipt code people read and quote (回执编号): the hash's first 12 hex digits in groups."""
    head = (digest or "")[:12].upper()
    return "-".join(head[i:i + 4] for i in range(0, len(head), 4))


class Bid(SQLModel, table=True):
    # One live bid per team per challenge: live_slot is 1 while the bid is live and NULL once
    # withdrawn (NULLs are distinct in a UNIQUE constraint on SQLite and PostgreSQL alike).
    # ix_bid_challenge_status covers the dashboard's and the hall's bid counts (no row reads at 50k bids).
    __table_args__ = (UniqueConstraint("challenge_id", "team_id", "live_slot"),
                      Index("ix_bid_challenge_status", "challenge_id", "status", "organisation_id"))

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    team_id: int = Field(foreign_key="teamprofile.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    created_by: int = Field(foreign_key="user.id")
    status: str = Field(default=BidStatus.DRAFT, max_length=20, index=True)
    live_slot: int | None = Field(default=1)
    technical_route: str = Field(sa_column=Column(Text, nullable=False))
    milestones: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    price_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    budget_company_fen: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    budget_own_fen: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    budget_subsidy_fen: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    members: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    prior_results: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    partners: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    declare_no_double_funding: bool = Field(default=False)
    declare_ownership: bool = Field(default=False)
    declare_conflicts: str = Field(default="", max_length=1000)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    receipt_hash: str | None = Field(default=None, max_length=64)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    review_reason: str = Field(default="", max_length=1000)
    reviewed_by: int | None = Field(default=None, foreign_key="user.id")
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    supplement_deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)  # 补正 window end
    supplement_note: str = Field(default="", max_length=1000)  # what the officer asks for
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PartnerStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


PARTNER_STATUS_LABELS = {PartnerStatus.PENDING: "待确认", PartnerStatus.CONFIRMED: "已确认",
                         PartnerStatus.DECLINED: "已拒绝"}


class PartnerConfirmation(SQLModel, table=True):
    """A consortium partner's answer (确认参与及份额) for one partner named on a handed-in bid.

    One row per (bid, partner organisation), mirroring the partners of the bid's sealed version: a
    re-submission that changes a partner's share asks it again; a removed partner's row is deleted.
    """

    __table_args__ = (UniqueConstraint("bid_id", "organisation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    bid_id: int = Field(foreign_key="bid.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    share_percent: int
    role: str = Field(default="", max_length=200)
    status: str = Field(default=PartnerStatus.PENDING, max_length=20, index=True)
    reason: str = Field(default="", max_length=500)
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BidAttachment(SQLModel, table=True):
    """A file of a bid (also the documents of a 补正), stored like challenge attachments: under
    var/uploads by a random name, always downloaded as an attachment, readable by whoever reads the bid."""

    id: int | None = Field(default=None, primary_key=True)
    bid_id: int = Field(foreign_key="bid.id", index=True)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=64, unique=True)
    supplement: bool = Field(default=False)  # handed in during a 补正 window
    uploaded_by: int = Field(foreign_key="user.id")
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
