"""Tables of the review stage: expert history for 回避, panels, assignments, declarations and scores.

The rules these rows feed live in the pure modules beside this one (coi, assignment, scoring); the
rows only keep facts. Scores are whole points; totals are Decimal kept as text ("76.50") so no float
ever touches them (REVIEW.md §3).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import JSON, Field, SQLModel

from marketplace.clock import utcnow
from marketplace.types import UTCDateTime


class AssignmentStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"  # a conflict appeared after assignment (REVIEW.md §1)


class ExpertAffiliation(SQLModel, table=True):
    """An organisation an expert works or worked at; `end_on` empty while still there."""

    id: int | None = Field(default=None, primary_key=True)
    expert_id: int = Field(foreign_key="expertprofile.id", index=True)
    organisation_name: str = Field(max_length=100)
    uscc: str = Field(max_length=18, index=True)
    start_on: date | None = None
    end_on: date | None = None


class ExpertCollaborator(SQLModel, table=True):
    """A recent co-author or collaborator the expert lists, with the latest year of it."""

    id: int | None = Field(default=None, primary_key=True)
    expert_id: int = Field(foreign_key="expertprofile.id", index=True)
    person: str = Field(max_length=50)
    organisation_name: str = Field(default="", max_length=100)
    year: int


class ReviewPanel(SQLModel, table=True):
    """One panel per challenge: its sizes, its scorecard and whether the review is blind."""

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", unique=True)
    reviewers_per_bid: int = Field(default=3)
    max_load: int = Field(default=5)
    # [{"name": "技术路线与创新性", "weight": "40"}, ...]: weights are Decimal percent as text
    criteria: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    scale: int = Field(default=10)
    comment_below: int = Field(default=6)
    blind: bool = Field(default=False)
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReviewAssignment(SQLModel, table=True):
    """An expert on a bid; never two rows for one pair."""

    __table_args__ = (UniqueConstraint("bid_id", "expert_id"),)

    id: int | None = Field(default=None, primary_key=True)
    panel_id: int = Field(foreign_key="reviewpanel.id", index=True)
    bid_id: int = Field(foreign_key="bid.id", index=True)
    expert_id: int = Field(foreign_key="expertprofile.id", index=True)
    affinity_micro: int = Field(default=0)  # matching affinity in millionths (0–1 000 000)
    assigned_by: int | None = Field(default=None, foreign_key="user.id")  # empty: automatic
    status: str = Field(default=AssignmentStatus.ACTIVE, max_length=20, index=True)
    withdrawn_reason: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ConflictDeclaration(SQLModel, table=True):
    """The expert's per-bid declaration before opening it, and an officer's waiver of it."""

    __table_args__ = (UniqueConstraint("bid_id", "expert_id"),)

    id: int | None = Field(default=None, primary_key=True)
    bid_id: int = Field(foreign_key="bid.id", index=True)
    expert_id: int = Field(foreign_key="expertprofile.id", index=True)
    has_conflict: bool
    statement: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    declared_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    waived_by: int | None = Field(default=None, foreign_key="user.id")
    waiver_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    waived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ReviewScore(SQLModel, table=True):
    """One expert's submitted sheet for one assignment; set aside (kept, not counted) on a late conflict."""

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="reviewassignment.id", unique=True)
    scores: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    comments: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    total: str = Field(max_length=6)  # Decimal as text, "0.00"–"100.00"
    overall_comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    set_aside: bool = Field(default=False)
    set_aside_reason: str = Field(default="", max_length=500)


class ExpertTier(StrEnum):
    GENERAL = "general"  # 一般项目
    MAJOR = "major"      # 重大项目


TIER_LABELS = {ExpertTier.GENERAL: "一般项目专家", ExpertTier.MAJOR: "重大项目专家"}


class ExpertPoolEntry(SQLModel, table=True):
    """The officers' record of an expert in the pool: tier and whether the expert takes reviews.

    No row: a general-tier expert in the pool. Inactive experts keep their account (they can still log
    in and finish nothing new) but are never suggested or assigned.
    """

    id: int | None = Field(default=None, primary_key=True)
    expert_id: int = Field(foreign_key="expertprofile.id", unique=True)
    tier: str = Field(default=ExpertTier.GENERAL, max_length=20)
    active: bool = Field(default=True, index=True)
    note: str = Field(default="", max_length=500)
    updated_by: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DefenceSlot(SQLModel, table=True):
    """A 答辩 (defence hearing) time slot of a challenge under review, holding at most one bid.

    `bid_id` is UNIQUE (a bid is heard once) and is set by a conditional UPDATE (one bid per slot);
    `team_id` is copied from the bid so a team's overlapping slots are found without joins
    (reviews/hearings.py checks that under the team's row lock)."""

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    place: str = Field(default="", max_length=200)
    online_link: str = Field(default="", max_length=300)
    bid_id: int | None = Field(default=None, foreign_key="bid.id", unique=True)
    team_id: int | None = Field(default=None, foreign_key="teamprofile.id", index=True)
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    booked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
