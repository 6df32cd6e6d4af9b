"""Totals of a simulation: per policy, per funding party and against each pool."""

from __future__ import annotations

from typing import Any

from marketplace.subsidies.engine.fastmoney import plain_yuan
from marketplace.subsidies.engine.model import PoolState, SubsidyResult


def _latest_per_claim(results: dict[int, SubsidyResult]) -> list[SubsidyResult]:
    """A replayed case counts once: its latest calculation."""
    latest: dict[str, SubsidyResult] = {}
    for index in sorted(results):
        latest[results[index].claim_id] = results[index]
    return list(latest.values())


def _per_policy(results: list[SubsidyResult]) -> dict[str, dict[str, Any]]:
    totals: dict[str, dict[str, int]] = {}
    for r in results:
        t = totals.setdefault(r.policy_code, {"cases": 0, "entitlement": 0, "awarded": 0,
                                              "waitlisted": 0})
        t["cases"] += 1
        t["entitlement"] += r.entitlement_fen
        t["awarded"] += r.awarded_fen
        t["waitlisted"] += r.waitlisted_fen
    return {code: {k: (v if k == "cases" else plain_yuan(v)) for k, v in t.items()}
            for code, t in sorted(totals.items())}


def summarise(results: dict[int, SubsidyResult], entries: list[dict[str, Any] | None],
              pools_before: dict[str, PoolState],
              pools_after: dict[str, PoolState]) -> dict[str, Any]:
    latest = _latest_per_claim(results)
    city = sum(r.city_fen for r in latest)
    district = sum(r.district_fen for r in latest)
    return {
        "cases": len(entries),
        "errors": sum(1 for e in entries if e is not None and "error" in e),
        "per_policy": _per_policy(latest),
        "per_party": {"city": plain_yuan(city), "district": plain_yuan(district),
                      "total": plain_yuan(city + district)},
        "pools": {name: {"mode": before.mode.value, "total": plain_yuan(before.total_fen),
                         "committed_before": plain_yuan(before.committed_fen),
                         "reserved": plain_yuan(
                             pools_after[name].committed_fen - before.committed_fen),
                         "committed_after": plain_yuan(pools_after[name].committed_fen),
                         "remaining": plain_yuan(pools_after[name].remaining_fen)}
                  for name, before in pools_before.items()},
    }
