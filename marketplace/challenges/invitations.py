"""Invite a recommended research team to bid on a challenge (邀请揭榜)."""

from __future__ import annotations

from sqlmodel import Session

from marketplace.accounts.models import TeamProfile
from marketplace.actor import Actor
from marketplace.audit import service as audit
from marketplace.challenges import permissions, queries
from marketplace.challenges.models import ChallengeStatus
from marketplace.clock import utcnow
from marketplace.db import use_case
from marketplace.errors import Conflict, Forbidden, NotFound
from marketplace.notifications import service as notifications
from marketplace.notifications.models import Kind


@use_case
def invite(*, session: Session, actor: Actor, challenge_id: int, team_id: int) -> TeamProfile:
    """The company (or an officer) invites a team to an open challenge; the team is notified once."""
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
        body=f"发榜方认为贵团队“{team.name}”的研究方向与该榜单高度匹配，邀请您查看并揭榜。")
    if not sent:
        raise Conflict("已邀请过该团队（或该团队关闭了邀请通知）")
    audit.record(session=session, actor=actor, action="challenge.team_invited", subject_type="challenge",
                 subject_id=challenge.id, summary={"team_id": team.id})
    return team
