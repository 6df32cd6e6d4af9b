"""The engine's fast money helpers give exactly marketplace.money's text (speed without new results)."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from marketplace import money
from marketplace.cli.subsidy import DEFAULT_POLICIES_DIR as CLI_DIR
from marketplace.subsidies.engine import fastmoney
from marketplace.subsidies.engine.explain import money as explain_money
from marketplace.subsidies.engine.policies import DEFAULT_POLICIES_DIR


@given(st.integers(min_value=-10**13, max_value=10**13))
def test_plain_yuan_is_the_same_text(fen):
    assert fastmoney.plain_yuan(fen) == money.plain_yuan(fen)
    assert fastmoney.yuan_decimal(fen) == money.yuan_decimal(fen)


@given(st.integers(min_value=-10**15, max_value=10**15), st.integers(min_value=0, max_value=4))
def test_exact_text_and_explained_money_are_the_same(units, places):
    amount = Decimal(units).scaleb(-places)
    assert fastmoney.exact_yuan_text(amount) == money.exact_yuan_text(amount)
    text = fastmoney.exact_yuan_text(amount)
    reference = f"{Decimal(text):,.2f} 元" if Decimal(text) == Decimal(text).quantize(Decimal("0.01")) \
        else f"{Decimal(text).normalize():,f} 元"
    assert explain_money(text) == reference


def test_the_lazy_cli_default_folder_is_the_engines():
    assert CLI_DIR == DEFAULT_POLICIES_DIR
