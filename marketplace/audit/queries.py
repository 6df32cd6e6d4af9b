"""Reading the audit log (officers; a company sees its own challenge's trail)."""

from __future__ import annotations

from sqlalchemy import and_, not_, or_
from sqlmodel import Session, col, func, select

from marketplace.audit import labels
from marketplace.audit.models import AuditEvent

ACTION_LABELS = {action: name for action, (name, _) in labels.ACTIONS.items()}
PAGE_SIZE = 50


def _action_is(action: str):
    """An exact action ("challenge.publish"), or a whole group when it ends with a dot ("challenge.")."""
    if action.endswith("."):
        return col(AuditEvent.action).startswith(action)
    return AuditEvent.action == action


def _sealed(readable: dict):
    """SQL: the event is about a subject the viewer may not read (e.g. a bid still sealed)."""
    if not readable:
        return None
    return or_(*(and_(AuditEvent.subject_type == kind, not_(col(AuditEvent.subject_id).in_(ids)))
                 for kind, ids in readable.items()))


def recent(*, session: Session, page: int = 1, action: str = "",
           readable: dict | None = None) -> tuple[list[AuditEvent], int]:
    """The newest audit events, one page, and how many there are.

    `readable` maps a subject type to a query of the subject ids the viewer may read (bids: the
    sealing rule, bids.queries.readable_ids); events about any other subject of that type are left
    out here and only counted by `sealed_counts` — no team, no hash, no time (T31/T32, issue 8 item 6).
    """
    stmt = select(AuditEvent)
    if action:
        stmt = stmt.where(_action_is(action))
    if (sealed := _sealed(readable or {})) is not None:
        stmt = stmt.where(not_(sealed))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(col(AuditEvent.seq).desc())
                        .offset((max(page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return list(rows), total


def sealed_counts(*, session: Session, readable: dict, action: str = "") -> dict[str, int]:
    """{action: how many} of the events `recent` leaves out for this viewer."""
    sealed = _sealed(readable)
    if sealed is None:
        return {}
    stmt = select(AuditEvent.action, func.count()).where(sealed)
    if action:
        stmt = stmt.where(_action_is(action))
    return dict(session.exec(stmt.group_by(AuditEvent.action).order_by(AuditEvent.action)).all())


def trail(*, session: Session, subject_type: str, subject_id: int) -> list[AuditEvent]:
    """Every event about one subject, oldest first."""
    return list(session.exec(select(AuditEvent).where(
        AuditEvent.subject_type == subject_type, AuditEvent.subject_id == str(subject_id))
        .order_by(col(AuditEvent.seq))).all())


_HEAD_SEQ = select(func.max(AuditEvent.seq))


def content_version(connection) -> int:  # noqa: ANN001 — a Connection or a Session
    """A stamp of everything the platform has changed: the audit chain's head (0 when empty).

    Every state change appends an audit event in its own transaction (states.apply, and the services'
    `audit.record`), and the chain's writers are serialised, so the head's `seq` grows in commit order
    and can be read by any process: a cache of public pages or aggregates keyed by it is stale as soon as
    anything it shows has changed, in this worker or another. One lookup on the unique `seq` index.
    """
    return connection.execute(_HEAD_SEQ).scalar() or 0
