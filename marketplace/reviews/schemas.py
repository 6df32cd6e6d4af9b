"""Input and output shapes of expert review, shared by the forms and the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from marketplace.validation import CleanStr, StrictIn


class CriterionIn(StrictIn):
    name: CleanStr = Field(min_length=1, max_length=50)
    weight: CleanStr = Field(min_length=1, max_length=10, description="权重（百分数，如 “40”）")


class PanelIn(StrictIn):
    reviewers_per_bid: int = Field(default=3, ge=1, le=15)
    max_load: int = Field(default=5, ge=1, le=50)
    criteria: list[CriterionIn] | None = Field(default=None, max_length=20)
    scale: int = Field(default=10, ge=1, le=100)
    comment_below: int = Field(default=6, ge=0, le=100)
    blind: bool = False
    due_at: datetime | None = None


class PanelOut(BaseModel):
    id: int
    challenge_id: int
    reviewers_per_bid: int
    max_load: int
    criteria: list[dict]
    scale: int
    comment_below: int
    blind: bool


class SuggestionOut(BaseModel):
    bid_id: int
    expert_id: int
    score: float
    terms: list[str]


class AssignIn(StrictIn):
    bid_id: int = Field(ge=1, le=2**62)
    expert_id: int = Field(ge=1, le=2**62)


class AssignmentOut(BaseModel):
    id: int
    bid_id: int
    expert_id: int
    affinity_micro: int


class AutoAssignOut(BaseModel):
    panels: dict[int, list[int]]
    total: float


class DeclarationIn(StrictIn):
    has_conflict: bool
    statement: CleanStr = Field(default="", max_length=1000)


class DeclarationOut(BaseModel):
    bid_id: int
    expert_id: int
    has_conflict: bool
    statement: str
    waived: bool


class WaiverIn(StrictIn):
    expert_id: int = Field(ge=1, le=2**62)
    reason: CleanStr = Field(default="", max_length=1000)


class ScoreIn(StrictIn):
    scores: dict[str, Any] = Field(description="评分指标名 → 整数分")
    comments: dict[str, CleanStr] = Field(default_factory=dict)
    overall_comment: CleanStr = Field(default="", max_length=5000)


class SheetOut(BaseModel):
    expert_id: int | None
    total: str
    scores: list[int]
    comments: list[str]
    overall_comment: str


class MyAssignmentOut(BaseModel):
    bid_id: int
    challenge_id: int
    challenge_title: str
    declared: bool
    submitted: bool


class OpenedBidOut(BaseModel):
    bid_id: int
    challenge_id: int
    blind: bool
    technical_route: str
    milestones: list[dict]
    price_fen: int
    prior_results: str
    members: list[dict] | None
    organisation_id: int | None
    team_id: int | None
    criteria: list[dict]
    scale: int
    comment_below: int


class RankedOut(BaseModel):
    rank: int
    of: int
    bid_id: int
    score: str
    experts: int
    spread: str
    spread_warning: bool


class ProgressRow(BaseModel):
    id: int
    reviews_in: int
    reviews_due: int


class ProgressOut(BaseModel):
    bids: list[ProgressRow]
    experts: list[ProgressRow]
    declared_conflicts: list[list[int]]


class Segment(BaseModel):
    text: str
    overlapping: bool


class PassagePairOut(BaseModel):
    share: float
    bid_passage: list[Segment]
    other_passage: list[Segment]


class SimilarityFlagOut(BaseModel):
    bid_id: int
    other_bid_id: int
    other_challenge_id: int
    other_is_funded_project: bool
    score: float = Field(description="方案文字中与对方高度重合的段落所占比例（0–1）")
    passages: list[PassagePairOut]


class SlotIn(StrictIn):
    day: CleanStr = Field(max_length=10, description="日期（北京时间），如 2026-12-10")
    start: CleanStr = Field(max_length=5, description="开始时间，如 09:00")
    end: CleanStr = Field(max_length=5, description="结束时间，如 09:30")
    place: CleanStr = Field(default="", max_length=200)
    online_link: CleanStr = Field(default="", max_length=300)


class BookingIn(StrictIn):
    bid_id: int


class SlotOut(BaseModel):
    id: int
    challenge_id: int
    starts_at: datetime
    ends_at: datetime
    place: str
    online_link: str
    bid_id: int | None
