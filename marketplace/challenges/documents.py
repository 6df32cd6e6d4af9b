"""A challenge as a search document: what the index holds, and when (only while it is public)."""

from __future__ import annotations

from sqlmodel import Session

from marketplace import documents
from marketplace.challenges import permissions
from marketplace.challenges.models import Challenge


def challenge_text(c: Challenge) -> str:
    indicators = "；".join(f"{i.get('name', '')} {i.get('target', '')}{i.get('unit', '')}"
                          for i in c.indicators)
    parts = [c.title, c.title, c.industry, c.weak_link or "", c.background, c.bottleneck,
             indicators, c.deliverables, c.scenario]
    return "\n".join(p for p in parts if p)


def challenge_changed(*, session: Session, challenge: Challenge) -> None:
    """Index a challenge once public; drop it when it is not."""
    text = challenge_text(challenge) if permissions.is_public(challenge) else None
    documents.document_changed(session=session, kind="challenge", doc_id=challenge.id, text=text)
