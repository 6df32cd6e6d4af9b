"""The outbox sender, with a fake SMTP class instead of a network."""

import smtplib

from sqlmodel import select

from marketplace.notifications import mailer
from marketplace.notifications import service as notifications
from marketplace.notifications.models import EmailOutbox, Kind
from tests import factories as f


class FakeSMTP:
    """Records what it is asked to send; refuses addresses listed in `refuse`."""

    instances: list["FakeSMTP"] = []
    refuse: set[str] = set()

    def __init__(self, host, port, timeout=None):
        self.host, self.port, self.sent = host, port, []
        FakeSMTP.instances.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, message):
        if message["To"] in self.refuse:
            raise smtplib.SMTPRecipientsRefused({message["To"]: (550, b"no such user")})
        self.sent.append(message)


def queue(session, *users):
    notifications.notify(session=session, user_ids=[u.id for u in users], kind=Kind.CHALLENGE_RETURNED,
                         title="榜单被退回修改", body="请补充技术指标", link="/challenges/9")
    session.commit()


def outbox(session, user) -> EmailOutbox:
    return session.exec(select(EmailOutbox).where(EmailOutbox.user_id == user.id)).one()


def test_without_an_smtp_host_nothing_is_sent_and_it_says_so(session):
    user = f.user(session)
    queue(session, user)
    result = mailer.send_pending(session, "", smtp_factory=FakeSMTP)
    assert result.sent == 0 and "未配置 SMTP" in result.message
    assert outbox(session, user).sent_at is None


def test_pending_mail_is_sent_once_and_marked(session):
    FakeSMTP.instances, FakeSMTP.refuse = [], set()
    a, b = f.user(session), f.user(session)
    queue(session, a, b)
    result = mailer.send_pending(session, "mail.example.org:2525", sender="jb@example.org",
                                 smtp_factory=FakeSMTP)
    assert result.sent == 2 and result.failed == 0
    smtp = FakeSMTP.instances[-1]
    assert (smtp.host, smtp.port) == ("mail.example.org", 2525)
    mine = [m for m in smtp.sent if m["To"] == a.email][0]
    assert mine["Subject"] == "【揭榜挂帅平台】榜单被退回修改" and "请补充技术指标" in mine.get_content()
    assert outbox(session, a).sent_at is not None and outbox(session, b).sent_at is not None
    assert mailer.send_pending(session, "mail.example.org", smtp_factory=FakeSMTP).sent == 0


def test_a_refused_recipient_stays_in_the_outbox_for_the_next_run(session):
    refused, fine = f.user(session), f.user(session)
    FakeSMTP.refuse = {refused.email}
    try:
        queue(session, refused, fine)
        result = mailer.send_pending(session, "mail.example.org", smtp_factory=FakeSMTP)
    finally:
        FakeSMTP.refuse = set()
    assert result.failed == 1
    assert outbox(session, refused).sent_at is None and outbox(session, fine).sent_at is not None


def test_an_unreachable_server_marks_nothing(session):
    user = f.user(session)
    queue(session, user)

    def unreachable(host, port, timeout=None):
        raise ConnectionRefusedError("connection refused")

    result = mailer.send_pending(session, "mail.example.org", smtp_factory=unreachable)
    assert result.sent == 0 and "无法连接" in result.message
    assert outbox(session, user).sent_at is None


def test_the_host_may_carry_a_port():
    assert mailer.parse_host("smtp.gz.gov.cn") == ("smtp.gz.gov.cn", 25)
    assert mailer.parse_host(" smtp.gz.gov.cn:587 ") == ("smtp.gz.gov.cn", 587)
