"""Admin pages: accounts of officers and experts, role changes."""

from __future__ import annotations

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


def _context(session, values=None, errors=None, error="") -> dict:
    return {
        "users": account_queries.all_users(session=session),
        "organisations": account_queries.organisations_by_name(session=session),
        "roles": list(Role), "values": values or {}, "errors": errors or {}, "error": error,
    }


@router.get("/admin/users")
def users(request: Request, session: SessionDep):
    """All accounts, and the form to create officers and experts."""
    return render(request, "admin/users.html", _context(session))


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
