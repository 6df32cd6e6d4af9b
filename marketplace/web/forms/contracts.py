"""Form fields → contract-stage inputs: text fields, decisions, and the uploaded evidence or vouchers."""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import FormData, UploadFile

from marketplace.contracts import files
from marketplace.web.forms import multipart_form


def field(form: FormData, name: str) -> str:
    """A text field, trimmed ("" when absent or a file)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def fields(form: FormData, *names: str) -> dict[str, str]:
    return {name: field(form, name) for name in names}


def decision(form: FormData, default: str) -> str:
    """The pressed decision button (`default` when none was sent)."""
    return str(form.get("decision", default))


def due_dates(form: FormData) -> dict[str, str]:
    """The non-blank `due-<milestone>` fields of an amendment, by field name."""
    return {key: field(form, key) for key in form.keys() if key.startswith("due-") and field(form, key)}


async def uploads(request: Request) -> tuple[FormData, list[files.Upload]]:
    """The multipart form and its non-empty `file` parts, read."""
    form = await multipart_form(request)
    items = [i for i in form.getlist("file") if isinstance(i, UploadFile) and i.filename]
    return form, [files.Upload(filename=i.filename or "", data=await i.read()) for i in items]


def _blank(value: object) -> object:
    return None if value in ("", None) else value


def contract(form: FormData) -> tuple[dict[str, str], dict]:
    """(the fields as typed, to show again; the ContractIn shape)."""
    values = fields(form, "bid_id", "amount_yuan", "committed_yuan", "start_on", "payment_shares", "terms",
                    "policy_id")
    data = {"bid_id": _blank(values["bid_id"]), "amount_yuan": _blank(values["amount_yuan"]),
            "committed_yuan": _blank(values["committed_yuan"]), "start_on": _blank(values["start_on"]),
            "payment_shares": [s.strip() for s in values["payment_shares"].replace("，", ",").split(",") if s.strip()],
            "terms": values["terms"], "policy_id": _blank(values["policy_id"])}
    return values, data


def amendment(form: FormData) -> tuple[dict[str, str], dict]:
    """(the fields as typed, to show again; the AmendmentIn shape with the new due dates by milestone)."""
    values = fields(form, "amount_yuan", "committed_yuan", "end_on", "reason")
    due = {}
    for key, value in due_dates(form).items():
        due[key[4:]] = value
        values[key] = value
    data = {"amount_yuan": _blank(values["amount_yuan"]), "committed_yuan": _blank(values["committed_yuan"]),
            "end_on": _blank(values["end_on"]), "milestone_due": due, "reason": values["reason"]}
    return values, data


def consent(form: FormData) -> bool:
    """Publishing consent for the project's progress: agree=1 gives it, anything else withdraws it."""
    return form.get("agree", "") == "1"
