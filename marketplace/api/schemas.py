"""JSON output shapes of the API (never the table models themselves)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from marketplace.validation import CleanStr, StrictIn


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: dict[str, str] = {}


class ErrorOut(BaseModel):
    error: ErrorBody


class TokenIn(StrictIn):
    account: CleanStr = Field(min_length=1, max_length=254, description="邮箱或手机号")
    password: str = Field(min_length=1, max_length=200)
    label: CleanStr = Field(default="", max_length=100)


class TokenOut(BaseModel):
    token: str
    token_type: str = "bearer"


class OrganisationOut(BaseModel):
    id: int
    kind: str
    name: str
    uscc: str
    district: str
    qualifications: list[str]
    industries: list[str]
    status: str
    created_at: datetime
    legal_representative: str = ""
    licence_filename: str = ""  # download: GET /organisations/{id}/licence (officers, the organisation)


class UserOut(BaseModel):
    id: int
    display_name: str
    role: str
    email: str | None
    mobile: str | None
    organisation_id: int | None
    organisation_verified: bool = False
    join_pending: bool = False  # registered with an existing 统一社会信用代码: waits for the organisation


class TeamOut(BaseModel):
    id: int
    organisation_id: int
    name: str
    leader: str
    members: list[str]
    fields: list[str]
    industries: list[str]
    profile: str
    achievements: str
    patents: list[str]
    updated_at: datetime


class RoleIn(StrictIn):
    role: str = Field(max_length=20)


class ActiveIn(StrictIn):
    active: bool
