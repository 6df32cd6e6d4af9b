"""Parse untrusted inputs into exact values, or raise SubsidyInputError with a stable code."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from marketplace.money import FEN_PER_YUAN, MAX_FEN, Fen
from marketplace.subsidies.engine.errors import SubsidyInputError
from marketplace.subsidies.engine.model import Verdict

_CEILING_YUAN = Decimal(MAX_FEN) / FEN_PER_YUAN


def _decimal(value: Any, field: str, bad_code: str) -> Decimal:
    """A finite Decimal from str / int / Decimal; never from float or bool."""
    if isinstance(value, float):
        raise SubsidyInputError("FLOAT_NOT_ALLOWED", field)
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise SubsidyInputError(bad_code, field)
    text = value.strip().replace(",", "") if isinstance(value, str) else value
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise SubsidyInputError(bad_code, field) from None
    if not number.is_finite():
        raise SubsidyInputError("NOT_FINITE", field)
    return number


def parse_yuan(value: Any, field: str) -> Fen:
    """An amount of 元 (whole fen, ≥ 0, ≤ 100亿元) as int fen."""
    amount = _decimal(value, field, "BAD_AMOUNT")
    if amount < 0:
        raise SubsidyInputError("NEGATIVE_AMOUNT", field)
    if amount > _CEILING_YUAN:
        raise SubsidyInputError("IMPLAUSIBLE_AMOUNT", field)
    fen = amount * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise SubsidyInputError("PRECISION_EXCEEDS_FEN", field)
    return int(fen)


def parse_ratio(value: Any, field: str) -> Decimal:
    """A ratio in [0, 1] written as a string (or int 0/1)."""
    ratio = _decimal(value, field, "BAD_RATIO")
    if not Decimal(0) <= ratio <= Decimal(1):
        raise SubsidyInputError("BAD_RATIO", field)
    return ratio


def parse_weight(value: Any, field: str) -> Decimal:
    """A milestone weight: a non-negative number written as a string or int."""
    weight = _decimal(value, field, "BAD_VALUE")
    if weight < 0:
        raise SubsidyInputError("BAD_VALUE", field)
    return weight


def parse_date(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) != 10:
        raise SubsidyInputError("BAD_DATE", field)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SubsidyInputError("BAD_DATE", field) from None


def parse_verdict(value: Any, field: str) -> Verdict:
    try:
        return Verdict(value)
    except ValueError:
        raise SubsidyInputError("UNKNOWN_VERDICT", field) from None


def parse_bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise SubsidyInputError("BAD_VALUE", field, "须为 true 或 false")
    return value


def parse_text(value: Any, field: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value).strip() == "":
        raise SubsidyInputError("BAD_VALUE", field, "须为非空文本")
    return str(value).strip()
