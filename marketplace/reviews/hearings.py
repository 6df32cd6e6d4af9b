"""答辩 (defence hearing) scheduling for the shortlist: officers open time slots for a challenge under review
and put qualified bids in them; the teams are told and see their slot; the panel's experts see the schedule.

No double booking, in the domain and under concurrency:
- one bid per slot: the booking is a conditional UPDATE (`bid_id IS NULL`), so of two simultaneous
  bookings of one slot exactly one changes the row;
- a bid is heard once: `defenceslot.bid_id` is UNIQUE;
- a team is never in two overlapping slots (on any challenge): the booking first locks the team's row
  (SELECT … FOR UPDATE on PostgreSQL; SQLite write transactions are serialised by BEGIN IMMEDIATE), then
  looks for its overlapping slots, so two bookings of one team run one after the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from marketplace.accounts.models import TeamProfile
from marketplace.actor import Actor
from marketplace.audit import service as audit
from marketplace.bids import queries as bid_queries
from marketplace.bids.models import Bid
from marketplace.challenges import queries as challenge_queries
from marketplace.challenges.models import ChallengeStatus as S
from marketplace.clock import SHANGHAI, as_utc, to_shanghai, utcnow
from marketplace.db import use_case
from marketplace.errors import Conflict, Forbidden, NotFound, RuleViolation
from marketplace.notifications import service as notifications
from marketplace.notifications.models import Kind
from marketplace.reviews import queries
from marketplace.reviews.models import AssignmentStatus, DefenceSlot, ReviewAssignment

MAX_LENGTH = timedelta(hours=8)
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
VISIBLE_STATES = (S.IN_REVIEW, S.DECIDED, S.ANNOUNCED, S.AWARDED, S.NO_AWARD)


def _officer(actor: Actor) -> None:
    if not actor.is_officer:
        raise Forbidden("只有科技局工作人员可以安排答辩")


def _clock(value: str, field: str, label: str, errors: dict[str, str]) -> time | None:
    m = _TIME.match((value or "").strip())
    if not m:
        errors[field] = f"{label}格式应为 时:分，如 09:30"
        return None
    return time(int(m.group(1)), int(m.group(2)))


def parse_slot(*, day: str, start: str, end: str, place: str, online_link: str,
               now: datetime) -> tuple[datetime, datetime, str, str]:
    """Beijing date and times → aware UTC bounds; every problem named in Chinese, per field."""
    errors: dict[str, str] = {}
    try:
        on = date.fromisoformat((day or "").strip())
    except ValueError:
        on = None
        errors["day"] = "日期格式应为 年-月-日，如 2026-12-10"
    t0, t1 = _clock(start, "start", "开始时间", errors), _clock(end, "end", "结束时间", errors)
    place, online_link = (place or "").strip(), (online_link or "").strip()
    if not place and not online_link:
        errors["place"] = "请填写答辩地点或线上会议链接"
    if len(place) > 200:
        errors["place"] = "地点不能超过 200 字"
    if online_link and (not re.match(r"^https?://\S+$", online_link) or len(online_link) > 300):
        errors["online_link"] = "线上会议链接须以 http:// 或 https:// 开头，且不超过 300 字"
    if on and t0 and t1:
        starts = datetime.combine(on, t0, SHANGHAI).astimezone(as_utc(now).tzinfo)
        ends = datetime.combine(on, t1, SHANGHAI).astimezone(as_utc(now).tzinfo)
        if ends <= starts:
            errors["end"] = "结束时间须晚于开始时间"
        elif ends - starts > MAX_LENGTH:
            errors["end"] = "一个答辩时段不能超过 8 小时"
        if starts <= as_utc(now):
            errors["day"] = "答辩时间不能早于当前时间"
    if errors:
        raise RuleViolation("答辩时段填写有误：" + "；".join(errors.values()), fields=errors)
    return starts, ends, place, online_link


@use_case
def create_slot(*, session: Session, actor: Actor, challenge_id: int, day: str, start: str, end: str,
                place: str = "", online_link: str = "", now: datetime | None = None) -> DefenceSlot:
    """A free time slot for the challenge's hearings (officers, challenge in review)."""
    _officer(actor)
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    if challenge.status != S.IN_REVIEW:
        raise Conflict("只有专家评审阶段的榜单可以安排答辩")
    starts, ends, place, link = parse_slot(day=day, start=start, end=end, place=place, online_link=online_link,
                                           now=now or utcnow())
    row = DefenceSlot(challenge_id=challenge.id, starts_at=starts, ends_at=ends, place=place, online_link=link,
                      created_by=actor.user_id)
    session.add(row)
    session.flush()
    audit.record(session=session, actor=actor, action="defence.slot_created", subject_type="challenge",
                 subject_id=challenge.id, summary={"slot_id": row.id, "starts_at": starts.isoformat(),
                                                   "ends_at": ends.isoformat(), "place": place, "online_link": link})
    return row


def _when(slot: DefenceSlot) -> str:
    a, b = to_shanghai(slot.starts_at), to_shanghai(slot.ends_at)
    return f"{a:%Y-%m-%d %H:%M}–{b:%H:%M}（北京时间）"


def where(slot: DefenceSlot) -> str:
    return "；".join(p for p in (slot.place, f"线上：{slot.online_link}" if slot.online_link else "") if p)


