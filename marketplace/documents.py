"""The domain's one call into full-text search: `document_changed`. A leaf: imports nothing of ours.

Imports run search → domain only (issue 9). The search package (marketplace/search/) installs
itself here when it is imported (marketplace.models imports it, so every entry point has it); a
command that runs before that fails loudly instead of silently leaving the index stale.
Kinds are "challenge", "team" and "expert"; `text=None` means the document leaves the index.
"""

from __future__ import annotations

from typing import Protocol

from sqlmodel import Session


class TextIndex(Protocol):
    def document_changed(self, *, session: Session, kind: str, doc_id: int, text: str | None) -> None:
        """Index, re-index or drop one document inside the caller's transaction."""

    def matching_ids(self, *, session: Session, kind: str, query: str, k: int) -> list[int]:
        """Ids of the documents of a kind by relevance to a query (Traditional script welcome)."""


_index: TextIndex | None = None


def install(index: TextIndex) -> None:
    global _index
    _index = index


def _installed() -> TextIndex:
    if _index is None:
        raise RuntimeError("marketplace.search is not loaded: import marketplace.models before running commands")
    return _index


def document_changed(*, session: Session, kind: str, doc_id: int, text: str | None) -> None:
    _installed().document_changed(session=session, kind=kind, doc_id=doc_id, text=text)


def matching_ids(*, session: Session, kind: str, query: str, k: int = 500) -> list[int]:
    return _installed().matching_ids(session=session, kind=kind, query=query, k=k)
