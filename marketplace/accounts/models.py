"""Account tables: organisations, users, research-team profiles, expert profiles."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from marketplace.actor import Role
from marketplace.clock import utcnow
from marketplace.types import UTCDateTime


class OrgKind(StrEnum):
    ENTERPRISE = "enterprise"
    UNIVERSITY = "university"
    INSTITUTE = "institute"
    BUREAU = "bureau"


# Where an organisation is registered: the bureau reports the share of Hong Kong and Macao teams
# (粤港澳大湾区 participation). Self-declared at registration, confirmed by the officer who verifies it.
REGION_LABELS = {"mainland": "内地", "hongkong": "香港", "macao": "澳门"}
HK_MACAO = ("hongkong", "macao")


ORG_KIND_LABELS = {
    OrgKind.ENTERPRISE: "企业",
    OrgKind.UNIVERSITY: "高等院校",
    OrgKind.INSTITUTE: "科研院所",
    OrgKind.BUREAU: "科技主管部门",
}


class OrgStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


ORG_STATUS_LABELS = {OrgStatus.PENDING: "待认证", OrgStatus.VERIFIED: "已认证", OrgStatus.REJECTED: "未通过"}


ROLE_LABELS = {
    Role.COMPANY: "发榜方（企业）",
    Role.TEAM: "揭榜方（科研团队）",
    Role.EXPERT: "评审专家",
    Role.OFFICER: "科技局工作人员",
    Role.ADMIN: "系统管理员",
}


def _created() -> datetime:
    return utcnow()


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str | None = Field(default=None, max_length=64, unique=True)  # seed slug
    kind: str = Field(max_length=20)
    name: str = Field(max_length=100, index=True)
    uscc: str = Field(max_length=18, unique=True)
    district: str = Field(max_length=10)
    region: str = Field(default="mainland", max_length=10, index=True)  # REGION_LABELS
    qualifications: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    industries: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(default=OrgStatus.PENDING, max_length=20, index=True)
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    review_comment: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    # The evidence the officer checks (issue 13): legal representative and business licence (营业执照 /
    # 法人证书), stored like challenge attachments (random name under var/uploads, checked type and size).
    legal_representative: str = Field(default="", max_length=50)
    licence_filename: str = Field(default="", max_length=200)
    licence_storage_key: str = Field(default="", max_length=64)
    licence_sha256: str = Field(default="", max_length=64)
    licence_size: int = Field(default=0)
    licence_uploaded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def is_verified(self) -> bool:
        return self.status == OrgStatus.VERIFIED


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str | None = Field(default=None, max_length=254, unique=True)
    mobile: str | None = Field(default=None, max_length=11, unique=True)
    display_name: str = Field(max_length=50)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=20, index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    password_changed_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


class TeamProfile(SQLModel, table=True):
    """科研团队画像 — indexed by the matching engine."""

    id: int | None = Field(default=None, primary_key=True)
    key: str | None = Field(default=None, max_length=64, unique=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    owner_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=100)
    leader: str = Field(max_length=50)
    members: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    fields: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    industries: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    profile: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    achievements: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    patents: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


class TeamMember(SQLModel, table=True):
    """A user the team's owner added to the team (团队成员账号). The owner is a member without a row.

    A bid belongs to its team: only the team's members read or change it before the deadline —
    not the organisation's other labs (SECURITY.md T31).
    """

    __table_args__ = (UniqueConstraint("team_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="teamprofile.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    added_by: int = Field(foreign_key="user.id")
    added_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


class ExpertProfile(SQLModel, table=True):
    """专家库 entry for a user with the expert role."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True)
    title: str = Field(default="", max_length=50)
    fields: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    bio: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class JoinStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


JOIN_STATUS_LABELS = {JoinStatus.PENDING: "待审核", JoinStatus.APPROVED: "已同意", JoinStatus.REJECTED: "已拒绝"}


class JoinRequest(SQLModel, table=True):
    """A registration with an already-registered 统一社会信用代码: the new account waits (inactive) until
    a user of that verified organisation, or an officer, approves it (加入已注册单位)."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    user_id: int = Field(foreign_key="user.id", unique=True)
    status: str = Field(default=JoinStatus.PENDING, max_length=20, index=True)
    note: str = Field(default="", max_length=200)  # the applicant's words (e.g. the lab's name)
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
