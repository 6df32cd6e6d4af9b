"""Exactly-once creates: `Idempotency-Key` for the API, a one-time form token for pages.

One helper for every create/submit (challenges, bids, questions, invitations, registration) and for
what comes next (subsidy disbursement). Semantics follow draft-ietf-httpapi-idempotency-key-header:
the key is claimed by inserting a row whose (owner, key) is UNIQUE, in the same transaction as the
record it creates (the command's own commit carries it); the response is stored right after.
  same key, same request, done      → the stored status and body again, no new row
  same key, different request        → 422
  same key while the first is running → 409 (a concurrent duplicate never makes a second row)
Owners are per user ("user:12"); anonymous calls (registration) are scoped to the client address.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, select

from marketplace.clock import utcnow
from marketplace.errors import Conflict, RuleViolation
from marketplace.types import UTCDateTime

HEADER = "Idempotency-Key"
FORM_FIELD = "form_token"
_KEY = re.compile(r"[\x21-\x7e]{1,200}")  # visible ASCII, as the draft's sf-string allows


class IdempotencyKey(SQLModel, table=True):
    """A claimed key and, once the command finished, the response to replay."""

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("owner", "key", name="uq_idempotency_owner_key"),)

    id: int | None = Field(default=None, primary_key=True)
    owner: str = Field(max_length=80)
    key: str = Field(max_length=200)
    fingerprint: str = Field(max_length=64)
    status_code: int | None = None
    response: Any | None = Field(default=None, sa_column=Column(JSON))
    location: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


@dataclass(frozen=True)
class Request:
    """What identifies one logical request: who, which key, and a hash of what was asked."""

    owner: str
    key: str
    fingerprint: str


@dataclass(frozen=True)
class Outcome:
    status_code: int
    body: Any = None
    location: str | None = None
    replayed: bool = False


def owner_of(user_id: int | None, address: str = "") -> str:
    return f"user:{user_id}" if user_id else f"anon:{address[:60]}"


def fingerprint(method: str, path: str, body: bytes) -> str:
    """SHA-256 of the method, path and body (JSON canonicalised, so key order does not matter)."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, ensure_ascii=False).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


def check_key(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise RuleViolation("Idempotency-Key 须为 1–200 个可见 ASCII 字符", fields={HEADER: "格式不正确"},
                            code="idempotency_key_invalid")
    return key


def check_request(req: Request) -> Request:
    check_key(req.key)
    return req


def _find(session: Session, req: Request) -> IdempotencyKey | None:
    return session.exec(select(IdempotencyKey).where(IdempotencyKey.owner == req.owner,
                                                     IdempotencyKey.key == req.key)).first()


def _replay(row: IdempotencyKey, req: Request) -> Outcome:
    if row.fingerprint != req.fingerprint:
        raise RuleViolation("该 Idempotency-Key 已用于另一个不同的请求，请换一个新的键", code="idempotency_key_reused")
    if row.completed_at is None:
        raise Conflict("相同的请求正在处理中，请稍后再试", code="idempotency_in_progress")
    return Outcome(row.status_code or 200, row.response, row.location, replayed=True)


def run(session: Session, req: Request | None, work: Callable[[], Outcome]) -> Outcome:
    """Do `work` once per (owner, key): claim the key, run the command (its commit carries the
    claim), store the outcome. Without a key, just do the work."""
    if req is None:
        return work()
    row = _find(session, req)
    if row is not None:
        return _replay(row, req)
    row = IdempotencyKey(owner=req.owner, key=req.key, fingerprint=req.fingerprint)
    session.add(row)
    try:
        session.flush()  # PostgreSQL: a concurrent twin blocks here until we commit or roll back
    except IntegrityError:
        session.rollback()
        existing = _find(session, req)
        if existing is None:  # the twin rolled back: its command failed, so may ours
            raise Conflict("相同的请求正在处理中，请稍后再试", code="idempotency_in_progress") from None
        return _replay(existing, req)
    try:
        outcome = work()
    except BaseException:
        session.rollback()  # nothing half-written: neither the record nor the claim
        raise
    row.status_code, row.response, row.location = outcome.status_code, outcome.body, outcome.location
    row.completed_at = utcnow()
    session.add(row)
    session.commit()
    return outcome
