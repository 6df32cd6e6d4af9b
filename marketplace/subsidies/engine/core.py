"""The subsidy engine: a pure function of (policy, claim, earlier awards, pool state).

No database, no clock, no web. Money is int fen in and out; arithmetic in between is exact
Decimal, rounded once (ROUND_HALF_UP, to the fen) at the end. Every step goes into the trace
with the parameter value and the clause it used.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, localcontext
from typing import Any

from marketplace.money import Fen, fen_half_up
from marketplace.subsidies.engine.allocation import settle
from marketplace.subsidies.engine.caps import apply_caps
from marketplace.subsidies.engine.errors import SubsidyInputError
from marketplace.subsidies.engine.fastmoney import exact_yuan_text, plain_yuan, yuan_decimal
from marketplace.subsidies.engine.model import (
    PASSING_VERDICTS,
    Assessment,
    Award,
    Claim,
    DatedValue,
    FormulaKind,
    PartialMode,
    Policy,
    PoolState,
    SubsidyResult,
    Verdict,
)

PRECISION = 60  # digits for the exact steps; inputs are bounded (≤ 100亿元), so nothing is lost
MAIN_PARAMETER = {FormulaKind.RATIO_OF_BASE: "ratio", FormulaKind.GRADED: "grades"}


class Calculation:
    """Mutable scratch state of one assessment: the trace and the reasons being collected."""

    def __init__(self, policy: Policy, claim: Claim):
        self.policy, self.claim = policy, claim
        self.trace: list[dict[str, Any]] = []
        self.reasons: list[str] = []
        self.clawback: Fen = 0

    def step(self, step_name: str, /, **data: Any) -> None:
        self.trace.append({"step": step_name, **data})

    def reason(self, code: str) -> None:
        if code not in self.reasons:
            self.reasons.append(code)

    def param(self, name: str) -> DatedValue | None:
        """The parameter's value in force on the determinant date (None: absent or ended)."""
        parameter = self.policy.parameters.get(name)
        dated = parameter.at(self.claim.determinant_date) if parameter else None
        return dated if dated is not None and dated.value is not None else None

    def cite(self, dated: DatedValue) -> dict[str, str]:
        return {"value_id": dated.value_id, "clause": dated.clause or ""}

    def zero(self, *codes: str) -> Assessment:
        for code in codes:
            self.reason(code)
        return self.finish(Decimal(0))

    def finish(self, amount: Decimal) -> Assessment:
        entitlement = fen_half_up(amount)
        self.step("round", mode="ROUND_HALF_UP", quantum="0.01", before=exact_yuan_text(amount),
                  result=plain_yuan(entitlement))
        return Assessment(self.policy, self.claim, entitlement, tuple(self.reasons),
                          tuple(self.trace), self.clawback)


def _main_parameter(policy: Policy) -> str:
    if policy.kind is FormulaKind.FIXED_AMOUNT:
        return "one_off" if "one_off" in policy.parameters else "amount"
    return MAIN_PARAMETER[policy.kind]


def _in_effect(calc: Calculation) -> bool:
    policy, on = calc.policy, calc.claim.determinant_date
    end = policy.effective_to
    in_period = policy.effective_from <= on and (end is None or on <= end)
    main = calc.param(_main_parameter(policy))
    calc.step("in_effect", date=str(on), effective_from=str(policy.effective_from),
              effective_to=str(policy.effective_to or ""), parameter=_main_parameter(policy),
              ok=in_period and main is not None)
    return in_period and main is not None


def _eligible(calc: Calculation) -> bool:
    checks = []
    for name in calc.policy.eligibility:
        check = getattr(calc.claim.eligibility, name)
        checks.append({"check": name, "passed": check.passed, "snapshot": check.snapshot or ""})
        if not check.passed:
            calc.reason(f"INELIGIBLE_{name.upper()}")
    calc.step("eligibility", checks=checks, ok=all(c["passed"] for c in checks))
    return all(c["passed"] for c in checks)


def _milestone_factor(calc: Calculation) -> Decimal:
    milestones = calc.claim.milestones
    total = sum((m.weight for m in milestones), Decimal(0))
    accepted = sum((m.weight for m in milestones if m.accepted), Decimal(0))
    if total == 0:
        raise SubsidyInputError("MISSING_FIELD", "milestones", "里程碑加权须提供权重之和大于零的里程碑")
    calc.step("milestones", accepted=str(accepted), total=str(total), factor=str(accepted / total))
    return accepted / total


def _acceptance(calc: Calculation) -> Decimal | None:
    """The acceptance factor (1 for a full pass), or None when the claim gets nothing."""
    policy, claim = calc.policy, calc.claim
    if not policy.requires_acceptance:
        return Decimal(1)
    if claim.verdict is None:
        raise SubsidyInputError("MISSING_FIELD", "verdict")
    mode = policy.partial_acceptance
    incomplete = any(not m.accepted for m in claim.milestones)
    calc.step("acceptance", verdict=claim.verdict.value, mode=mode.value,
              milestones_all_accepted=not incomplete)
    if claim.verdict is Verdict.FAILED_RECTIFIABLE:
        calc.reason("RECTIFICATION_PENDING")
        return None
    if mode is PartialMode.MILESTONE_WEIGHTED and claim.milestones:
        factor = _milestone_factor(calc)
        if factor > 0:
            return factor
    elif claim.verdict in PASSING_VERDICTS and not (mode is PartialMode.NONE and incomplete):
        return Decimal(1)
    calc.reason("ACCEPTANCE_FAILED")
    paid = claim.paid_so_far_fen or 0
    if policy.clawback_on_fail and paid > 0 and claim.verdict is Verdict.FAILED:
        calc.clawback = paid
        calc.reason("CLAWBACK_RECEIVABLE")
        calc.step("clawback", receivable=plain_yuan(paid), clause=policy.clause)
    return None


