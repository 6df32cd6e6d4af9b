"""The stored calculation in words people read: no policy codes, engine field names, English values or
hashes on a page or in a spreadsheet (the stored case and result stay exactly as the engine made them).
"""

from __future__ import annotations

import re
from typing import Any

from marketplace.subsidies.engine import explain as words

STEP_LABELS = {
    "policy": "政策依据", "in_effect": "有效期", "eligibility": "申报条件", "acceptance": "验收结论",
    "acceptance_factor": "按验收比例", "gross": "计算", "units": "数量", "cap_per_project": "单项上限",
    "cap_per_unit": "单台（套）上限", "cap_share_of_total": "占总投资比例上限", "cap_per_year": "年度上限",
    "cap_cumulative": "累计上限", "stacking": "同类补助就高", "one_off": "一次性奖励", "over_cap": "超上限处理",
    "round": "取整", "pool": "资金池", "installments": "分期拨付", "clawback": "追回", "split": "市区分担",
}
VERDICTS = {"PASSED": "验收通过", "PASSED_AFTER_RECTIFICATION": "整改后验收通过",
            "FAILED_RECTIFIABLE": "验收不通过（可整改）", "FAILED": "验收不通过或合同终止"}
TRIGGERS = words.TRIGGERS


def plain(text: str, code: str) -> str:
    """The engine's explanation names the policy as “〔CODE 名称〕”: people see only the name."""
    return text.replace(f"〔{code} ", "〔") if code else text


_VERSION = re.compile(r"[A-Z][A-Z0-9-]*@[0-9a-f]{16}")


def memo(text: str, policy_name: str) -> str:
    """A ledger memo with a stored policy version (“CODE@hash”) names the policy instead."""
    return _VERSION.sub(policy_name, text)


def trigger(value: str) -> str:
    return TRIGGERS.get(value, "按政策约定")


def _default(step: dict[str, Any]) -> str:
    name = step["step"]
    if name == "policy":
        label = words.DATE_LABELS.get(step.get("date_kind", ""), "日期")
        return (f"《{step['document_title']}》（{step['document']}）{step['clause']}“{step['name']}”，"
                f"{label} {step['date']}")
    if name == "in_effect":
        return f"{step['date']} 在政策有效期（{step['effective_from']} 至 {step['effective_to'] or '长期'}）内"
    if name == "eligibility":
        return "符合申报条件"
    if name == "acceptance":
        return VERDICTS.get(step.get("verdict", ""), "已验收")
    if name == "installments":
        items = step.get("items", [])
        return "，".join(f"第{i['no']}期（{trigger(i['trigger'])}）{words.money(i['amount'])}" for i in items) or "无"
    if name == "split":
        return f"市级 {words.money(step['city'])}，区级 {words.money(step['district'])}"
    if name == "round":
        return f"{words.money(step['result'])}，已到分"
    return "—"


def trace_lines(result: dict[str, Any]) -> list[dict[str, str]]:
    """Each step of the stored trace as {label, text} in Chinese."""
    reasons = tuple(result.get("reasons", ()))
    lines = []
    for step in result.get("trace", []):
        name = step.get("step", "")
        try:
            text = None if name in ("policy", "split") else words._phrase(step, reasons)
            text = text or _default(step)
        except (KeyError, TypeError, ValueError, ArithmeticError):
            text = "—"
        lines.append({"label": STEP_LABELS.get(name, "其他"), "text": text})
    return lines


def inputs(case_file: dict[str, Any], beneficiary: str) -> list[dict[str, str]]:
    """The engine input of one subsidy (its case file) as labelled rows."""
    case = case_file["cases"][0]
    rows = [{"label": "受益单位", "text": beneficiary or "—"},
            {"label": "计算基数（经核验的企业投入资金）", "text": words.money(case.get("base", "0.00"))},
            {"label": "认定日期（验收或终止日期）", "text": case.get("date", "")},
            {"label": "验收结论", "text": VERDICTS.get(case.get("verdict", ""), "—")}]
    if case.get("paid_so_far"):
        rows.append({"label": "此前已拨付", "text": words.money(case["paid_so_far"])})
    prior = case.get("prior_awards") or []
    rows.append({"label": "此前已获补助", "text": "；".join(
        f"{p['date']} {words.money(p['amount'])}" for p in prior) or "无"})
    for name, pool in (case_file.get("pools") or {}).items():
        rows.append({"label": "资金池", "text": f"{name}：预算 {words.money(pool['total'])}，"
                                               f"此前已安排 {words.money(pool['committed'])}"})
    return rows
