"""Team and expert profiles as search documents."""

from __future__ import annotations

from sqlmodel import Session

from marketplace import documents
from marketplace.accounts.models import ExpertProfile, TeamProfile


def team_text(t: TeamProfile) -> str:
    parts = [t.name, " ".join(t.fields), " ".join(t.fields), " ".join(t.industries), t.profile,
             t.achievements, " ".join(t.patents)]
    return "\n".join(p for p in parts if p)


def expert_text(e: ExpertProfile) -> str:
    return "\n".join([" ".join(e.fields), " ".join(e.fields), e.title, e.bio])


def team_changed(*, session: Session, team: TeamProfile) -> None:
    documents.document_changed(session=session, kind="team", doc_id=team.id, text=team_text(team))
