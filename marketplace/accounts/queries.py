"""Read-only account queries."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from marketplace.accounts import permissions
from marketplace.accounts.models import Organisation, OrgStatus, TeamMember, TeamProfile, User
from marketplace.actor import Actor
from marketplace.errors import Forbidden, NotFound


def pending_organisations(*, session: Session, actor: Actor) -> list[Organisation]:
    """Organisations awaiting verification (officers)."""
    allowed, reason = permissions.can_verify_organisation(actor)
    if not allowed:
        raise Forbidden(reason)
    return list(session.exec(select(Organisation).where(Organisation.status == OrgStatus.PENDING)
                             .order_by(col(Organisation.created_at))).all())


def all_organisations(*, session: Session, actor: Actor) -> list[Organisation]:
    """Every organisation (officers)."""
    allowed, reason = permissions.can_verify_organisation(actor)
    if not allowed:
        raise Forbidden(reason)
    return list(session.exec(select(Organisation).order_by(col(Organisation.id))).all())


def get_organisation(*, session: Session, organisation_id: int) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("单位不存在")
    return org


def get_user(*, session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在")
    return user


def teams_of(*, session: Session, organisation_id: int) -> list[TeamProfile]:
    """The team profiles of one organisation."""
    return list(session.exec(select(TeamProfile).where(TeamProfile.organisation_id == organisation_id)
                             .order_by(col(TeamProfile.id))).all())


def get_team(*, session: Session, team_id: int) -> TeamProfile:
    team = session.get(TeamProfile, team_id)
    if team is None:
        raise NotFound("团队不存在")
    return team


def list_teams(*, session: Session, limit: int = 200) -> list[TeamProfile]:
    return list(session.exec(select(TeamProfile).order_by(col(TeamProfile.id)).limit(limit)).all())


def team_member_ids(*, session: Session, team_id: int) -> list[int]:
    """The accounts of one team: its owner first, then those the owner added."""
    team = session.get(TeamProfile, team_id)
    if team is None:
        return []
    added = session.exec(select(TeamMember.user_id).where(TeamMember.team_id == team_id)
                         .order_by(col(TeamMember.id))).all()
    return [team.owner_id, *(u for u in added if u != team.owner_id)]


def team_members(*, session: Session, team_id: int) -> list[User]:
    ids = team_member_ids(session=session, team_id=team_id)
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(ids or [-1]))).all()}
    return [users[i] for i in ids if i in users]


def find_user_by_login(*, session: Session, login: str) -> User | None:
    """A user by e-mail (case-insensitive) or mobile number."""
    login = login.strip()
    if "@" in login:
        return session.exec(select(User).where(func.lower(User.email) == login.lower())).first()
    return session.exec(select(User).where(User.mobile == login)).first()


def all_users(*, session: Session) -> list[User]:
    """Every account, oldest first (the admin's list)."""
    return list(session.exec(select(User).order_by(col(User.id))).all())


def organisations_by_name(*, session: Session) -> list[Organisation]:
    """Every organisation by name (the admin's choice list when creating an account)."""
    return list(session.exec(select(Organisation).order_by(col(Organisation.name))).all())


def public_counts(*, session: Session) -> dict[str, int]:
    """The home page's figures: verified organisations and team profiles."""
    return {"organisations": session.exec(select(func.count()).select_from(Organisation)
                                          .where(Organisation.status == OrgStatus.VERIFIED)).one(),
            "teams": session.exec(select(func.count()).select_from(TeamProfile)).one()}


def team_owned_by(*, session: Session, user_id: int | None) -> int | None:
    """The id of a team profile this user manages, if any."""
    return session.exec(select(TeamProfile.id).where(TeamProfile.owner_id == user_id)).first()


def names_by_id(*, session: Session, organisation_ids: set[int], user_ids: set[int], team_ids: set[int]
                ) -> dict[tuple[str, str], str]:
    """{(subject type, id): name} for the audit log's sentences (three batched reads)."""
    names: dict[tuple[str, str], str] = {}
    if organisation_ids:
        for oid, name in session.exec(select(Organisation.id, Organisation.name)
                                      .where(col(Organisation.id).in_(organisation_ids))).all():
            names[("organisation", str(oid))] = name
    if user_ids:
        for uid, name in session.exec(select(User.id, User.display_name)
                                      .where(col(User.id).in_(user_ids))).all():
            names[("user", str(uid))] = name
    if team_ids:
        for tid, name in session.exec(select(TeamProfile.id, TeamProfile.name)
                                      .where(col(TeamProfile.id).in_(team_ids))).all():
            names[("team", str(tid))] = name
    return names


USERS_PAGE_SIZE = 50


@dataclass(frozen=True)
class UserFilter:
    """The admin's user list: a search text (name, e-mail, phone, organisation), role, active, organisation."""

    q: str = ""
    role: str = ""
    active: str = ""  # "", "1" (active), "0" (disabled)
    organisation_id: int | None = None
    page: int = 1


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_users(*, session: Session, flt: UserFilter) -> tuple[list[tuple[User, Organisation | None]], int, int]:
    """One page of accounts matching the filter (Traditional input finds Simplified names), the total, and
    the page shown (clamped to the last one)."""
    stmt = select(User, Organisation).join(Organisation, col(User.organisation_id) == Organisation.id, isouter=True)
    q = " ".join(flt.q.split())[:100]
    if q:
        conditions = []
        for text in {q, _t2s().convert(q)}:
            pattern = _like(text.lower())
            conditions += [func.lower(User.display_name).like(pattern, escape="\\"),
                           func.lower(User.email).like(pattern, escape="\\"),
                           col(User.mobile).like(pattern, escape="\\"),
                           func.lower(Organisation.name).like(pattern, escape="\\")]
        stmt = stmt.where(or_(*conditions))
    if flt.role:
        stmt = stmt.where(User.role == flt.role)
    if flt.active in ("0", "1"):
        stmt = stmt.where(User.is_active == (flt.active == "1"))
    if flt.organisation_id:
        stmt = stmt.where(User.organisation_id == flt.organisation_id)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    pages = max(1, -(-total // USERS_PAGE_SIZE))
    page = min(max(flt.page, 1), pages)
    rows = session.exec(stmt.order_by(col(User.id)).offset((page - 1) * USERS_PAGE_SIZE).limit(USERS_PAGE_SIZE)).all()
    return [(u, o) for u, o in rows], total, page
