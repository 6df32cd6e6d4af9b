"""The fitted state of a :class:`~matching.index.SearchIndex`, declared once.

A fitted index is made of parts — :class:`~matching.postings.Postings` and
:class:`~matching.rerank.Lsa` — dataclasses whose every field says how it lives:

* :func:`saved`: written by :mod:`matching.persist` and handed back to the constructor on load;
* :func:`derived`: recomputed from the saved fields in ``__post_init__``, never written;
* :func:`working`: in memory only (additions not yet folded in, caches).

A field with a *public* name is one of the estimator's fitted attributes (``index.postings_``, …):
:func:`expose` makes it a read-only attribute of the facade. Persistence and the facade read these
declarations; nothing else lists the fitted state.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["DERIVED", "SAVED", "WORKING", "derived", "expose", "public_fields", "saved", "saved_fields", "working"]

SAVED, DERIVED, WORKING = "saved", "derived", "working"


def saved(public: str | None = None) -> Any:
    """A field written to disk and passed to the constructor (``public``: its attribute name)."""
    return dataclasses.field(metadata={"state": SAVED, "public": public})


def derived(public: str | None = None) -> Any:
    """A field computed from the saved ones in ``__post_init__``."""
    return dataclasses.field(init=False, metadata={"state": DERIVED, "public": public})


def working(default: Any = None) -> Any:
    """An in-memory field (never saved, never public) starting at *default*."""
    return dataclasses.field(init=False, default=default, metadata={"state": WORKING, "public": None})


def saved_fields(part_cls: type) -> list[str]:
    """Names of the saved fields of a part class, in declaration order."""
    return [f.name for f in dataclasses.fields(part_cls) if f.metadata.get("state") == SAVED]


def public_fields(part_cls: type) -> Iterator[tuple[str, str]]:
    """``(attribute name, field name)`` of every public field of a part class."""
    for f in dataclasses.fields(part_cls):
        if f.metadata.get("public"):
            yield f.metadata["public"], f.name


class _Fitted:
    """A read-only attribute of the facade that reads one field of one part."""

    def __init__(self, name: str, slot: str, field: str, part_cls: type):
        self.name, self.slot, self.field = name, slot, field
        self.__doc__ = f"Fitted attribute: :attr:`{part_cls.__module__}.{part_cls.__qualname__}.{field}`."

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            return self
        part = getattr(obj, self.slot)
        if part is None:
            raise AttributeError(f"{self.name!r} exists once the index is fitted or loaded")
        return getattr(part, self.field)

    def __set__(self, obj: object, value: object) -> None:
        raise AttributeError(f"{self.name!r} is fitted state, owned by the index; it cannot be assigned")

    def __delete__(self, obj: object) -> None:
        raise AttributeError(f"{self.name!r} is fitted state, owned by the index; it cannot be deleted")


def expose(**parts: type) -> Callable[[type], type]:
    """Class decorator: hold each part in ``_<name>`` (None until fitted), expose its public fields.

    ``cls._fitted_parts`` maps the part names to their classes, for :mod:`matching.persist`.
    """

    def decorate(cls: type) -> type:
        cls._fitted_parts = dict(parts)
        for name, part_cls in parts.items():
            setattr(cls, f"_{name}", None)
            for public, field in public_fields(part_cls):
                setattr(cls, public, _Fitted(public, f"_{name}", field, part_cls))
        return cls

    return decorate
