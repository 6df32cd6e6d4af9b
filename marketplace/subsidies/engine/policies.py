"""Load policy files (seeds/policies/*.yaml, one policy per file) with strict validation.

Every error names the file and the key. Unknown keys, unquoted (float) ratios, values without a
clause and a missing clause text are errors, never silently ignored.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from marketplace.subsidies.engine.errors import PolicyFileError, SubsidyInputError
from marketplace.subsidies.engine.model import (
    AMOUNT_PARAMETERS,
    DETERMINANT_DATES,
    ELIGIBILITY_CHECKS,
    PARAMETER_NAMES,
    TRIGGERS,
    DatedValue,
    FormulaKind,
    FundingSplit,
    InstallmentRule,
    OverCap,
    Parameter,
    PartialMode,
    Policy,
    StackingMode,
    Window,
)
from marketplace.subsidies.engine.validation import parse_ratio, parse_yuan

DEFAULT_POLICIES_DIR = Path(__file__).resolve().parents[3] / "seeds" / "policies"

TOP_KEYS_REQUIRED = ("code", "name", "document", "document_title", "clause", "clause_text",
                     "effective", "kind", "determinant_date", "eligibility", "requires_acceptance",
                     "partial_acceptance", "over_cap", "clawback_on_fail", "stacking", "parameters",
                     "installments", "funding_split")


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys and leaves dates as text (validated per key)."""


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"重复的键：{key}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                              _mapping_without_duplicates)


class _Node:
    """A mapping being read: remembers which keys were used so that leftovers are errors."""

    def __init__(self, file: Path, path: str, data: Any):
        if not isinstance(data, dict):
            raise PolicyFileError(file, path or "<文件>", "须为键值映射")
        self.file, self.path, self.data, self.used = file, path, data, set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def fail(self, name: str, message: str) -> PolicyFileError:
        return PolicyFileError(self.file, self.key(name), message)

    def has(self, name: str) -> bool:
        return name in self.data

    def get(self, name: str, required: bool = True, default: Any = None) -> Any:
        if name not in self.data:
            if required:
                raise self.fail(name, "缺少必填项")
            return default
        self.used.add(name)
        return self.data[name]

    def child(self, name: str) -> _Node:
        return _Node(self.file, self.key(name), self.get(name))

    def text(self, name: str, required: bool = True) -> str | None:
        value = self.get(name, required)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(name, "须为非空文本")
        return " ".join(value.split()) if "\n" in value else value.strip()

    def choice(self, name: str, options: type[StrEnum] | tuple[str, ...]) -> Any:
        value = self.get(name)
        allowed = [o.value for o in options] if isinstance(options, type) else list(options)
        if value not in allowed:
            raise self.fail(name, f"取值须为 {' / '.join(allowed)}")
        return options(value) if isinstance(options, type) else value

    def flag(self, name: str) -> bool:
        value = self.get(name)
        if not isinstance(value, bool):
            raise self.fail(name, "须为 true 或 false")
        return value

    def day(self, name: str, required: bool = True) -> date | None:
        value = self.get(name, required)
        if value is None and not required:
            return None
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise self.fail(name, "日期须为 YYYY-MM-DD") from None
        if not isinstance(value, date):
            raise self.fail(name, "日期须为 YYYY-MM-DD")
        return value

    def ratio(self, name: str) -> Decimal:
        return _ratio(self.get(name), self.file, self.key(name))

    def amount(self, name: str) -> int:
        return _amount(self.get(name), self.file, self.key(name))

    def done(self) -> None:
        for name in self.data:
            if name not in self.used:
                raise self.fail(str(name), "不认识的键（拼写错误？）")


def _ratio(value: Any, file: Path, key: str) -> Decimal:
    if isinstance(value, float):
        raise PolicyFileError(file, key, "比例须加引号书写（如 \"0.20\"）：未加引号时 YAML 读成浮点数")
    if not isinstance(value, str):
        raise PolicyFileError(file, key, "比例须为加引号的字符串（如 \"0.20\"）")
    try:
        return parse_ratio(value, key)
    except SubsidyInputError as exc:
        raise PolicyFileError(file, key, exc.message) from None


def _amount(value: Any, file: Path, key: str) -> int:
    if isinstance(value, float):
        raise PolicyFileError(file, key, "金额须加引号书写（如 \"5000000.00\"），不接受浮点数")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PolicyFileError(file, key, "金额须为加引号的字符串（元）")
    try:
        return parse_yuan(value, key)
    except SubsidyInputError as exc:
        raise PolicyFileError(file, key, exc.message) from None


