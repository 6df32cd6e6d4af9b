"""Challenge tables: the challenge, its clarifications, attachments and confidentiality acceptances."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from marketplace.clock import utcnow
from marketplace.types import UTCDateTime


class ChallengeStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    CLOSED = "closed"
    UNFILLED = "unfilled"
    WITHDRAWN = "withdrawn"
    IN_REVIEW = "in_review"
    DECIDED = "decided"
    ANNOUNCED = "announced"
    AWARDED = "awarded"
    NO_AWARD = "no_award"


STATUS_LABELS = {
    ChallengeStatus.DRAFT: "草稿",
    ChallengeStatus.SUBMITTED: "待审核",
    ChallengeStatus.RETURNED: "已退回修改",
    ChallengeStatus.SCHEDULED: "待定时发布",
    ChallengeStatus.PUBLISHED: "揭榜中",
    ChallengeStatus.CLOSED: "已截止",
    ChallengeStatus.UNFILLED: "流榜",
    ChallengeStatus.WITHDRAWN: "已撤榜",
    ChallengeStatus.IN_REVIEW: "专家评审中",
    ChallengeStatus.DECIDED: "已决定（待公示）",
    ChallengeStatus.ANNOUNCED: "公示中",
    ChallengeStatus.AWARDED: "已确定揭榜方",
    ChallengeStatus.NO_AWARD: "无中选方案",
}


class IpTerms(StrEnum):
    EXCLUSIVE = "exclusive"
    NON_EXCLUSIVE = "non_exclusive"
    SOLVER = "solver"


IP_LABELS = {IpTerms.EXCLUSIVE: "归发榜企业独占", IpTerms.NON_EXCLUSIVE: "双方共享（非独占许可）",
             IpTerms.SOLVER: "归揭榜方所有（企业享有使用权）"}


class AwardMode(StrEnum):
    SINGLE = "single"
    PARALLEL = "parallel"


AWARD_MODE_LABELS = {AwardMode.SINGLE: "择优单一揭榜", AwardMode.PARALLEL: "多团队并行攻关（赛马）"}


class Challenge(SQLModel, table=True):
    # The public list counts and orders by these without touching the rows (bench: make bench-web).
    # The bureau dashboard's aggregates read only these columns, which a row keeps after its long texts:
    # covering indexes make each an index-only scan (reports/dashboard.py, migration h12a0c0de001).
    __table_args__ = (Index("ix_challenge_status_published_at", "status", "published_at"),
                      Index("ix_challenge_stats", "status", "created_at", "published_at", "industry", "weak_link",
                            "organisation_id", "committed_funds_fen", "offered_fen"),
                      Index("ix_challenge_industry_stats", "industry", "status", "created_at", "published_at",
                            "weak_link", "organisation_id", "committed_funds_fen", "offered_fen"),
                      Index("ix_challenge_company_stats", "organisation_id", "status", "created_at", "published_at",
                            "industry"))

    id: int | None = Field(default=None, primary_key=True)
    key: str | None = Field(default=None, max_length=64, unique=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    created_by: int = Field(foreign_key="user.id")
    title: str = Field(max_length=100, index=True)
    industry: str = Field(max_length=20, index=True)
    weak_link: str | None = Field(default=None, max_length=10)
    background: str = Field(sa_column=Column(Text, nullable=False))
    bottleneck: str = Field(sa_column=Column(Text, nullable=False))
    indicators: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    deliverables: str = Field(sa_column=Column(Text, nullable=False))
    trl_target: int = Field(default=6)
    scenario: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    period_months: int = Field(default=24)
    committed_funds_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    offered_fen: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    ip_terms: str = Field(default=IpTerms.EXCLUSIVE, max_length=20)
    award_mode: str = Field(default=AwardMode.SINGLE, max_length=10)
    requirements: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    bid_deadline: datetime = Field(sa_type=UTCDateTime, index=True)
    contact_name: str = Field(default="", max_length=50)
    contact_phone: str = Field(default="", max_length=30)
    contact_email: str = Field(default="", max_length=254)
    confidential_annex: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(default=ChallengeStatus.DRAFT, max_length=20, index=True)
    version: int = Field(default=1)
    officer_comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    publish_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdraw_reason: str = Field(default="", max_length=500)
    withdrawal_requested_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # An edit of a published challenge waits here for the bureau; the challenge stays published and
    # its bids stay with their teams meanwhile (T32). Column values as JSON (deadline in ISO format).
    pending_change: dict | None = Field(default=None, sa_column=Column(JSON(none_as_null=True), nullable=True))
    change_requested_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    relisted_from_id: int | None = Field(default=None, foreign_key="challenge.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Clarification(SQLModel, table=True):
    """A question on a challenge (答疑); the answer is published to every visitor, the asker anonymous."""

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    asked_by: int = Field(foreign_key="user.id")
    question: str = Field(sa_column=Column(Text, nullable=False))
    answer: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    answered_by: int | None = Field(default=None, foreign_key="user.id")
    asked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Attachment(SQLModel, table=True):
    """A file of a challenge, stored under var/uploads by a random name, never under the web root."""

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=64, unique=True)
    confidential: bool = Field(default=False)
    uploaded_by: int = Field(foreign_key="user.id")
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ConfidentialityAcceptance(SQLModel, table=True):
    """A verified team organisation accepted the challenge's confidentiality terms (保密承诺)."""

    __table_args__ = (UniqueConstraint("challenge_id", "organisation_id"),)
    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    user_id: int = Field(foreign_key="user.id")
    accepted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ChallengeSnapshot(SQLModel, table=True):
    """The challenge's content as submitted for review, one row per submission (版本), so the officer
    sees what changed since the last version (issue 13)."""

    __table_args__ = (UniqueConstraint("challenge_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    number: int
    fields: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    submitted_by: int | None = Field(default=None, foreign_key="user.id")
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
