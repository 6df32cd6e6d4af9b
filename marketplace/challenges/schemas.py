"""Input and output shapes for challenges, shared by the form and the API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator, model_validator

from marketplace.accounts.validators import is_email, is_phone
from marketplace.challenges.models import AwardMode, IpTerms
from marketplace.industries import INDUSTRIES, WEAK_LINKS
from marketplace.money import fen_from_yuan
from marketplace.validation import CleanStr, PositiveYuanStr, StrictIn

MAX_FUNDS_FEN = 100 * 100_000_000 * 100  # 100亿元


class IndicatorIn(StrictIn):
    """One technical indicator (技术指标): it becomes an acceptance criterion later."""

    name: CleanStr = Field(min_length=1, max_length=100)
    target: CleanStr = Field(min_length=1, max_length=100)
    unit: CleanStr = Field(default="", max_length=30)
    test_method: CleanStr = Field(default="", max_length=300)


class ChallengeIn(StrictIn):
    title: CleanStr = Field(min_length=4, max_length=100)
    industry: CleanStr
    weak_link: CleanStr | None = None
    background: CleanStr = Field(min_length=10, max_length=5000)
    bottleneck: CleanStr = Field(min_length=10, max_length=5000)
    indicators: list[IndicatorIn] = Field(default_factory=list, max_length=30)
    deliverables: CleanStr = Field(min_length=2, max_length=3000)
    trl_target: int = Field(default=6, ge=1, le=9)
    scenario: CleanStr = Field(default="", max_length=3000)
    period_months: int = Field(default=24, ge=1, le=120)
    committed_funds_yuan: PositiveYuanStr = Field(description="企业投入资金（元），大于零")
    offered_yuan: PositiveYuanStr = Field(description="揭榜金额（元），大于零且不超过企业投入资金")
    ip_terms: IpTerms = IpTerms.EXCLUSIVE
    award_mode: AwardMode = AwardMode.SINGLE
    requirements: CleanStr = Field(default="", max_length=3000)
    bid_deadline: datetime = Field(description="揭榜截止时间；不带时区时按北京时间理解")
    contact_name: CleanStr = Field(default="", max_length=50)
    contact_phone: CleanStr = Field(default="", max_length=30)
    contact_email: CleanStr = Field(default="", max_length=254)
    confidential_annex: CleanStr = Field(default="", max_length=10000)

    @field_validator("industry")
    @classmethod
    def _industry(cls, value: str) -> str:
        if value not in INDUSTRIES:
            raise ValueError("请选择行动方案中的产业领域")
        return value

    @field_validator("weak_link")
    @classmethod
    def _weak_link(cls, value: str | None) -> str | None:
        if value and value not in WEAK_LINKS:
            raise ValueError("薄弱环节选项无效")
        return value or None

    @field_validator("indicators")
    @classmethod
    def _indicators(cls, value: list[IndicatorIn]) -> list[IndicatorIn]:
        if not value:
            raise ValueError("请至少填写一项技术指标")
        names = [i.name for i in value]
        if len(set(names)) != len(names):
            raise ValueError("技术指标名称不能重复")
        return value

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if value and not is_phone(value):
            raise ValueError("联系电话格式不正确：请填写手机号（如 13800138000）或带区号的固定电话（如 020-12345678）")
        return value

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and not is_email(value):
            raise ValueError("邮箱格式不正确")
        return value

    @model_validator(mode="after")
    def _offered_within_funds(self):
        if self.offered_fen > self.committed_funds_fen:
            raise ValueError("揭榜金额不能超过企业投入资金")
        return self

    @property
    def committed_funds_fen(self) -> int:
        return fen_from_yuan(self.committed_funds_yuan)

    @property
    def offered_fen(self) -> int:
        return fen_from_yuan(self.offered_yuan)


class ReturnIn(StrictIn):
    comment: CleanStr = Field(min_length=2, max_length=3000)


class PublishIn(StrictIn):
    publish_at: datetime | None = Field(default=None, description="定时发布时间；为空则立即发布")


class WithdrawIn(StrictIn):
    reason: CleanStr = Field(min_length=2, max_length=500)


class QuestionIn(StrictIn):
    question: CleanStr = Field(min_length=4, max_length=2000)


class AnswerIn(StrictIn):
    answer: CleanStr = Field(min_length=2, max_length=5000)


class IndicatorOut(BaseModel):
    name: str
    target: str
    unit: str = ""
    test_method: str = ""


class ChallengeOut(BaseModel):
    id: int
    organisation_id: int
    title: str
    industry: str
    weak_link: str | None
    background: str
    bottleneck: str
    indicators: list[IndicatorOut]
    deliverables: str
    trl_target: int
    scenario: str
    period_months: int
    committed_funds_fen: int
    offered_fen: int
    ip_terms: str
    award_mode: str
    requirements: str
    bid_deadline: datetime
    status: str
    published_at: datetime | None
    officer_comment: str
    withdraw_reason: str
    bid_count: int = 0


class InvitedOut(BaseModel):
    team_id: int
    invited: bool


class ChallengePage(BaseModel):
    total: int
    page: int
    pages: int = 1
    notice: str = ""  # Chinese note when the page asked for was past the last (the last is returned)
    items: list[ChallengeOut]


class QuestionOut(BaseModel):
    id: int
    question: str
    answer: str | None
    asked_at: datetime
    answered_at: datetime | None


class RecommendationOut(BaseModel):
    id: int
    name: str
    score: float
    terms: list[str]
    already_bid: bool | None = None  # the caller's own team has a live bid on it (已揭榜); None: not told


class AnnexOut(BaseModel):
    confidential_annex: str


class InviteIn(BaseModel):
    team_id: int
    message: str = Field(default="", max_length=500)


class InvitationOut(BaseModel):
    team_id: int
    message: str
    invited_at: datetime


class FieldChangeOut(BaseModel):
    field: str
    label: str
    old: str
    new: str


class VersionDiffOut(BaseModel):
    version: int | None = None
    previous_version: int | None = None
    submitted_at: datetime | None = None
    changes: list[FieldChangeOut] = []
