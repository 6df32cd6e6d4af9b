"""Participation aggregates for the bureau's dashboard (SQL only). Counts submitted bids, never their content:
the dashboard is for officers, but a count per challenge is already public, and nothing here reads a sealed field."""

from __future__ import annotations

from sqlalchemy import and_, case
from sqlmodel import Session, col, func, select

from marketplace.accounts.models import HK_MACAO, Organisation
from marketplace.bids.models import Bid, PartnerConfirmation, PartnerStatus
from marketplace.bids.permissions import OPENED_STATES
from marketplace.challenges.models import Challenge
from marketplace.challenges.permissions import CLOSED_STATES
from marketplace.challenges.stats import POSTED_STATES, StatsFilter, scoped

# A bid counts once it was handed in (drafts and withdrawals are not participation): the opened states.
COUNTED = tuple(OPENED_STATES)
# Whether a bid is a consortium bid is part of its sealed content: it is counted only once the challenge closed.
OPENED_CHALLENGES = tuple(CLOSED_STATES)


def confirmed_consortium():
    """SQL condition: every partner named on the bid has confirmed (bids/partners.py); until then the bid
    is not counted as a consortium bid. Rows mirror the named partners, so: some rows, none unconfirmed."""
    rows = select(PartnerConfirmation.id).where(PartnerConfirmation.bid_id == Bid.id)
    return and_(rows.exists(), ~rows.where(PartnerConfirmation.status != PartnerStatus.CONFIRMED).exists())


def participation(session: Session, flt: StatsFilter) -> dict[str, int]:
    """Bids handed in, the opened ones and the consortium bids among those, the bids of Hong Kong and Macao
    teams, and the challenges that received any. Each count reads the index ix_bid_challenge_status; only
    the consortium count reads bid rows, and only those of opened challenges (a few, not all 50k)."""
    def bids(*where):  # noqa: ANN002, ANN202
        return scoped(select(func.count(Bid.id), func.count(func.distinct(Bid.challenge_id))).select_from(Challenge)
                      .join(Bid, col(Bid.challenge_id) == col(Challenge.id)), flt) \
            .where(col(Bid.status).in_(COUNTED), *where)

    handed_in, challenges = session.exec(bids()).one()
    opened_bids, _ = session.exec(bids(col(Challenge.status).in_(OPENED_CHALLENGES))).one()
    consortia = session.exec(
        scoped(select(func.count(Bid.id)).select_from(Challenge).join(Bid, col(Bid.challenge_id) == col(Challenge.id)),
               flt)
        .where(col(Bid.status).in_(COUNTED), col(Challenge.status).in_(OPENED_CHALLENGES),
               func.json_array_length(Bid.partners) > 0, confirmed_consortium())).one()
    # Teams from Hong Kong and Macao: the bidding organisation's region (a count, like the bids themselves).
    from_hk_macao = select(Organisation.id).where(col(Organisation.region).in_(HK_MACAO))
    hk_macao, _ = session.exec(bids(col(Bid.organisation_id).in_(from_hk_macao))).one()
    published = session.exec(scoped(select(func.count()).select_from(Challenge), flt)
                             .where(col(Challenge.published_at).is_not(None),
                                    col(Challenge.status).in_(POSTED_STATES))).one()
    return {"bids": int(handed_in or 0), "opened_bids": int(opened_bids or 0), "consortium_bids": int(consortia or 0),
            "challenges_with_bids": int(challenges or 0), "published": int(published or 0),
            "hk_macao_bids": int(hk_macao or 0)}


def bids_per_challenge(session: Session, flt: StatsFilter) -> list[tuple[str, int]]:
    """How many published challenges received 0, 1, 2 or 3+ bids."""
    per = scoped(select(Challenge.id.label("cid"),
                        func.count(Bid.id).label("n")).select_from(Challenge)
                 .outerjoin(Bid, (col(Bid.challenge_id) == col(Challenge.id)) & col(Bid.status).in_(COUNTED)), flt) \
        .where(col(Challenge.published_at).is_not(None), col(Challenge.status).in_(POSTED_STATES)) \
        .group_by(Challenge.id).subquery()
    bucket = case((per.c.n >= 3, "3 份及以上"), (per.c.n == 2, "2 份"), (per.c.n == 1, "1 份"), else_="0 份")
    found = dict(session.exec(select(bucket, func.count()).group_by(bucket)).all())
    return [(label, int(found.get(label, 0))) for label in ("0 份", "1 份", "2 份", "3 份及以上")]


def counted_per_challenge(session: Session, challenge_ids: list[int]) -> dict[int, int]:
    """How many bids each challenge received (a public figure: numbers, never names)."""
    if not challenge_ids:
        return {}
    rows = session.exec(select(Bid.challenge_id, func.count()).where(
        col(Bid.challenge_id).in_(challenge_ids), col(Bid.status).in_(COUNTED)).group_by(Bid.challenge_id)).all()
    return {int(c): int(n) for c, n in rows}
