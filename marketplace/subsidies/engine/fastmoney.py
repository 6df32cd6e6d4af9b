"""The engine's hot money helpers: the same results as marketplace.money, without Decimal where
integer arithmetic gives the same text (tests/subsidies_ledger/test_speed_equivalence.py)."""

from __future__ import annotations

from decimal import Decimal

from marketplace.money import Fen

CENT = Decimal("0.01")
_HUNDRED = Decimal(100)


_CENTS = tuple(f"{i:02d}" for i in range(100))  # "00".."99": cheaper than a format spec per call


def plain_yuan(fen: Fen) -> str:
    """'1600000.00' (as money.plain_yuan) from int arithmetic."""
    if fen < 0:
        return "-" + plain_yuan(-fen)
    whole, cents = divmod(fen, 100)
    return f"{whole}.{_CENTS[cents]}"


def yuan_decimal(fen: Fen) -> Decimal:
    return Decimal(fen) / _HUNDRED


def exact_yuan_text(yuan: Decimal) -> str:
    """As money.exact_yuan_text: two decimals when whole fen, every decimal otherwise."""
    rounded = yuan.quantize(CENT)
    if yuan == rounded:
        return f"{rounded:f}"
    return f"{yuan.normalize():f}"
