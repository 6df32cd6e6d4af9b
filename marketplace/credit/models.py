"""One row per remembered outcome or breach of an organisation."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from marketplace.clock import utcnow
from marketplace.types import UTCDateTime


class CreditKind(StrEnum):
    ACCEPTED = "accepted"
    RECTIFIED = "rectified"
    FAILED = "failed"
    TERMINATED = "terminated"
    CLAWBACK = "clawback"
    LATE_REPORT = "late_report"
    OBJECTION_UPHELD = "objection_upheld"


KIND_LABELS = {
    CreditKind.ACCEPTED: "验收通过", CreditKind.RECTIFIED: "整改后通过", CreditKind.FAILED: "验收不通过",
    CreditKind.TERMINATED: "项目终止", CreditKind.CLAWBACK: "补助追回", CreditKind.LATE_REPORT: "逾期报告",
    CreditKind.OBJECTION_UPHELD: "异议成立",
}
# Outcomes that count against an organisation (shown in red beside its later challenges and bids).
ADVERSE = frozenset({CreditKind.FAILED, CreditKind.TERMINATED, CreditKind.CLAWBACK, CreditKind.LATE_REPORT,
                     CreditKind.OBJECTION_UPHELD})


class CreditRecord(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    kind: str = Field(max_length=20)
    occurred_on: datetime = Field(sa_type=UTCDateTime)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # The underlying event: e.g. ("challenge", 12) or ("contract", 3), linked from the officer's page.
    subject_type: str = Field(default="", max_length=30)
    subject_id: str = Field(default="", max_length=40)
    recorded_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
