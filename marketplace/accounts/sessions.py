"""What account commands need from the login sessions — and nothing more.

Imports run auth → accounts only (issue 9): the account package never imports the auth package.
The auth package answers these calls (auth/service.py) and installs itself here when it is
imported (marketplace/auth/__init__.py, which every entry point loads through marketplace.models).
A command that runs before that fails loudly instead of leaving a changed account logged in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlmodel import Session


class Sessions(Protocol):
    def note_registration(self, *, session: Session, address: str) -> None:
        """Count a registration attempt from an address (refusing it over the limit)."""

    def revoke_all_sessions(self, *, session: Session, user_id: int, at: datetime | None = None) -> None:
        """End every session and token of a user, inside the caller's transaction."""


_sessions: Sessions | None = None


def install(sessions: Sessions) -> None:
    global _sessions
    _sessions = sessions


def sessions() -> Sessions:
    if _sessions is None:
        raise RuntimeError("marketplace.auth is not loaded: import marketplace.models before running commands")
    return _sessions
