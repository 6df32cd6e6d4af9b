"""Time-driven transitions: scheduled publication, closing at the deadline, 3-day reminders.

`tick` runs from the in-process scheduler (marketplace/scheduler.py, started by `jiebang serve`) or
from cron (`jiebang tick`), never inside a page view: reads show a passed deadline as closed through
`permissions.effective_status` without writing. Each step is a conditional UPDATE, so overlapping
ticks (a scheduler and cron) apply every transition exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from marketplace.actor import SYSTEM
from marketplace.challenges import bidding, documents, queries, service
from marketplace.challenges.models import Challenge
from marketplace.challenges.models import ChallengeStatus as S
from marketplace.clock import utcnow
from marketplace.db import atomic
from marketplace.errors import Conflict
from marketplace.notifications import service as notifications
from marketplace.notifications.models import Kind

REMINDER_BEFORE = timedelta(days=3)


@dataclass
class TickReport:
    published: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    unfilled: list[int] = field(default_factory=list)
    reminded: int = 0
    awarded: list[int] = field(default_factory=list)  # filled by scheduler.tick (awards)
    overdue: list[int] = field(default_factory=list)  # milestones, filled by scheduler.tick (contracts)


def tick(*, session: Session, now: datetime | None = None) -> TickReport:
    """Apply every challenge transition that is due; commits per challenge (scheduler.tick adds the
    later workflows' steps)."""
    now = now or utcnow()
    report = TickReport()
    due_publish = session.exec(select(Challenge.id).where(
        Challenge.status == S.SCHEDULED, col(Challenge.publish_at) <= now)).all()
    for challenge_id in due_publish:
        if _go_live(session, challenge_id, now):
            report.published.append(challenge_id)
    due_close = session.exec(select(Challenge.id).where(
        Challenge.status == S.PUBLISHED, col(Challenge.bid_deadline) <= now)).all()
    for challenge_id in due_close:
        outcome = _close(session, challenge_id, now)
        if outcome == S.CLOSED:
            report.closed.append(challenge_id)
        elif outcome == S.UNFILLED:
            report.unfilled.append(challenge_id)
    report.reminded = _remind(session, now)
    return report


def _go_live(session: Session, challenge_id: int, now: datetime) -> bool:
    challenge = session.get(Challenge, challenge_id)
    try:
        with atomic(session):
            service.move(session=session, challenge=challenge, action="go_live", actor=SYSTEM, published_at=now)
            service.announce(session, challenge)  # the same announcement as a manual publish
    except Conflict:
        return False
    return True


def _close(session: Session, challenge_id: int, now: datetime) -> str | None:
    challenge = session.get(Challenge, challenge_id)
    receipts = bidding.facts().sealed_receipts(session=session, challenge_id=challenge_id)
    bids = len(receipts)
    action = "close" if bids else "close_unfilled"
    try:
        with atomic(session):
            # The opening record (开标记录): every sealed bid's receipt time and content hash, in the chain.
            service.move(session=session, challenge=challenge, action=action, actor=SYSTEM,
                         summary={"bids": bids, "receipts": receipts}, closed_at=now)
            if not bids:
                notifications.notify(
                    session=session, kind=Kind.CHALLENGE_WITHDRAWN,
                    user_ids=queries.company_user_ids(session=session, organisation_id=challenge.organisation_id),
                    title=f"榜单“{challenge.title}”流榜", link=f"/challenges/{challenge.id}",
                    body="揭榜截止时没有收到揭榜方案。可在榜单页面选择“重新发榜”生成新的草稿。")
            documents.challenge_changed(session=session, challenge=challenge)
    except Conflict:
        return None
    return challenge.status


def _remind(session: Session, now: datetime) -> int:
    with atomic(session):
        return _send_reminders(session, now)


def _send_reminders(session: Session, now: datetime) -> int:
    """Tell teams with a live bid that the deadline is within 3 days (once per challenge and user)."""
    soon = session.exec(select(Challenge).where(
        Challenge.status == S.PUBLISHED, col(Challenge.bid_deadline) > now,
        col(Challenge.bid_deadline) <= now + REMINDER_BEFORE)).all()
    sent = 0
    for challenge in soon:
        users = bidding.facts().bidder_user_ids(session=session, challenge_id=challenge.id)
        sent += notifications.notify(
            session=session, kind=Kind.DEADLINE_SOON, user_ids=users, dedupe=f"deadline:{challenge.id}",
            title=f"“{challenge.title}”将于 3 天内截止揭榜", link=f"/challenges/{challenge.id}",
            body="请确认揭榜方案已正式提交；截止后将无法提交或修改。")
    return sent
