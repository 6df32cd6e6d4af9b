"""Input and output shapes for accounts, shared by forms and the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from marketplace.accounts.passwords import password_problem
from marketplace.accounts.validators import (
    GUANGZHOU_DISTRICTS,
    QUALIFICATIONS,
    is_email,
    is_mobile,
    uscc_error,
)
from marketplace.industries import INDUSTRIES
from marketplace.validation import CleanStr, StrictIn


def _new_password(value: str) -> str:
    problem = password_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _industries(value: list[str]) -> list[str]:
    if any(i not in INDUSTRIES for i in value):
        raise ValueError("产业领域选项无效")
    return list(dict.fromkeys(value))


NewPassword = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_new_password)]
Industries = Annotated[list[CleanStr], AfterValidator(_industries)]


def _optional(value: str | None) -> str | None:
    return value or None


class ContactIn(StrictIn):
    email: CleanStr | None = Field(default=None, max_length=254)
    mobile: CleanStr | None = Field(default=None, max_length=20)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        value = _optional(value)
        if value is not None and not is_email(value):
            raise ValueError("邮箱格式不正确")
        return value.lower() if value else None

    @field_validator("mobile")
    @classmethod
    def _mobile(cls, value: str | None) -> str | None:
        value = _optional(value)
        if value is not None and not is_mobile(value):
            raise ValueError("手机号应为 11 位中国大陆手机号")
        return value

    @model_validator(mode="after")
    def _one_contact(self):
        if not self.email and not self.mobile:
            raise ValueError("请至少填写邮箱或手机号之一")
        return self


class RegistrationIn(ContactIn):
    """Self-registration of a company (enterprise) or a research team (university / institute)."""

    org_kind: Literal["enterprise", "university", "institute"]
    org_name: CleanStr = Field(min_length=2, max_length=100)
    uscc: CleanStr = Field(min_length=1, max_length=18)
    district: CleanStr
    region: Literal["mainland", "hongkong", "macao"] = "mainland"
    qualifications: list[CleanStr] = Field(default_factory=list, max_length=4)
    industries: Industries = Field(default_factory=list, max_length=4)
    display_name: CleanStr = Field(min_length=1, max_length=50)
    password: NewPassword
    accept_terms: bool = False
    legal_representative: CleanStr = Field(default="", max_length=50)  # 法定代表人 (evidence for the officer)

    @field_validator("uscc")
    @classmethod
    def _uscc(cls, value: str) -> str:
        value = value.upper()
        problem = uscc_error(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("district")
    @classmethod
    def _district(cls, value: str) -> str:
        if value not in GUANGZHOU_DISTRICTS:
            raise ValueError("请选择广州市的一个区")
        return value

    @field_validator("qualifications")
    @classmethod
    def _qualifications(cls, value: list[str]) -> list[str]:
        if any(q not in QUALIFICATIONS for q in value):
            raise ValueError("资质选项无效")
        return list(dict.fromkeys(value))

    @field_validator("accept_terms")
    @classmethod
    def _terms(cls, value: bool) -> bool:
        if not value:
            raise ValueError("请阅读并同意平台服务协议")
        return value

    @model_validator(mode="after")
    def _enterprise_only(self):
        if self.org_kind != "enterprise" and self.qualifications:
            raise ValueError("只有企业可以填写企业资质")
        return self


class UserCreateIn(ContactIn):
    """An officer, expert or admin account created by an admin."""

    display_name: CleanStr = Field(min_length=1, max_length=50)
    role: Literal["officer", "expert", "admin", "company", "team"]
    organisation_id: int | None = Field(default=None, ge=1, le=2**31)
    password: NewPassword


class PasswordChangeIn(StrictIn):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: NewPassword


class VerificationIn(StrictIn):
    approve: bool
    region: Literal["mainland", "hongkong", "macao"] | None = None  # the officer confirms or corrects it
    comment: CleanStr = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _reason_for_rejection(self):
        if not self.approve and not self.comment:
            raise ValueError("不通过时请填写原因")
        return self


class TeamProfileIn(StrictIn):
    name: CleanStr = Field(min_length=2, max_length=100)
    leader: CleanStr = Field(min_length=1, max_length=50)
    members: list[CleanStr] = Field(default_factory=list, max_length=50)
    fields: list[CleanStr] = Field(default_factory=list, max_length=12)
    industries: Industries = Field(default_factory=list, max_length=4)
    profile: CleanStr = Field(min_length=10, max_length=5000)
    achievements: CleanStr = Field(default="", max_length=5000)
    patents: list[CleanStr] = Field(default_factory=list, max_length=50)

    @field_validator("members", "fields", "patents")
    @classmethod
    def _items(cls, value: list[str]) -> list[str]:
        if any(len(v) > 200 for v in value):
            raise ValueError("单项内容过长（最多 200 个字符）")
        return [v for v in value if v]


class PasswordResetRequestIn(StrictIn):
    account: CleanStr = Field(min_length=1, max_length=254)


class PasswordResetIn(StrictIn):
    token: str = Field(min_length=20, max_length=100)
    new_password: NewPassword


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


class MessageOut(BaseModel):
    message: str


class UserRowOut(BaseModel):
    id: int
    display_name: str
    role: str
    email: str | None
    mobile: str | None
    organisation_id: int | None
    organisation_name: str | None
    is_active: bool


class UserPageOut(BaseModel):
    items: list[UserRowOut]
    total: int
    page: int
    page_size: int


class JoinRequestOut(BaseModel):
    id: int
    organisation_id: int
    organisation_name: str
    user_id: int
    display_name: str
    role: str
    status: str
    created_at: datetime


class JoinDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approve: bool
    reason: str = Field(default="", max_length=200)
