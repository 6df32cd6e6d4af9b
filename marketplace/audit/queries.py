"""Reading the audit log (officers; a company sees its own challenge's trail)."""

from __future__ import annotations

from sqlalchemy import and_, not_, or_
from sqlmodel import Session, col, func, select

from marketplace.audit.models import AuditEvent

ACTION_LABELS = {
    "account.registered": "注册", "organisation.verified": "单位认证通过", "organisation.rejected": "单位认证未通过",
    "organisation.verify": "单位认证通过", "organisation.reject": "单位认证未通过",
    "user.created": "开通账号", "user.disabled": "停用账号", "user.enabled": "启用账号",
        "user.role_changed": "修改角色", "user.password_changed": "修改密码",
    "auth.login": "登录", "auth.logout": "退出", "auth.login_failed": "登录失败", "auth.token_issued": "签发 API 令牌",
    "team.created": "新建团队画像", "team.updated": "修改团队画像", "demo.loaded": "加载演示数据",
    "challenge.created": "创建榜单", "challenge.edit": "修改榜单", "challenge.submit": "提交审核",
    "challenge.return": "退回修改", "challenge.publish": "审核发布", "challenge.schedule": "定时发布",
    "challenge.go_live": "到点发布", "challenge.close": "截止（开标记录）", "challenge.close_unfilled": "流榜",
    "challenge.withdraw": "撤榜", "challenge.request_withdrawal": "申请撤榜",
        "challenge.approve_withdrawal": "批准撤榜",
    "challenge.relist": "重新发榜", "challenge.terms_accepted": "签署保密承诺", "challenge.team_invited": "邀请揭榜",
    "clarification.asked": "提问", "clarification.answered": "答复", "attachment.added": "上传附件",
    "challenge.request_change": "申请修改榜单", "challenge.approve_change": "批准修改榜单",
    "challenge.reject_change": "驳回修改榜单", "team.member_added": "添加团队成员",
    "team.member_removed": "移除团队成员", "bid.created": "新建揭榜方案", "bid.edit": "修改方案草稿",
    "bid.submit": "提交揭榜方案", "bid.resubmit": "重新提交揭榜方案", "bid.withdraw": "撤回揭榜方案",
    "bid.qualify": "形式审查通过", "bid.disqualify": "形式审查不通过",
}
PAGE_SIZE = 50


def _sealed(readable: dict):
    """SQL: the event is about a subject the viewer may not read (e.g. a bid still sealed)."""
    if not readable:
        return None
    return or_(*(and_(AuditEvent.subject_type == kind, not_(col(AuditEvent.subject_id).in_(ids)))
                 for kind, ids in readable.items()))


def recent(*, session: Session, page: int = 1, action: str = "",
           readable: dict | None = None) -> tuple[list[AuditEvent], int]:
    """The newest audit events, one page, and how many there are.

    `readable` maps a subject type to a query of the subject ids the viewer may read (bids: the
    sealing rule, bids.queries.readable_ids); events about any other subject of that type are left
    out here and only counted by `sealed_counts` — no team, no hash, no time (T31/T32, issue 8 item 6).
    """
    stmt = select(AuditEvent)
    if action:
        stmt = stmt.where(col(AuditEvent.action).startswith(action))
    if (sealed := _sealed(readable or {})) is not None:
        stmt = stmt.where(not_(sealed))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(col(AuditEvent.seq).desc())
                        .offset((max(page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return list(rows), total


def sealed_counts(*, session: Session, readable: dict, action: str = "") -> dict[str, int]:
    """{action: how many} of the events `recent` leaves out for this viewer."""
    sealed = _sealed(readable)
    if sealed is None:
        return {}
    stmt = select(AuditEvent.action, func.count()).where(sealed)
    if action:
        stmt = stmt.where(col(AuditEvent.action).startswith(action))
    return dict(session.exec(stmt.group_by(AuditEvent.action).order_by(AuditEvent.action)).all())


def trail(*, session: Session, subject_type: str, subject_id: int) -> list[AuditEvent]:
    """Every event about one subject, oldest first."""
    return list(session.exec(select(AuditEvent).where(
        AuditEvent.subject_type == subject_type, AuditEvent.subject_id == str(subject_id))
        .order_by(col(AuditEvent.seq))).all())


_HEAD_SEQ = select(func.max(AuditEvent.seq))


def content_version(connection) -> int:  # noqa: ANN001 — a Connection or a Session
    """A stamp of everything the platform has changed: the audit chain's head (0 when empty).

    Every state change appends an audit event in its own transaction (states.apply, and the services'
    `audit.record`), and the chain's writers are serialised, so the head's `seq` grows in commit order
    and can be read by any process: a cache of public pages or aggregates keyed by it is stale as soon as
    anything it shows has changed, in this worker or another. One lookup on the unique `seq` index.
    """
    return connection.execute(_HEAD_SEQ).scalar() or 0
