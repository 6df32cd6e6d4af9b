"""Hypothesis properties of the engine: caps hold, splits add up, order does not matter,
and the entitlement never falls as the base grows."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.money import MAX_FEN
from marketplace.subsidies.engine import (
    Award,
    Claim,
    Eligibility,
    Verdict,
    allocate_pro_rata,
    assess,
    calculate,
    split,
)
from marketplace.subsidies.engine.model import FundingSplit
from marketplace.subsidies.engine.policies import load_policies
from tests.subsidies.conftest import DATA

POLICIES = load_policies(DATA / "policies")
FEN = st.integers(min_value=0, max_value=MAX_FEN)
DAYS_2024 = st.integers(min_value=0, max_value=365).map(lambda d: date(2024, 1, 1) + timedelta(d))
PROPERTY = settings(max_examples=150, deadline=None)


def claim(code: str, base: int | None, on: date, n: int = 0, **extra) -> Claim:
    return Claim(f"C{n}", code, "B1", on, Eligibility.all_passed(), base_fen=base, **extra)


def run_in_order(code: str, claims: list[Claim]) -> list[int]:
    """Approval order: each award counts as an earlier award for the next claim."""
    history: list[Award] = []
    amounts = []
    for c in claims:
        result = calculate(POLICIES[code], c, history)
        history.append(Award(code, result.awarded_fen, c.determinant_date, claim_id=c.claim_id))
        amounts.append(result.entitlement_fen)
    return amounts


@PROPERTY
@given(st.lists(st.tuples(FEN, DAYS_2024), min_size=1, max_size=6))
def test_unit_and_year_caps_are_never_exceeded(sales):
    claims = [claim("R-FIRST", base, on, n) for n, (base, on) in enumerate(sales)]
    amounts = run_in_order("R-FIRST", claims)
    assert all(0 <= a <= 500_000_000 for a in amounts)  # 500万元 per unit
    assert sum(amounts) <= 1_000_000_000  # 1000万元 per company per year


@PROPERTY
@given(st.lists(st.tuples(FEN, st.integers(0, 1094)), min_size=1, max_size=6))
def test_cumulative_cap_is_never_exceeded(requests):
    claims = [claim("R-LAB", base, date(2023, 1, 1) + timedelta(d), n)
              for n, (base, d) in enumerate(requests)]
    assert sum(run_in_order("R-LAB", claims)) <= 600_000_000  # 600万元 over 2023–2025


SHARES = st.integers(0, 100).map(lambda p: Decimal(p) / 100)


@PROPERTY
@given(FEN, SHARES, st.sampled_from(["city", "district"]))
def test_city_and_district_shares_add_up_to_the_whole(amount, city_share, remainder):
    shares = FundingSplit(city_share, 1 - city_share, remainder)
    policy = replace(POLICIES["R-JB"], funding_split=shares)
    city, district = split(policy, amount)
    assert city + district == amount
    assert city >= 0 and district >= 0


@PROPERTY
@given(FEN, st.lists(FEN, min_size=1, max_size=8))
def test_pro_rata_shares_add_up_and_never_exceed_a_demand(available, demands):
    shares = allocate_pro_rata(available, demands)
    assert sum(shares) == min(available, sum(demands))
    assert all(0 <= s <= d for s, d in zip(shares, demands, strict=True))


@PROPERTY
@given(st.integers(0, 10**11), st.integers(1, 10**9))
def test_staged_installments_add_up_to_the_award(base, startup):
    policy = replace(POLICIES["R-JB-STAGED"], installments=(
        replace(POLICIES["R-JB-STAGED"].installments[0], amount=startup),
        POLICIES["R-JB-STAGED"].installments[1]))
    staged = claim("R-JB-STAGED", base, date(2024, 6, 30), verdict=Verdict.PASSED)
    result = calculate(policy, staged)
    assert sum(i.amount_fen for i in result.installments) == result.awarded_fen


PRIORS = st.lists(st.tuples(st.sampled_from(["R-EARLY", "R-SME-PROV-T", "R-SME-NAT-T"]),
                            st.integers(0, 300_000_000), DAYS_2024), max_size=6)


@PROPERTY
@given(PRIORS, st.randoms(use_true_random=False), FEN)
def test_result_does_not_depend_on_the_order_of_prior_awards(priors, rnd, base):
    awards = [Award(code, amount, on, award_id=f"A{i}",
                    stacking_group=POLICIES[code].stacking_group)
              for i, (code, amount, on) in enumerate(priors)]
    shuffled = awards[:]
    rnd.shuffle(shuffled)
    for code, base_fen in (("R-EARLY", base), ("R-SME-NAT-T", None)):
        c = claim(code, base_fen, date(2024, 12, 1))
        first, second = assess(POLICIES[code], c, awards), assess(POLICIES[code], c, shuffled)
        assert (first.entitlement_fen, sorted(first.reasons)) == \
            (second.entitlement_fen, sorted(second.reasons))


@PROPERTY
@given(FEN, FEN, st.lists(st.integers(0, 300_000_000), max_size=3))
def test_entitlement_never_falls_as_the_base_grows(a, b, earlier):
    low, high = sorted((a, b))
    history = [Award("R-EARLY", amount, date(2024, 1, 2)) for amount in earlier]
    at = {base: assess(POLICIES["R-EARLY"], claim("R-EARLY", base, date(2024, 6, 1)), history)
          for base in (low, high)}
    assert at[low].entitlement_fen <= at[high].entitlement_fen
    if not {"CAP_YEAR"} & set(at[high].reasons):  # until a cap binds it is exactly base × 15%
        exact = (Decimal(high) * Decimal("0.15")).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        assert at[high].entitlement_fen == int(exact)
