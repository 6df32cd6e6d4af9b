"""Input cleaning shared by forms and the API: Chinese messages, NUL bytes, lengths."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from marketplace.errors import RuleViolation
from marketplace.money import yuan_text_checker

_TYPE_MESSAGES = {
    "missing": "此项必填",
    "string_too_short": "此项必填",
    "string_too_long": "内容过长（最多 {max_length} 个字符）",
    "int_parsing": "请输入整数",
    "int_type": "请输入整数",
    "bool_parsing": "请选择是或否",
    "bool_type": "请选择是或否",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "greater_than": "必须大于 {gt}",
    "less_than": "必须小于 {lt}",
    "literal_error": "选项无效",
    "enum": "选项无效",
    "extra_forbidden": "不允许提交此字段",
    "datetime_parsing": "日期时间格式不正确",
    "datetime_from_date_parsing": "日期时间格式不正确",
    "date_parsing": "日期格式不正确",
    "date_from_datetime_parsing": "日期格式不正确",
    "list_type": "格式不正确",
    "string_type": "请输入文字",
    "too_long": "条目过多",
    "int_from_float": "请输入整数",
}


def no_nul(value: str) -> str:
    """Reject NUL and other C0 control characters except tab and newlines; strip the ends."""
    if any(ord(c) < 32 and c not in "\t\r\n" for c in value):
        raise ValueError("含有不允许的控制字符")
    return value.strip()


def _strip(value: Any) -> Any:
    """Strip text before the length rules apply: "   " is empty, not a three-character reason."""
    return value.strip() if isinstance(value, str) else value


CleanStr = Annotated[str, BeforeValidator(_strip), AfterValidator(no_nul)]
# Every money field of every form and API schema is one of these two: text in 元, checked by the one
# strict parser in money.py (ASCII digits, ≤ 2 decimals, ≤ 100亿元); the schema turns it into fen.
YuanStr = Annotated[str, Field(max_length=30), AfterValidator(yuan_text_checker(positive=False))]
PositiveYuanStr = Annotated[str, Field(max_length=30), AfterValidator(yuan_text_checker(positive=True))]


class StrictIn(BaseModel):
    """Base for input schemas: unknown fields are refused (no mass assignment)."""

    model_config = ConfigDict(extra="forbid", str_max_length=20000)


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "value_error":
        msg = str(error.get("msg", ""))
        return msg.removeprefix("Value error, ")
    if kind == "string_too_short" and error.get("input"):
        return "内容过短（至少 {min_length} 个字符）".format(**(error.get("ctx") or {"min_length": 1}))
    template = _TYPE_MESSAGES.get(kind)
    if template is None:
        return "输入无效"
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return template


def errors_to_fields(exc: ValidationError) -> dict[str, str]:
    """Pydantic errors as {field: Chinese message}; the first message per field wins."""
    return fields_from_errors(exc.errors())


def fields_from_errors(errors: Any) -> dict[str, str]:
    """Error dicts (pydantic's shape) as {field: Chinese message}."""
    fields: dict[str, str] = {}
    for error in errors:
        loc = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path", "form")) or "__all__"
        fields.setdefault(loc, _message(error))
    return fields


GENERIC = "提交的信息有误，请按提示修改"


def parse(model: type[BaseModel], data: Any) -> Any:
    """Validate data into a model or raise RuleViolation with Chinese field messages."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RuleViolation(GENERIC, fields=errors_to_fields(exc)) from exc