def _value(name: str, raw: Any, file: Path, key: str) -> Any:
    if name in ("ratio", "cap_share_of_total"):
        return _ratio(raw, file, key)
    if name in AMOUNT_PARAMETERS:
        return _amount(raw, file, key)
    if not isinstance(raw, dict) or not raw:
        raise PolicyFileError(file, key, "等次金额须为 {等次: 金额} 映射")
    return {str(grade): _amount(amount, file, f"{key}.{grade}") for grade, amount in raw.items()}


def _dated_values(code: str, name: str, node: _Node, clauses: set[str]) -> tuple[DatedValue, ...]:
    raw = node.get("values")
    if not isinstance(raw, list) or not raw:
        raise node.fail("values", "须为非空列表")
    values: list[DatedValue] = []
    for i, item in enumerate(raw):
        entry = _Node(node.file, f"{node.key('values')}[{i}]", item)
        start = entry.day("from")
        value = entry.get("value")
        clause = entry.text("clause", required=value is not None)
        note = entry.text("note", required=False) or ""
        entry.done()
        if value is not None:
            value = _value(name, value, node.file, entry.key("value"))
            if clause not in clauses:
                raise entry.fail("clause", f"条款“{clause}”未在 clause / further_clauses 中登记原文")
        elif i == 0:
            raise entry.fail("value", "第一个取值不能为 null")
        if values and start <= values[-1].valid_from:
            raise entry.fail("from", "取值须按生效日期升序排列且不重复")
        values.append(DatedValue(start, value, clause, f"{code}/{name}@{start}", note))
    return tuple(values)


def _window(node: _Node) -> Window:
    window = node.child("window")
    if window.has("rolling_years"):
        years = window.get("rolling_years")
        window.done()
        if not isinstance(years, int) or isinstance(years, bool) or years < 1:
            raise window.fail("rolling_years", "须为正整数")
        return Window(rolling_years=years)
    start, end = window.day("from"), window.day("to")
    window.done()
    if end < start:
        raise window.fail("to", "结束日期早于开始日期")
    return Window(start=start, end=end)


def _parameters(code: str, node: _Node, clauses: set[str]) -> dict[str, Parameter]:
    parameters: dict[str, Parameter] = {}
    for name in list(node.data):
        if name not in PARAMETER_NAMES:
            raise node.fail(str(name), f"未知参数名；参数名固定为 {', '.join(PARAMETER_NAMES)}")
        entry = node.child(name)
        window = _window(entry) if name == "cap_cumulative" else None
        parameters[name] = Parameter(name, _dated_values(code, name, entry, clauses), window)
        entry.done()
    node.done()
    return parameters


def _installments(node: _Node) -> tuple[InstallmentRule, ...]:
    raw = node.get("installments")
    if not isinstance(raw, list) or not raw:
        raise node.fail("installments", "须为非空列表，最后一期为 remainder")
    rules = []
    for i, item in enumerate(raw):
        entry = _Node(node.file, f"installments[{i}]", item)
        trigger = entry.choice("trigger", TRIGGERS)
        last = i == len(raw) - 1
        if last:
            if entry.get("remainder") is not True:
                raise entry.fail("remainder", "最后一期须为 remainder: true（拿余额）")
            rule = InstallmentRule(trigger, remainder=True)
        elif entry.has("amount") == entry.has("share"):
            raise entry.fail("amount", "非最后一期须写 amount（固定金额）或 share（比例）之一")
        elif entry.has("amount"):
            rule = InstallmentRule(trigger, amount=entry.amount("amount"))
        else:
            rule = InstallmentRule(trigger, share=entry.ratio("share"))
        rule = InstallmentRule(rule.trigger, rule.amount, rule.share, rule.remainder,
                               entry.text("clause", required=False))
        entry.done()
        rules.append(rule)
    return tuple(rules)


def _split(node: _Node) -> FundingSplit:
    split = node.child("funding_split")
    city, district = split.ratio("city"), split.ratio("district")
    remainder = split.choice("remainder", ("city", "district"))
    split.done()
    if city + district != 1:
        raise split.fail("district", "市级与区级分担比例之和须为 1")
    return FundingSplit(city, district, remainder)


