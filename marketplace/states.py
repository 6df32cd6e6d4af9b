"""A state machine as data: {(state, action): Transition}. One lookup, no other path."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from marketplace.audit import service as audit
from marketplace.clock import utcnow
from marketplace.errors import Conflict, Forbidden, InvalidTransition


@dataclass(frozen=True)
class Transition:
    target: str
    roles: frozenset[str]
    label: str  # the button text (Chinese)


def machine(rows: list[tuple[str | tuple[str, ...], str, str, tuple[str, ...], str]]
            ) -> dict[tuple[str, str], Transition]:
    """Build a table from rows (sources, action, target, roles, label)."""
    table: dict[tuple[str, str], Transition] = {}
    for sources, action, target, roles, label in rows:
        for source in (sources,) if isinstance(sources, str) else sources:
            table[(source, action)] = Transition(target, frozenset(roles), label)
    return table


def step(table: dict[tuple[str, str], Transition], *, state: str, action: str, role: str | None,
         labels: dict[str, str]) -> Transition:
    """The transition for (state, action) if `role` may take it; otherwise a domain error."""
    transition = table.get((state, action))
    if transition is None:
        raise InvalidTransition(f"当前状态“{labels.get(state, state)}”下不能执行此操作")
    if role not in transition.roles:
        raise Forbidden("您的角色无权执行此操作")
    return transition


def actions_for(table: dict[tuple[str, str], Transition], *, state: str, role: str | None
                ) -> list[tuple[str, Transition]]:
    """The actions a role may take from a state (for the buttons a page shows)."""
    return [(action, t) for (source, action), t in table.items() if source == state and role in t.roles]


def require(decision: tuple[bool, str]) -> None:
    """Raise Forbidden with the predicate's reason when a `(allowed, reason)` check says no."""
    allowed, reason = decision
    if not allowed:
        raise Forbidden(reason)


@dataclass(frozen=True)
class Machine:
    """One state machine: its table, its row model, and the names audit events and errors use.

    `name` is the audit prefix and subject type ("challenge" → "challenge.publish").
    """

    name: str
    model: type
    table: dict[tuple[str, str], Transition]
    labels: dict[str, str]
    conflict: str = "状态已被他人更改，请刷新页面查看最新状态"
    duplicate: str | None = None  # the message when a unique constraint refuses the move (else `conflict`)

    def step(self, *, state: str, action: str, role: str | None) -> Transition:
        return step(self.table, state=state, action=action, role=role, labels=self.labels)

    def actions(self, *, state: str, role: str | None) -> list[tuple[str, Transition]]:
        return actions_for(self.table, state=state, role=role)


def apply(session: Session, row: Any, machine: Machine, action: str, *, actor: Any,
          where: Iterable[Any] = (), summary: dict | None = None, conflict: str | None = None,
          now: datetime | None = None, **changes: Any) -> Transition:
    """The one way to move a state: table lookup → guarded UPDATE → refresh → one audit event.

    The UPDATE only matches while the row is still in the state we read (and at the version we read,
    for versioned rows) and every extra `where` condition holds; otherwise someone else moved first
    and Conflict is raised (a unique-constraint violation also becomes Conflict). The caller's use
    case (`db.use_case` / `db.atomic`) commits or rolls back; this never does.
    """
    role = getattr(actor, "role", None)
    transition = machine.step(state=row.status, action=action, role=role)
    model = machine.model
    before = row.status
    target = before if transition.target == "same" else transition.target
    values: dict[str, Any] = {"status": target, **changes}
    stmt = update(model).where(model.id == row.id, model.status == before)
    if hasattr(model, "version"):
        stmt = stmt.where(model.version == row.version)
        values["version"] = row.version + 1
    if hasattr(model, "updated_at") and "updated_at" not in values:
        values["updated_at"] = now or utcnow()
    for condition in where:
        stmt = stmt.where(condition)
    try:
        result = session.execute(stmt.values(**values))
    except IntegrityError as exc:
        raise Conflict(conflict or machine.duplicate or machine.conflict) from exc
    if result.rowcount != 1:
        raise Conflict(conflict or machine.conflict)
    session.refresh(row)
    details = {"before": before, "after": target, **(summary or {})}
    if hasattr(model, "version"):
        details.setdefault("version", row.version)
    audit.record(session=session, actor=actor, action=f"{machine.name}.{action}",
                 subject_type=machine.name, subject_id=row.id, summary=details)
    return transition
