"""Invite a recommended research team to bid on a challenge (邀请揭榜)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from marketplace.accounts.models import TeamProfile
from marketplace.actor import Actor
from marketplace.audit import service as audit
from marketplace.audit.models import AuditEvent
from marketplace.challenges import permissions, queries
from marketplace.challenges.models import ChallengeStatus
from marketplace.clock import utcnow
from marketplace.db import use_case
from marketplace.errors import Conflict, Forbidden, NotFound, RuleViolation
from marketplace.notifications import service as notifications
from marketplace.notifications.models import Kind

MAX_MESSAGE = 500


@use_case
def invite(*, session: Session, actor: Actor, challenge_id: int, team_id: int, message: str = "") -> TeamProfile:
    """The company (or an officer) invites a team to an open challenge with a message; the team is notified once."""
    message = " ".join(message.split())
    if len(message) > MAX_MESSAGE:
        too_long = f"邀请留言不能超过 {MAX_MESSAGE} 字"
        raise RuleViolation(too_long, fields={"message": too_long})
    challenge = queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    if not (permissions.is_owner(actor, challenge) or actor.is_officer):
        raise Forbidden("只有发榜企业或科技局可以邀请团队揭榜")
    if challenge.status != ChallengeStatus.PUBLISHED or not permissions.bidding_open(challenge, utcnow()):
        raise Conflict("榜单不在揭榜期内，不能邀请")
    team = session.get(TeamProfile, team_id)
    if team is None:
        raise NotFound("团队不存在")
    if team.organisation_id == challenge.organisation_id:
        raise Conflict("不能邀请本单位的团队")
    sent = notifications.notify(
        session=session, kind=Kind.INVITED, user_ids=[team.owner_id], dedupe=f"invite:{challenge.id}:{team.id}",
        title=f"邀请揭榜：{challenge.title}", link=f"/challenges/{challenge.id}",
        body=f"发榜方认为贵团队“{team.name}”的研究方向与该榜单高度匹配，邀请您查看并揭榜。"
             + (f"\n发榜方留言：{message}" if message else ""))
    if not sent:
        raise Conflict("已邀请过该团队（或该团队关闭了邀请通知）")
    audit.record(session=session, actor=actor, action="challenge.team_invited", subject_type="challenge",
                 subject_id=challenge.id,
                 summary={"team_id": team.id, **({"message": message} if message else {})})
    return team


@dataclass(frozen=True)
class Invitation:
    team_id: int
    message: str
    at: datetime


def invitations(*, session: Session, challenge_id: int) -> dict[int, Invitation]:
    """{team id: invitation} of one challenge (read from its audit trail: one invitation per team)."""
    events = session.exec(select(AuditEvent).where(
        AuditEvent.subject_type == "challenge", AuditEvent.subject_id == str(challenge_id),
        AuditEvent.action == "challenge.team_invited").order_by(col(AuditEvent.seq))).all()
    found: dict[int, Invitation] = {}
    for e in events:
        team_id = (e.summary or {}).get("team_id")
        if isinstance(team_id, int) and team_id not in found:
            found[team_id] = Invitation(team_id, str(e.summary.get("message", "")), e.at)
    return found
