"""A state machine as data: {(state, action): Transition}. One lookup, no other path."""

from __future__ import annotations

from dataclasses import dataclass

from marketplace.errors import Forbidden, InvalidTransition


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
