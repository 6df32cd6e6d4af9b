"""Reading the audit log (officers; a company sees its own challenge's trail)."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from marketplace.audit.models import AuditEvent

ACTION_LABELS = {
    "account.registered": "注册", "organisation.verified": "单位认证通过", "organisation.rejected": "单位认证未通过",
    "user.created": "开通账号", "user.disabled": "停用账号", "user.enabled": "启用账号", "user.role_changed": "修改角色", "user.password_changed": "修改密码",
    "auth.login": "登录", "auth.logout": "退出", "auth.login_failed": "登录失败", "auth.token_issued": "签发 API 令牌",
    "team.created": "新建团队画像", "team.updated": "修改团队画像", "demo.loaded": "加载演示数据",
    "challenge.created": "创建榜单", "challenge.edit": "修改榜单", "challenge.submit": "提交审核",
    "challenge.return": "退回修改", "challenge.publish": "审核发布", "challenge.schedule": "定时发布",
    "challenge.go_live": "到点发布", "challenge.close": "截止（开标记录）", "challenge.close_unfilled": "流榜",
    "challenge.withdraw": "撤榜", "challenge.request_withdrawal": "申请撤榜", "challenge.approve_withdrawal": "批准撤榜",
    "challenge.relist": "重新发榜", "challenge.terms_accepted": "签署保密承诺", "challenge.team_invited": "邀请揭榜",
    "clarification.asked": "提问", "clarification.answered": "答复", "attachment.added": "上传附件",
}
PAGE_SIZE = 50


def recent(*, session: Session, page: int = 1, action: str = "") -> tuple[list[AuditEvent], int]:
    """The newest audit events, one page, and how many there are."""
    stmt = select(AuditEvent)
    if action:
        stmt = stmt.where(col(AuditEvent.action).startswith(action))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(col(AuditEvent.seq).desc())
                        .offset((max(page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return list(rows), total


def trail(*, session: Session, subject_type: str, subject_id: int) -> list[AuditEvent]:
    """Every event about one subject, oldest first."""
    return list(session.exec(select(AuditEvent).where(
        AuditEvent.subject_type == subject_type, AuditEvent.subject_id == str(subject_id))
        .order_by(col(AuditEvent.seq))).all())
