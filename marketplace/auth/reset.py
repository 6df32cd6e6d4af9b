"""Password reset by e-mail (找回密码): single-use tokens that expire, never an account oracle.

Asking always gets the same answer whether or not the account exists; the e-mail goes through the outbox
(sent by `jiebang mail send`); a token works once, for `RESET_TTL`, and using it ends every session of the user.
Requests are limited per account and per address so the outbox cannot be used to flood someone's mailbox.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from marketplace.accounts.models import User
from marketplace.accounts.passwords import hash_password
from marketplace.accounts.queries import find_user_by_login
from marketplace.actor import ANONYMOUS
from marketplace.audit import service as audit
from marketplace.auth.models import PasswordReset
from marketplace.auth.service import actor_for, revoke_all_sessions
from marketplace.clock import as_utc, utcnow
from marketplace.db import use_case
from marketplace.errors import RateLimited, RuleViolation
from marketplace.notifications.models import EmailOutbox

RESET_TTL = timedelta(minutes=30)
PER_ACCOUNT_PER_HOUR = 3
PER_ADDRESS_PER_HOUR = 10
SENT = "如果该账号存在并登记了邮箱，重置密码的链接已发送到该邮箱，30 分钟内有效。"
INVALID = "重置链接无效或已过期，请重新申请"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _recent(session: Session, column, value) -> int:
    since = utcnow() - timedelta(hours=1)
    return session.exec(select(func.count()).select_from(PasswordReset)
                        .where(column == value, col(PasswordReset.created_at) >= since)).one()


@use_case
def request_reset(*, session: Session, account: str, address: str, base_url: str) -> str:
    """Queue a reset e-mail if the account exists, is active and has an e-mail; the same answer either way."""
    address = address[:64]
    if _recent(session, PasswordReset.address, address) >= PER_ADDRESS_PER_HOUR:
        raise RateLimited("申请过于频繁，请一小时后再试", retry_after=3600)
    user = find_user_by_login(session=session, login=account[:254])
    if user is None or not user.is_active or not user.email \
            or _recent(session, PasswordReset.user_id, user.id) >= PER_ACCOUNT_PER_HOUR:
        # Record the address's attempt all the same (spent at once), so probing many accounts is limited too.
        now = utcnow()
        session.add(PasswordReset(token_hash=_digest(secrets.token_urlsafe(32)), user_id=None, address=address,
                                  created_at=now, expires_at=now, used_at=now))
        audit.record(session=session, actor=ANONYMOUS, action="auth.reset_requested", subject_type="account",
                     subject_id="-", summary={"address": address, "sent": False})
        return SENT
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(PasswordReset(token_hash=_digest(token), user_id=user.id, address=address,
                              created_at=now, expires_at=now + RESET_TTL))
    link = f"{base_url.rstrip('/')}/password/reset?token={token}"
    session.add(EmailOutbox(user_id=user.id, to_address=user.email, kind="password_reset",
                            subject="【广州市揭榜挂帅平台】重置密码",
                            body=f"{user.display_name}，您好：\n\n"
                                 f"请在 30 分钟内打开以下链接设置新密码（只能使用一次）：\n{link}\n\n"
                                 "如果不是您本人申请，请忽略本邮件，您的密码不会改变。"))
    audit.record(session=session, actor=ANONYMOUS, action="auth.reset_requested", subject_type="user",
                 subject_id=user.id, summary={"address": address, "sent": True})
    return SENT


def token_is_usable(*, session: Session, token: str) -> bool:
    row = session.exec(select(PasswordReset).where(PasswordReset.token_hash == _digest(token))).first()
    return row is not None and row.used_at is None and as_utc(row.expires_at) > utcnow()


@use_case
def reset_password(*, session: Session, token: str, new_password: str) -> User:
    """Set a new password with a valid token; the token is spent exactly once (conditional UPDATE)."""
    now = utcnow()
    row = session.exec(select(PasswordReset).where(PasswordReset.token_hash == _digest(token))).first()
    if row is None or row.used_at is not None or as_utc(row.expires_at) <= now:
        raise RuleViolation(INVALID, fields={"token": INVALID})
    spent = session.execute(update(PasswordReset).where(col(PasswordReset.id) == row.id,
                                                        col(PasswordReset.used_at).is_(None))
                            .values(used_at=now))
    if spent.rowcount != 1:
        raise RuleViolation(INVALID, fields={"token": INVALID})
    # Every other outstanding token of this user dies with this one.
    session.execute(update(PasswordReset).where(col(PasswordReset.user_id) == row.user_id,
                                                col(PasswordReset.used_at).is_(None)).values(used_at=now))
    user = session.get(User, row.user_id)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = now
    session.add(user)
    revoke_all_sessions(session=session, user_id=user.id, at=now)
    audit.record(session=session, actor=actor_for(session=session, user=user), action="user.password_reset",
                 subject_type="user", subject_id=user.id)
    return user
