"""Demo bids from seeds/demo/bids.yaml, written directly in their seeded state (the caller commits)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from sqlmodel import Session, select

from marketplace.accounts.models import Organisation, TeamProfile, User
from marketplace.bids import partners
from marketplace.bids.models import Bid
from marketplace.bids.models import BidStatus as B
from marketplace.bids.service import receipt_hash
from marketplace.challenges.models import Challenge
from marketplace.clock import as_utc, utcnow
from marketplace.demo.seeds import read
from marketplace.money import fen_from_yuan


def _content(row: dict, orgs: dict[str, Organisation]) -> dict:
    budget = row.get("budget") or {}
    return {
        "technical_route": (row.get("technical_route") or "").strip(),
        "milestones": [{"title": str(m["title"]), "due_month": int(m["due_month"]),
                        "indicators": [str(i) for i in m.get("indicators") or []]}
                       for m in row.get("milestones") or []],
        "price_fen": fen_from_yuan(str(row["price_yuan"])),
        "budget_company_fen": fen_from_yuan(str(budget.get("company_yuan", "0"))),
        "budget_own_fen": fen_from_yuan(str(budget.get("own_yuan", "0"))),
        "budget_subsidy_fen": fen_from_yuan(str(budget.get("subsidy_yuan", "0"))),
        "members": [{"name": str(m["name"]), "role": str(m.get("role", ""))} for m in row.get("members") or []],
        "prior_results": (row.get("prior_results") or "").strip(),
        "partners": [{"organisation_id": orgs[p["org"]].id, "share_percent": int(p["share_percent"]),
                      "role": str(p.get("role", ""))} for p in row.get("partners") or []],
        "declare_no_double_funding": True, "declare_ownership": True, "declare_conflicts": "",
    }


def _timeline(bid: Bid, challenge: Challenge, state: str, n: int) -> None:
    """Submitted a little after publication (staggered); withdrawn a day later."""
    published = as_utc(challenge.published_at or utcnow() - timedelta(days=10))
    at = min(published + timedelta(days=2, hours=3 * n, minutes=17 * n), as_utc(challenge.bid_deadline)
             - timedelta(hours=1))
    bid.created_at = bid.updated_at = at - timedelta(hours=6)
    if state in (B.SUBMITTED, B.WITHDRAWN):
        bid.submitted_at = at
        bid.receipt_hash = receipt_hash(SimpleNamespace(**bid.model_dump()))
        bid.updated_at = at
    if state == B.WITHDRAWN:
        bid.withdrawn_at = bid.updated_at = at + timedelta(days=1)


def load_bids(*, session: Session, seeds_dir: Path, orgs: dict[str, Organisation],
              users: dict[str, User], report) -> None:
    """Create each seeded bid once per (challenge, team), in its seeded state; no commit."""
    for n, row in enumerate(read("bids", seeds_dir)):
        challenge = session.exec(select(Challenge).where(Challenge.key == row["challenge"])).first()
        team = session.exec(select(TeamProfile).where(TeamProfile.key == row["team"])).first()
        if challenge is None or team is None:
            raise ValueError(f"seeds: bid {row['challenge']}/{row['team']}: unknown challenge or team")
        if session.exec(select(Bid.id).where(Bid.challenge_id == challenge.id,
                                             Bid.team_id == team.id)).first():
            continue
        state = row.get("state", B.SUBMITTED)
        bid = Bid(challenge_id=challenge.id, team_id=team.id, organisation_id=team.organisation_id,
                  created_by=team.owner_id, status=state, **_content(row, orgs))
        _timeline(bid, challenge, state, n)
        session.add(bid)
        if state == B.WITHDRAWN:  # the ORM would let the column default replace a NULL on insert
            session.flush()
            bid.live_slot = None
        elif bid.partners:  # the seeded consortia have been confirmed by their partners
            session.flush()
            partners.record_confirmed(session, bid, bid.submitted_at or utcnow())
        report.count("bids")
    session.flush()
