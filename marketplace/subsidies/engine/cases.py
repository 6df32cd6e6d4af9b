"""Read the simulator's case file (JSON) into engine inputs, with stable error codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marketplace.subsidies.engine.errors import SubsidyInputError
from marketplace.subsidies.engine.model import (
    Award,
    Check,
    Claim,
    Eligibility,
    Milestone,
    Policy,
    PoolMode,
    PoolState,
)
from marketplace.subsidies.engine.overrides import apply_overrides
from marketplace.subsidies.engine.validation import (
    parse_bool,
    parse_date,
    parse_text,
    parse_verdict,
    parse_weight,
    parse_yuan,
)

CASE_KEYS = {"id", "policy", "beneficiary", "base", "units", "date", "verdict", "grade",
             "total_investment", "milestones", "paid_so_far", "eligibility", "prior_awards",
             "pool", "batch", "overrides", "note"}
ELIGIBILITY_KEYS = {"registered_in_city": ("registered_in_city", False),
                    "tax_paying": ("tax_paying", False),
                    "serious_dishonesty": ("not_serious_dishonesty", True),
                    "moved_out": ("not_moved", True)}


class CaseFileError(ValueError):
    """The case file as a whole is unusable (not JSON, no case list, a bad pool)."""


@dataclass(frozen=True)
class ParsedCase:
    claim: Claim
    policy: Policy
    prior_awards: tuple[Award, ...]
    pool: str | None
    batch: str | None


def _check(raw: Any, field: str, inverted: bool) -> Check:
    snapshot = None
    if isinstance(raw, dict):
        unknown = set(raw) - {"value", "snapshot"}
        if unknown or "value" not in raw:
            raise SubsidyInputError("BAD_VALUE", field, "须为 true/false 或 {value, snapshot}")
        snapshot = parse_text(raw["snapshot"], f"{field}.snapshot") if "snapshot" in raw else None
        raw = raw["value"]
    value = parse_bool(raw, field)
    return Check(not value if inverted else value, snapshot)


def _eligibility(raw: Any) -> Eligibility:
    """Missing facts default to SUBSIDY.md's common defaults (registered, tax-paying, clean)."""
    if raw is None:
        return Eligibility.all_passed()
    if not isinstance(raw, dict):
        raise SubsidyInputError("BAD_VALUE", "eligibility")
    for key in raw:
        if key not in ELIGIBILITY_KEYS:
            raise SubsidyInputError("UNKNOWN_FIELD", f"eligibility.{key}")
    checks = {target: _check(raw[key], f"eligibility.{key}", inverted) if key in raw
              else Check(True) for key, (target, inverted) in ELIGIBILITY_KEYS.items()}
    return Eligibility(**checks)


def _milestones(raw: Any) -> tuple[Milestone, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise SubsidyInputError("BAD_VALUE", "milestones")
    return tuple(Milestone(parse_weight(m.get("weight") if isinstance(m, dict) else None,
                                        f"milestones[{i}].weight"),
                           parse_bool(m.get("accepted"), f"milestones[{i}].accepted"))
                 for i, m in enumerate(raw))


def _prior(raw: Any, policies: dict[str, Policy]) -> tuple[Award, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise SubsidyInputError("BAD_VALUE", "prior_awards")
    awards = []
    for i, item in enumerate(raw):
        field = f"prior_awards[{i}]"
        if not isinstance(item, dict) or set(item) - {"policy", "amount", "date", "id"}:
            raise SubsidyInputError("BAD_VALUE", field, "须为 {policy, amount, date, id}")
        code = parse_text(item.get("policy"), f"{field}.policy")
        if code not in policies:
            raise SubsidyInputError("UNKNOWN_POLICY", f"{field}.policy")
        awards.append(Award(code, parse_yuan(item.get("amount"), f"{field}.amount"),
                            parse_date(item.get("date"), f"{field}.date"),
                            award_id=str(item["id"]) if "id" in item else None,
                            stacking_group=policies[code].stacking_group))
    return tuple(awards)


def _optional(raw: dict[str, Any], key: str, parse: Any) -> Any:
    return parse(raw[key], key) if raw.get(key) is not None else None


def parse_case(raw: Any, policies: dict[str, Policy]) -> ParsedCase:
    """One case of the file → (Claim, the policy with overrides applied, its prior awards)."""
    if not isinstance(raw, dict):
        raise SubsidyInputError("BAD_VALUE", "case", "每个案例须为 JSON 对象")
    for key in raw:
        if key not in CASE_KEYS:
            raise SubsidyInputError("UNKNOWN_FIELD", str(key))
    code = parse_text(raw.get("policy"), "policy")
    if code not in policies:
        raise SubsidyInputError("UNKNOWN_POLICY", "policy", code)
    units = raw.get("units", 1)
    if isinstance(units, bool) or not isinstance(units, int) or units < 1:
        raise SubsidyInputError("BAD_VALUE", "units", "须为正整数")
    claim = Claim(
        claim_id=parse_text(raw.get("id"), "id"), policy_code=code,
        beneficiary_id=parse_text(raw.get("beneficiary"), "beneficiary"),
        determinant_date=parse_date(raw.get("date"), "date"),
        eligibility=_eligibility(raw.get("eligibility")),
        base_fen=_optional(raw, "base", parse_yuan), units=units,
        verdict=_optional(raw, "verdict", parse_verdict),
        grade=_optional(raw, "grade", parse_text),
        total_investment_fen=_optional(raw, "total_investment", parse_yuan),
        milestones=_milestones(raw.get("milestones")),
        paid_so_far_fen=_optional(raw, "paid_so_far", parse_yuan))
    return ParsedCase(claim, apply_overrides(policies[code], raw.get("overrides")),
                      _prior(raw.get("prior_awards"), policies),
                      _optional(raw, "pool", parse_text), _optional(raw, "batch", parse_text))


def parse_pools(raw: Any) -> dict[str, PoolState]:
    """The file's pools; any error here stops the run (every case would be affected)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise CaseFileError("pools 须为 {名称: {total, committed, mode}} 映射")
    pools = {}
    for name, spec in raw.items():
        if not isinstance(spec, dict) or set(spec) - {"total", "committed", "mode", "note"}:
            raise CaseFileError(f"pools.{name}：只能有 total、committed、mode")
        try:
            total = parse_yuan(spec.get("total"), f"pools.{name}.total")
            committed = parse_yuan(spec.get("committed", "0"), f"pools.{name}.committed")
            mode = PoolMode(spec.get("mode"))
        except SubsidyInputError as exc:
            raise CaseFileError(exc.message) from None
        except ValueError:
            modes = " / ".join(m.value for m in PoolMode)
            raise CaseFileError(f"pools.{name}.mode：须为 {modes}") from None
        if committed > total:
            raise CaseFileError(f"pools.{name}：已安排金额超过资金池总额")
        pools[str(name)] = PoolState(str(name), total, committed, mode)
    return pools