def _check_kind(node: _Node, kind: FormulaKind, params: dict[str, Parameter], partial: PartialMode,
                requires_acceptance: bool) -> None:
    needed = {FormulaKind.RATIO_OF_BASE: ("ratio",), FormulaKind.GRADED: ("grades",)}.get(kind, ())
    for name in needed:
        if name not in params:
            raise node.fail(f"parameters.{name}", f"{kind.value} 类政策须有该参数")
    if kind is FormulaKind.FIXED_AMOUNT and ("amount" in params) == ("one_off" in params):
        raise node.fail("parameters.amount", "fixed_amount 类政策须有 amount 或 one_off 之一")
    if (partial is PartialMode.GRADED) != (kind is FormulaKind.GRADED):
        raise node.fail("partial_acceptance", "graded 验收方式须与 kind: graded 同时使用")
    if partial is not PartialMode.NONE and not requires_acceptance:
        raise node.fail("partial_acceptance", "不需要验收的政策只能为 none")


def _base(node: _Node, kind: FormulaKind) -> tuple[str | None, str | None]:
    if kind is not FormulaKind.RATIO_OF_BASE:
        return None, None
    base = node.child("base")
    field, label = base.text("field"), base.text("label")
    base.done()
    return field, label


def _clauses(node: _Node) -> tuple[str, str, dict[str, str]]:
    clause, text = node.text("clause"), node.text("clause_text")
    further = node.get("further_clauses", required=False, default={})
    if not isinstance(further, dict) or not all(
            isinstance(v, str) and v.strip() for v in further.values()):
        raise node.fail("further_clauses", "须为 {条款路径: 原文} 映射，原文不能为空")
    return clause, text, {str(k): " ".join(v.split()) for k, v in further.items()}


def parse_policy(data: Any, file: Path) -> Policy:
    """Build a Policy from one file's parsed YAML, or raise PolicyFileError."""
    node = _Node(file, "", data)
    for name in TOP_KEYS_REQUIRED:
        node.get(name)
    node.used.clear()
    code = node.text("code")
    clause, clause_text, further = _clauses(node)
    effective = node.child("effective")
    start, end = effective.day("from"), effective.day("to", required=False)
    effective.done()
    kind = node.choice("kind", FormulaKind)
    base_field, base_label = _base(node, kind)
    eligibility = node.get("eligibility")
    if not isinstance(eligibility, list) or any(c not in ELIGIBILITY_CHECKS for c in eligibility):
        raise node.fail("eligibility", f"须为列表，取值为 {' / '.join(ELIGIBILITY_CHECKS)}")
    stacking = node.child("stacking")
    group, mode = stacking.text("group"), stacking.choice("mode", StackingMode)
    stacking.done()
    params = _parameters(code, node.child("parameters"), {clause, *further})
    requires_acceptance = node.flag("requires_acceptance")
    partial = node.choice("partial_acceptance", PartialMode)
    _check_kind(node, kind, params, partial, requires_acceptance)
    policy = Policy(
        code=code, name=node.text("name"), document=node.text("document"),
        document_title=node.text("document_title"), clause=clause, clause_text=clause_text,
        effective_from=start, effective_to=end, kind=kind, base_field=base_field,
        base_label=base_label, determinant_date=node.choice("determinant_date", DETERMINANT_DATES),
        eligibility=tuple(eligibility), requires_acceptance=requires_acceptance,
        partial_acceptance=partial, over_cap=node.choice("over_cap", OverCap),
        clawback_on_fail=node.flag("clawback_on_fail"), stacking_group=group, stacking_mode=mode,
        parameters=params, installments=_installments(node), funding_split=_split(node),
        further_clauses=further, source=str(file))
    node.done()
    return policy


def load_policy(path: Path) -> Policy:
    """Load and validate one policy file."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        raise PolicyFileError(path, "<YAML>", f"YAML 语法错误：{exc}") from None
    return parse_policy(data, path)


def policy_files(path: Path) -> list[Path]:
    """A file itself, or the *.yaml / *.yml directly in a folder (sub-folders are ignored)."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise PolicyFileError(path, "<路径>", "找不到政策文件或文件夹")
    return sorted(p for p in path.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml"))


def load_policies(path: Path = DEFAULT_POLICIES_DIR) -> dict[str, Policy]:
    """Load every policy under `path`; codes must be unique and a stacking group has one mode."""
    policies: dict[str, Policy] = {}
    modes: dict[str, tuple[StackingMode, Path]] = {}
    for file in policy_files(path):
        policy = load_policy(file)
        if policy.code in policies:
            other = policies[policy.code].source
            raise PolicyFileError(file, "code", f"政策代码 {policy.code} 与 {other} 重复")
        group_mode = modes.setdefault(policy.stacking_group, (policy.stacking_mode, file))
        if group_mode[0] is not policy.stacking_mode:
            raise PolicyFileError(file, "stacking.mode",
                                  f"同一叠加组 {policy.stacking_group} 的方式须一致（{group_mode[1].name}）")
        policies[policy.code] = policy
    return policies
