"""Server-side sessions (web and API tokens) and login attempts."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from marketplace.clock import utcnow
from marketplace.types import UTCDateTime


class UserSession(SQLModel, table=True):
    """A web session or a bearer token; only the SHA-256 of the secret is stored."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(default="web", max_length=10)  # web | api
    label: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginAttempt(SQLModel, table=True):
    """Login and registration attempts, kept in the database so limits hold across workers.

    `user_id` is the account the login string resolved to (so e-mail and mobile share one count);
    successful logins are kept too: they mark the addresses an owner is known to use.
    """

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="login", max_length=10)  # login | register
    account: str = Field(max_length=254, index=True)
    user_id: int | None = Field(default=None, index=True)
    address: str = Field(max_length=64, index=True)
    succeeded: bool = False
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class PasswordReset(SQLModel, table=True):
    """A single-use, expiring password-reset token; only its SHA-256 is stored.

    A request for an unknown or ineligible account is kept too (no user, already spent), so the per-address
    limit counts every request and the answer can stay the same for both.
    """

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    address: str = Field(default="", max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
