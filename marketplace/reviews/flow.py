"""The one place this stage applies a challenge transition (so the shared helper can be swapped in)."""

from __future__ import annotations

from sqlmodel import Session

from marketplace.actor import Actor
from marketplace.challenges import service
from marketplace.challenges.models import Challenge


def advance(*, session: Session, challenge: Challenge, action: str, actor: Actor,
            summary: dict | None = None, **changes: object) -> None:
    """One step of the challenge table: conditional UPDATE + one audit event (the caller commits).

    Raises InvalidTransition / Forbidden from the table and Conflict when someone else moved first.
    """
    service.move(session=session, challenge=challenge, action=action, actor=actor,
                 summary=summary, **changes)
