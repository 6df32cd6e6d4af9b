from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.money import MoneyError, fen_from_wanyuan, fen_from_yuan, format_wanyuan, format_yuan


def test_yuan_string_becomes_exact_fen():
    assert fen_from_yuan("1,600,000.07") == 160_000_007
    assert fen_from_yuan(12) == 1200


@pytest.mark.parametrize("bad, message", [
    (1.5, "浮点数"), ("-1", "负数"), ("0.001", "两位小数"), ("abc", "格式"), ("NaN", "有限"),
    ("10000000000.01", "100 亿元"),
])
def test_bad_money_is_refused_in_chinese(bad, message):
    with pytest.raises(MoneyError, match=message):
        fen_from_yuan(bad)


def test_zero_can_be_refused():
    with pytest.raises(MoneyError, match="大于零"):
        fen_from_yuan("0", allow_zero=False)


def test_wanyuan_keeps_fen():
    assert fen_from_wanyuan("18.518507") == 18_518_507


def test_formatting_marks_rounded_wanyuan():
    assert format_yuan(160_000_000) == "1,600,000.00 元"
    assert format_wanyuan(160_000_000) == "160.00 万元"
    assert format_wanyuan(18_518_507) == "约18.52 万元"


@given(st.integers(min_value=0, max_value=10**12))
def test_fen_round_trips_through_yuan_text(fen):
    text = f"{Decimal(fen) / 100:.2f}"
    assert fen_from_yuan(text) == fen
