"""After the entitlement: budget pools, installments and the city/district split.

Every split adds up exactly to the whole: one party (or the last installment) takes the remainder,
and pro-rata shares are floored to the fen with the leftover fen given by largest remainder.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from marketplace.money import Fen, fen_times_half_up
from marketplace.subsidies.engine.explain import explain
from marketplace.subsidies.engine.fastmoney import plain_yuan
from marketplace.subsidies.engine.model import (
    Assessment,
    InstallmentAmount,
    Policy,
    PoolMode,
    PoolState,
    SubsidyResult,
)


def allocate_pro_rata(available: Fen, demands: list[Fen]) -> list[Fen]:
    """Scale demands down to `available` (if short); floor to the fen, largest remainder first.

    Ties between equal remainders go to the earlier demand (the earlier application).
    """
    total = sum(demands)
    if total <= available:
        return list(demands)
    shares = [d * available // total for d in demands]
    remainders = [d * available % total for d in demands]
    leftover = available - sum(shares)
    order = sorted(range(len(demands)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        shares[i] += 1
    return shares


def reserve(pool: PoolState, outstanding: Fen, allotted: Fen | None = None) -> Fen:
    """How much of `outstanding` the pool funds now (pro-rata batches pass their allotment)."""
    if pool.mode is PoolMode.PRO_RATA_BATCH:
        if allotted is None:
            raise ValueError("pro_rata_batch pools are allocated per batch: pass allotted")
        return min(allotted, outstanding)
    if pool.mode is PoolMode.FIRST_COME_PARTIAL:
        return min(outstanding, pool.remaining_fen)
    return outstanding if outstanding <= pool.remaining_fen else 0


def split(policy: Policy, amount: Fen) -> tuple[Fen, Fen]:
    """(city, district). The remainder party takes its share rounded half up — so it receives the
    odd fen of an exact half (SUBSIDY.md E06) — and the other party takes the rest: exact sum."""
    shares = policy.funding_split
    if shares.remainder == "city":
        city = fen_times_half_up(amount, shares.city)
        return city, amount - city
    district = fen_times_half_up(amount, shares.district)
    return amount - district, district


def installments(policy: Policy, entitlement: Fen, awarded: Fen,
                 paid: Fen) -> tuple[InstallmentAmount, ...]:
    """Stage amounts: earlier stages as scheduled (marked paid while `paid` covers them); the
    last stage is the remainder of the award after what was paid or scheduled, never negative."""
    if awarded == 0 and paid == 0:
        return ()
    rules = policy.installments
    items: list[InstallmentAmount] = []
    paid_left, counted = paid, 0
    for no, rule in enumerate(rules[:-1], start=1):
        scheduled = rule.amount if rule.amount is not None else fen_times_half_up(
            entitlement, rule.share or Decimal(0))
        if 0 < scheduled <= paid_left:
            amount, status = scheduled, "paid"
            paid_left -= scheduled
        else:
            amount, status = min(scheduled, max(0, awarded - max(paid, counted))), "due"
        counted += amount
        items.append(InstallmentAmount(no, rule.trigger, amount, status))
    final = max(0, awarded - max(paid, counted))
    items.append(InstallmentAmount(len(rules), rules[-1].trigger, final, "due"))
    return tuple(items)


def _pool_step(pool: PoolState, reserved: Fen, waitlisted: Fen) -> dict[str, object]:
    return {"step": "pool", "pool": pool.name, "mode": pool.mode.value,
            "total": plain_yuan(pool.total_fen), "before": plain_yuan(pool.remaining_fen),
            "reserved": plain_yuan(reserved), "waitlisted": plain_yuan(waitlisted),
            "after": plain_yuan(pool.remaining_fen - reserved)}


def settle(assessment: Assessment, *, pool: PoolState | None = None,
           allotted: Fen | None = None) -> SubsidyResult:
    """Fund the unpaid part of the entitlement from the pool, then split and schedule it."""
    policy, claim = assessment.policy, assessment.claim
    trace, reasons = list(assessment.trace), list(assessment.reasons)
    entitlement, paid = assessment.entitlement_fen, claim.paid_so_far_fen or 0
    outstanding = max(0, entitlement - paid)
    reserved, pool_after = outstanding, pool
    if pool is not None:
        reserved = reserve(pool, outstanding, allotted)
        pool_after = replace(pool, committed_fen=pool.committed_fen + reserved)
        trace.append(_pool_step(pool, reserved, outstanding - reserved))
        if reserved < outstanding:
            scaled = pool.mode is PoolMode.PRO_RATA_BATCH and reserved
            reasons.append("POOL_PRO_RATA" if scaled else "POOL_PARTIAL" if reserved
                           else "POOL_WAITLISTED")
    waitlisted = outstanding - reserved
    awarded = entitlement - waitlisted
    clawed = assessment.clawback_receivable_fen > 0
    overpaid = paid - entitlement if paid > entitlement and not clawed else 0
    if overpaid:
        reasons.append("OVERPAID")
    stages = installments(policy, entitlement, awarded, paid)
    if stages:
        trace.append({"step": "installments", "paid_so_far": plain_yuan(paid),
                      "overpaid": plain_yuan(overpaid),
                      "items": [{"no": s.no, "trigger": s.trigger,
                                 "amount": plain_yuan(s.amount_fen), "status": s.status}
                                for s in stages]})
    city, district = split(policy, awarded)
    trace.append({"step": "split", "amount": plain_yuan(awarded), "city": plain_yuan(city),
                  "district": plain_yuan(district), "city_share": str(policy.funding_split.city),
                  "district_share": str(policy.funding_split.district),
                  "remainder_party": policy.funding_split.remainder})
    result = SubsidyResult(
        claim_id=claim.claim_id, policy_code=policy.code, beneficiary_id=claim.beneficiary_id,
        entitlement_fen=entitlement, awarded_fen=awarded, waitlisted_fen=waitlisted,
        city_fen=city, district_fen=district, installments=stages,
        clawback_receivable_fen=assessment.clawback_receivable_fen, overpaid_fen=overpaid,
        reasons=tuple(reasons), trace=tuple(trace), explanation="", pool_after=pool_after)
    # The explanation reads the finished result; set it on the new, not yet shared object rather than
    # copying it with dataclasses.replace (a tenth of a batch's time).
    object.__setattr__(result, "explanation", explain(result))
    return result
