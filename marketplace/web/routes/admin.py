"""Admin pages: accounts of officers and experts, role changes."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request

from marketplace.accounts import queries as account_queries
from marketplace.accounts import service as accounts
from marketplace.accounts.schemas import UserCreateIn
from marketplace.actor import Role
from marketplace.errors import Conflict, RuleViolation
from marketplace.validation import parse
from marketplace.web import htmx
from marketplace.web.context import flash
from marketplace.web.deps import AdminOnly, CurrentActor, SessionDep
from marketplace.web.forms import FormDep
from marketplace.web.forms import accounts as account_forms
from marketplace.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[AdminOnly])


def user_filter(params) -> account_queries.UserFilter:  # noqa: ANN001
    """The list's query parameters, bad values ignored (a GET never fails on them)."""
    def number(name: str, high: int) -> int | None:
        value = str(params.get(name) or "")
        return min(int(value), high) if value.isdigit() and value.strip("0") else None

    role = str(params.get("role") or "")
    return account_queries.UserFilter(
        q=str(params.get("q") or "")[:100], role=role if role in set(Role) else "",
        active=str(params.get("active") or "") if params.get("active") in ("0", "1") else "",
        organisation_id=number("organisation_id", 2**31 - 1), page=number("page", 100_000) or 1)


def _context(session, values=None, errors=None, error="", params=None) -> dict:
    flt = user_filter(params or {})
    rows, total, page = account_queries.search_users(session=session, flt=flt)
    query = {k: v for k, v in {"q": flt.q, "role": flt.role, "active": flt.active,
                               "organisation_id": flt.organisation_id or ""}.items() if v}
    return {
        "users": rows, "total": total, "page": page, "flt": flt, "query_base": urlencode(query),
        "pages": max(1, -(-total // account_queries.USERS_PAGE_SIZE)),
        "organisations": account_queries.organisations_by_name(session=session),
        "roles": list(Role), "values": values or {}, "errors": errors or {}, "error": error,
    }


@router.get("/admin/users")
def users(request: Request, session: SessionDep):
    """Accounts, searched and filtered a page at a time, and the form to create officers and experts."""
    return render(request, "admin/users.html", _context(session, params=request.query_params))


@router.post("/admin/users")
def create_user(request: Request, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Create an account."""
    data = account_forms.user_create(form)
    try:
        user = accounts.create_user(session=session, actor=actor, data=parse(UserCreateIn, data))
    except (RuleViolation, Conflict) as exc:
        data.pop("password", None)
        return render(request, "admin/users.html", _context(session, data, exc.fields, exc.message),
                      block="create_form", status_code=422 if isinstance(exc, RuleViolation) else 409)
    return flash(htmx.redirect(request, "/admin/users"), f"已创建账号：{user.display_name}")


@router.post("/admin/users/{user_id}/role")
def change_role(request: Request, user_id: int, session: SessionDep, actor: CurrentActor,
                form: FormDep):
    """Change a user's role."""
    try:
        user = accounts.change_role(session=session, actor=actor, user_id=user_id,
                                    role=account_forms.role(form))
    except Conflict as exc:
        return flash(htmx.redirect(request, "/admin/users"), exc.message, "error")
    return flash(htmx.redirect(request, "/admin/users"), f"已修改 {user.display_name} 的角色")


@router.post("/admin/users/{user_id}/active")
def set_active(request: Request, user_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Disable or re-enable an account."""
    active = account_forms.active(form)
    try:
        user = accounts.set_active(session=session, actor=actor, user_id=user_id, active=active)
    except Conflict as exc:
        return flash(htmx.redirect(request, "/admin/users"), exc.message, "error")
    return flash(htmx.redirect(request, "/admin/users"), f"已{'启用' if active else '停用'}账号：{user.display_name}")
