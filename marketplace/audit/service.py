"""Write and verify the hash-chained audit log. Callers commit; `record` never does."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from marketplace.actor import Actor
from marketplace.audit.models import AuditEvent
from marketplace.clock import as_utc, utcnow
from marketplace.db import serialize_writers

GENESIS = "0" * 64
_AUDIT_LOCK = 0x4A42_0001


def _secret() -> bytes:
    from marketplace.config import get_settings

    return get_settings().secret_key.encode()


def _digest(event: AuditEvent, prev_hash: str) -> str:
    payload = json.dumps(
        {
            "seq": event.seq,
            "at": as_utc(event.at).isoformat(timespec="microseconds"),
            "actor_id": event.actor_id,
            "actor_label": event.actor_label,
            "action": event.action,
            "subject": [event.subject_type, event.subject_id],
            "summary": event.summary,
            "prev": prev_hash,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hmac.new(_secret(), payload.encode(), hashlib.sha256).hexdigest()


def record(
    *, session: Session, actor: Actor, action: str, subject_type: str, subject_id: object,
    summary: dict | None = None,
) -> AuditEvent:
    """Append one audit event to the chain inside the caller's transaction."""
    serialize_writers(session, _AUDIT_LOCK)
    last = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(1)).first()
    prev_hash = last.hash if last else GENESIS
    now = utcnow()
    if last and as_utc(last.at) > now:  # keep the chain's time monotonic
        now = as_utc(last.at)
    event = AuditEvent(
        seq=(last.seq + 1) if last else 1,
        at=now,
        actor_id=actor.user_id,
        actor_label=actor.label[:120],
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        summary=summary or {},
        prev_hash=prev_hash,
        hash="",
    )
    event.hash = _digest(event, prev_hash)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""
    head_seq: int = 0  # the last row that verified (0: none)
    head_hash: str = GENESIS
    anchored_seq: int | None = None  # the newest checkpoint the chain was checked against


def verify_chain(*, session: Session, batch: int = 1000) -> ChainReport:
    """Walk the chain in order; name the first row whose link or digest does not verify."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    last_at: datetime | None = None
    offset = 0
    while True:
        rows = session.exec(
            select(AuditEvent).order_by(col(AuditEvent.seq)).offset(offset).limit(batch)
        ).all()
        if not rows:
            return ChainReport(ok=True, checked=checked, head_seq=expected_seq - 1, head_hash=prev_hash)
        for row in rows:
            if row.seq != expected_seq:
                return ChainReport(False, checked, expected_seq, f"缺少序号 {expected_seq} 的记录")
            if row.prev_hash != prev_hash:
                return ChainReport(False, checked, row.seq, "与上一条记录的链接不符")
            if not hmac.compare_digest(row.hash, _digest(row, prev_hash)):
                return ChainReport(False, checked, row.seq, "内容摘要不符（记录被修改）")
            if last_at is not None and as_utc(row.at) < last_at:
                return ChainReport(False, checked, row.seq, "时间早于上一条记录")
            prev_hash, expected_seq, last_at = row.hash, expected_seq + 1, as_utc(row.at)
            checked += 1
        offset += batch
