"""The per-role dashboard (工作台)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from marketplace.accounts import queries as account_queries
from marketplace.accounts.models import Role
from marketplace.web.deps import CurrentActor, SessionDep
from marketplace.web.templating import render

router = APIRouter(include_in_schema=False)

PANELS = {
    Role.COMPANY: "dashboard/company.html",
    Role.TEAM: "dashboard/team.html",
    Role.EXPERT: "dashboard/expert.html",
    Role.OFFICER: "dashboard/officer.html",
    Role.ADMIN: "dashboard/officer.html",
}


def dashboard_context(*, session, actor) -> dict:  # noqa: ANN001
    """Figures and lists for one actor's dashboard; grows with each module."""
    ctx: dict = {"organisation": None}
    if actor.organisation_id:
        ctx["organisation"] = account_queries.get_organisation(session=session,
                                                               organisation_id=actor.organisation_id)
    if actor.role == Role.TEAM and actor.organisation_id:
        ctx["teams"] = account_queries.teams_of(session=session, organisation_id=actor.organisation_id)
    if actor.is_officer:
        ctx["pending_orgs"] = account_queries.pending_organisations(session=session, actor=actor)
    for hook in DASHBOARD_HOOKS:
        ctx.update(hook(session=session, actor=actor))
    return ctx


DASHBOARD_HOOKS: list = []


@router.get("/dashboard")
def dashboard(request: Request, session: SessionDep, actor: CurrentActor):
    """The logged-in user's workspace."""
    ctx = dashboard_context(session=session, actor=actor)
    return render(request, PANELS.get(actor.role, "dashboard/company.html"), ctx)
