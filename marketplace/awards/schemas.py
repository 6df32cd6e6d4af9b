"""Input and output shapes for award decisions, 公示 and objections, shared by forms and the API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from marketplace.validation import CleanStr, StrictIn

Ids = list[int]


class OpinionIn(StrictIn):
    preferred_bid_ids: Ids = Field(default_factory=list, max_length=50)
    opinion: CleanStr = Field(default="", max_length=5000)


class OpinionOut(BaseModel):
    challenge_id: int
    round: int
    preferred_bid_ids: Ids
    opinion: str
    given_at: datetime


class ShortlistRow(BaseModel):
    rank: int
    of: int
    bid_id: int
    organisation: str


class ShortlistOut(BaseModel):
    ranking: list[ShortlistRow]
    opinions: list[OpinionOut]


class DecisionIn(StrictIn):
    winning_bid_ids: Ids = Field(max_length=50)
    reason: CleanStr = Field(default="", max_length=5000)


class DecisionOut(BaseModel):
    id: int
    challenge_id: int
    round: int
    winning_bid_ids: Ids
    reason: str
    follows_ranking: bool
    decided_at: datetime


class NoAwardIn(StrictIn):
    reason: CleanStr = Field(default="", max_length=5000, description="理由，至少 10 个字（必填）")


class NoAwardOut(BaseModel):
    challenge_id: int
    status: str = "no_award"
    reason: str
    decided_at: datetime


class PublishIn(StrictIn):
    challenge_ids: Ids = Field(max_length=200)
    period_days: int = Field(default=5, description="公示期（工作日），1–30")
    title: CleanStr = Field(default="", max_length=200)


class AnnouncementOut(BaseModel):
    id: int
    title: str
    period_days: int
    published_on: date
    ends_on: date
    provisional: bool


class ObjectionIn(StrictIn):
    reasons: CleanStr = Field(default="", max_length=5000)


class AnswerIn(StrictIn):
    upheld: bool
    answer: CleanStr = Field(default="", max_length=5000)
    reopens: str = Field(default="", max_length=20, description="异议成立时：in_review 或 decided")


class ObjectionOut(BaseModel):
    id: int
    challenge_id: int
    reasons: str
    lodged_at: datetime
    status: str
    answer: str
    reopens: str
    answered_at: datetime | None


class FeedbackOut(BaseModel):
    bid_id: int
    won: bool
    band: str | None
    rank: int | None
    of: int
    comments: list[str]