@use_case
def book(*, session: Session, actor: Actor, slot_id: int, bid_id: int, now: datetime | None = None) -> DefenceSlot:
    """Put a qualified bid of the slot's challenge in the slot: never two bids in a slot, never a bid
    twice, never a team in two overlapping slots. The team is told."""
    _officer(actor)
    slot = session.get(DefenceSlot, slot_id)
    if slot is None:
        raise NotFound("答辩时段不存在")
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=slot.challenge_id)
    if challenge.status != S.IN_REVIEW:
        raise Conflict("只有专家评审阶段的榜单可以安排答辩")
    if as_utc(slot.starts_at) <= as_utc(now or utcnow()):
        raise Conflict("该答辩时段已开始或已过去，不能再安排")
    bid = next((b for b in queries.qualified_bids(session=session, challenge_id=challenge.id) if b.id == bid_id),
               None)
    if bid is None:
        raise RuleViolation("只能安排本榜单通过形式审查的方案", fields={"bid_id": "方案不可选"})
    # The team's row lock serialises every booking of this team (see the module docstring).
    session.exec(select(TeamProfile.id).where(TeamProfile.id == bid.team_id).with_for_update()).first()
    if session.exec(select(DefenceSlot.id).where(DefenceSlot.bid_id == bid.id)).first() is not None:
        raise Conflict("该方案已安排答辩时段")
    clash = session.exec(select(DefenceSlot).where(
        DefenceSlot.team_id == bid.team_id, col(DefenceSlot.id) != slot.id,
        col(DefenceSlot.starts_at) < slot.ends_at, col(DefenceSlot.ends_at) > slot.starts_at)).first()
    if clash is not None:
        raise Conflict(f"该团队在 {_when(clash)} 已有答辩安排，与本时段重叠")
    at = utcnow()
    try:
        moved = session.execute(update(DefenceSlot)
                                .where(col(DefenceSlot.id) == slot.id, col(DefenceSlot.bid_id).is_(None))
                                .values(bid_id=bid.id, team_id=bid.team_id, booked_at=at)).rowcount
    except IntegrityError:
        raise Conflict("该方案已安排答辩时段") from None
    if moved != 1:
        raise Conflict("该时段已安排其他方案，请选择其他时段")
    session.refresh(slot)
    audit.record(session=session, actor=actor, action="defence.booked", subject_type="bid", subject_id=bid.id,
                 summary={"slot_id": slot.id, "challenge_id": challenge.id, "starts_at": as_utc(slot.starts_at)
                          .isoformat(), "ends_at": as_utc(slot.ends_at).isoformat()})
    notifications.notify(session=session, kind=Kind.DEFENCE_SCHEDULED,
                         user_ids=bid_queries.team_user_ids(session=session, bid=bid),
                         title=f"答辩安排：{challenge.title}", link=f"/challenges/{challenge.id}/defence",
                         body=f"贵团队的方案 #{bid.id} 安排在 {_when(slot)} 答辩，地点：{where(slot)}。")
    return slot


# ---------------------------------------------------------------- reads
@dataclass
class SlotView:
    slot: DefenceSlot
    when: str
    where: str
    bid_id: int | None
    label: str  # officers: team（organisation）; experts: the bid's number only; teams: their own


def _on_panel(session: Session, actor: Actor, challenge_id: int) -> bool:
    if actor.role != "expert":
        return False
    try:
        expert = queries.expert_of(session=session, actor=actor)
        panel = queries.panel_of(session=session, challenge_id=challenge_id)
    except (NotFound, Forbidden):
        return False
    return session.exec(select(ReviewAssignment.id).where(
        ReviewAssignment.panel_id == panel.id, ReviewAssignment.expert_id == expert.id,
        ReviewAssignment.status == AssignmentStatus.ACTIVE)).first() is not None


def schedule(*, session: Session, actor: Actor, challenge_id: int) -> list[SlotView]:
    """Officers: every slot. The panel's experts: every slot (bid numbers only). A bidding team: its own
    slot. Anyone else: NotFound."""
    challenge = challenge_queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    if challenge.status not in VISIBLE_STATES:
        raise NotFound("该榜单没有答辩安排")
    slots = list(session.exec(select(DefenceSlot).where(DefenceSlot.challenge_id == challenge.id)
                              .order_by(col(DefenceSlot.starts_at), col(DefenceSlot.id))).all())
    if actor.is_officer:
        bids = list(session.exec(select(Bid).where(Bid.challenge_id == challenge.id)).all())
        labels = queries.bid_labels(session=session, bids=bids)
        return [SlotView(s, _when(s), where(s), s.bid_id, labels.get(s.bid_id, "") if s.bid_id else "")
                for s in slots]
    if _on_panel(session, actor, challenge.id):
        return [SlotView(s, _when(s), where(s), s.bid_id, f"方案 #{s.bid_id}" if s.bid_id else "") for s in slots]
    if actor.role == "team" and actor.team_ids:
        own = [s for s in slots if s.team_id in actor.team_ids]
        mine = session.exec(select(Bid.id).where(Bid.challenge_id == challenge.id,
                                                 col(Bid.team_id).in_(sorted(actor.team_ids)))).first()
        if mine is not None:
            return [SlotView(s, _when(s), where(s), s.bid_id, "本团队方案") for s in own]
    raise NotFound("该榜单没有答辩安排")


def open_bids(*, session: Session, challenge_id: int) -> list[Bid]:
    """Qualified bids of the challenge not yet in a slot (the officer's choices)."""
    booked = set(session.exec(select(DefenceSlot.bid_id).where(DefenceSlot.challenge_id == challenge_id,
                                                               col(DefenceSlot.bid_id).is_not(None))).all())
    return [b for b in queries.qualified_bids(session=session, challenge_id=challenge_id) if b.id not in booked]


def slot_challenge_id(*, session: Session, slot_id: int) -> int:
    slot = session.get(DefenceSlot, slot_id)
    if slot is None:
        raise NotFound("答辩时段不存在")
    return slot.challenge_id
