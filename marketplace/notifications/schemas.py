"""JSON shapes of notifications and their switches (the API never returns table models)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from marketplace.notifications.models import Kind
from marketplace.validation import StrictIn


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class InboxOut(BaseModel):
    unread: int
    items: list[NotificationOut]


class PreferenceIn(StrictIn):
    kind: Kind
    in_app: bool
    email: bool


class PreferenceOut(BaseModel):
    kind: str
    label: str
    in_app: bool
    email: bool


class ReadAllOut(BaseModel):
    marked: int
