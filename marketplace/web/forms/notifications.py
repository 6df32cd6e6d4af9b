"""Form fields → notification inputs: the per-kind switches (站内消息, 邮件)."""

from __future__ import annotations

from starlette.datastructures import FormData

from marketplace.errors import RuleViolation
from marketplace.notifications.models import Kind


def switches(form: FormData) -> dict[str, tuple[bool, bool]]:
    """Checked boxes → {kind: (in_app, email)} for every kind; unknown values are refused."""
    in_app, email = set(form.getlist("in_app")), set(form.getlist("email"))
    known = {k.value for k in Kind}
    if (in_app | email) - known:
        raise RuleViolation("消息类型无效")
    return {kind: (kind in in_app, kind in email) for kind in known}
