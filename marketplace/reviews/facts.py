"""Plain COI facts (coi.py's inputs) read from the database: experts, bids and the company."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from marketplace.accounts.models import ExpertProfile, Organisation, TeamProfile, User
from marketplace.bids.models import Bid
from marketplace.challenges.models import Challenge
from marketplace.reviews import coi
from marketplace.reviews.models import ConflictDeclaration, ExpertAffiliation, ExpertCollaborator


def _usccs(session: Session, ids: Iterable[int]) -> dict[int, str]:
    ids = set(ids)
    return dict(session.exec(select(Organisation.id, Organisation.uscc)
                             .where(col(Organisation.id).in_(ids or {-1}))).all())


def experts(session: Session, expert_ids: Iterable[int]) -> dict[int, coi.ExpertFacts]:
    ids = set(expert_ids) or {-1}
    rows = session.exec(select(ExpertProfile, User).join(User, col(User.id) == ExpertProfile.user_id)
                        .where(col(ExpertProfile.id).in_(ids))).all()
    orgs = _usccs(session, [u.organisation_id for _, u in rows if u.organisation_id])
    affiliations = session.exec(select(ExpertAffiliation).where(col(ExpertAffiliation.expert_id).in_(ids))).all()
    collaborators = session.exec(select(ExpertCollaborator)
                                 .where(col(ExpertCollaborator.expert_id).in_(ids))).all()
    teams = session.exec(select(TeamProfile.id, TeamProfile.owner_id)
                         .where(col(TeamProfile.owner_id).in_([u.id for _, u in rows] or [-1]))).all()
    found: dict[int, coi.ExpertFacts] = {}
    for e, u in rows:
        own = [coi.Affiliation(orgs[u.organisation_id])] if u.organisation_id in orgs else []
        found[e.id] = coi.ExpertFacts(
            persons=frozenset({f"user:{u.id}", u.display_name}),
            affiliations=(*own, *(coi.Affiliation(a.uscc, a.start_on, a.end_on)
                                  for a in affiliations if a.expert_id == e.id)),
            collaborators=tuple(coi.Collaborator(c.person, c.year) for c in collaborators if c.expert_id == e.id),
            team_ids=frozenset(t for t, owner in teams if owner == u.id))
    return found


def bids(session: Session, rows: Iterable[Bid]) -> dict[int, coi.BidFacts]:
    rows = list(rows)
    partner_ids = {int(p["organisation_id"]) for b in rows for p in b.partners or [] if p.get("organisation_id")}
    orgs = _usccs(session, {b.organisation_id for b in rows} | partner_ids)
    teams = {t.id: t for t in session.exec(select(TeamProfile).where(
        col(TeamProfile.id).in_([b.team_id for b in rows] or [-1]))).all()}
    found: dict[int, coi.BidFacts] = {}
    for b in rows:
        team = teams.get(b.team_id)
        members = {m.get("name", "") for m in b.members or []} | set(team.members if team else [])
        partners = tuple(orgs.get(int(p["organisation_id"]), "") for p in b.partners or [] if p.get("organisation_id"))
        found[b.id] = coi.BidFacts(lead_uscc=orgs.get(b.organisation_id, ""), partner_usccs=partners,
                                   leader=team.leader if team else None, team_id=b.team_id,
                                   members=frozenset(m for m in members if m))
    return found


def company(session: Session, challenge: Challenge) -> coi.ChallengeFacts:
    return coi.ChallengeFacts(_usccs(session, [challenge.organisation_id]).get(challenge.organisation_id, ""))


def declarations(session: Session, bid_ids: Iterable[int]
                 ) -> tuple[dict[tuple[int, int], coi.Declaration], dict[tuple[int, int], coi.Waiver]]:
    rows = session.exec(select(ConflictDeclaration).where(
        col(ConflictDeclaration.bid_id).in_(list(bid_ids) or [-1]))).all()
    decl = {(d.bid_id, d.expert_id): coi.Declaration(d.has_conflict, d.statement) for d in rows}
    waivers = {(d.bid_id, d.expert_id): coi.Waiver(d.waived_by, d.waiver_reason) for d in rows if d.waived_by}
    return decl, waivers
