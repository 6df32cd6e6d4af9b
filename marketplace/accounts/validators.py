"""Validators for accounts: 统一社会信用代码 (GB 32100-2015), Guangzhou districts, mobile numbers."""

from __future__ import annotations

import re

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")

GUANGZHOU_DISTRICTS = (
    "越秀区", "海珠区", "荔湾区", "天河区", "白云区", "黄埔区",
    "番禺区", "花都区", "南沙区", "从化区", "增城区",
)

QUALIFICATIONS = ("高新技术企业", "专精特新", "专精特新“小巨人”", "链主")

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def uscc_check_char(first17: str) -> str:
    """The 18th (check) character for the first 17 characters of a 统一社会信用代码."""
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_error(code: str) -> str | None:
    """None when `code` is a valid 统一社会信用代码, otherwise the Chinese reason."""
    if len(code) != 18:
        return "统一社会信用代码应为 18 位"
    if not _USCC_SHAPE.match(code):
        return "统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V），第 3–8 位应为行政区划码"
    if uscc_check_char(code[:17]) != code[17]:
        return "统一社会信用代码校验位不正确"
    return None


def is_mobile(value: str) -> bool:
    """A mainland mobile number (11 digits, starting 13–19)."""
    return bool(_MOBILE.match(value))


_PHONE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?|[48]00-?\d{3}-?\d{4})$")


def is_phone(value: str) -> bool:
    """A mainland mobile, a landline with its area code (020-12345678, extension allowed) or a
    400/800 service number; spaces and hyphens between the digit groups are fine."""
    compact = re.sub(r"[\s]+", "", value)
    compact = re.sub(r"(?<=\d)-(?=\d{4}$)", "", compact) if compact.startswith("1") else compact
    return bool(_PHONE.match(compact))


def is_email(value: str) -> bool:
    """A plausible e-mail address."""
    return bool(_EMAIL.match(value)) and len(value) <= 254
