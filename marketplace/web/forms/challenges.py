"""Form fields → challenge inputs: the challenge form (indexed indicator rows), the officer's and
company's one-field actions, clarifications and attachments."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData, UploadFile

from marketplace.web.forms import form_dict, rows

INDICATOR_FIELDS = ("name", "target", "unit", "test_method")
MAX_INDICATOR_ROWS = 30


def indicator_rows(form: FormData) -> list[tuple[int, dict]]:
    """The non-blank indicator rows with their positions in the form."""
    rows = []
    for n in range(MAX_INDICATOR_ROWS):
        row = {f: str(form.get(f"indicators-{n}-{f}") or "").strip() for f in INDICATOR_FIELDS}
        if any(row.values()):
            rows.append((n, row))
    return rows


def edit_indicator_rows(form: FormData, edit: rows.RowEdit) -> dict:
    """The challenge form's context after adding or removing an indicator row (nothing saved)."""
    data = form_to_challenge(form)
    blanks = blank_indicator_rows(form)
    data["indicators"], blanks, message = rows.apply(edit, indicator_rows(form), blanks, MAX_INDICATOR_ROWS)
    return {"values": data, "error": message, "blanks": blanks}


def form_to_challenge(form: FormData) -> dict:
    """The form's fields as the ChallengeIn shape (indicator rows indexed indicators-N-field)."""
    data = form_dict(form)
    # An empty box means "not given": optional fields take their defaults, required ones say 必填.
    data = {k: v for k, v in data.items()
            if not k.startswith("indicators-") and k not in ("action", "attachments") and v != ""}
    data["indicators"] = [row for _, row in indicator_rows(form)]
    if not data.get("weak_link"):
        data["weak_link"] = None
    return data


def row_edit(form: FormData) -> rows.RowEdit | None:
    """The pressed 添加一行 / 删除 button of the indicator rows, or None for a real save."""
    return rows.parse_action(form.get("action"), ("indicators",))


def blank_indicator_rows(form: FormData) -> int:
    return rows.blank_count(form, "indicators", 1, MAX_INDICATOR_ROWS, filled=len(indicator_rows(form)))


def submitting(form: FormData) -> bool:
    """The submit button, not save-as-draft, was pressed."""
    return form.get("action") == "submit"


def comment(form: FormData) -> dict[str, Any]:
    """The officer's comment (ReturnIn: returning a challenge, rejecting a change)."""
    return {"comment": form.get("comment", "")}


def publish_at(form: FormData) -> str | None:
    """When to publish (empty: now)."""
    return form.get("publish_at") or None


def reason(form: FormData) -> dict[str, Any]:
    """The withdrawal reason (WithdrawIn)."""
    return {"reason": form.get("reason", "")}


def question(form: FormData) -> dict[str, Any]:
    return {"question": form.get("question", "")}


def answer(form: FormData) -> dict[str, Any]:
    return {"answer": form.get("answer", "")}


def attachment(form: FormData) -> tuple[UploadFile | None, bool]:
    """(the uploaded file or None, whether it is a confidential annex)."""
    item = form.get("file")
    return (None if item is None or isinstance(item, str) else item), form.get("confidential") == "on"


def invitation_message(form: FormData) -> str:
    """The note sent with an invitation to bid."""
    return str(form.get("message", ""))[:2000]
