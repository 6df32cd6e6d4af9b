"""Research-team profiles: public browsing, and editing by the team's own accounts."""

from __future__ import annotations

from fastapi import APIRouter, Request

from marketplace.accounts import permissions as account_permissions
from marketplace.accounts import queries as account_queries
from marketplace.accounts import service as accounts
from marketplace.accounts.schemas import TeamProfileIn
from marketplace.errors import Conflict, Forbidden, NotFound, RuleViolation
from marketplace.industries import INDUSTRIES
from marketplace.search import recommend
from marketplace.validation import parse
from marketplace.web import htmx
from marketplace.web.context import flash
from marketplace.web.deps import CurrentActor, OptionalActor, SessionDep
from marketplace.web.forms import FormDep
from marketplace.web.forms import accounts as account_forms
from marketplace.web.templating import render

# Public: team profiles are the platform's showcase of research capacity.
public_router = APIRouter(include_in_schema=False)
router = APIRouter(include_in_schema=False)

LINE_FIELDS = account_forms.TEAM_LINE_FIELDS


@public_router.get("/teams")
def team_list(request: Request, session: SessionDep, actor: OptionalActor, q: str = ""):
    """Research-team profiles; officers can search them (Traditional script accepted)."""
    q = q.strip()[:200]
    if q and actor.is_officer:
        teams = [r.item for r in recommend.search_teams(session=session, query=q)]
    else:
        teams = account_queries.list_teams(session=session)
    return render(request, "teams/list.html", {"teams": teams, "q": q}, block="results")


@public_router.get("/teams/{team_id}")
def team_detail(request: Request, team_id: int, session: SessionDep):
    """One team profile."""
    team = account_queries.get_team(session=session, team_id=team_id)
    org = account_queries.get_organisation(session=session, organisation_id=team.organisation_id)
    return render(request, "teams/detail.html", {"team": team, "org": org})


@router.get("/teams-mine", name="teams_mine")
def teams_mine(request: Request, session: SessionDep, actor: CurrentActor):
    """The profiles of the actor's organisation."""
    teams = account_queries.teams_of(session=session, organisation_id=actor.organisation_id or 0)
    editable = {t.id for t in teams if account_permissions.can_edit_team_profile(actor, team_id=t.id)[0]}
    return render(request, "teams/mine.html", {"teams": teams, "editable": editable})


def _form_ctx(values=None, errors=None, error="", team=None) -> dict:
    return {"values": values or {}, "errors": errors or {}, "error": error, "team": team,
            "industries": INDUSTRIES}


@router.get("/team-profiles/new")
def team_new(request: Request, actor: CurrentActor):
    """Form for a new team profile."""
    if actor.role != "team":
        raise Forbidden("只有科研团队账号可以创建团队画像")
    return render(request, "teams/form.html", _form_ctx())


@router.get("/team-profiles/{team_id}/edit")
def team_edit(request: Request, team_id: int, session: SessionDep, actor: CurrentActor):
    """Form to edit a team profile."""
    team = account_queries.get_team(session=session, team_id=team_id)
    allowed, reason = account_permissions.can_edit_team_profile(actor, team_id=team.id)
    if not allowed:
        raise Forbidden(reason)
    values = team.model_dump()
    for key in LINE_FIELDS:
        values[key] = "\n".join(values[key])
    return render(request, "teams/form.html", _form_ctx(values, team=team))


@router.post("/team-profiles")
@router.post("/team-profiles/{team_id}")
def team_save(request: Request, session: SessionDep, actor: CurrentActor, form: FormDep,
              team_id: int | None = None):
    """Create or update a team profile."""
    data = account_forms.team_profile(form)
    try:
        team = accounts.save_team_profile(session=session, actor=actor,
                                          data=parse(TeamProfileIn, data), team_id=team_id)
    except RuleViolation as exc:
        for key in LINE_FIELDS:
            data[key] = "\n".join(data.get(key, []))
        return render(request, "teams/form.html", _form_ctx(data, exc.fields, exc.message),
                      block="form", status_code=422)
    return flash(htmx.redirect(request, f"/teams/{team.id}"), "团队画像已保存")


def _members_ctx(session, actor, team, error: str = "", values: dict | None = None) -> dict:
    return {"team": team, "members": account_queries.team_members(session=session, team_id=team.id),
            "can_manage": account_permissions.can_manage_team_members(actor, owner_id=team.owner_id)[0],
            "error": error, "values": values or {}}


@router.get("/team-profiles/{team_id}/members")
def team_members(request: Request, team_id: int, session: SessionDep, actor: CurrentActor):
    """The accounts that act for a team (its bids are theirs); the owner adds and removes them."""
    team = account_queries.get_team(session=session, team_id=team_id)
    if not account_permissions.is_team_member(actor, team.id):
        raise NotFound("团队不存在")
    return render(request, "teams/members.html", _members_ctx(session, actor, team), block="content")


@router.post("/team-profiles/{team_id}/members")
def team_member_add(request: Request, team_id: int, session: SessionDep, actor: CurrentActor, form: FormDep):
    login = account_forms.member_login(form)
    try:
        user = accounts.add_team_member(session=session, actor=actor, team_id=team_id, login=login)
    except (RuleViolation, Conflict) as exc:
        team = account_queries.get_team(session=session, team_id=team_id)
        return render(request, "teams/members.html",
                      _members_ctx(session, actor, team, exc.message, {"login": login}),
                      block="content", status_code=422 if isinstance(exc, RuleViolation) else 409)
    return flash(htmx.redirect(request, f"/team-profiles/{team_id}/members"), f"已添加团队成员：{user.display_name}")


@router.post("/team-profiles/{team_id}/members/{user_id}/remove")
def team_member_remove(request: Request, team_id: int, user_id: int, session: SessionDep, actor: CurrentActor):
    accounts.remove_team_member(session=session, actor=actor, team_id=team_id, user_id=user_id)
    return flash(htmx.redirect(request, f"/team-profiles/{team_id}/members"), "已移除团队成员")
