"""Render a calculation's trace as a Chinese account a bureau officer can check by hand."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from marketplace.subsidies.engine.fastmoney import yuan_decimal

if TYPE_CHECKING:
    from marketplace.subsidies.engine.model import SubsidyResult

DATE_LABELS = {"acceptance_date": "验收日期", "investment_received_date": "投资到账日期",
               "sale_date": "销售日期", "recognition_date": "认定日期", "approval_date": "批准日期",
               "evaluation_date": "评价日期", "award_date": "核定日期"}
INELIGIBLE = {"registered_in_city": "未在本市注册", "tax_paying": "未在本市纳税",
              "not_serious_dishonesty": "列入严重失信名单", "not_moved": "公示期结束前已迁出本市"}
GRADES = {"EXCELLENT": "优秀", "GOOD": "良好", "PASS": "合格", "FAIL": "不合格"}
TRIGGERS = {"approval": "立项", "contract_signed": "签订合同", "milestone_accepted": "里程碑验收",
            "acceptance_passed": "验收通过", "award": "核定"}
_PLAIN = re.compile(r"(-?)([0-9]+)\.([0-9]{2})")
CAP_LABELS = {"cap_per_unit": "单台（套）最高", "cap_per_project": "单项最高"}


def money(text: str | Decimal) -> str:
    """'8,000,000.00 元'; exact intermediate values keep their extra decimals."""
    if isinstance(text, str):
        match = _PLAIN.fullmatch(text)
        if match:  # the common case, whole fen: the same text without Decimal
            sign, whole, cents = match.groups()
            return f"{sign}{int(whole):,}.{cents} 元"
    amount = Decimal(text)
    if amount == amount.quantize(Decimal("0.01")):
        return f"{amount:,.2f} 元"
    return f"{amount.normalize():,f} 元"


_PERCENTS: dict[str, str] = {}  # a policy has a handful of ratios: render each once


def percent(text: str) -> str:
    shown = _PERCENTS.get(text)
    if shown is None:
        shown = f"{(Decimal(text) * 100).normalize():f}%"
        if len(_PERCENTS) < 1024:
            _PERCENTS[text] = shown
    return shown


def _header(step: dict[str, Any]) -> str:
    label = DATE_LABELS.get(step["date_kind"], "日期")
    return (f"依据《{step['document_title']}》（{step['document']}）{step['clause']}"
            f"〔{step['code']} {step['name']}〕，{label} {step['date']}")


def _in_effect(step: dict[str, Any]) -> str | None:
    if step["ok"]:
        return None
    end = step["effective_to"] or "长期"
    return f"该日期不在政策有效期（{step['effective_from']} 至 {end}）内或相关参数已停止执行，不予补助"


def _eligibility(step: dict[str, Any]) -> str | None:
    failed = [c for c in step["checks"] if not c["passed"]]
    if not failed:
        return None
    parts = [INELIGIBLE[c["check"]] + (f"（依据快照 {c['snapshot']}）" if c["snapshot"] else "")
             for c in failed]
    return "不符合申报条件：" + "、".join(parts) + "，不予补助"


def _gross(step: dict[str, Any]) -> str:
    if step["expr"] == "base × ratio":
        return (f"{step['base_label']} {money(step['base'])} × {percent(step['ratio'])}"
                f" = {money(step['result'])}")
    if step["expr"] == "grades[grade]":
        return f"验收等次“{GRADES.get(step['grade'], step['grade'])}”对应金额 {money(step['amount'])}"
    kind = "一次性奖励" if step["expr"] == "one_off" else "定额补助"
    return f"{kind} {money(step['amount'])}"


def _cap(step: dict[str, Any]) -> str:
    name = step["step"]
    if name == "cap_share_of_total":
        label = f"项目总投资 {money(step['total_investment'])} 的 {percent(step['share'])}"
        return (f"超过{label}（{money(step['cap'])}），按 {money(step['cap'])}核定" if step["binding"]
                else f"未超过{label}（{money(step['cap'])}）")
    if name in ("cap_per_year", "cap_cumulative"):
        if step.get("applies") is False:
            return f"累计上限窗口（{step['window_from']} 至 {step['window_to']}）外，不计累计上限"
        period = (f"{step['year']} 年度" if name == "cap_per_year"
                  else f"{step['window_from']} 至 {step['window_to']} 期间")
        kind = "年度" if name == "cap_per_year" else "累计"
        if Decimal(step["prior"]) == 0 and not step["binding"]:
            return f"{period}此前未获该项补助，未超过{kind}最高 {money(step['limit'])}"
        text = (f"{period}已获 {money(step['prior'])}，{kind}最高 {money(step['limit'])}，"
                f"尚余 {money(step['cap'])}")
        return text + (f"，按余额核定为 {money(step['result'])}" if step["binding"] else "，未超过余额")
    label = CAP_LABELS[name]
    return (f"超过{label} {money(step['cap'])}，按 {money(step['cap'])}核定" if step["binding"]
            else f"未超过{label} {money(step['cap'])}")


def _acceptance(step: dict[str, Any], reasons: tuple[str, ...]) -> str | None:
    if "RECTIFICATION_PENDING" in reasons:
        return "验收结论为不通过（可整改），整改后复验通过前不予拨付"
    if "ACCEPTANCE_FAILED" in reasons and step["step"] == "acceptance":
        return "验收未通过或合同未全部完成，不予补助"
    return None


def _stacking(step: dict[str, Any]) -> str:
    held = money(step["held"])
    if step["mode"] == "top_up_to_highest":
        return f"同组（{step['group']}）已获 {held}，按就高补差核定差额 {money(step['result'])}"
    if Decimal(step["result"]) == 0:
        return f"同组（{step['group']}）已获 {held}，不低于本项，按就高不重复不再奖励"
    return f"本项高于同组（{step['group']}）已获 {held}，按就高不重复改发本项，已获部分应予追回"


def _installments(step: dict[str, Any]) -> str | None:
    if len(step["items"]) == 1 and Decimal(step["paid_so_far"]) == 0:
        return None  # paid in one sum: nothing to add
    parts = [f"第{i['no']}期（{TRIGGERS.get(i['trigger'], i['trigger'])}）{money(i['amount'])}"
             + ("（已拨付）" if i["status"] == "paid" else "") for i in step["items"]]
    text = "分期：" + "，".join(parts)
    if Decimal(step["overpaid"]) > 0:
        text += f"；已拨付金额超出核定补助 {money(step['overpaid'])}，须人工决定是否追回"
    return text


def _pool(step: dict[str, Any]) -> str:
    text = f"资金池 {step['pool']} 余额 {money(step['before'])}，本次安排 {money(step['reserved'])}"
    if Decimal(step["waitlisted"]) > 0:
        text += f"，{money(step['waitlisted'])} 列入候补（不占用补助上限）"
    return text


def _phrase(step: dict[str, Any], reasons: tuple[str, ...]) -> str | None:
    name = step["step"]
    simple = _SIMPLE.get(name)
    if simple is not None:
        return simple(step)
    if name.startswith("cap_"):
        return _cap(step)
    if name in ("acceptance",):
        return _acceptance(step, reasons)
    return _minor_phrase(step)


_SIMPLE = {"in_effect": _in_effect, "eligibility": _eligibility, "gross": _gross, "pool": _pool,
           "stacking": _stacking, "installments": _installments}


def _minor_phrase(step: dict[str, Any]) -> str | None:
    name = step["step"]
    if name == "acceptance_factor":
        return f"按已验收里程碑比例 {percent(step['factor'])} 计为 {money(step['result'])}"
    if name == "units":
        return f"共 {step['units']} 台（套），合计 {money(step['result'])}"
    if name == "one_off":
        first = step["granted"][0]
        ref = f"（{first['award_id']}）" if first["award_id"] else ""
        return f"该一次性奖励已于 {first['date']} 获得 {money(first['amount'])}{ref}，不再重复奖励"
    if name == "clawback":
        return f"已拨付的 {money(step['receivable'])} 应予追回（记应收退款，待审批）"
    if name == "over_cap":
        return "超过上限的申请按规定整体不予补助"
    before = Decimal(step.get("before", "0"))
    if name == "round" and before and before != Decimal(step["result"]):
        return f"{money(step['before'])} 四舍五入到分为 {money(step['result'])}"
    return None


def explain(result: SubsidyResult) -> str:
    """One paragraph: the clause, each step with its numbers, the result and its split."""
    steps = list(result.trace)
    phrases = [_header(steps[0])]
    main_clause = steps[0]["clause"]
    for step in steps[1:]:
        phrase = _phrase(step, result.reasons) if step["step"] != "split" else None
        if phrase and step.get("clause") and step["clause"] != main_clause:
            phrase += f"（依据{step['clause']}）"
        if phrase:
            phrases.append(phrase)
    if "ZERO_BASE" in result.reasons:
        phrases.append("计算基数为零，不予补助")
    conclusion = f"核定补助 {money(yuan_decimal(result.entitlement_fen))}"
    if result.awarded_fen != result.entitlement_fen:
        conclusion += f"，本次安排 {money(yuan_decimal(result.awarded_fen))}"
    if result.awarded_fen:
        conclusion += (f"（市级 {money(yuan_decimal(result.city_fen))}，"
                       f"区级 {money(yuan_decimal(result.district_fen))}）")
    return phrases[0] + "：" + "；".join([*phrases[1:], conclusion]) + "。"
