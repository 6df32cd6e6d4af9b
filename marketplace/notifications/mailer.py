"""Deliver the e-mail outbox through an SMTP server, when one is configured (JIEBANG_SMTP_HOST)."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

from sqlmodel import Session, col, select

from marketplace.clock import utcnow
from marketplace.db import atomic
from marketplace.notifications.models import EmailOutbox

log = logging.getLogger("jiebang.mailer")
DEFAULT_SENDER = "noreply@jiebang.invalid"


@dataclass(frozen=True)
class SendResult:
    sent: int
    failed: int
    message: str


def parse_host(smtp_host: str) -> tuple[str, int]:
    """'mail.example.org' or 'mail.example.org:2525' → (host, port); port 25 by default."""
    host, _, port = smtp_host.strip().partition(":")
    return host, int(port) if port else 25


def build_message(row: EmailOutbox, sender: str) -> EmailMessage:
    """The MIME message for one outbox row (UTF-8 subject and body)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message.set_content(row.body)
    return message


def pending(*, session: Session, limit: int) -> list[EmailOutbox]:
    """Unsent rows, oldest first; on PostgreSQL rows another worker is sending are skipped."""
    stmt = (select(EmailOutbox).where(col(EmailOutbox.sent_at).is_(None))
            .order_by(col(EmailOutbox.id)).limit(limit).with_for_update(skip_locked=True))
    return list(session.exec(stmt).all())


def send_pending(session: Session, smtp_host: str, *, sender: str = DEFAULT_SENDER, limit: int = 200,
                 smtp_factory: Callable[..., smtplib.SMTP] = smtplib.SMTP,
                 timeout: float = 30) -> SendResult:
    """Send unsent outbox mail and mark each sent; without an SMTP host, do nothing and say so."""
    if not smtp_host.strip():
        message = "未配置 SMTP 服务器（JIEBANG_SMTP_HOST），邮件保留在发件箱中，未发送"
        log.info(message)
        return SendResult(0, 0, message)
    try:
        # One commit after the batch: delivery is at-least-once (a crash mid-batch resends, never loses).
        with atomic(session):
            rows = pending(session=session, limit=limit)
            if not rows:
                return SendResult(0, 0, "发件箱中没有待发送的邮件")
            with smtp_factory(*parse_host(smtp_host), timeout=timeout) as smtp:
                sent = _deliver(smtp, rows, sender)
    except (OSError, smtplib.SMTPException) as exc:  # connection refused, TLS, greeting...
        log.exception("SMTP server %s unavailable", smtp_host)
        return SendResult(0, len(rows), f"无法连接 SMTP 服务器：{exc}")
    failed = len(rows) - sent
    return SendResult(sent, failed, f"已发送 {sent} 封邮件" + (f"，{failed} 封失败，下次重试" if failed else ""))


def _deliver(smtp: smtplib.SMTP, rows: list[EmailOutbox], sender: str) -> int:
    """Send each row on an open connection; mark the ones the server accepted."""
    sent = 0
    for row in rows:
        try:
            smtp.send_message(build_message(row, sender))
        except smtplib.SMTPException:
            log.exception("sending outbox mail %s failed", row.id)
            continue
        row.sent_at = utcnow()
        sent += 1
    return sent
