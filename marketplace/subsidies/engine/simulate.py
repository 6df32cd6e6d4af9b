"""The simulator: run a case file through the engine in approval order.

An award computed for a beneficiary counts as an earlier award for that beneficiary's later cases;
cases sharing a pro-rata pool and a batch name are allocated together; a case id seen again with
the same input is a replay (recalculated without its own earlier reservation, counted once), and
with a different input is an error.
"""

from __future__ import annotations

import gc
import json
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from marketplace.money import Fen
from marketplace.subsidies.engine.allocation import allocate_pro_rata, settle
from marketplace.subsidies.engine.cases import CaseFileError, ParsedCase, parse_case, parse_pools
from marketplace.subsidies.engine.core import assess
from marketplace.subsidies.engine.errors import SubsidyInputError
from marketplace.subsidies.engine.fastmoney import plain_yuan
from marketplace.subsidies.engine.model import (
    Assessment,
    Award,
    Claim,
    Policy,
    PoolMode,
    PoolState,
    SubsidyResult,
)
from marketplace.subsidies.engine.summary import summarise


def result_entry(result: SubsidyResult, replayed: bool) -> dict[str, Any]:
    """The JSON shape of one computed case (元 strings with two decimals)."""
    return {
        "id": result.claim_id, "policy": result.policy_code, "beneficiary": result.beneficiary_id,
        "entitlement": plain_yuan(result.entitlement_fen),
        "awarded": plain_yuan(result.awarded_fen),
        "waitlisted": plain_yuan(result.waitlisted_fen),
        "split": {"city": plain_yuan(result.city_fen), "district": plain_yuan(result.district_fen)},
        "installments": [{"no": s.no, "trigger": s.trigger, "amount": plain_yuan(s.amount_fen),
                          "status": s.status} for s in result.installments],
        "clawback_receivable": plain_yuan(result.clawback_receivable_fen),
        "overpaid": plain_yuan(result.overpaid_fen),
        "reasons": list(result.reasons), "replayed": replayed,
        "trace": list(result.trace), "explanation": result.explanation,
    }


def error_entry(case_id: Any, error: SubsidyInputError) -> dict[str, Any]:
    return {"id": case_id, "error": {"code": error.code, "message": error.message}}


@dataclass
class _Run:
    policies: dict[str, Policy]
    pools: dict[str, PoolState]
    entries: list[dict[str, Any] | None] = field(default_factory=list)
    results: dict[int, SubsidyResult] = field(default_factory=dict)
    history: dict[str, dict[str, Award]] = field(default_factory=lambda: defaultdict(dict))
    fingerprints: dict[str, Any] = field(default_factory=dict)  # id → the raw case seen first
    reserved: dict[str, tuple[str, Fen]] = field(default_factory=dict)
    pending: dict[tuple[str, str], list[tuple[int, Assessment, str | None, bool]]] = field(
        default_factory=lambda: defaultdict(list))
    pools_before: dict[str, PoolState] = field(default_factory=dict)

    def record(self, index: int, result: SubsidyResult, claim: Claim, pool: str | None,
               replayed: bool) -> None:
        """Keep the result, count its award for the beneficiary's later cases, update the pool."""
        self.history[claim.beneficiary_id][claim.claim_id] = Award(
            claim.policy_code, result.awarded_fen, claim.determinant_date, award_id=claim.claim_id,
            claim_id=claim.claim_id, stacking_group=self.policies[claim.policy_code].stacking_group)
        if pool is not None and result.pool_after is not None:
            reserved = result.pool_after.committed_fen - self.pools[pool].committed_fen
            self.pools[pool] = result.pool_after
            self.reserved[claim.claim_id] = (pool, reserved)
        self.results[index] = result
        self.entries[index] = result_entry(result, replayed)


def _fingerprint(raw: Any) -> str:
    return json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str)


def _release_own_reservation(run: _Run, case_id: str) -> None:
    """A recalculated case gives back what it reserved before, so it is not counted twice."""
    if case_id in run.reserved:
        pool, amount = run.reserved.pop(case_id)
        state = run.pools[pool]
        run.pools[pool] = replace(state, committed_fen=state.committed_fen - amount)


def _prepare(run: _Run, raw: Any) -> tuple[ParsedCase, bool]:
    parsed = parse_case(raw, run.policies)
    case_id = parsed.claim.claim_id
    seen = run.fingerprints.get(case_id)
    # Only a repeated id needs fingerprints (keep the raw case until then: JSON text is costly).
    if seen is not None and _fingerprint(seen) != _fingerprint(raw):
        raise SubsidyInputError("IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_INPUT", "id", case_id)
    run.fingerprints[case_id] = raw
    if parsed.pool is not None and parsed.pool not in run.pools:
        raise SubsidyInputError("UNKNOWN_POOL", "pool", parsed.pool)
    return parsed, seen is not None


