"""Form fields → bid inputs: the bid form (indexed rows for milestones, members, partners) and formal review."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from marketplace.web.forms import rows

MAX_ROWS = 20
ROWS = {"milestones": ("title", "due_month"), "members": ("name", "role"),
        "partners": ("organisation_id", "share_percent", "role")}
MONEY_FIELDS = ("price_yuan", "budget_company_yuan", "budget_own_yuan", "budget_subsidy_yuan")
TEXT_FIELDS = ("team_id", "technical_route", "prior_results", "declare_conflicts", *MONEY_FIELDS)


BLANK_ROWS = {"milestones": 2, "members": 3, "partners": 2}  # empty rows a new form shows


def indexed(form: FormData, prefix: str) -> list[tuple[int, dict]]:
    """Indexed fields (`milestones-0-title`, …) as the non-blank rows with their form positions."""
    found = []
    for n in range(MAX_ROWS):
        row = {name: str(form.get(f"{prefix}-{n}-{name}") or "").strip() for name in ROWS[prefix]}
        if prefix == "milestones":
            row["indicators"] = [str(v) for v in form.getlist(f"{prefix}-{n}-indicators")]
        if any(row.values()):
            found.append((n, row))
    return found


def _rows(form: FormData, prefix: str) -> list[dict]:
    return [row for _, row in indexed(form, prefix)]


def blanks(form: FormData | None) -> dict[str, int]:
    """How many empty rows each row group shows (the hidden `<prefix>-blank` fields)."""
    if form is None:
        return dict(BLANK_ROWS)
    return {p: rows.blank_count(form, p, BLANK_ROWS[p], MAX_ROWS, filled=len(indexed(form, p))) for p in ROWS}


def row_edit(form: FormData) -> rows.RowEdit | None:
    """The pressed 添加一行 / 删除 button, or None for a real save."""
    return rows.parse_action(form.get("action"), ROWS)


def edit_rows(form: FormData, edit: rows.RowEdit) -> tuple[dict, dict[str, int], str]:
    """The form's values after adding or removing one row (nothing is saved)."""
    data, counts = form_to_data(form), blanks(form)
    data[edit.prefix], counts[edit.prefix], message = rows.apply(edit, indexed(form, edit.prefix),
                                                               counts[edit.prefix], MAX_ROWS)
    return data, counts, message


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


def supplement_request_values(form: FormData) -> dict[str, Any]:
    """The officer's 补正 window: deadline (Beijing time) and what is missing (SupplementRequestIn)."""
    return {"deadline": form.get("deadline") or None, "note": form.get("note", "")}


def partner_answer_values(form: FormData) -> dict[str, Any]:
    """A consortium partner's answer (PartnerAnswerIn): decision=confirm|decline, reason when declining."""
    return {"confirm": form.get("decision") == "confirm", "reason": form.get("reason", "")}


def api_bid_parts(form: FormData) -> tuple[str, bool, list]:
    """A multipart API bid (POST /api/v1/challenges/{id}/bids/with-files): the `bid` part (BidIn as JSON),
    `submit` ("true" to submit in the same transaction) and the `file` parts as Uploads."""
    from marketplace.web.forms.uploads import uploads_from

    raw = form.get("bid")
    return (raw if isinstance(raw, str) else "", str(form.get("submit") or "").lower() in ("1", "true", "yes"),
            uploads_from(form, "file"))
