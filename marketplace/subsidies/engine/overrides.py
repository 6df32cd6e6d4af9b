"""What-if overrides of a policy's parameters ("what would a 25% ratio cost us?")."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from marketplace.subsidies.engine.errors import SubsidyInputError
from marketplace.subsidies.engine.model import (
    AMOUNT_PARAMETERS,
    PARAMETER_NAMES,
    DatedValue,
    FormulaKind,
    Parameter,
    Policy,
)
from marketplace.subsidies.engine.validation import parse_ratio, parse_yuan

OVERRIDE_CLAUSE = "模拟覆盖值，非政策条款"
KIND_ONLY = {"ratio": FormulaKind.RATIO_OF_BASE, "grades": FormulaKind.GRADED, "amount": FormulaKind.FIXED_AMOUNT,
             "one_off": FormulaKind.FIXED_AMOUNT}


def _parse(name: str, raw: Any) -> Any:
    field = f"overrides.{name}"
    if name in ("ratio", "cap_share_of_total"):
        return parse_ratio(raw, field)
    if name in AMOUNT_PARAMETERS:
        return parse_yuan(raw, field)
    if not isinstance(raw, dict) or not raw:
        raise SubsidyInputError("BAD_VALUE", field, "等次金额须为 {等次: 金额} 映射")
    return {str(g): parse_yuan(v, f"{field}.{g}") for g, v in raw.items()}


def _check_allowed(policy: Policy, name: str) -> None:
    field = f"overrides.{name}"
    if name not in PARAMETER_NAMES:
        raise SubsidyInputError("UNKNOWN_PARAMETER", field)
    if name in KIND_ONLY and policy.kind is not KIND_ONLY[name]:
        raise SubsidyInputError("UNKNOWN_PARAMETER", field, f"{policy.kind.value} 类政策没有该参数")
    if name in ("amount", "one_off") and name not in policy.parameters:
        raise SubsidyInputError("UNKNOWN_PARAMETER", field, "该政策使用另一种定额参数")
    if name == "cap_cumulative" and name not in policy.parameters:
        raise SubsidyInputError("UNKNOWN_PARAMETER", field, "该政策没有累计窗口，不能只改金额")


def _overridden(policy: Policy, name: str, value: Any) -> Parameter:
    """Replace every live value (ended periods stay ended); add the parameter if it is new."""
    existing = policy.parameters.get(name)
    if existing is None:
        start = policy.effective_from
        return Parameter(name, (DatedValue(start, value, OVERRIDE_CLAUSE,
                                           f"{policy.code}/{name}@override"),))
    values = tuple(
        dated if dated.value is None else
        DatedValue(dated.valid_from, value, OVERRIDE_CLAUSE, f"{dated.value_id}#override")
        for dated in existing.values)
    return replace(existing, values=values)


def apply_overrides(policy: Policy, overrides: dict[str, Any] | None) -> Policy:
    """A copy of `policy` with the named parameters replaced; its name says it is a simulation."""
    if not overrides:
        return policy
    if not isinstance(overrides, dict):
        raise SubsidyInputError("BAD_VALUE", "overrides", "须为 {参数名: 值} 映射")
    parameters = dict(policy.parameters)
    labels = []
    for name, raw in overrides.items():
        _check_allowed(policy, name)
        parameters[name] = _overridden(policy, name, _parse(name, raw))
        labels.append(f"{name}={raw}")
    return replace(policy, parameters=parameters, name=f"{policy.name}（模拟：{'，'.join(labels)}）")
