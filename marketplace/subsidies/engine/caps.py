"""Caps, each a min(): per unit, per project, share of total investment, per year, cumulative;
then the stacking rule. Caps are whole fen, so applying one never creates a new fraction."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from marketplace.money import Fen
from marketplace.subsidies.engine.errors import SubsidyInputError
from marketplace.subsidies.engine.fastmoney import exact_yuan_text, plain_yuan, yuan_decimal
from marketplace.subsidies.engine.model import Award, OverCap, StackingMode

if TYPE_CHECKING:
    from marketplace.subsidies.engine.core import Calculation


def _bind(calc: Calculation, name: str, code: str, limit: Decimal, amount: Decimal, /,
          **extra: object) -> Decimal:
    """Record one cap step; `binding` is strictly over (equal is not binding)."""
    binding = amount > limit
    result = min(amount, limit)
    calc.step(name, cap=exact_yuan_text(limit), before=exact_yuan_text(amount), binding=binding,
              result=exact_yuan_text(result), **extra)
    if binding:
        calc.reason(code)
    return result


def _simple_cap(calc: Calculation, name: str, code: str, amount: Decimal) -> Decimal:
    dated = calc.param(name)
    if dated is None:
        return amount
    return _bind(calc, name, code, yuan_decimal(dated.value), amount, **calc.cite(dated))


def _share_of_total(calc: Calculation, amount: Decimal) -> Decimal:
    dated = calc.param("cap_share_of_total")
    if dated is None:
        return amount
    total = calc.claim.total_investment_fen
    if total is None:
        raise SubsidyInputError("MISSING_FIELD", "total_investment")
    limit = yuan_decimal(total) * dated.value
    return _bind(calc, "cap_share_of_total", "CAP_SHARE_OF_TOTAL", limit, amount,
                 share=str(dated.value), total_investment=plain_yuan(total), **calc.cite(dated))


def _same_policy(calc: Calculation, prior: tuple[Award, ...]) -> list[Award]:
    return [a for a in prior if a.policy_code == calc.policy.code]


def _headroom(calc: Calculation, name: str, code: str, amount: Decimal, counted: list[Award],
              **extra: object) -> Decimal:
    dated = calc.param(name)
    assert dated is not None
    used: Fen = sum(a.amount_fen for a in counted)
    headroom = max(Decimal(0), yuan_decimal(dated.value - used))
    return _bind(calc, name, code, headroom, amount, limit=plain_yuan(dated.value),
                 prior=plain_yuan(used), awards=[a.award_id or str(a.award_date) for a in counted],
                 **extra, **calc.cite(dated))


def _per_year(calc: Calculation, amount: Decimal, prior: tuple[Award, ...]) -> Decimal:
    if calc.param("cap_per_year") is None:
        return amount
    year = calc.claim.determinant_date.year
    counted = [a for a in _same_policy(calc, prior) if a.award_date.year == year]
    return _headroom(calc, "cap_per_year", "CAP_YEAR", amount, counted, year=year)


def _cumulative(calc: Calculation, amount: Decimal, prior: tuple[Award, ...]) -> Decimal:
    if calc.param("cap_cumulative") is None:
        return amount
    window = calc.policy.parameters["cap_cumulative"].window
    assert window is not None
    on = calc.claim.determinant_date
    start, end = window.bounds(on)
    if not start <= on <= end:
        calc.step("cap_cumulative", applies=False, window_from=str(start), window_to=str(end))
        return amount
    counted = [a for a in _same_policy(calc, prior) if start <= a.award_date <= end]
    return _headroom(calc, "cap_cumulative", "CAP_CUMULATIVE", amount, counted,
                     window_from=str(start), window_to=str(end))


def _stacking(calc: Calculation, amount: Decimal, prior: tuple[Award, ...]) -> Decimal:
    policy = calc.policy
    others = [a for a in prior if a.stacking_group == policy.stacking_group
              and a.policy_code != policy.code and a.amount_fen > 0]
    if policy.stacking_mode is StackingMode.INDEPENDENT or not others:
        return amount
    held = yuan_decimal(sum(a.amount_fen for a in others))
    mode = policy.stacking_mode
    if mode is StackingMode.TOP_UP_TO_HIGHEST:
        result, code = max(Decimal(0), amount - held), "STACKING_TOP_UP"
    elif amount <= held:
        result, code = Decimal(0), "STACKING_HIGHEST_ONLY"
    else:  # highest only, and this one is higher: it replaces the earlier award(s)
        result, code = amount, "STACKING_REPLACES"
        calc.clawback += sum(a.amount_fen for a in others)
        calc.reason("CLAWBACK_RECEIVABLE")
    calc.reason(code)
    calc.step("stacking", group=policy.stacking_group, mode=mode.value, held=exact_yuan_text(held),
              awards=[f"{a.policy_code}:{a.award_id or a.award_date}" for a in others],
              before=exact_yuan_text(amount), result=exact_yuan_text(result))
    return result


def apply_caps(calc: Calculation, gross: Decimal, factor: Decimal,
               prior: tuple[Award, ...]) -> Decimal:
    """Gross × acceptance factor, then every cap in order, then stacking; reject mode gives 0."""
    amount = gross
    if factor != 1:
        amount = gross * factor
        calc.step("acceptance_factor", factor=str(factor), before=exact_yuan_text(gross),
                  result=exact_yuan_text(amount))
    amount = _simple_cap(calc, "cap_per_unit", "CAP_UNIT", amount)
    if calc.claim.units != 1:
        amount *= calc.claim.units
        calc.step("units", units=calc.claim.units, result=exact_yuan_text(amount))
    reasons_before = len(calc.reasons)
    amount = _simple_cap(calc, "cap_per_project", "CAP_PROJECT", amount)
    amount = _share_of_total(calc, amount)
    amount = _per_year(calc, amount, prior)
    amount = _cumulative(calc, amount, prior)
    capped = len(calc.reasons) > reasons_before or any(r == "CAP_UNIT" for r in calc.reasons)
    if capped and calc.policy.over_cap is OverCap.REJECT:
        calc.reason("OVER_CAP_REJECTED")
        calc.step("over_cap", behaviour="reject", before=exact_yuan_text(amount), result="0")
        return Decimal(0)
    return _stacking(calc, amount, prior)
