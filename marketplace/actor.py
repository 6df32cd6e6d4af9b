"""Who is acting: passed into every domain command and query. A leaf: imports nothing of ours."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    COMPANY = "company"
    TEAM = "team"
    EXPERT = "expert"
    OFFICER = "officer"
    ADMIN = "admin"


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    role: str | None
    organisation_id: int | None = None
    display_name: str = "访客"
    org_verified: bool = False
    team_ids: frozenset[int] = frozenset()  # the teams (labs) this user belongs to: its bids are theirs

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    @property
    def is_officer(self) -> bool:
        return self.role in (Role.OFFICER, Role.ADMIN)

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def label(self) -> str:
        return "匿名" if self.user_id is None else f"{self.display_name}#{self.user_id}"


ANONYMOUS = Actor(user_id=None, role=None)
SYSTEM = Actor(user_id=None, role="system", display_name="系统")
