"""Weekly digests: one inbox message (and e-mail, by the user's switches) per user and Beijing ISO week,
sent by the scheduler's lease holder (and `jiebang tick`).

- officers: what needs action — challenges awaiting review, change and withdrawal requests, organisations
  awaiting verification;
- companies: bids received in the past week on their challenges (a count, as the hall shows it), their
  challenges closing in the coming week, and milestones due;
- teams: challenges published in the past week in their teams' industries, and milestones due.

A user switches it off under 消息设置 (kind `digest`, in-app switch). Once per week is enforced by the
notification's unique dedupe key `digest:<week>:<user>`: two schedulers (or a retry) never send it twice.
Both the company and the lead team also read their contracts' milestones: due in the coming week or overdue
(not yet delivered), and, for the company, reports waiting for its confirmation.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, cast, exists, literal
from sqlmodel import Session, col, func, select

from marketplace.accounts.models import Organisation, OrgStatus, Role, TeamProfile, User
from marketplace.auth import service as auth_service
from marketplace.bids.models import Bid
from marketplace.bids.permissions import OPENED_STATES
from marketplace.challenges import permissions as challenge_permissions
from marketplace.challenges.models import Challenge
from marketplace.challenges.models import ChallengeStatus as S
from marketplace.clock import to_shanghai, utcnow
from marketplace.contracts.models import EXECUTING, Contract, Milestone, MilestoneStatus
from marketplace.notifications import service as notifications
from marketplace.notifications.models import Kind, Notification, NotificationPreference

BATCH = 200  # users per scheduler round (the first rounds of a week share the work)
ROLES = (Role.OFFICER, Role.ADMIN, Role.COMPANY, Role.TEAM)
WEEK = timedelta(days=7)


def week_of(now: datetime) -> str:
    """The Beijing ISO week, e.g. '2026-W49'."""
    year, week, _ = to_shanghai(now).isocalendar()
    return f"{year}-W{week:02d}"


def _key_prefix(week: str) -> str:
    return f"digest:{week}:"


def due_users(session: Session, now: datetime, limit: int = BATCH) -> list[User]:
    """Active users of the digest roles who have not had this week's digest and did not switch it off."""
    sent = exists().where(col(Notification.dedupe_key) == literal(_key_prefix(week_of(now))) + cast(User.id, String))
    off = exists().where(NotificationPreference.user_id == User.id, NotificationPreference.kind == Kind.DIGEST,
                         col(NotificationPreference.in_app).is_(False))
    return list(session.exec(select(User).where(col(User.is_active).is_(True), col(User.role).in_(ROLES),
                                                ~sent, ~off).order_by(col(User.id)).limit(limit)).all())


def officer_lines(session: Session) -> list[str]:
    def count(*where) -> int:  # noqa: ANN002
        return session.exec(select(func.count()).select_from(Challenge).where(*where)).one()

    pending_orgs = session.exec(select(func.count()).select_from(Organisation)
                                .where(Organisation.status == OrgStatus.PENDING)).one()
    published = Challenge.status == S.PUBLISHED
    changes = count(published, col(Challenge.change_requested_at).is_not(None))
    withdrawals = count(published, col(Challenge.withdrawal_requested_at).is_not(None))
    return [f"待审核榜单 {count(Challenge.status == S.SUBMITTED)} 项", f"榜单修改申请 {changes} 项",
            f"撤榜申请 {withdrawals} 项", f"待认证单位 {pending_orgs} 家"]


def company_lines(session: Session, organisation_id: int, now: datetime) -> list[str]:
    received = session.exec(select(func.count()).select_from(Bid).join(Challenge, col(Challenge.id) == Bid.challenge_id)
                            .where(Challenge.organisation_id == organisation_id,
                                   col(Bid.status).in_(list(OPENED_STATES)), col(Bid.submitted_at) >= now - WEEK)).one()
    closing = session.exec(select(Challenge.title).where(
        Challenge.organisation_id == organisation_id, Challenge.status == S.PUBLISHED,
        col(Challenge.bid_deadline) > now, col(Challenge.bid_deadline) <= now + WEEK)
        .order_by(col(Challenge.bid_deadline)).limit(5)).all()
    lines = [f"过去一周收到揭榜方案 {received} 份（截止前方案密封，仅显示份数）"]
    lines += [f"本周截止：{t}" for t in closing] or ["本周没有截止的榜单"]
    return lines


