"""Input and output shapes of the contract stage, shared by the forms and the API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from marketplace.money import fen_from_yuan
from marketplace.validation import CleanStr, PositiveYuanStr, StrictIn, YuanStr


class ContractIn(StrictIn):
    bid_id: int | None = Field(default=None, ge=1, le=2**62, description="中选方案（并行攻关时必填）")
    amount_yuan: YuanStr | None = Field(default=None, description="任务书金额（元）；空则取中选报价")
    committed_yuan: YuanStr | None = Field(default=None, description="企业承诺投入资金（元）；空则取榜单数")
    start_on: date | None = Field(default=None, description="实施起始日；空则为今天")
    payment_shares: list[int] = Field(default_factory=list, max_length=20,
                                      description="各里程碑付款比例（%），合计 100；空则平均分配")
    terms: CleanStr = Field(default="", max_length=20000)
    policy_id: CleanStr | None = Field(default=None, max_length=60)

    @field_validator("payment_shares")
    @classmethod
    def _shares(cls, value: list[int]) -> list[int]:
        if value and (any(v < 0 or v > 100 for v in value) or sum(value) != 100):
            raise ValueError("各里程碑付款比例须在 0–100 之间且合计为 100%")
        return value

    def fen(self, name: str) -> int | None:
        text = getattr(self, name)
        return fen_from_yuan(text) if text not in ("", None) else None


class AmendmentIn(StrictIn):
    amount_yuan: YuanStr | None = Field(default=None, description="新的任务书金额（元），不变则留空")
    committed_yuan: YuanStr | None = Field(default=None, description="新的企业投入资金（元），不变则留空")
    end_on: date | None = Field(default=None, description="新的实施截止日")
    milestone_due: dict[int, date] = Field(default_factory=dict, description="{里程碑序号: 新的完成日期}")
    reason: CleanStr = Field(min_length=2, max_length=2000)

    @model_validator(mode="after")
    def _something(self):  # noqa: ANN202
        if not (self.amount_yuan or self.committed_yuan or self.end_on or self.milestone_due):
            raise ValueError("请至少填写一项变更内容（日期或金额）")
        return self


class PaymentIn(StrictIn):
    amount_yuan: PositiveYuanStr = Field(description="付款金额（元），大于零")
    paid_on: date = Field(description="付款日期")
    note: CleanStr = Field(default="", max_length=500)

    @property
    def amount_fen(self) -> int:
        return fen_from_yuan(self.amount_yuan)


class ReasonIn(StrictIn):
    reason: CleanStr = Field(default="", max_length=1000)


class ReportIn(StrictIn):
    summary: CleanStr = Field(min_length=2, max_length=10000)


class ReportDecisionIn(StrictIn):
    confirm: bool
    note: CleanStr = Field(default="", max_length=1000)

    @model_validator(mode="after")
    def _note(self):  # noqa: ANN202
        if not self.confirm and not self.note:
            raise ValueError("退回时必须说明理由")
        return self


class MidtermIn(StrictIn):
    decision: Literal["continue", "rectify", "terminate"]
    note: CleanStr = Field(default="", max_length=5000)
    rectify_by: date | None = None

    @model_validator(mode="after")
    def _rules(self):  # noqa: ANN202
        if self.decision == "rectify" and self.rectify_by is None:
            raise ValueError("限期整改须填写整改期限")
        if self.decision in ("rectify", "terminate") and not self.note:
            raise ValueError("整改或终止须说明理由")
        return self


class MeasurementIn(StrictIn):
    measured: CleanStr = Field(min_length=1, max_length=200)
    evidence: CleanStr = Field(default="", max_length=2000)


class AcceptanceIn(StrictIn):
    measurements: dict[CleanStr, MeasurementIn] = Field(description="{指标名称: 实测值与证明}，每项指标都要填")


class VoteIn(StrictIn):
    results: dict[CleanStr, bool] = Field(description="{指标名称: 是否达标}，每项指标都要评")
    comment: CleanStr = Field(default="", max_length=5000)


class ConcludeIn(StrictIn):
    """When an indicator failed: rectify (round 1 only, with a date) or fail; always with a reason."""

    rectify: bool = False
    rectify_by: date | None = None
    reason: CleanStr = Field(default="", max_length=5000)


class ExpertIn(StrictIn):
    expert_id: int = Field(ge=1, le=2**62)


class ContractOut(BaseModel):
    id: int
    challenge_id: int
    bid_id: int
    title: str
    company_org_id: int
    team_org_id: int
    amount_fen: int
    committed_fen: int
    recorded_fen: int
    start_on: date
    end_on: date
    status: str
    revision: int
    signed_on: date | None
    rectify_by: date | None
    outcome: str | None
    ended_on: date | None
    policy_id: str | None


class PartyOut(BaseModel):
    party: str
    organisation_id: int | None
    role: str
    share_percent: int
    signed: bool


class MilestoneOut(BaseModel):
    id: int
    seq: int
    title: str
    due_on: date
    indicators: list[str]
    payment_share_percent: int
    status: str
    overdue_since: date | None


class PaymentOut(BaseModel):
    id: int
    contract_id: int
    amount_fen: int
    paid_on: date
    voucher_file_id: int
    status: str
    reason: str


class AmendmentOut(BaseModel):
    id: int
    revision: int
    changes: dict
    previous: dict
    reason: str
    applied_at: datetime | None


class AcceptanceOut(BaseModel):
    id: int
    round: int
    measurements: dict
    verdict: str | None
    verdict_reason: str
    rectify_by: date | None


class VoteOut(BaseModel):
    id: int
    voter: str
    results: dict[str, bool]


class ContractDetailOut(ContractOut):
    parties: list[PartyOut]
    milestones: list[MilestoneOut]
    payments: list[PaymentOut]
    amendments: list[AmendmentOut]
    acceptances: list[AcceptanceOut]
    checked_fen: int


class ConfirmIn(StrictIn):
    received: bool = True
    reason: CleanStr = Field(default="", max_length=1000)


class CheckIn(StrictIn):
    approve: bool = True
    reason: CleanStr = Field(default="", max_length=1000)


class ProjectMilestoneOut(BaseModel):
    seq: int
    title: str
    due_on: date
    done: bool
    share_percent: int


class ProjectOut(BaseModel):
    contract_id: int
    challenge_id: int
    title: str
    company: str
    team: str
    start_on: date
    end_on: date
    status: str
    milestones_done: int
    milestones_due: int
    weighted_progress_percent: int
    milestones: list[ProjectMilestoneOut]


class ConsentIn(BaseModel):
    agree: bool


class ConsentOut(BaseModel):
    contract_id: int
    agreed: list[str]
    published: bool
