"""Input and output shapes for API tokens."""

from __future__ import annotations

from pydantic import BaseModel, Field

from marketplace.validation import CleanStr, StrictIn


class TokenIn(StrictIn):
    account: CleanStr = Field(min_length=1, max_length=254, description="邮箱或手机号")
    password: str = Field(min_length=1, max_length=200)
    label: CleanStr = Field(default="", max_length=100)


class TokenOut(BaseModel):
    token: str
    token_type: str = "bearer"
