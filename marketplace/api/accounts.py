"""/api/v1 accounts: registration, the current user, organisations, users and team profiles."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from starlette.datastructures import UploadFile

from marketplace.accounts import evidence, permissions
from marketplace.accounts import queries as account_queries
from marketplace.accounts import service as accounts
from marketplace.accounts.schemas import (
    ActiveIn,
    JoinDecisionIn,
    JoinRequestOut,
    OrganisationOut,
    PasswordChangeIn,
    RegistrationIn,
    RoleIn,
    TeamOut,
    TeamProfileIn,
    UserCreateIn,
    UserOut,
    UserPageOut,
    UserRowOut,
    VerificationIn,
)
from marketplace.actor import Role
from marketplace.api.schemas import ErrorOut
from marketplace.auth import joins
from marketplace.auth import service as auth
from marketplace.states import require
from marketplace.uploads import Upload
from marketplace.web.deps import CurrentActor, SessionDep, client_address, current_actor
from marketplace.web.idempotent import ApiKey, api_once

ERRORS = {code: {"model": ErrorOut} for code in (401, 403, 404, 409, 422, 429)}
router = APIRouter(responses=ERRORS)
authed = APIRouter(dependencies=[Depends(current_actor)], responses=ERRORS)


def _user_out(session, user) -> UserOut:
    actor = auth.actor_for(session=session, user=user)
    return UserOut(id=user.id, display_name=user.display_name, role=user.role, email=user.email,
                   mobile=user.mobile, organisation_id=user.organisation_id,
                   organisation_verified=actor.org_verified,
                   join_pending=accounts.pending_join(session=session, user_id=user.id) is not None)


@router.post("/register", response_model=UserOut, status_code=201, tags=["accounts"])
def register(request: Request, data: RegistrationIn, session: SessionDep, key: ApiKey):
    """Self-registration of a company or research team (organisation pending verification); rate-limited.

    With an already-registered 统一社会信用代码 the account is created inactive with a join request
    (`join_pending: true`) that the organisation's verified users or the bureau decide."""
    address = client_address(request)
    return api_once(session, None, key,
                    lambda: _user_out(session, joins.register(session=session, data=data, address=address)),
                    model=UserOut, status_code=201, address=address)


@authed.get("/me", response_model=UserOut, tags=["accounts"])
def me(session: SessionDep, actor: CurrentActor) -> UserOut:
    """The authenticated user."""
    return _user_out(session, account_queries.get_user(session=session, user_id=actor.user_id))


@authed.post("/me/password", status_code=204, tags=["accounts"])
def change_password(data: PasswordChangeIn, session: SessionDep, actor: CurrentActor) -> None:
    """Change one's password; all sessions and tokens of the user end."""
    accounts.change_password(session=session, actor=actor, data=data)


@authed.get("/organisations", response_model=list[OrganisationOut], tags=["accounts"])
def organisations(session: SessionDep, actor: CurrentActor, status: str | None = None):
    """Organisations (officers); `status=pending` for the verification queue."""
    if status == "pending":
        return account_queries.pending_organisations(session=session, actor=actor)
    return account_queries.all_organisations(session=session, actor=actor)


@authed.post("/organisations/{organisation_id}/verification", response_model=OrganisationOut,
             tags=["accounts"])
def verify_organisation(organisation_id: int, data: VerificationIn, session: SessionDep,
                        actor: CurrentActor):
    """Verify or reject a pending organisation (officer)."""
    return accounts.verify_organisation(session=session, actor=actor,
                                        organisation_id=organisation_id, data=data)


@authed.post("/users", response_model=UserOut, status_code=201, tags=["accounts"])
def create_user(data: UserCreateIn, session: SessionDep, actor: CurrentActor) -> UserOut:
    """Create an account (admin): officers and experts."""
    return _user_out(session, accounts.create_user(session=session, actor=actor, data=data))


