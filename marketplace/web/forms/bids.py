"""Form fields → bid inputs: the bid form (indexed rows for milestones, members, partners) and formal review."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

MAX_ROWS = 20
ROWS = {"milestones": ("title", "due_month"), "members": ("name", "role"),
        "partners": ("organisation_id", "share_percent", "role")}
MONEY_FIELDS = ("price_yuan", "budget_company_yuan", "budget_own_yuan", "budget_subsidy_yuan")
TEXT_FIELDS = ("team_id", "technical_route", "prior_results", "declare_conflicts", *MONEY_FIELDS)


def _rows(form: FormData, prefix: str) -> list[dict]:
    """Indexed fields (`milestones-0-title`, …) as a list of non-blank rows."""
    rows = []
    for n in range(MAX_ROWS):
        row = {name: str(form.get(f"{prefix}-{n}-{name}") or "").strip() for name in ROWS[prefix]}
        if prefix == "milestones":
            row["indicators"] = [str(v) for v in form.getlist(f"{prefix}-{n}-indicators")]
        if any(row.values()):
            rows.append(row)
    return rows


def form_to_data(form: FormData) -> dict:
    """The bid form as the BidIn shape (blank numbers stay strings so validation names them)."""
    data: dict = {name: str(form.get(name) or "").strip() for name in TEXT_FIELDS}
    for money in MONEY_FIELDS:
        data[money] = data[money] or ("" if money == "price_yuan" else "0")
    for prefix in ROWS:
        data[prefix] = _rows(form, prefix)
    for flag in ("declare_no_double_funding", "declare_ownership"):
        data[flag] = form.get(flag) in ("on", "true", "1")
    return data


def submitting(form: FormData) -> bool:
    """The submit button, not save-as-draft, was pressed."""
    return form.get("action") == "submit"


def review_values(form: FormData) -> tuple[dict[str, Any], bool]:
    """The formal-review conclusion and whether the confirmation step was passed (confirm=1)."""
    return ({"qualified": form.get("decision") == "qualify", "reason": form.get("reason", "")},
            form.get("confirm") == "1")
