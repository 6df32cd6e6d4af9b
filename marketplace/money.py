"""Money is an integer number of fen (分). Conversion to and from 元/万元 happens only here."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN_PER_YUAN = 100
FEN_PER_WANYUAN = 1_000_000
MAX_FEN = 100 * 100_000_000 * FEN_PER_YUAN  # 100亿元, the plausibility ceiling

Fen = int


class MoneyError(ValueError):
    """A money string that cannot be an amount of fen; the message is Chinese."""


def fen_from_yuan(value: str | int | Decimal, *, allow_zero: bool = True) -> Fen:
    """Parse an amount in 元 (string, int or Decimal — never float) into fen, exactly."""
    if isinstance(value, float | bool):
        raise MoneyError("金额不能是浮点数，请以字符串或整数提供")
    text = str(value).strip().replace(",", "").replace("，", "")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise MoneyError("金额格式不正确") from exc
    if not amount.is_finite():
        raise MoneyError("金额必须是有限数值")
    if amount < 0:
        raise MoneyError("金额不能为负数")
    if amount != amount.quantize(Decimal("0.01")):
        raise MoneyError("金额最多保留两位小数（精确到分）")
    fen = int(amount * FEN_PER_YUAN)
    if fen > MAX_FEN:
        raise MoneyError("金额超过 100 亿元，不合理")
    if fen == 0 and not allow_zero:
        raise MoneyError("金额必须大于零")
    return fen


def fen_from_wanyuan(value: str | int | Decimal) -> Fen:
    """Parse an amount in 万元 into fen (at most six decimals, i.e. whole fen)."""
    if isinstance(value, float | bool):
        raise MoneyError("金额不能是浮点数，请以字符串或整数提供")
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise MoneyError("金额格式不正确") from exc
    if not amount.is_finite():
        raise MoneyError("金额必须是有限数值")
    return fen_from_yuan(amount * 10_000)


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
