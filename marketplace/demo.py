"""Load the demo data from seeds/demo/*.yaml. Idempotent: loading twice duplicates nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlmodel import Session, select

from marketplace.accounts.models import (
    ExpertProfile,
    Organisation,
    OrgStatus,
    Role,
    TeamProfile,
    User,
)
from marketplace.accounts.validators import uscc_error
from marketplace.audit import service as audit
from marketplace.auth.actor import SYSTEM
from marketplace.auth.passwords import hash_password
from marketplace.clock import utcnow
from marketplace.config import SEEDS_DIR

DEMO_PASSWORD = "jiebang-demo-2026"


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.created[kind] = self.created.get(kind, 0) + 1


def read(name: str, seeds_dir: Path = SEEDS_DIR) -> list[dict]:
    """The list under the top-level key of seeds/demo/<name>.yaml ([] if the file is missing)."""
    path = seeds_dir / "demo" / f"{name}.yaml"
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return data.get(name, [])


def _extra_loaders() -> list[Callable[..., None]]:
    """Loaders of the later modules, in dependency order (challenges before bids)."""
    from marketplace.challenges.demo import load_challenges

    loaders = [load_challenges]
    try:
        from marketplace.bids.demo import load_bids
    except ImportError:  # pragma: no cover - the bids loader is being written
        return loaders
    from marketplace.contracts.demo import load_contracts
    from marketplace.reviews.demo import load_reviews  # review states (issue 10): after the bids

    return [*loaders, load_bids, load_reviews, load_contracts, _load_subsidies]


def _load_subsidies(*, session: Session, report: DemoReport, **_: object) -> None:
    """免申即享 on the ended demo contracts: subsidies computed, checked, approved, partly paid, clawed back."""
    from marketplace.subsidies import demo as subsidy_demo

    from marketplace.subsidies.models import Subsidy

    before = len(session.exec(select(Subsidy.id)).all())
    subsidy_demo.load(session=session)
    for _ in range(len(session.exec(select(Subsidy.id)).all()) - before):
        report.count("subsidies")


def load(*, session: Session, seeds_dir: Path = SEEDS_DIR) -> DemoReport:
    """Load organisations, users, teams and experts (then registered extra loaders); commits once."""
    report = DemoReport()
    orgs = _load_organisations(session, read("organisations", seeds_dir), report)
    users = _load_users(session, read("users", seeds_dir), orgs, report)
    _load_teams(session, read("teams", seeds_dir), orgs, users, report)
    _load_experts(session, read("experts", seeds_dir), users, report)
    for loader in _extra_loaders():
        loader(session=session, seeds_dir=seeds_dir, orgs=orgs, users=users, report=report)
    from marketplace import recommend

    recommend.rebuild_in(session)
    audit.record(session=session, actor=SYSTEM, action="demo.loaded", subject_type="system",
                 subject_id="demo", summary={"created": report.created})
    session.commit()
    return report


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
                district=row["district"], qualifications=row.get("qualifications") or [],
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
