"""Form fields → credit-memory inputs: one outcome or breach and the event it rests on."""

from __future__ import annotations

from starlette.datastructures import FormData

from marketplace.credit import service as credit


def entry(form: FormData) -> tuple[dict, str, str]:
    """(the fields as typed, the subject type if it is a known one, the subject id if it is a number)."""
    values = {k: form.get(k, "") for k in ("kind", "note", "subject_type", "subject_id")}
    subject_type = values["subject_type"] if values["subject_type"] in credit.SUBJECT_LINKS else ""
    subject_id = values["subject_id"].strip() if subject_type and values["subject_id"].strip().isdigit() else ""
    return values, subject_type, subject_id
