"""Money is an integer number of fen (分). Conversion to and from 元/万元 happens only here."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

FEN_PER_YUAN = 100
FEN_PER_WANYUAN = 1_000_000
MAX_FEN = 100 * 100_000_000 * FEN_PER_YUAN  # 100亿元, the plausibility ceiling

Fen = int


class MoneyError(ValueError):
    """A money string that cannot be an amount of fen; the message is Chinese."""


MAX_TEXT = 30  # '10,000,000,000.00' is 17 characters; anything much longer is not an amount
# ASCII digits only (re.ASCII: \d would also match '１２３' and '٣٤٥'), either plain or grouped by
# commas in threes, then at most one decimal point. No sign, exponent, underscore or space.
_AMOUNT = re.compile(r"(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.([0-9]+))?", re.ASCII)


def _amount(value: str | int, places: int) -> Decimal:
    """The exact Decimal an amount text denotes, or MoneyError saying what is wrong (in Chinese)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MoneyError("金额不能是浮点数，请以字符串或整数提供" if isinstance(value, float)
                         else "金额格式不正确")
    if isinstance(value, int):
        if value < 0:
            raise MoneyError("金额不能为负数")
        if value > MAX_FEN:
            raise MoneyError("金额超过 100 亿元，不合理")
        return Decimal(value)
    text = value.strip()
    if not text:
        raise MoneyError("请填写金额")
    if len(text) > MAX_TEXT:
        raise MoneyError("金额过长，请直接填写数字，例如 1600000.00")
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise MoneyError(_why_not(text))
    if len(match.group(1) or "") > places:
        raise MoneyError("金额最多保留两位小数（精确到分）" if places == 2 else f"金额最多保留 {places} 位小数")
    return Decimal(text.replace(",", ""))


def _why_not(text: str) -> str:
    """The most useful Chinese message for an amount text the pattern refuses."""
    if any(c.isdigit() and not c.isascii() for c in text) or any("\uff00" <= c <= "\uffef" for c in text):
        return "请使用半角阿拉伯数字（0-9）填写金额"
    if text.startswith("-"):
        return "金额不能为负数"
    if text.startswith("+"):
        return "金额前不要加正号"
    lowered = text.lower()
    if "e" in lowered and any(c.isdigit() for c in lowered) and not any(w in lowered for w in ("inf", "nan")):
        return "金额不能使用科学计数法，请直接写出数字，例如 1600000"
    if "," in text:
        return "千位分隔逗号的位置不正确，例如 1,600,000.00"
    return "金额格式不正确：只能填写数字和小数点，例如 1600000.00"


def fen_from_yuan(value: str | int, *, allow_zero: bool = True) -> Fen:
    """The one strict parser of amounts in 元 (text or int; never float) into exact fen.

    ASCII digits, optionally grouped by commas in threes, at most one point and two decimals,
    no sign or exponent, at most 100亿元. `allow_zero=False` is the rule for amounts that must be
    positive (a price, the funds of a challenge). Raises only MoneyError, with a Chinese message.
    """
    amount = _amount(value, places=2)
    fen = int(amount * FEN_PER_YUAN)
    if fen > MAX_FEN:
        raise MoneyError("金额超过 100 亿元，不合理")
    if fen == 0 and not allow_zero:
        raise MoneyError("金额必须大于零")
    return fen


def positive_fen_from_yuan(value: str | int) -> Fen:
    """An amount that must be more than zero (揭榜报价, 揭榜金额, 企业投入资金)."""
    return fen_from_yuan(value, allow_zero=False)


def fen_from_wanyuan(value: str | int) -> Fen:
    """Parse an amount in 万元 into fen (at most six decimals, i.e. whole fen)."""
    amount = _amount(value, places=6) * 10_000
    if amount > Decimal(MAX_FEN) / FEN_PER_YUAN:
        raise MoneyError("金额超过 100 亿元，不合理")
    return int(amount * FEN_PER_YUAN)


def yuan_text_checker(*, positive: bool) -> Callable[[str], str]:
    """A pydantic AfterValidator for an amount field: the stripped text, or a ValueError (Chinese)."""

    def check(value: str) -> str:
        try:
            fen_from_yuan(value, allow_zero=not positive)
        except MoneyError as exc:
            raise ValueError(str(exc)) from None
        return value.strip()

    return check


def yuan_decimal(fen: Fen) -> Decimal:
    """The exact Decimal number of 元 for an amount of fen."""
    return Decimal(fen) / FEN_PER_YUAN


def format_yuan(fen: Fen | None) -> str:
    """'1,600,000.00 元'."""
    if fen is None:
        return "—"
    return f"{yuan_decimal(fen):,.2f} 元"


def format_wanyuan(fen: Fen | None, places: int = 2) -> str:
    """'160.00 万元'; marked 约 when rounding hides fen."""
    if fen is None:
        return "—"
    exact = Decimal(fen) / FEN_PER_WANYUAN
    shown = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    prefix = "" if shown == exact else "约"
    return f"{prefix}{shown:,.{places}f} 万元"


def fen_half_up(yuan: Decimal) -> Fen:
    """Round an exact amount of 元 once, half up (四舍五入, away from zero), to whole fen."""
    return int((yuan * FEN_PER_YUAN).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fen_times_half_up(fen: Fen, factor: Decimal) -> Fen:
    """fen × factor, rounded half up to whole fen (for shares of an amount)."""
    return int((Decimal(fen) * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def plain_yuan(fen: Fen) -> str:
    """'1600000.00': 元 with exactly two decimals and no separators (for files and APIs)."""
    return f"{yuan_decimal(fen):.2f}"


def exact_yuan_text(yuan: Decimal) -> str:
    """An exact 元 amount as text: two decimals when it is whole fen, every decimal otherwise
    ('8000000.00', '185185.065') — for traces, where nothing may be rounded away."""
    if yuan == yuan.quantize(Decimal("0.01")):
        return f"{yuan.quantize(Decimal('0.01')):f}"
    return f"{yuan.normalize():f}"
