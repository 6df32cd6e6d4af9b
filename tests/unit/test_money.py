from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.money import (
    MAX_FEN,
    MoneyError,
    fen_from_wanyuan,
    fen_from_yuan,
    format_wanyuan,
    format_yuan,
    plain_yuan,
    positive_fen_from_yuan,
)


def test_yuan_string_becomes_exact_fen():
    assert fen_from_yuan("1,600,000.07") == 160_000_007
    assert fen_from_yuan(12) == 1200


@pytest.mark.parametrize("bad, message", [
    (1.5, "浮点数"), ("-1", "负数"), ("-0", "负数"), ("-0.00", "负数"), ("0.001", "两位小数"), ("abc", "格式"),
    ("NaN", "格式"), ("Infinity", "格式"), ("10000000000.01", "100 亿元"), ("1e30", "科学计数法"),
    ("1E+26", "科学计数法"), ("1e-2", "科学计数法"), ("１２３", "半角"), ("٣٤٥", "半角"), ("१२३", "半角"),
    ("1_000", "格式"), ("1 000", "格式"), ("1,00,000", "千位分隔"), ("1，000", "半角"), ("+5", "正号"),
    ("1.", "格式"), (".5", "格式"), ("0x10", "格式"), ("", "请填写"), ("   ", "请填写"), ("9" * 31, "过长"),
    (True, "格式"), (-1, "负数"), (None, "格式"), (Decimal("1e30"), "格式"),
])
def test_bad_money_is_refused_in_chinese(bad, message):
    with pytest.raises(MoneyError, match=message):
        fen_from_yuan(bad)


def test_zero_can_be_refused():
    with pytest.raises(MoneyError, match="大于零"):
        fen_from_yuan("0", allow_zero=False)


def test_wanyuan_keeps_fen():
    assert fen_from_wanyuan("18.518507") == 18_518_507
    for bad in ("1e3", "１８", "18.5185071", "-1"):
        with pytest.raises(MoneyError):
            fen_from_wanyuan(bad)


def test_formatting_marks_rounded_wanyuan():
    assert format_yuan(160_000_000) == "1,600,000.00 元"
    assert format_wanyuan(160_000_000) == "160.00 万元"
    assert format_wanyuan(18_518_507) == "约18.52 万元"


@pytest.mark.parametrize("zero", ["0", "-0", "0.00", "0,000"])
def test_a_positive_amount_refuses_zero_and_minus_zero(zero):
    with pytest.raises(MoneyError, match="大于零|负数|千位分隔"):
        positive_fen_from_yuan(zero)


@pytest.mark.parametrize("good, fen", [("12", 1200), ("12.3", 1230), ("0012.30", 1230), ("1,234,567.89", 123456789),
                                       (" 5 ", 500), ("10000000000", MAX_FEN), (7, 700)])
def test_plain_and_grouped_amounts_are_read_exactly(good, fen):
    assert fen_from_yuan(good) == fen


@given(st.integers(min_value=0, max_value=MAX_FEN))
def test_fen_round_trips_through_yuan_text(fen):
    text = f"{Decimal(fen) / 100:.2f}"
    assert fen_from_yuan(text) == fen
    assert fen_from_yuan(f"{Decimal(fen) / 100:,.2f}") == fen  # the way format_yuan shows it
    assert fen_from_yuan(plain_yuan(fen)) == fen


@given(st.one_of(st.text(max_size=40), st.text(alphabet="0123456789.,-+eE_ ０１٣\u3000", max_size=40),
                 st.from_regex(r"[0-9,]{0,20}(\.[0-9]{0,4})?", fullmatch=True), st.integers(), st.floats(),
                 st.decimals(), st.none(), st.booleans()))
def test_the_parser_raises_nothing_but_its_own_chinese_error(value):
    try:
        fen = fen_from_yuan(value)
    except MoneyError as exc:
        assert any("\u4e00" <= c <= "\u9fff" for c in str(exc))
    else:
        assert isinstance(fen, int) and 0 <= fen <= MAX_FEN