@authed.get("/users", response_model=UserPageOut, tags=["accounts"])
def list_users(session: SessionDep, actor: CurrentActor, q: str = Query("", max_length=100),
               role: Role | None = None, active: bool | None = None, organisation_id: int | None = Query(None, ge=1),
               page: int = Query(1, ge=1, le=100_000)) -> UserPageOut:
    """Accounts (admin): search name, e-mail, phone or organisation (Traditional input accepted); filter by
    role, active and organisation; 50 a page."""
    require(permissions.can_manage_users(actor))
    flt = account_queries.UserFilter(q=q, role=role.value if role else "",
                                     active="" if active is None else ("1" if active else "0"),
                                     organisation_id=organisation_id, page=page)
    rows, total, shown = account_queries.search_users(session=session, flt=flt)
    return UserPageOut(items=[UserRowOut(id=u.id, display_name=u.display_name, role=u.role, email=u.email,
                                         mobile=u.mobile, organisation_id=u.organisation_id,
                                         organisation_name=o.name if o else None, is_active=u.is_active)
                              for u, o in rows], total=total, page=shown, page_size=account_queries.USERS_PAGE_SIZE)


@authed.put("/users/{user_id}/role", response_model=UserOut, tags=["accounts"])
def change_role(user_id: int, data: RoleIn, session: SessionDep, actor: CurrentActor) -> UserOut:
    """Change a user's role (admin)."""
    return _user_out(session, accounts.change_role(session=session, actor=actor, user_id=user_id,
                                                   role=data.role))


@authed.put("/users/{user_id}/active", response_model=UserOut, tags=["accounts"])
def set_active(user_id: int, data: ActiveIn, session: SessionDep, actor: CurrentActor) -> UserOut:
    """Disable or re-enable an account (admin); disabling ends its sessions and tokens."""
    return _user_out(session, accounts.set_active(session=session, actor=actor, user_id=user_id,
                                                  active=data.active))


@router.get("/teams", response_model=list[TeamOut], tags=["teams"])
def teams(session: SessionDep):
    """Research-team profiles (public)."""
    return account_queries.list_teams(session=session)


@router.get("/teams/{team_id}", response_model=TeamOut, tags=["teams"])
def team(team_id: int, session: SessionDep):
    """One research-team profile (public)."""
    return account_queries.get_team(session=session, team_id=team_id)


@authed.post("/teams", response_model=TeamOut, status_code=201, tags=["teams"])
def create_team(data: TeamProfileIn, session: SessionDep, actor: CurrentActor):
    """Create a team profile (team accounts)."""
    return accounts.save_team_profile(session=session, actor=actor, data=data)


@authed.put("/teams/{team_id}", response_model=TeamOut, tags=["teams"])
def update_team(team_id: int, data: TeamProfileIn, session: SessionDep, actor: CurrentActor):
    """Update a team profile (its organisation's team accounts)."""
    return accounts.save_team_profile(session=session, actor=actor, data=data, team_id=team_id)


@authed.get("/join-requests", response_model=list[JoinRequestOut], tags=["accounts"])
def join_requests(session: SessionDep, actor: CurrentActor):
    """Pending requests to join the actor's verified organisation (officers: all)."""
    return [JoinRequestOut(id=p.request.id, organisation_id=p.organisation.id, organisation_name=p.organisation.name,
                           user_id=p.user.id, display_name=p.user.display_name, role=p.user.role,
                           status=p.request.status, created_at=p.request.created_at)
            for p in joins.pending_for(session=session, actor=actor)]


@authed.post("/join-requests/{request_id}/decision", response_model=dict, tags=["accounts"])
def decide_join(request_id: int, data: JoinDecisionIn, session: SessionDep, actor: CurrentActor) -> dict:
    """Approve (the account can log in) or reject with a reason; a second decision gets 409."""
    request = joins.decide(session=session, actor=actor, request_id=request_id, approve=data.approve,
                           reason=data.reason)
    return {"id": request.id, "status": request.status}


@authed.post("/organisations/{organisation_id}/evidence", response_model=OrganisationOut, tags=["accounts"])
async def give_evidence(request: Request, organisation_id: int, session: SessionDep, actor: CurrentActor):
    """Legal representative (`legal_representative`) and licence file (`file`), multipart; the organisation's
    own users, until it is verified. Officers download the file at /organisations/{id}/licence."""
    form = await request.form(max_part_size=request.app.state.settings.upload_max_bytes + 1)
    item, rep = form.get("file"), form.get("legal_representative")
    upload = Upload(filename=item.filename or "", data=await item.read()) \
        if isinstance(item, UploadFile) and item.filename else None
    settings = request.app.state.settings
    return evidence.give(session=session, actor=actor, organisation_id=organisation_id,
                         legal_representative=rep if isinstance(rep, str) else "", upload=upload,
                         uploads_dir=settings.uploads_dir, max_bytes=settings.upload_max_bytes)


router.include_router(authed)
