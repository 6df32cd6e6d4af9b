"""Tables of the award stage: opinions, decisions (one per challenge and round), 公示 batches, objections."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import JSON, Field, SQLModel

from marketplace.clock import utcnow
from marketplace.types import UTCDateTime


class CompanyOpinion(SQLModel, table=True):
    """The posting company's opinion on the ranked shortlist (it never changes a score)."""

    __table_args__ = (UniqueConstraint("challenge_id", "round"),)

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    round: int = Field(default=1)
    preferred_bid_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    opinion: str = Field(sa_column=Column(Text, nullable=False))
    given_by: int = Field(foreign_key="user.id")
    given_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AwardDecision(SQLModel, table=True):
    """The bureau's decision. UNIQUE (challenge, round): a second decision is refused by the database;
    an upheld objection that reopens the review revokes it and the next decision takes round + 1."""

    __table_args__ = (UniqueConstraint("challenge_id", "round"),)

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    round: int = Field(default=1)
    winning_bid_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    follows_ranking: bool = Field(default=True)
    ranking: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    decided_by: int = Field(foreign_key="user.id")
    decided_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_reason: str = Field(default="", max_length=1000)


class Announcement(SQLModel, table=True):
    """A 公示 batch: several decided challenges published together with one window."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    period_days: int
    published_on: date  # Beijing date
    ends_on: date       # last Beijing day objections count (23:59:59)
    provisional: bool = Field(default=False)  # 暂定: part of the window counted Monday–Friday
    published_by: int = Field(foreign_key="user.id")
    published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ItemStatus(StrEnum):
    OPEN = "open"          # in its window (or ended, awaiting the tick / an answer)
    AWARDED = "awarded"    # finalised by the scheduler
    REOPENED = "reopened"  # an upheld objection took the challenge back


class AnnouncementItem(SQLModel, table=True):
    """One challenge's result in a batch."""

    __table_args__ = (UniqueConstraint("announcement_id", "challenge_id"),)

    id: int | None = Field(default=None, primary_key=True)
    announcement_id: int = Field(foreign_key="announcement.id", index=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    decision_id: int = Field(foreign_key="awarddecision.id")
    status: str = Field(default=ItemStatus.OPEN, max_length=20, index=True)
    finalised_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ObjectionStatus(StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


OBJECTION_LABELS = {ObjectionStatus.PENDING: "待答复", ObjectionStatus.UPHELD: "异议成立",
                    ObjectionStatus.DISMISSED: "异议不成立"}


class Objection(SQLModel, table=True):
    """An objection lodged during the window; the officer's answer is shown to the objector."""

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="announcementitem.id", index=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    reasons: str = Field(sa_column=Column(Text, nullable=False))
    lodged_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status: str = Field(default=ObjectionStatus.PENDING, max_length=20, index=True)
    answer: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    reopens: str = Field(default="", max_length=20)  # in_review / decided when upheld
    answered_by: int | None = Field(default=None, foreign_key="user.id")
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NoAwardDecision(SQLModel, table=True):
    """无中选方案: the bureau found no bid good enough. The reason is shown to the company and the
    bidders; one per challenge (the company re-lists as a new draft)."""

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", unique=True)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    decided_by: int = Field(foreign_key="user.id")
    decided_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
