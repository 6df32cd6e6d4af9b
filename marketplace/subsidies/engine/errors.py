"""Errors of the subsidy engine: stable codes for machines, Chinese messages for people."""

from __future__ import annotations

from pathlib import Path

from marketplace.errors import RuleViolation

# Stable input-validation codes and their Chinese messages ({field} is the offending field).
MESSAGES: dict[str, str] = {
    "NEGATIVE_AMOUNT": "{field}：金额不能为负数",
    "PRECISION_EXCEEDS_FEN": "{field}：金额最多保留两位小数（精确到分），不做自动舍入",
    "FLOAT_NOT_ALLOWED": "{field}：不接受浮点数，请以字符串书写金额或比例（如 \"0.20\"）",
    "NOT_FINITE": "{field}：数值必须是有限数（不能是 NaN 或 Infinity）",
    "IMPLAUSIBLE_AMOUNT": "{field}：金额超过 100 亿元，不合理，请核对",
    "BAD_AMOUNT": "{field}：金额格式不正确",
    "BAD_RATIO": "{field}：比例必须是 0 到 1 之间的字符串（如 \"0.20\"）",
    "UNKNOWN_POLICY": "{field}：未找到该政策代码",
    "UNKNOWN_VERDICT": ("{field}：验收结论只能是 PASSED、PASSED_AFTER_RECTIFICATION、"
                        "FAILED、FAILED_RECTIFIABLE"),
    "UNKNOWN_GRADE": "{field}：该政策没有这个验收等次",
    "UNKNOWN_PARAMETER": "{field}：不能覆盖该参数（参数名固定，且须与政策类型相符）",
    "UNKNOWN_POOL": "{field}：未找到该资金池",
    "UNKNOWN_FIELD": "{field}：不认识的字段",
    "MISSING_FIELD": "{field}：缺少该政策测算所需的字段",
    "BAD_DATE": "{field}：日期必须是有效的 YYYY-MM-DD",
    "BAD_VALUE": "{field}：取值不正确",
    "IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_INPUT": "{field}：同一编号已用不同的输入测算过；更正须冲销后另立编号",
}


class SubsidyInputError(RuleViolation):
    """A case input the engine refuses; `code` is stable, `message` is Chinese."""

    def __init__(self, code: str, field: str, detail: str | None = None):
        message = MESSAGES[code].format(field=field)
        if detail:
            message = f"{message}（{detail}）"
        super().__init__(message, fields={field: message}, code=code)
        self.field = field


class PolicyFileError(ValueError):
    """A policy file that fails strict validation; names the file and the key."""

    def __init__(self, file: Path | str, key: str, message: str):
        super().__init__(f"{file}: {key}: {message}")
        self.file = str(file)
        self.key = key
        self.message = message
