"""Login, logout, sessions, API tokens and rate limiting. Sessions live in the database."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import union
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select, update

from marketplace.accounts.models import Organisation, OrgStatus, TeamMember, TeamProfile, User
from marketplace.accounts.passwords import burn_verify_time, verify_password
from marketplace.accounts.queries import find_user_by_login
from marketplace.actor import ANONYMOUS, Actor, Role
from marketplace.audit import service as audit
from marketplace.auth.models import LoginAttempt, UserSession
from marketplace.clock import as_utc, utcnow
from marketplace.config import get_settings
from marketplace.db import atomic, new_session, use_case
from marketplace.errors import RateLimited, Unauthenticated

LOGIN_FAILED = "账号或密码不正确"


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def team_ids_of(*, session: Session, user: User) -> frozenset[int]:
    """The teams a team account belongs to: those it owns and those whose owner added it."""
    if user.role != Role.TEAM:
        return frozenset()
    owned = select(TeamProfile.id).where(TeamProfile.owner_id == user.id)
    added = select(TeamMember.team_id).where(TeamMember.user_id == user.id)
    return frozenset(session.execute(union(owned, added)).scalars().all())


def actor_for(*, session: Session, user: User) -> Actor:
    """The Actor a user acts as."""
    org = session.get(Organisation, user.organisation_id) if user.organisation_id else None
    return Actor(
        user_id=user.id,
        role=user.role,
        organisation_id=user.organisation_id,
        display_name=user.display_name,
        org_verified=bool(org and org.status == OrgStatus.VERIFIED),
        team_ids=team_ids_of(session=session, user=user),
    )


def _retry_after(oldest: datetime, window: timedelta) -> int:
    return max(1, int((as_utc(oldest) + window - utcnow()).total_seconds()) + 1)


def _limit_reached(session: Session, *conditions, limit: int, since: datetime) -> datetime | None:
    """The oldest of the newest `limit` matching attempts when there are that many, else None."""
    rows = session.exec(
        select(LoginAttempt.at).where(*conditions, LoginAttempt.at >= since)
        .order_by(col(LoginAttempt.at).desc()).limit(limit)
    ).all()
    return rows[-1] if limit > 0 and len(rows) >= limit else None


def _subject(user: User | None, account: str):
    """Which attempts count for this account: by user (e-mail and mobile together), else by login string."""
    if user is not None:
        return LoginAttempt.user_id == user.id
    return (LoginAttempt.account == account) & col(LoginAttempt.user_id).is_(None)


def _check_rate_limit(*, session: Session, user: User | None, account: str, address: str) -> None:
    """Refuse a login attempt that is over one of three limits (failed attempts in the window).

    The old rule locked an account after 5 failures from anywhere, so anyone could lock anyone out, and
    counted per login string, so e-mail + mobile gave 10 guesses. The limits now are:

    1. per address, all accounts (`login_max_failures_per_ip`, 30): an address spraying guesses stops;
    2. per account *and* address (`login_max_failures`, 5): one source gets 5 guesses at an account, and
       is then refused even with the right password — that is the brute-force limit;
    3. per account, all addresses (`login_max_failures_per_account`, 20): a distributed guesser is cut
       off too, except from addresses where the owner has logged in successfully in the last
       `login_trusted_days` days.

    So an attacker from another address locks out only themselves: the owner still gets in with the
    right password from their own address (limit 2 is per address), and even while many addresses are
    guessing (limit 3) from an address they used before. Unknown login strings are counted the same way,
    so the limits reveal nothing about which accounts exist.
    """
    settings = get_settings()
    window = timedelta(minutes=settings.login_window_minutes)
    since = utcnow() - window
    failed = (LoginAttempt.kind == "login", col(LoginAttempt.succeeded).is_(False))
    subject = _subject(user, account)
    checks = (
        ((LoginAttempt.address == address,), settings.login_max_failures_per_ip),
        ((subject, LoginAttempt.address == address), settings.login_max_failures),
        ((subject,), settings.login_max_failures_per_account),
    )
    for index, (conditions, limit) in enumerate(checks):
        oldest = _limit_reached(session, *failed, *conditions, limit=limit, since=since)
        if oldest is None:
            continue
        if index == 2 and user is not None and _trusted_address(session=session, user=user, address=address):
            continue
        retry = _retry_after(oldest, window)
        raise RateLimited(f"登录失败次数过多，请在 {max(1, retry // 60)} 分钟后再试", retry_after=retry)


def _trusted_address(*, session: Session, user: User, address: str) -> bool:
    """The owner logged in successfully from this address recently."""
    since = utcnow() - timedelta(days=get_settings().login_trusted_days)
    return session.exec(select(LoginAttempt.id).where(
        LoginAttempt.kind == "login", col(LoginAttempt.succeeded).is_(True), LoginAttempt.user_id == user.id,
        LoginAttempt.address == address, LoginAttempt.at >= since).limit(1)).first() is not None


def check_password(user: User | None, password: str) -> bool:
    """Verify a password with the same work on every path (unknown, disabled, wrong, right).

    A disabled account used to answer in 11 ms against 159 ms for an active one (the hash was
    skipped), which told an attacker which accounts exist. Every path now runs one Argon2 verification.
    """
    if user is None:
        burn_verify_time(password)
        return False
    ok = verify_password(password, user.password_hash)
    return ok and user.is_active


def login(*, session: Session, account: str, password: str, address: str) -> tuple[User, str]:
    """Check credentials and open a web session; returns (user, session token).

    Two use cases, not one: a failed attempt is committed on its own before the refusal is raised
    (the rate limit counts it), a success opens the session.
    """
    user = find_user_by_login(session=session, login=account)
    account = account.strip().lower()[:254]
    address = address[:64]
    _check_rate_limit(session=session, user=user, account=account, address=address)
    if not check_password(user, password):
        _record_failure(session=session, user=user, account=account, address=address)
        raise Unauthenticated(LOGIN_FAILED)
    return _log_in(session=session, user=user, account=account, address=address)


@use_case
def _record_failure(*, session: Session, user: User | None, account: str, address: str) -> None:
    session.add(LoginAttempt(account=account, user_id=user.id if user else None, address=address))
    audit.record(session=session, actor=ANONYMOUS, action="auth.login_failed", subject_type="account",
                 subject_id=account[:40], summary={"address": address})


@use_case
def _log_in(*, session: Session, user: User, account: str, address: str) -> tuple[User, str]:
    token = _open_session(session=session, user=user, kind="web")
    session.add(LoginAttempt(account=account, user_id=user.id, address=address, succeeded=True))
    audit.record(session=session, actor=actor_for(session=session, user=user), action="auth.login",
                 subject_type="user", subject_id=user.id, summary={"address": address})
    return user, token


@use_case
def note_registration(*, session: Session, address: str) -> None:
    """Count a registration attempt from an address, refusing it over the limit. A use case of its own.

    Registration has to tell a person that their e-mail or mobile number is already registered: there is
    no e-mail verification step through which to say so privately, and a silent "success" would leave a
    real user waiting for an account that never comes. That answer is an enumeration oracle, so it is
    bounded instead of hidden: every attempt, accepted or not, counts against the address
    (`register_max_per_address` per `register_window_minutes`, 10 per hour), and the refused path does
    the same password hashing as a successful one. The count is committed before the registration runs,
    so a refusal that rolls the registration back still counts.
    """
    settings = get_settings()
    window = timedelta(minutes=settings.register_window_minutes)
    address = address[:64]
    oldest = _limit_reached(session, LoginAttempt.kind == "register", LoginAttempt.address == address,
                            limit=settings.register_max_per_address, since=utcnow() - window)
    if oldest is not None:
        retry = _retry_after(oldest, window)
        raise RateLimited(f"注册尝试过于频繁，请在 {max(1, retry // 60)} 分钟后再试", retry_after=retry)
    session.add(LoginAttempt(kind="register", account="", address=address))


def _open_session(*, session: Session, user: User, kind: str, label: str = "") -> str:
    settings = get_settings()
    token = secrets.token_urlsafe(32)
    lifetime = (
        timedelta(days=settings.api_token_days) if kind == "api"
        else timedelta(hours=settings.session_absolute_hours)
    )
    session.add(UserSession(token_hash=_hash_token(token), user_id=user.id, kind=kind,
                            label=label[:100], expires_at=utcnow() + lifetime))
    return token


def issue_api_token(*, session: Session, account: str, password: str, address: str, label: str) -> str:
    """Log a script in: returns a revocable bearer token (the login, then the token: two use cases)."""
    user, web_token = login(session=session, account=account, password=password, address=address)
    return _swap_for_api_token(session=session, user=user, web_token=web_token, label=label)


@use_case
def _swap_for_api_token(*, session: Session, user: User, web_token: str, label: str) -> str:
    revoke_token(session=session, token=web_token)
    token = _open_session(session=session, user=user, kind="api", label=label or "API")
    audit.record(session=session, actor=actor_for(session=session, user=user), action="auth.token_issued",
                 subject_type="user", subject_id=user.id, summary={"label": label[:100]})
    return token


SEEN_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Seen:
    """A session's activity that is due to be recorded (at most once a minute, for the idle timeout)."""

    session_id: int
    at: datetime


