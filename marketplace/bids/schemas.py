"""Input and output shapes for bids (揭榜方案), shared by the form and the API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator, model_validator

from marketplace.money import fen_from_yuan
from marketplace.validation import CleanStr, PositiveYuanStr, StrictIn, YuanStr


class MilestoneIn(StrictIn):
    """One milestone of the plan: what it delivers (by indicator name) and by which month."""

    title: CleanStr = Field(min_length=1, max_length=200)
    due_month: int = Field(ge=1, le=120)
    indicators: list[CleanStr] = Field(default_factory=list, max_length=30)


class MemberIn(StrictIn):
    name: CleanStr = Field(min_length=1, max_length=50)
    role: CleanStr = Field(default="", max_length=100)


class PartnerIn(StrictIn):
    """A partner organisation of a consortium bid (创新联合体) and its share."""

    organisation_id: int = Field(ge=1, le=2**62)
    share_percent: int = Field(ge=1, le=99)
    role: CleanStr = Field(default="", max_length=200)


class BidIn(StrictIn):
    team_id: int = Field(ge=1, le=2**62, description="揭榜团队（本单位的团队画像）")
    technical_route: CleanStr = Field(default="", max_length=20000)
    milestones: list[MilestoneIn] = Field(default_factory=list, max_length=20)
    price_yuan: PositiveYuanStr = Field(description="揭榜报价（元），大于零")
    budget_company_yuan: YuanStr = Field(default="0", description="企业出资（元）")
    budget_own_yuan: YuanStr = Field(default="0", description="自筹资金（元）")
    budget_subsidy_yuan: YuanStr = Field(default="0", description="预期补助（元）")
    members: list[MemberIn] = Field(default_factory=list, max_length=50)
    prior_results: CleanStr = Field(default="", max_length=10000)
    partners: list[PartnerIn] = Field(default_factory=list, max_length=10)
    declare_no_double_funding: bool = False
    declare_ownership: bool = False
    declare_conflicts: CleanStr = Field(default="", max_length=1000)

    @field_validator("partners")
    @classmethod
    def _partners(cls, value: list[PartnerIn]) -> list[PartnerIn]:
        ids = [p.organisation_id for p in value]
        if len(set(ids)) != len(ids):
            raise ValueError("同一合作单位不能重复填写")
        if sum(p.share_percent for p in value) >= 100:
            raise ValueError("合作单位份额合计须小于 100%，其余归牵头单位")
        return value

    @model_validator(mode="after")
    def _milestone_order(self):
        titles = [m.title for m in self.milestones]
        if len(set(titles)) != len(titles):
            raise ValueError("里程碑名称不能重复")
        return self

    @property
    def price_fen(self) -> int:
        return fen_from_yuan(self.price_yuan)

    def budget_fen(self) -> dict[str, int]:
        """The budget split in fen, keyed by the Bid columns."""
        return {"budget_company_fen": fen_from_yuan(self.budget_company_yuan),
                "budget_own_fen": fen_from_yuan(self.budget_own_yuan),
                "budget_subsidy_fen": fen_from_yuan(self.budget_subsidy_yuan)}


class ReviewIn(StrictIn):
    """Formal review (形式审查) of one bid: qualified, or disqualified with a reason."""

    qualified: bool
    reason: CleanStr = Field(default="", max_length=1000)

    @model_validator(mode="after")
    def _reason_when_disqualified(self):
        if not self.qualified and not self.reason:
            raise ValueError("不通过时必须填写理由")
        return self


class ReviewCorrectionIn(StrictIn):
    """A corrected formal-review conclusion: the new conclusion and, always, why it changed."""

    qualified: bool
    reason: CleanStr = Field(min_length=1, max_length=1000)


class PartnerAnswerIn(StrictIn):
    """A consortium partner's answer: confirm its participation and share, or decline (with a reason)."""

    confirm: bool
    reason: CleanStr = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _reason_when_declined(self):
        if not self.confirm and not self.reason:
            raise ValueError("拒绝时请填写理由，便于牵头单位调整方案")
        return self


class PartnerRequestOut(BaseModel):
    """One partner confirmation as its partner organisation, the bidding team or the bureau sees it."""

    id: int
    bid_id: int
    organisation_id: int
    share_percent: int
    role: str
    status: str
    reason: str
    decided_at: datetime | None
    challenge_id: int
    challenge_title: str
    lead_organisation: str


class SupplementRequestIn(StrictIn):
    """The officer opens a 补正 window on a disqualified bid: until when, and what is missing."""

    deadline: datetime
    note: CleanStr = Field(min_length=1, max_length=1000)


class ReceiptOut(BaseModel):
    """The submission receipt (回执): server time and SHA-256 of the canonical bid content."""

    bid_id: int
    submitted_at: datetime
    receipt_hash: str


class BidOut(BaseModel):
    """A bid as its own team, or (after the deadline) the company and officers, may see it."""

    id: int
    challenge_id: int
    team_id: int
    organisation_id: int
    status: str
    technical_route: str
    milestones: list[dict]
    price_fen: int
    budget_company_fen: int
    budget_own_fen: int
    budget_subsidy_fen: int
    members: list[dict]
    prior_results: str
    partners: list[dict]
    declare_no_double_funding: bool
    declare_ownership: bool
    declare_conflicts: str
    submitted_at: datetime | None
    receipt_hash: str | None
    withdrawn_at: datetime | None
    review_reason: str
    reviewed_at: datetime | None
    supplement_deadline: datetime | None = None
    supplement_note: str = ""
    updated_at: datetime
