"""Notification, e-mail outbox and preference tables."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from marketplace.clock import utcnow
from marketplace.types import UTCDateTime


class Kind(StrEnum):
    CHALLENGE_RETURNED = "challenge_returned"
    CHALLENGE_PUBLISHED = "challenge_published"
    QUESTION_ANSWERED = "question_answered"
    BID_RECEIVED = "bid_received"
    DEADLINE_SOON = "deadline_soon"
    CHALLENGE_WITHDRAWN = "challenge_withdrawn"
    REVIEW_OUTCOME = "review_outcome"
    INVITED = "invited"
    BID_CHANGED = "bid_changed"
    CHALLENGE_CHANGED = "challenge_changed"
    REVIEW_ASSIGNED = "review_assigned"
    REVIEW_DUE = "review_due"
    DEFENCE_SCHEDULED = "defence_scheduled"
    AWARD_DECIDED = "award_decided"
    AWARD_ANNOUNCED = "award_announced"
    OBJECTION_ANSWERED = "objection_answered"
    AWARDED = "awarded"
    CONTRACT = "contract"
    MILESTONE_OVERDUE = "milestone_overdue"
    SUBSIDY = "subsidy"
    DIGEST = "digest"
    MEMBERSHIP = "membership"
    CONSORTIUM = "consortium"
    SUPPLEMENT = "supplement"


KIND_LABELS = {
    Kind.CHALLENGE_RETURNED: "榜单被退回修改",
    Kind.CHALLENGE_PUBLISHED: "榜单已发布",
    Kind.QUESTION_ANSWERED: "提问已答复",
    Kind.BID_RECEIVED: "收到揭榜方案",
    Kind.DEADLINE_SOON: "揭榜截止前 3 天提醒",
    Kind.CHALLENGE_WITHDRAWN: "榜单已撤榜",
    Kind.REVIEW_OUTCOME: "形式审查结果",
    Kind.INVITED: "受邀揭榜",
    Kind.BID_CHANGED: "揭榜方案被团队其他成员修改",
    Kind.CHALLENGE_CHANGED: "榜单内容调整",
    Kind.REVIEW_ASSIGNED: "评审任务分配",
    Kind.REVIEW_DUE: "评审截止前提醒",
    Kind.DEFENCE_SCHEDULED: "答辩时间安排",
    Kind.AWARD_DECIDED: "评审决定",
    Kind.AWARD_ANNOUNCED: "结果公示",
    Kind.OBJECTION_ANSWERED: "异议答复",
    Kind.AWARDED: "公示期满，确定揭榜方",
    Kind.CONTRACT: "任务书、付款与验收进展",
    Kind.MILESTONE_OVERDUE: "里程碑逾期提醒",
    Kind.SUBSIDY: "补助测算、审批与拨付",
    Kind.DIGEST: "每周摘要（待办、收到的方案、匹配的新榜单）",
    Kind.MEMBERSHIP: "加入本单位的申请与结果",
    Kind.CONSORTIUM: "创新联合体合作确认",
    Kind.SUPPLEMENT: "形式审查补正",
}


class Notification(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=30)
    title: str = Field(max_length=200)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    link: str = Field(default="", max_length=300)
    dedupe_key: str | None = Field(default=None, max_length=120, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EmailOutbox(SQLModel, table=True):
    """Mail a configured SMTP sender would deliver (sent_at stays empty until then)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    kind: str = Field(max_length=30)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NotificationPreference(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("user_id", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=30)
    in_app: bool = Field(default=True)
    email: bool = Field(default=True)
