"""补正 (supplementing documents): a bid disqualified at formal review for missing documents gets a
window the officer sets; within it the team uploads the documents and hands them in; the officer then
reviews the bid again. After the window the team is refused (in Chinese) and the officer decides.
States: bids/states.py (disqualified → supplementing → supplemented → qualified / disqualified)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, col

from marketplace import states
from marketplace.actor import Actor
from marketplace.bids import files, permissions, queries
from marketplace.bids import states as bid_states
from marketplace.bids.models import Bid
from marketplace.bids.schemas import SupplementRequestIn
from marketplace.challenges import queries as challenge_queries
from marketplace.challenges.files import Upload
from marketplace.challenges.models import Challenge
from marketplace.clock import from_shanghai_local, to_shanghai, utcnow
from marketplace.db import use_case
from marketplace.errors import Conflict, Forbidden, RuleViolation
from marketplace.notifications import service as notifications
from marketplace.notifications.models import Kind
from marketplace.states import require

MAX_WINDOW = timedelta(days=30)  # a 补正 window is days, not months: the formal review must finish


@use_case
def request(*, session: Session, actor: Actor, bid_id: int, data: SupplementRequestIn) -> Bid:
    """The officer opens a 补正 window on a disqualified bid; the team is told what and until when."""
    now = utcnow()
    bid, challenge = queries.with_challenge(session=session, actor=actor, bid_id=bid_id, now=now)
    require(permissions.can_review(actor, challenge, now))
    deadline = from_shanghai_local(data.deadline)
    if deadline <= now:
        raise RuleViolation("补正截止时间须晚于现在", fields={"deadline": "补正截止时间须晚于现在"})
    if deadline > now + MAX_WINDOW:
        raise RuleViolation("补正期限最长 30 天", fields={"deadline": "补正期限最长 30 天"})
    states.apply(session, bid, bid_states.MACHINE, "request_supplement", actor=actor, now=now,
                 summary={"challenge_id": bid.challenge_id, "deadline": deadline.isoformat(), "note": data.note},
                 supplement_deadline=deadline, supplement_note=data.note)
    until = to_shanghai(deadline).strftime("%Y-%m-%d %H:%M")
    notifications.notify(session=session, kind=Kind.SUPPLEMENT,
                         user_ids=queries.team_user_ids(session=session, bid=bid),
                         title=f"揭榜方案需要补正材料：{challenge.title}",
                         body=f"请在 {until}（北京时间）前上传并提交：{data.note}", link=f"/bids/{bid.id}")
    return bid


def supplement(*, session: Session, actor: Actor, bid_id: int, uploads: Sequence[Upload], uploads_dir: Path,
               max_bytes: int) -> Bid:
    """The team hands in the missing documents within the window: the files and the move, or neither."""
    if not uploads:
        raise RuleViolation("请选择要提交的补正材料", fields={"attachments": "请选择要提交的补正材料"})

    def work(store) -> Bid:  # noqa: ANN001
        now = utcnow()
        bid = queries.get_for(session=session, actor=actor, bid_id=bid_id, now=now)
        allowed, reason = permissions.can_supplement(actor, bid, now)
        if not allowed:
            raise (Conflict if permissions.is_own(actor, bid) else Forbidden)(reason)
        store(actor, bid, True)
        # The window is checked again inside the UPDATE: a hand-in racing the deadline cannot slip past it.
        states.apply(session, bid, bid_states.MACHINE, "supplement", actor=actor, now=now,
                     where=[col(Bid.supplement_deadline) > now], conflict=permissions.SUPPLEMENT_CLOSED,
                     summary={"challenge_id": bid.challenge_id, "files": len(uploads)})
        challenge = session.get(Challenge, bid.challenge_id)
        notifications.notify(session=session, kind=Kind.SUPPLEMENT,
                             user_ids=challenge_queries.officer_user_ids(session=session),
                             title=f"揭榜方案 #{bid.id} 已提交补正材料：{challenge.title}",
                             body="请重新进行形式审查。", link=f"/officer/challenges/{bid.challenge_id}/review")
        return bid

    return files.with_files(session, uploads_dir, uploads, max_bytes, work)
