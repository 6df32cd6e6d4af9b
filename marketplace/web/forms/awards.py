"""Form fields → award inputs: decision, no award, 公示 batch, objections and the company's opinion."""

from __future__ import annotations

from starlette.datastructures import FormData


def ids(form: FormData, name: str) -> list[int]:
    """The checked ids of a multi-choice field (anything not a plain number is ignored)."""
    return [int(v) for v in form.getlist(name) if isinstance(v, str) and v.isdigit() and len(v) <= 12]


def text(form: FormData, name: str) -> str:
    return str(form.get(name) or "")


def decision(form: FormData) -> tuple[list[int], str]:
    """(winning bid ids, reason)."""
    return ids(form, "winning_bid_ids"), text(form, "reason")


def no_award_reason(form: FormData) -> str:
    return text(form, "no_award_reason")


def publication(form: FormData) -> tuple[list[int], str, str]:
    """(challenge ids, period in working days as typed, title)."""
    return ids(form, "challenge_ids"), text(form, "period_days").strip(), text(form, "title")


def objection_answer(form: FormData) -> tuple[str, str]:
    """(outcome, answer)."""
    return text(form, "outcome"), text(form, "answer")


def opinion(form: FormData) -> tuple[list[int], str]:
    """(preferred bid ids, opinion)."""
    return ids(form, "preferred_bid_ids"), text(form, "opinion")


def objection_reasons(form: FormData) -> str:
    return text(form, "reasons")
