"""The per-role dashboard (工作台)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from marketplace.accounts import queries as account_queries
from marketplace.actor import Role
from marketplace.bids import queries as bid_queries
from marketplace.challenges import queries as challenge_queries
from marketplace.clock import utcnow
from marketplace.search import recommend
from marketplace.web.deps import CurrentActor, SessionDep
from marketplace.web.templating import render

router = APIRouter(include_in_schema=False)

COMPANY_RECENT = 8  # challenges on the company's dashboard (it loaded all of them, hundreds at 10k)

PANELS = {
    Role.COMPANY: "dashboard/company.html",
    Role.TEAM: "dashboard/team.html",
    Role.EXPERT: "dashboard/expert.html",
    Role.OFFICER: "dashboard/officer.html",
    Role.ADMIN: "dashboard/officer.html",
}


def dashboard_context(*, session, actor) -> dict:
    """Figures and lists for one actor's dashboard; grows with each module."""
    ctx: dict = {"organisation": None}
    if actor.organisation_id:
        ctx["organisation"] = account_queries.get_organisation(session=session,
                                                               organisation_id=actor.organisation_id)
    if actor.role == Role.TEAM and actor.organisation_id:
        ctx["teams"] = account_queries.teams_of(session=session, organisation_id=actor.organisation_id)
    if actor.is_officer:
        ctx["pending_orgs"] = account_queries.pending_organisations(session=session, actor=actor)
    if actor.role == Role.COMPANY and actor.organisation_id:
        rows = challenge_queries.of_organisation(session=session, organisation_id=actor.organisation_id,
                                                 limit=COMPANY_RECENT)  # the rest: /challenges/mine
        ctx["my_challenges"] = rows
        ctx["counts"] = bid_queries.submitted_counts(session=session, challenge_ids=[c.id for c in rows])
    if actor.role == Role.TEAM and ctx.get("teams"):
        # Every lab of the organisation gets its panel (the actor's own teams first and open).
        mine_first = sorted(ctx["teams"], key=lambda t: (t.id not in actor.team_ids, t.id))
        ctx["team_panels"] = [(t, recommend.challenges_for_team(session=session, team=t, k=5))
                              for t in mine_first]
        ctx["already_bid"] = bid_queries.bid_challenge_ids(session=session, actor=actor,
                                                           team_ids={t.id for t in mine_first})
        ctx["own_team_ids"] = actor.team_ids
    if actor.is_officer:
        ctx["officer_stats"] = challenge_queries.status_counts(session=session, now=utcnow())
    return ctx


@router.get("/dashboard")
def dashboard(request: Request, session: SessionDep, actor: CurrentActor):
    """The logged-in user's workspace."""
    ctx = dashboard_context(session=session, actor=actor)
    return render(request, PANELS.get(actor.role, "dashboard/company.html"), ctx)