OPEN_MILESTONES = (MilestoneStatus.PENDING, MilestoneStatus.RETURNED)  # not yet delivered


def milestone_lines(session: Session, user: User, now: datetime) -> list[str]:
    """Milestones of the user's executing contracts — the company's, or those the user's own teams (labs) won,
    never another lab's of the same university — due within a week, overdue, and, for the company, reports
    awaiting its confirmation."""
    if user.role == Role.COMPANY:
        ours = Contract.company_org_id == user.organisation_id
    else:
        teams = auth_service.team_ids_of(session=session, user=user) or frozenset({-1})
        ours = col(Contract.bid_id).in_(select(Bid.id).where(col(Bid.team_id).in_(teams)))
    today = to_shanghai(now).date()
    mine = select(Milestone.contract_id, Contract.title, Milestone.title, Milestone.due_on) \
        .join(Contract, col(Contract.id) == col(Milestone.contract_id)) \
        .where(ours, col(Contract.status).in_(EXECUTING))

    def count(*where) -> int:  # noqa: ANN002
        return session.exec(select(func.count()).select_from(mine.where(*where).subquery())).one()

    due = session.exec(mine.where(col(Milestone.status).in_(OPEN_MILESTONES), col(Milestone.due_on) >= today,
                                  col(Milestone.due_on) <= today + WEEK).order_by(col(Milestone.due_on)).limit(5)).all()
    lines = [f"本周到期里程碑：{contract}·{title}（{due_on:%m-%d}，/contracts/{cid}）"
             for cid, contract, title, due_on in due] or ["本周没有到期的里程碑"]
    if overdue := count(col(Milestone.status).in_(OPEN_MILESTONES), col(Milestone.due_on) < today):
        lines.append(f"逾期未交里程碑 {overdue} 项")
    if user.role == Role.COMPANY and (waiting := count(Milestone.status == MilestoneStatus.REPORTED)):
        lines.append(f"待您确认的里程碑报告 {waiting} 份")
    return lines


def team_lines(session: Session, organisation_id: int, now: datetime) -> list[str]:
    industries = sorted({i for row in session.exec(select(TeamProfile.industries).where(
        TeamProfile.organisation_id == organisation_id)).all() for i in (row or [])})
    if not industries:
        return ["在团队资料中填写产业领域后，这里会列出匹配的新榜单"]
    new = session.exec(select(Challenge.id, Challenge.title).where(
        col(Challenge.status).in_(list(challenge_permissions.PUBLIC_STATES)), col(Challenge.industry).in_(industries),
        col(Challenge.published_at) >= now - WEEK).order_by(col(Challenge.published_at).desc()).limit(5)).all()
    return [f"新榜单：{title}（/challenges/{cid}）" for cid, title in new] or ["过去一周没有与团队产业领域匹配的新榜单"]


def lines_for(session: Session, user: User, now: datetime) -> list[str]:
    if user.role in (Role.OFFICER, Role.ADMIN):
        return officer_lines(session)
    if user.role == Role.COMPANY and user.organisation_id:
        return company_lines(session, user.organisation_id, now) + milestone_lines(session, user, now)
    if user.role == Role.TEAM and user.organisation_id:
        return team_lines(session, user.organisation_id, now) + milestone_lines(session, user, now)
    return []


LINKS = {Role.OFFICER: "/officer/challenges", Role.ADMIN: "/officer/challenges", Role.COMPANY: "/challenges/mine",
         Role.TEAM: "/challenges"}


def send_due(*, session: Session, now: datetime | None = None, limit: int = BATCH) -> int:
    """Send this week's digest to up to `limit` users who have not had it; returns how many got it. Commits."""
    now = now or utcnow()
    week = week_of(now)
    sent = 0
    for user in due_users(session, now, limit):
        lines = lines_for(session, user, now) or ["本周暂无新的事项"]
        sent += notifications.notify(session=session, user_ids=[user.id], kind=Kind.DIGEST,
                                     title=f"揭榜挂帅每周摘要（{week}）", body="\n".join(lines),
                                     link=LINKS.get(user.role, "/dashboard"), dedupe=f"digest:{week}")
    session.commit()
    return sent
