"""Form fields → account inputs: password, users, sign-in, registration, verification, team profiles."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData, UploadFile

from marketplace.web.forms import form_dict

TEAM_LINE_FIELDS = ("members", "fields", "patents")  # one entry per line in the team-profile form


def password_change(form: FormData) -> dict[str, Any]:
    return form_dict(form)


def user_create(form: FormData) -> dict[str, Any]:
    """A new account; an empty organisation means none."""
    data = form_dict(form)
    if not data.get("organisation_id"):
        data.pop("organisation_id", None)
    return data


def role(form: FormData) -> str:
    return str(form.get("role", ""))


def active(form: FormData) -> bool:
    return form.get("active") == "1"


def login(form: FormData) -> tuple[str, str, str]:
    """(account, password, next) as typed, cut to their longest sensible length."""
    return str(form.get("account", ""))[:254], str(form.get("password", ""))[:200], str(form.get("next", ""))


def registration(form: FormData) -> dict[str, Any]:
    data = form_dict(form, lists=("qualifications", "industries"), bools=("accept_terms",))
    data.pop("licence", None)  # the file: registration_licence
    return data


def registration_licence(form: FormData):  # noqa: ANN201 - an Upload or None
    """The business licence chosen on the registration form (none when the file input was left empty)."""
    from marketplace.web.forms.uploads import uploads_from

    files = uploads_from(form, "licence")
    return files[0] if files else None


def verification(form: FormData) -> dict[str, Any]:
    return {"approve": form.get("decision") == "approve", "comment": form.get("comment", ""),
            "region": form.get("region") or None}


def reset_account(form: FormData) -> str:
    return str(form.get("account", ""))[:254]


def password_reset(form: FormData) -> tuple[str, str, str]:
    """(token, new password, the password typed again)."""
    return (str(form.get("token", ""))[:100], str(form.get("new_password", "")),
            str(form.get("new_password_again", "")))


def team_profile(form: FormData) -> dict[str, Any]:
    return form_dict(form, lists=("industries",), lines=TEAM_LINE_FIELDS)


def member_login(form: FormData) -> str:
    return str(form.get("login") or "").strip()[:254]


def join_decision(form: FormData) -> tuple[bool, str]:
    """(approve?, reason) of a decision on a join request."""
    return form.get("decision") == "approve", str(form.get("reason", ""))[:400]


def evidence(form: FormData) -> tuple[str, UploadFile | None]:
    """(legal representative, licence file or None) of the organisation-evidence form."""
    rep, item = form.get("legal_representative"), form.get("file")
    return (rep if isinstance(rep, str) else "",
            item if isinstance(item, UploadFile) and item.filename else None)
