"""Form fields → subsidy-ledger inputs: the maker-checker decision and one installment's disbursement."""

from __future__ import annotations

from starlette.datastructures import FormData


def decision(form: FormData) -> tuple[object, str]:
    """(the pressed action as sent — unknown ones are refused by the route —, the reason or note)."""
    reason = form.get("reason")
    return form.get("action"), reason if isinstance(reason, str) else ""


def disbursement(form: FormData) -> tuple[str, int] | None:
    """(the form's one-time token, the installment), or None when either is missing or not valid."""
    token, raw = form.get("form_token"), form.get("installment")
    if not isinstance(token, str) or not token or not isinstance(raw, str) or not raw.isdigit():
        return None
    return token, int(raw)


def manual_decision(form: FormData) -> tuple[str, str]:
    """(waive | clawback as sent, the reason) for a failed contract's paid subsidy."""
    decision, reason = form.get("decision"), form.get("reason")
    return (decision if isinstance(decision, str) else "", reason if isinstance(reason, str) else "")


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


POLICY_VERSION_FIELDS = ("policy_code", "document", "document_title", "clause", "clause_text", "effective_from",
                         "effective_to", "ratio", "cap_per_project", "cap_per_year")


def policy_version(form: FormData) -> dict[str, str | None]:
    """The draft form as sent (empty parameter fields: not changed)."""
    data: dict[str, str | None] = {name: _text(form, name) for name in POLICY_VERSION_FIELDS}
    for name in ("ratio", "cap_per_project", "cap_per_year"):
        data[name] = (data[name] or "").strip() or None
    return data


def pool(form: FormData) -> dict[str, str]:
    return {"policy_code": _text(form, "policy_code"), "year": _text(form, "year"),
            "budget_yuan": _text(form, "budget_yuan")}


def budget(form: FormData) -> dict[str, str | None]:
    expected = _text(form, "expected_fen")
    return {"budget_yuan": _text(form, "budget_yuan"), "reason": _text(form, "reason"),
            "expected_fen": expected if expected.isdigit() else None}
