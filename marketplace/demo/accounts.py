"""Demo organisations, users, teams and experts (seeds/demo/*.yaml); the caller commits."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from marketplace.accounts.models import ExpertProfile, Organisation, OrgStatus, TeamProfile, User
from marketplace.accounts.passwords import hash_password
from marketplace.accounts.validators import uscc_error
from marketplace.actor import Role
from marketplace.clock import utcnow
from marketplace.demo.seeds import DEMO_PASSWORD, DemoReport, read


def load_accounts(*, session: Session, seeds_dir: Path, report: DemoReport
                  ) -> tuple[dict[str, Organisation], dict[str, User]]:
    """Organisations, users, teams and experts, each created once (by key or e-mail)."""
    orgs = _load_organisations(session, read("organisations", seeds_dir), report)
    users = _load_users(session, read("users", seeds_dir), orgs, report)
    _load_teams(session, read("teams", seeds_dir), orgs, users, report)
    _load_experts(session, read("experts", seeds_dir), users, report)
    return orgs, users

def _load_organisations(session: Session, rows: list[dict], report: DemoReport) -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}
    for row in rows:
        org = session.exec(select(Organisation).where(Organisation.key == row["key"])).first()
        if org is None:
            problem = uscc_error(row["uscc"])
            if problem:
                raise ValueError(f"seeds: organisation {row['key']}: {problem}")
            verified = row.get("verified", True)
            org = Organisation(
                key=row["key"], kind=row["kind"], name=row["name"], uscc=row["uscc"],
                district=row["district"], region=row.get("region", "mainland"),
                qualifications=row.get("qualifications") or [],
                industries=row.get("industries") or [], description=row.get("description", ""),
                status=OrgStatus.VERIFIED if verified else OrgStatus.PENDING,
                verified_at=utcnow() if verified else None,
            )
            session.add(org)
            session.flush()
            report.count("organisations")
        orgs[row["key"]] = org
    return orgs


def _load_users(session: Session, rows: list[dict], orgs: dict[str, Organisation],
                report: DemoReport) -> dict[str, User]:
    users: dict[str, User] = {}
    password_hash: str | None = None
    for row in rows:
        user = session.exec(select(User).where(User.email == row["email"])).first()
        if user is None:
            password_hash = password_hash or hash_password(DEMO_PASSWORD)
            org = orgs.get(row.get("org") or "")
            user = User(email=row["email"], mobile=str(row.get("mobile") or "") or None,
                        display_name=row["name"], role=row["role"], password_hash=password_hash,
                        organisation_id=org.id if org else None)
            session.add(user)
            session.flush()
            report.count("users")
        users[row["email"]] = user
    return users


def _load_teams(session: Session, rows: list[dict], orgs: dict[str, Organisation],
                users: dict[str, User], report: DemoReport) -> None:
    for row in rows:
        if session.exec(select(TeamProfile.id).where(TeamProfile.key == row["key"])).first():
            continue
        owner = users[row["owner"]]
        session.add(TeamProfile(
            key=row["key"], organisation_id=orgs[row["org"]].id, owner_id=owner.id, name=row["name"],
            leader=row["leader"], members=row.get("members") or [], fields=row.get("fields") or [],
            industries=row.get("industries") or [], profile=row.get("profile", "").strip(),
            achievements=(row.get("achievements") or "").strip(), patents=row.get("patents") or [],
        ))
        report.count("teams")
    session.flush()


def _load_experts(session: Session, rows: list[dict], users: dict[str, User], report: DemoReport) -> None:
    by_user = {row["user"]: row for row in rows}
    for email, user in users.items():
        if user.role != Role.EXPERT:
            continue
        if session.exec(select(ExpertProfile.id).where(ExpertProfile.user_id == user.id)).first():
            continue
        row = by_user.get(email, {})
        session.add(ExpertProfile(user_id=user.id, title=row.get("title", ""),
                                  fields=row.get("fields") or [], bio=row.get("bio", "")))
        report.count("experts")
    session.flush()