def _ratio_gross(calc: Calculation) -> Decimal:
    claim = calc.claim
    if claim.base_fen is None:
        raise SubsidyInputError("MISSING_FIELD", "base")
    ratio = calc.param("ratio")
    assert ratio is not None
    base = yuan_decimal(claim.base_fen)
    gross = base * ratio.value
    calc.step("gross", expr="base × ratio", base_label=calc.policy.base_label or "",
              base=plain_yuan(claim.base_fen), ratio=str(ratio.value), units=claim.units,
              result=exact_yuan_text(gross), **calc.cite(ratio))
    return gross


def _fixed_gross(calc: Calculation) -> Decimal:
    name = _main_parameter(calc.policy)
    dated = calc.param(name)
    assert dated is not None
    calc.step("gross", expr=name, amount=plain_yuan(dated.value), result=plain_yuan(dated.value),
              **calc.cite(dated))
    return yuan_decimal(dated.value)


def _graded_gross(calc: Calculation) -> Decimal:
    grade = calc.claim.grade
    if grade is None:
        raise SubsidyInputError("MISSING_FIELD", "grade")
    grades = calc.param("grades")
    assert grades is not None
    if grade not in grades.value:
        raise SubsidyInputError("UNKNOWN_GRADE", "grade", f"可选：{' / '.join(grades.value)}")
    amount = grades.value[grade]
    calc.step("gross", expr="grades[grade]", grade=grade, amount=plain_yuan(amount),
              result=plain_yuan(amount), **calc.cite(grades))
    return yuan_decimal(amount)


GROSS = {FormulaKind.RATIO_OF_BASE: _ratio_gross, FormulaKind.FIXED_AMOUNT: _fixed_gross,
         FormulaKind.GRADED: _graded_gross}


def _one_off_taken(calc: Calculation, prior: tuple[Award, ...]) -> bool:
    if "one_off" not in calc.policy.parameters:
        return False
    earlier = [a for a in prior if a.policy_code == calc.policy.code and a.amount_fen > 0]
    if earlier:
        calc.step("one_off", granted=[{"award_id": a.award_id or "", "date": str(a.award_date),
                                       "amount": plain_yuan(a.amount_fen)} for a in earlier])
    return bool(earlier)


def _own_awards_excluded(calc: Calculation, prior: Iterable[Award]) -> tuple[Award, ...]:
    """Earlier awards, without this claim's own reservation (a recalculation must not see it)."""
    prior = tuple(prior)
    kept = tuple(a for a in prior if a.claim_id is None or a.claim_id != calc.claim.claim_id)
    if len(kept) != len(prior):
        calc.step("exclude_own", claim_id=calc.claim.claim_id, excluded=len(prior) - len(kept))
    return kept


def assess(policy: Policy, claim: Claim, prior_awards: Iterable[Award] = ()) -> Assessment:
    """The entitlement of `claim` under `policy`, given the beneficiary's earlier awards."""
    if claim.policy_code != policy.code:
        raise SubsidyInputError("UNKNOWN_POLICY", "policy", f"{claim.policy_code} ≠ {policy.code}")
    with localcontext() as ctx:
        ctx.prec = PRECISION
        calc = Calculation(policy, claim)
        document, title, clause, clause_text = policy.document_on(claim.determinant_date)
        calc.step("policy", code=policy.code, name=policy.name, document=document,
                  document_title=title, clause=clause,
                  clause_text=clause_text, date_kind=policy.determinant_date,
                  date=str(claim.determinant_date), source=policy.source)
        prior = _own_awards_excluded(calc, prior_awards)
        if not _in_effect(calc):
            return calc.zero("POLICY_NOT_IN_EFFECT")
        if not _eligible(calc):
            return calc.zero()
        factor = _acceptance(calc)
        if factor is None:
            return calc.zero()
        gross = GROSS[policy.kind](calc)
        if gross == 0:
            ratio_kind = policy.kind is FormulaKind.RATIO_OF_BASE
            return calc.zero("ZERO_BASE" if ratio_kind else "ACCEPTANCE_FAILED")
        if _one_off_taken(calc, prior):
            return calc.zero("ONE_OFF_ALREADY_GRANTED")
        return calc.finish(apply_caps(calc, gross, factor, prior))


def calculate(policy: Policy, claim: Claim, prior_awards: Iterable[Award] = (),
              pool: PoolState | None = None) -> SubsidyResult:
    """assess() then settle() against a first-come pool (or no pool): the whole calculation."""
    return settle(assess(policy, claim, prior_awards), pool=pool)
