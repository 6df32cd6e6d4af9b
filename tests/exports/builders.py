"""Challenge and bid rows inserted directly (the challenge pages and bid flow are built elsewhere)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from marketplace.accounts.models import Role
from marketplace.bids.models import Bid, BidStatus
from marketplace.challenges.models import Challenge, ChallengeStatus
from marketplace.challenges.models import ChallengeStatus as S
from marketplace.clock import utcnow
from tests import factories as f


def challenge(session: Session, *, status: str = ChallengeStatus.PUBLISHED, org=None,  # noqa: ANN001
              **kw) -> Challenge:
    """A challenge row; published ones get a published_at an hour ago."""
    org = org or f.organisation(session)
    owner = f.user(session, role=Role.COMPANY, org=org)
    now = utcnow()
    c = Challenge(
        organisation_id=org.id, created_by=owner.id, title=kw.pop("title", "碳化硅功率模块封装可靠性攻关"),
        industry=kw.pop("industry", "智能与新能源汽车"), weak_link=kw.pop("weak_link", "核心零部件"),
        background="背景", bottleneck="瓶颈", deliverables="样机", status=status,
        committed_funds_fen=kw.pop("committed_funds_fen", 300_000_000),
        offered_fen=kw.pop("offered_fen", 150_000_000),
        bid_deadline=kw.pop("bid_deadline", now + timedelta(days=20)),
        published_at=kw.pop("published_at", now - timedelta(hours=1) if status == S.PUBLISHED else None),
        **kw)
    session.add(c)
    session.flush()
    return c


def bid(session: Session, c: Challenge, *, status: str = BidStatus.SUBMITTED) -> Bid:
    """A live bid by a fresh team on a challenge."""
    t = f.team(session)
    b = Bid(challenge_id=c.id, team_id=t.id, organisation_id=t.organisation_id, created_by=t.owner_id,
            status=status, technical_route="秘密技术路线", price_fen=100_000_000)
    session.add(b)
    session.flush()
    return b