def resolve_token(*, session: Session, token: str, kind: str) -> tuple[User | None, Seen | None]:
    """The user of a live session or token, and its activity to record when due (see `record_seen`).

    Only reads: the request's session is never written or committed here, so a GET stays a read.
    """
    if not token or len(token) > 200:
        return None, None
    row = session.exec(select(UserSession).where(UserSession.token_hash == _hash_token(token))).first()
    now = utcnow()
    if row is None or row.kind != kind or row.revoked_at is not None or as_utc(row.expires_at) <= now:
        return None, None
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    if kind == "web" and as_utc(row.last_seen_at) + idle <= now:
        return None, None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None, None
    return user, (Seen(row.id, now) if now - as_utc(row.last_seen_at) > SEEN_EVERY else None)


def record_seen(engine: Engine, seen: Seen) -> None:
    """Record a session's activity in its own short write transaction on `engine`.

    Called once the request's own session is closed (web/deps.py), so the bookkeeping write is never
    part of the request's transaction and a request still holds one connection at a time.
    """
    with new_session(engine) as own, atomic(own):
        own.exec(update(UserSession).where(col(UserSession.id) == seen.session_id,
                                           col(UserSession.last_seen_at) < seen.at).values(last_seen_at=seen.at))


@use_case
def revoke_token(*, session: Session, token: str) -> None:
    """End one session or token (logout)."""
    session.exec(
        update(UserSession).where(col(UserSession.token_hash) == _hash_token(token),
                                  col(UserSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


@use_case
def logout(*, session: Session, actor: Actor, token: str) -> None:
    """Log out: revoke this session and record it."""
    revoke_token(session=session, token=token)
    if actor.user_id is not None:
        audit.record(session=session, actor=actor, action="auth.logout", subject_type="user",
                     subject_id=actor.user_id)


def revoke_all_sessions(*, session: Session, user_id: int, at: datetime | None = None) -> None:
    """End every session and token of a user (password change, deactivation). Does not commit."""
    session.exec(
        update(UserSession).where(col(UserSession.user_id) == user_id,
                                  col(UserSession.revoked_at).is_(None))
        .values(revoked_at=at or utcnow())
    )