def _run_case(run: _Run, index: int, raw: Any) -> None:
    parsed, replayed = _prepare(run, raw)
    claim = parsed.claim
    if replayed:
        _release_own_reservation(run, claim.claim_id)
    history = tuple(run.history[claim.beneficiary_id].values())
    assessment = assess(parsed.policy, claim, parsed.prior_awards + history)
    pool = run.pools.get(parsed.pool) if parsed.pool else None
    if pool is not None and pool.mode is PoolMode.PRO_RATA_BATCH:
        member = (index, assessment, pool.name, replayed)
        run.pending[(pool.name, parsed.batch or "")].append(member)
        provisional = settle(assessment)  # reserves headroom for later cases until allocation
        run.history[claim.beneficiary_id][claim.claim_id] = Award(
            claim.policy_code, provisional.entitlement_fen, claim.determinant_date,
            claim.claim_id, claim.claim_id, parsed.policy.stacking_group)
        return
    run.record(index, settle(assessment, pool=pool), claim, parsed.pool, replayed)


def _flush_batch(run: _Run, key: tuple[str, str]) -> None:
    """Allocate one pro-rata batch: scale the outstanding demands to what the pool has left."""
    members = run.pending.pop(key)
    pool = run.pools[key[0]]
    demands = [max(0, a.entitlement_fen - (a.claim.paid_so_far_fen or 0)) for _, a, _, _ in members]
    allotted = allocate_pro_rata(pool.remaining_fen, demands)
    for (index, assessment, pool_name, replayed), share in zip(members, allotted, strict=True):
        result = settle(assessment, pool=run.pools[pool_name], allotted=share)
        run.record(index, result, assessment.claim, pool_name, replayed)


def _batch_ends(cases: list[Any]) -> dict[int, tuple[str, str]]:
    """Index of the last case of each (pool, batch) in file order: the batch is allocated there."""
    ends: dict[tuple[str, str], int] = {}
    for i, raw in enumerate(cases):
        if isinstance(raw, dict) and isinstance(raw.get("pool"), str):
            ends[(raw["pool"], str(raw.get("batch") or ""))] = i
    return {i: key for key, i in ends.items()}


BATCH = 100  # a run of at least this many cases pauses the cyclic garbage collector
_gc_lock = threading.Lock()
_gc_state = {"runs": 0, "was_enabled": False}


@contextmanager
def _cyclic_gc_paused(pause: bool) -> Iterator[None]:
    """A large run allocates many small dicts and keeps them all: the cyclic collector would scan
    the growing heap again and again (a fifth of the time) for cycles the engine never makes.
    Reference counting still frees everything. Runs in several threads share one pause (counted
    under a lock), and the collector's previous state comes back when the last one ends."""
    if not pause:
        yield
        return
    with _gc_lock:
        if _gc_state["runs"] == 0:
            _gc_state["was_enabled"] = gc.isenabled()
            gc.disable()
        _gc_state["runs"] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_state["runs"] -= 1
            if _gc_state["runs"] == 0 and _gc_state["was_enabled"]:
                # Move what the run allocated straight to the oldest generation (freeze, then unfreeze
                # into it): re-enabling with the young generation this large would scan it all at once
                # (~15% of a 10k run) for cycles the engine never makes. Full collections still see it.
                gc.freeze()
                gc.unfreeze()
                gc.enable()


def run_cases(data: Any,
              policies: dict[str, Policy]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Run a parsed case file; returns (one entry per case in order, the summary)."""
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise CaseFileError("案例文件须为 JSON 对象，含 cases 列表")
    extra = sorted(set(data) - {"pools", "cases", "note"})
    if extra:
        raise CaseFileError(f"案例文件只能有 pools、cases：多出 {extra}")
    run = _Run(policies, parse_pools(data.get("pools")))
    run.pools_before = dict(run.pools)
    cases = data["cases"]
    run.entries = [None] * len(cases)
    ends = _batch_ends(cases)
    with _cyclic_gc_paused(len(cases) >= BATCH):
        for index, raw in enumerate(cases):
            try:
                _run_case(run, index, raw)
            except SubsidyInputError as exc:
                run.entries[index] = error_entry(raw.get("id") if isinstance(raw, dict) else None, exc)
            if index in ends and ends[index] in run.pending:
                _flush_batch(run, ends[index])
        for key in list(run.pending):
            _flush_batch(run, key)
    return [e for e in run.entries if e is not None], summarise(run.results, run.entries,
                                                                 run.pools_before, run.pools)
