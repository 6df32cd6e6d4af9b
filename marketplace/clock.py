"""The only place that reads the clock. Stored times are aware UTC; shown in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """Current time, aware, in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Treat a naive datetime (as SQLite returns them) as UTC; convert aware ones to UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_shanghai(value: datetime) -> datetime:
    """The same instant in Asia/Shanghai, for display."""
    return as_utc(value).astimezone(SHANGHAI)


def from_shanghai_local(value: datetime) -> datetime:
    """A naive datetime typed by a user in Shanghai time, as aware UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value.astimezone(UTC)
