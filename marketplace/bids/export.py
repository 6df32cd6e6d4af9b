"""The bid summary of one challenge as an .xlsx workbook (officers, after the deadline)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from marketplace import xlsx
from marketplace.accounts.models import Organisation, TeamProfile
from marketplace.actor import Actor
from marketplace.bids import permissions, queries
from marketplace.bids.models import BID_STATUS_LABELS, Bid
from marketplace.challenges import queries as challenge_queries
from marketplace.clock import to_shanghai
from marketplace.errors import Conflict, Forbidden
from marketplace.money import yuan_decimal

MEDIA_TYPE = xlsx.MEDIA_TYPE
C = xlsx.Column
COLUMNS = [C("方案编号", 10, "int"), C("揭榜团队", 24), C("牵头单位", 28), C("合作单位（份额）", 30), C("状态", 10),
           C("揭榜报价", 18, "yuan"), C("企业出资", 18, "yuan"), C("自筹资金", 18, "yuan"), C("预期补助", 18, "yuan"),
           C("提交时间（北京时间）", 20), C("回执哈希（SHA-256）", 30), C("形式审查意见", 30)]
MONEY = ("price_fen", "budget_company_fen", "budget_own_fen", "budget_subsidy_fen")


def _authorise(session: Session, actor: Actor, challenge_id: int, now: datetime):
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    allowed, reason = permissions.can_review(actor, challenge, now)
    if not allowed:
        raise (Conflict if actor.is_officer else Forbidden)(reason)
    return challenge


def _row(bid: Bid, teams: dict, orgs: dict) -> list:
    partners = "；".join(f"{orgs.get(p['organisation_id'], '?')}（{p['share_percent']}%）"
                        for p in bid.partners)
    submitted = to_shanghai(bid.submitted_at).strftime("%Y-%m-%d %H:%M:%S") if bid.submitted_at else ""
    return [bid.id, teams.get(bid.team_id, ""), orgs.get(bid.organisation_id, ""), partners,
            BID_STATUS_LABELS.get(bid.status, bid.status),
            *(getattr(bid, name) for name in MONEY),
            submitted, bid.receipt_hash or "", bid.review_reason]


def summary_xlsx(*, session: Session, actor: Actor, challenge_id: int, now: datetime) -> bytes:
    """Workbook bytes listing every opened bid on a challenge."""
    challenge = _authorise(session, actor, challenge_id, now)
    bids = queries.visible_on_challenge(session=session, actor=actor, challenge=challenge, now=now)
    org_ids = {b.organisation_id for b in bids} | {p["organisation_id"] for b in bids for p in b.partners}
    orgs = queries.names(session=session, model=Organisation, ids=org_ids)
    teams = queries.names(session=session, model=TeamProfile, ids={b.team_id for b in bids})
    book = xlsx.Book()
    title = f"{challenge.title}（揭榜金额 {yuan_decimal(challenge.offered_fen):,.2f} 元）"
    book.sheet("揭榜方案汇总", COLUMNS, preamble=[title], rows=(_row(bid, teams, orgs) for bid in bids))
    return book.bytes()
