"""Consortium partners (创新联合体): each organisation named on a handed-in bid is told and confirms (or
declines) its participation and share. Until every partner has confirmed, the bid is not counted as a
consortium bid (it shows 待确认); a decline is reported to the bidding team.

The confirmation rows mirror the partners of the bid's sealed version (`sync`, called when the bid is
submitted or re-submitted): new partners are asked, a changed share is asked again, a removed partner's
row goes. Answers move through bids/states.py PARTNER_MACHINE (states.apply: guarded UPDATE + audit).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from marketplace import states
from marketplace.accounts.models import Organisation, User
from marketplace.actor import Actor
from marketplace.audit import service as audit
from marketplace.bids import permissions, queries
from marketplace.bids import states as bid_states
from marketplace.bids.models import Bid, PartnerConfirmation
from marketplace.bids.models import PartnerStatus as P
from marketplace.bids.schemas import PartnerAnswerIn
from marketplace.challenges.models import Challenge
from marketplace.clock import utcnow
from marketplace.db import use_case
from marketplace.errors import Conflict, Forbidden, NotFound
from marketplace.notifications import service as notifications
from marketplace.notifications.models import Kind

NOT_FOUND = "合作确认不存在"
# What a bid's consortium is, from its partners' answers (shown beside the partners and on the review page).
CONSORTIUM_LABELS = {"confirmed": "创新联合体（各合作单位均已确认）", "pending": "创新联合体（待确认）",
                     "declined": "创新联合体（有合作单位拒绝）"}


def rows_of(session: Session, bid_id: int) -> list[PartnerConfirmation]:
    return list(session.exec(select(PartnerConfirmation).where(PartnerConfirmation.bid_id == bid_id)
                             .order_by(col(PartnerConfirmation.id))).all())


def consortium_state(bid: Bid, rows: list[PartnerConfirmation]) -> str:
    """"" (no partners), "confirmed" (every named partner confirmed), "declined", or "pending"."""
    if not bid.partners:
        return ""
    answers = {r.organisation_id: r.status for r in rows}
    named = [int(p["organisation_id"]) for p in bid.partners]
    if any(answers.get(o) == P.DECLINED for o in named):
        return "declined"
    if all(answers.get(o) == P.CONFIRMED for o in named):
        return "confirmed"
    return "pending"


def _org_user_ids(session: Session, organisation_id: int) -> list[int]:
    """Every account of the partner organisation (a university's labs or a company's users)."""
    return list(session.exec(select(User.id).where(User.organisation_id == organisation_id,
                                                   col(User.role).in_(list(permissions.PARTNER_ROLES)))).all())


def _ask(session: Session, bid: Bid, row: PartnerConfirmation, *, again: bool) -> None:
    challenge = session.get(Challenge, bid.challenge_id)
    lead = session.get(Organisation, bid.organisation_id)
    what = "调整了贵单位的份额，请重新确认" if again else "将贵单位列为创新联合体合作单位，请确认"
    notifications.notify(
        session=session, kind=Kind.CONSORTIUM, user_ids=_org_user_ids(session, row.organisation_id),
        title=f"{lead.name if lead else '牵头单位'}{what}",
        body=f"榜单“{challenge.title if challenge else ''}”，份额 {row.share_percent}%"
             f"{'，分工：' + row.role if row.role else ''}。请确认参与及份额，或说明理由后拒绝。",
        link="/partner-requests")


def sync(session: Session, actor: Actor, bid: Bid, now: datetime) -> None:
    """Make the confirmation rows mirror the partners the bid was just handed in with (no commit)."""
    rows = {r.organisation_id: r for r in rows_of(session, bid.id)}
    wanted = {int(p["organisation_id"]): p for p in bid.partners}
    for org_id, row in rows.items():
        if org_id not in wanted:
            audit.record(session=session, actor=actor, action="bid_partner.removed", subject_type="bid_partner",
                         subject_id=row.id, summary={"bid_id": bid.id, "organisation_id": org_id})
            session.delete(row)
    for org_id, partner in wanted.items():
        share, role = int(partner["share_percent"]), str(partner.get("role", ""))
        row = rows.get(org_id)
        if row is None:
            row = PartnerConfirmation(bid_id=bid.id, organisation_id=org_id, share_percent=share, role=role,
                                      status=P.PENDING, created_at=now, updated_at=now)
            session.add(row)
            session.flush()
            audit.record(session=session, actor=actor, action="bid_partner.requested", subject_type="bid_partner",
                         subject_id=row.id, summary={"bid_id": bid.id, "organisation_id": org_id,
                                                     "share_percent": share})
            _ask(session, bid, row, again=False)
        elif row.share_percent != share or row.role != role:
            if row.status == P.PENDING:
                row.share_percent, row.role, row.updated_at = share, role, now
                session.add(row)
                audit.record(session=session, actor=actor, action="bid_partner.changed",
                             subject_type="bid_partner", subject_id=row.id,
                             summary={"bid_id": bid.id, "share_percent": share})
            else:
                states.apply(session, row, bid_states.PARTNER_MACHINE, "reopen", actor=actor, now=now,
                             summary={"bid_id": bid.id, "share_percent": share}, share_percent=share, role=role,
                             reason="", decided_by=None, decided_at=None)
            _ask(session, bid, row, again=True)
    session.flush()


def record_confirmed(session: Session, bid: Bid, at: datetime) -> None:
    """Demo data: the partners of a seeded consortium bid have already confirmed (no audit; the caller commits)."""
    for p in bid.partners:
        session.add(PartnerConfirmation(bid_id=bid.id, organisation_id=int(p["organisation_id"]),
                                        share_percent=int(p["share_percent"]), role=str(p.get("role", "")),
                                        status=P.CONFIRMED, decided_at=at, created_at=at, updated_at=at))


def get_for(*, session: Session, actor: Actor, confirmation_id: int) -> tuple[PartnerConfirmation, Bid]:
    """A confirmation the actor may see (partner organisation, bidding team, bureau), else NotFound."""
    row = session.get(PartnerConfirmation, confirmation_id)
    bid = session.get(Bid, row.bid_id) if row else None
    if row is None or bid is None or not permissions.can_read_partner_request(actor, row, bid)[0]:
        raise NotFound(NOT_FOUND)
    return row, bid


def for_organisation(*, session: Session, actor: Actor) -> list[tuple[PartnerConfirmation, Bid, Challenge]]:
    """The requests addressed to the actor's organisation, pending first, newest first."""
    if actor.organisation_id is None or actor.role not in permissions.PARTNER_ROLES:
        return []
    rows = session.exec(select(PartnerConfirmation, Bid, Challenge)
                        .join(Bid, col(Bid.id) == PartnerConfirmation.bid_id)
                        .join(Challenge, col(Challenge.id) == Bid.challenge_id)
                        .where(PartnerConfirmation.organisation_id == actor.organisation_id)
                        .order_by(col(PartnerConfirmation.updated_at).desc(), col(PartnerConfirmation.id).desc())
                        ).all()
    return sorted(rows, key=lambda t: t[0].status != P.PENDING)


