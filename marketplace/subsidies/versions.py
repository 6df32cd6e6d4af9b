"""Successor policy versions loaded inside the platform (maker-checker), merged into the policies.

A version is a document (number, title, clause path and verbatim text), a period and the parameter
values it changes. Merging is pure: each changed parameter gets a dated value from the version's
`effective_from` ("valid until the next date"); the day after `effective_to` the value that the
policy had before the version comes back (for a successor: the file's `null`, i.e. ended). Values of
the policy dated inside the version's period are superseded by the version.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

from marketplace.subsidies.engine.errors import SubsidyInputError
from marketplace.subsidies.engine.model import DatedValue, FormulaKind, Parameter, Policy, PolicyDocument
from marketplace.subsidies.engine.validation import parse_ratio, parse_yuan

# The parameters a version may change, with their Chinese labels (forms, pages, errors).
EDITABLE = {"ratio": "补助比例", "cap_per_project": "单个项目最高补助（元）", "cap_per_year": "每家企业每年最高（元）"}
RATIOS = ("ratio",)


class VersionLike(Protocol):
    id: int | None
    policy_code: str
    document: str
    document_title: str
    clause: str
    clause_text: str
    effective_from: date
    effective_to: date
    parameters: dict[str, Any]


def parse_value(name: str, text: str, field: str | None = None) -> Decimal | int:
    """A stored value as the engine uses it (ratio: Decimal; amounts: fen)."""
    field = field or name
    return parse_ratio(text, field) if name in RATIOS else parse_yuan(text, field)


def value_id(version: VersionLike, name: str) -> str:
    return f"{version.policy_code}/{name}@{version.effective_from}#PV{version.id}"


def _merge_parameter(parameter: Parameter | None, name: str, version: VersionLike) -> Parameter:
    old = parameter.values if parameter else ()
    start, after = version.effective_from, version.effective_to + timedelta(days=1)
    before = Parameter(name, old).at(after)  # what was in force the day after, without this version
    kept = [v for v in old if not (start <= v.valid_from <= after)]
    if any(v.valid_from == after for v in old):
        kept += [v for v in old if v.valid_from == after]
    else:
        kept.append(DatedValue(after, before.value if before else None, before.clause if before else None,
                               f"{version.policy_code}/{name}@{after}#PV{version.id}-end",
                               "延续政策期满后恢复原取值" if before and before.value is not None else "延续政策期满"))
    kept.append(DatedValue(start, parse_value(name, str(version.parameters[name])), version.clause,
                           value_id(version, name), f"{version.document}{version.clause}"))
    values = tuple(sorted(kept, key=lambda v: v.valid_from))
    if values and values[0].value is None:  # a parameter the policy never had, ending before it starts
        values = values[1:]
    return Parameter(name, values, parameter.window if parameter else None)


def merge(policy: Policy, versions: list[VersionLike]) -> Policy:
    """`policy` with the (approved, non-overlapping) versions applied in date order."""
    if not versions:
        return policy
    parameters = dict(policy.parameters)
    successors = list(policy.successors)
    further = dict(policy.further_clauses)
    start, end = policy.effective_from, policy.effective_to
    for version in sorted(versions, key=lambda v: v.effective_from):
        for name in version.parameters:
            parameters[name] = _merge_parameter(parameters.get(name), name, version)
        successors.append(PolicyDocument(version.effective_from, version.effective_to, version.document,
                                         version.document_title, version.clause, version.clause_text,
                                         f"PV{version.id}"))
        further.setdefault(version.clause, version.clause_text)
        start = min(start, version.effective_from)
        end = None if end is None else max(end, version.effective_to)
    return dataclasses.replace(policy, parameters=parameters, successors=tuple(successors),
                               further_clauses=further, effective_from=start, effective_to=end)


def tag(file_version: str, version_ids: list[int]) -> str:
    """The stored policy version: the file's hash and the approved DB versions merged (`+PV3.7`)."""
    if not version_ids:
        return file_version
    return f"{file_version}+PV{'.'.join(str(i) for i in sorted(version_ids))}"[:80]


def ids_in(tagged: str) -> list[int] | None:
    """The DB version ids a stored policy version names (None: a file-only version)."""
    _, plus, ids = tagged.partition("+PV")
    if not plus:
        return None
    return [int(i) for i in ids.split(".") if i.isdigit()]


def problems(policy: Policy | None, data: dict[str, Any], approved: list[VersionLike]) -> dict[str, str]:
    """Chinese messages per field for a draft (empty: acceptable). `data` is the validated draft."""
    errors: dict[str, str] = {}
    if policy is None:
        return {"policy_code": "没有这项政策"}
    start, end = data["effective_from"], data["effective_to"]
    if end < start:
        errors["effective_to"] = "失效日期早于生效日期"
    if not data["parameters"]:
        errors["parameters"] = "请至少填写一项变更的参数（如补助比例、单个项目最高补助）"
    for name, text in data["parameters"].items():
        if name not in EDITABLE:
            errors[name] = "不支持修改该参数"
            continue
        if name == "ratio" and policy.kind is not FormulaKind.RATIO_OF_BASE:
            errors[name] = "该政策不按比例计算，没有补助比例"
            continue
        try:
            value = parse_value(name, str(text), EDITABLE[name])
        except SubsidyInputError as exc:
            errors[name] = exc.message
            continue
        if name in RATIOS and not (Decimal(0) < value <= Decimal(1)):
            errors[name] = "补助比例须大于 0 且不超过 1"
        elif name not in RATIOS and value <= 0:
            errors[name] = f"{EDITABLE[name]}须大于 0"
    if "effective_to" not in errors:
        for other in approved:
            if other.effective_from <= end and start <= other.effective_to:
                errors["effective_from"] = (f"与已批准的版本（{other.document}，{other.effective_from} 至 "
                                            f"{other.effective_to}）期间重叠")
                break
    return errors
