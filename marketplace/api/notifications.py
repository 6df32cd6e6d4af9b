"""API: the caller's own notifications and their switches."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from marketplace.api.schemas import ErrorOut
from marketplace.notifications import service as notifications
from marketplace.notifications.schemas import (
    InboxOut,
    NotificationOut,
    PreferenceIn,
    PreferenceOut,
    ReadAllOut,
)
from marketplace.web.deps import CurrentActor, SessionDep, current_actor

ERRORS = {code: {"model": ErrorOut} for code in (401, 403, 404, 422)}
router = APIRouter(prefix="/notifications", tags=["notifications"], responses=ERRORS,
                   dependencies=[Depends(current_actor)])


@router.get("", response_model=InboxOut)
def list_notifications(session: SessionDep, actor: CurrentActor, limit: int = 100) -> InboxOut:
    """The caller's notifications, newest first, with the unread count."""
    rows = notifications.inbox(session=session, actor=actor, limit=max(1, min(limit, 500)))
    return InboxOut(unread=notifications.unread_count(session=session, actor=actor),
                    items=[NotificationOut.model_validate(r) for r in rows])


@router.post("/read-all", response_model=ReadAllOut)
def read_all(session: SessionDep, actor: CurrentActor) -> ReadAllOut:
    """Mark all of the caller's notifications read."""
    return ReadAllOut(marked=notifications.mark_read(session=session, actor=actor))


@router.post("/{notification_id}/read", status_code=204)
def read_one(notification_id: int, session: SessionDep, actor: CurrentActor) -> None:
    """Mark one of the caller's notifications read (404 for anyone else's)."""
    notifications.mark_read(session=session, actor=actor, notification_id=notification_id)


@router.get("/preferences", response_model=list[PreferenceOut])
def get_preferences(session: SessionDep, actor: CurrentActor):
    """Every kind with the caller's in-app and e-mail switches."""
    return notifications.preferences(session=session, actor=actor)


@router.put("/preferences", response_model=list[PreferenceOut])
def put_preferences(data: list[PreferenceIn], session: SessionDep, actor: CurrentActor):
    """Set switches for the kinds given (kinds left out keep their setting)."""
    switches = {p.kind.value: (p.in_app, p.email) for p in data}
    notifications.set_preferences(session=session, actor=actor, switches=switches)
    return notifications.preferences(session=session, actor=actor)
