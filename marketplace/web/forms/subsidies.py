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
