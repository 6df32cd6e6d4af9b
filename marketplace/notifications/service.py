"""Notify users: an inbox row and an outbox e-mail, each unless the user switched that kind off."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select, update

from marketplace.accounts.models import User
from marketplace.actor import Actor
from marketplace.clock import utcnow
from marketplace.db import use_case
from marketplace.errors import NotFound, RuleViolation
from marketplace.notifications.models import (
    KIND_LABELS,
    EmailOutbox,
    Kind,
    Notification,
    NotificationPreference,
)


def _preferences(session: Session, user_ids: list[int], kind: str) -> dict[int, NotificationPreference]:
    rows = session.exec(select(NotificationPreference).where(
        col(NotificationPreference.user_id).in_(user_ids), NotificationPreference.kind == kind)).all()
    return {row.user_id: row for row in rows}


def _already_told(session: Session, key: str, user_id: int, kind: str, subject: str) -> bool:
    """A once-only notification went out before, to the inbox or (inbox switched off) by e-mail."""
    if session.exec(select(Notification.id).where(Notification.dedupe_key == key)).first():
        return True
    # With the inbox switched off no Notification row carries the key; the outbox row is the record.
    return session.exec(select(EmailOutbox.id).where(
        EmailOutbox.user_id == user_id, EmailOutbox.kind == kind,
        EmailOutbox.subject == subject)).first() is not None


def _add_once(session: Session, note: Notification) -> bool:
    """Add a notification; a keyed one inside a savepoint, so that a concurrent worker that
    inserted the same key first (unique constraint) makes this a no-op instead of an error."""
    if note.dedupe_key is None:
        session.add(note)
        return True
    try:
        with session.begin_nested():
            session.add(note)
    except IntegrityError:
        return False
    return True


def _subject(title: str) -> str:
    return f"【揭榜挂帅平台】{title}"[:200]


def notify(*, session: Session, user_ids: Iterable[int], kind: Kind, title: str, body: str = "",
           link: str = "", dedupe: str | None = None) -> int:
    """Queue a notification for users (inside the caller's transaction); returns how many got it.

    `dedupe` makes it once-only per user (e.g. the 3-day deadline reminder).
    """
    ids = sorted(set(user_ids))
    if not ids:
        return 0
    prefs = _preferences(session, ids, kind)
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(ids))).all()}
    subject = _subject(title)
    told = 0
    for user_id in ids:
        key = f"{dedupe}:{user_id}" if dedupe else None
        if key and _already_told(session, key, user_id, kind, subject):
            continue
        pref = prefs.get(user_id)
        if pref is None or pref.in_app:
            note = Notification(user_id=user_id, kind=kind, title=title[:200], body=body,
                                link=link[:300], dedupe_key=key)
            if not _add_once(session, note):
                continue
            told += 1
        user = users.get(user_id)
        if user and user.email and (pref is None or pref.email):
            session.add(EmailOutbox(user_id=user_id, to_address=user.email, kind=kind,
                                    subject=subject, body=f"{body}\n\n{link}".strip()))
    session.flush()
    return told


def inbox(*, session: Session, actor: Actor, limit: int = 100) -> list[Notification]:
    """The actor's notifications, newest first."""
    return list(session.exec(
        select(Notification).where(Notification.user_id == actor.user_id)
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc()).limit(limit)
    ).all())


def unread_count(*, session: Session, actor: Actor) -> int:
    """How many of the actor's notifications are unread."""
    return session.exec(select(func.count()).select_from(Notification).where(
        Notification.user_id == actor.user_id, col(Notification.read_at).is_(None))).one()


def get_own(*, session: Session, actor: Actor, notification_id: int) -> Notification:
    """One of the actor's notifications; another user's is NotFound (never reveal it exists)."""
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != actor.user_id:
        raise NotFound("消息不存在")
    return row


@use_case
def mark_read(*, session: Session, actor: Actor, notification_id: int | None = None) -> int:
    """Mark one (or all) of the actor's notifications read; returns how many changed."""
    stmt = update(Notification).where(col(Notification.user_id) == actor.user_id,
                                      col(Notification.read_at).is_(None))
    if notification_id is not None:
        get_own(session=session, actor=actor, notification_id=notification_id)
        stmt = stmt.where(col(Notification.id) == notification_id)
    changed = session.exec(stmt.values(read_at=utcnow())).rowcount
    return changed


def preferences(*, session: Session, actor: Actor) -> list[dict]:
    """Every kind with the actor's switches (default on)."""
    rows = {p.kind: p for p in session.exec(select(NotificationPreference)
                                            .where(NotificationPreference.user_id == actor.user_id)).all()}
    return [{"kind": k.value, "label": KIND_LABELS[k], "in_app": rows[k].in_app if k in rows else True,
             "email": rows[k].email if k in rows else True} for k in Kind]


@use_case
def set_preferences(*, session: Session, actor: Actor, switches: dict[str, tuple[bool, bool]]) -> None:
    """Save the actor's switches: {kind: (in_app, email)}."""
    unknown = set(switches) - {k.value for k in Kind}
    if unknown:
        raise RuleViolation("消息类型无效", fields=dict.fromkeys(unknown, "消息类型无效"))
    existing = {p.kind: p for p in session.exec(select(NotificationPreference)
                                                .where(NotificationPreference.user_id == actor.user_id)).all()}
    for kind, (in_app, email) in switches.items():
        pref = existing.get(kind) or NotificationPreference(user_id=actor.user_id, kind=kind)
        pref.in_app, pref.email = in_app, email
        session.add(pref)