@use_case
def answer(*, session: Session, actor: Actor, confirmation_id: int, data: PartnerAnswerIn) -> PartnerConfirmation:
    """The partner organisation confirms or declines; the bidding team is told either way."""
    now = utcnow()
    row, bid = get_for(session=session, actor=actor, confirmation_id=confirmation_id)
    allowed, reason = permissions.can_answer_partner(actor, row, bid)
    if not allowed:  # the partner itself meets a state it cannot act in (409); anyone else is refused (403)
        raise (Conflict if permissions.is_partner(actor, row) and actor.org_verified else Forbidden)(reason)
    action = "confirm" if data.confirm else "decline"
    states.apply(session, row, bid_states.PARTNER_MACHINE, action, actor=actor, now=now,
                 summary={"bid_id": bid.id, "share_percent": row.share_percent, "reason": data.reason},
                 reason=data.reason, decided_by=actor.user_id, decided_at=now)
    org = session.get(Organisation, row.organisation_id)
    name = org.name if org else "合作单位"
    verdict = f"确认参与（份额 {row.share_percent}%）" if data.confirm else "拒绝参与"
    notifications.notify(session=session, kind=Kind.CONSORTIUM,
                         user_ids=queries.team_user_ids(session=session, bid=bid),
                         title=f"{name}{verdict}：揭榜方案 #{bid.id}",
                         body=f"理由：{data.reason}" if data.reason else "", link=f"/bids/{bid.id}")
    return row
