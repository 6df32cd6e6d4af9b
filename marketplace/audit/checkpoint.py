"""Signed checkpoints of the audit chain's head, kept apart from the chain (T34).

A hash chain proves that no row inside it was changed, removed or reordered, but not that rows are
missing at its end: delete the last 25 rows, or all of them, and what is left still verifies. A
checkpoint fixes the length the chain had: (seq, hash of the row at seq, time), signed with HMAC-SHA256
under the secret key, which lives outside the database, so whoever can write to the database still
cannot forge one. Checkpoints are kept in places that fail independently:

- the `auditcheckpoint` table (append-only by trigger; the application role may only INSERT),
- a JSON-lines file (`Settings.audit_checkpoint_path`, by default under var/), and
- files exported for the bureau's records (`jiebang audit checkpoint --export FILE`), checked back
  with `jiebang audit verify --against FILE`.

Verification walks the chain, then checks it against the newest checkpoint of every source: a chain
shorter than a checkpoint lost its tail (or everything, e.g. TRUNCATE); a row at the checkpoint's seq
with another hash means the tail was replaced. Taking a checkpoint is not itself an audit event: it
would move the head it records, and an idle platform would grow its log by one row per period.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from marketplace.audit.models import AuditCheckpoint, AuditEvent
from marketplace.audit.service import ChainReport, verify_chain
from marketplace.clock import as_utc, utcnow
from marketplace.db import use_case
from marketplace.errors import Conflict, RuleViolation

FORMAT = "jiebang-audit-checkpoint/1"
TABLE = "检查点表"
FILE = "检查点文件"


def _secret() -> bytes:
    from marketplace.config import get_settings

    return get_settings().secret_key.encode()


def _sign(seq: int, head_hash: str, at: datetime) -> str:
    # Domain-separated from the chain's row digests, so no row hash can pass for a signature.
    payload = json.dumps({"format": FORMAT, "seq": seq, "head_hash": head_hash,
                          "at": as_utc(at).isoformat(timespec="microseconds")},
                         sort_keys=True, separators=(",", ":"))
    return hmac.new(_secret(), payload.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    head_hash: str
    at: datetime
    signature: str

    @classmethod
    def signed(cls, seq: int, head_hash: str, at: datetime) -> Checkpoint:
        return cls(seq, head_hash, as_utc(at), _sign(seq, head_hash, at))

    @property
    def authentic(self) -> bool:
        return hmac.compare_digest(self.signature, _sign(self.seq, self.head_hash, self.at))

    def to_dict(self) -> dict:
        return {"format": FORMAT, "seq": self.seq, "head_hash": self.head_hash,
                "at": as_utc(self.at).isoformat(timespec="microseconds"), "signature": self.signature}

    @classmethod
    def from_dict(cls, data: object) -> Checkpoint:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise RuleViolation("不是 jiebang 审计检查点文件")
        try:
            seq, at = data["seq"], datetime.fromisoformat(data["at"])
            head_hash, signature = str(data["head_hash"]), str(data["signature"])
        except (KeyError, TypeError, ValueError) as exc:
            raise RuleViolation("审计检查点文件内容不完整") from exc
        if not isinstance(seq, int) or seq < 0 or at.tzinfo is None:
            raise RuleViolation("审计检查点文件内容不完整")
        return cls(seq, head_hash, as_utc(at), signature)


@dataclass(frozen=True)
class Anchor:
    """A checkpoint and where it came from (named in reports)."""

    source: str
    checkpoint: Checkpoint


def read_file(path: Path) -> list[Checkpoint]:
    """Checkpoints from a file: one exported JSON object, or the JSON-lines file (oldest first)."""
    text = path.read_text(encoding="utf-8").strip()
    if not text:
        return []
    try:
        return [Checkpoint.from_dict(json.loads(text))]  # an exported (pretty-printed) checkpoint
    except json.JSONDecodeError:
        pass  # several lines: the JSON-lines file
    try:
        return [Checkpoint.from_dict(json.loads(line)) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise RuleViolation("审计检查点文件不是有效的 JSON") from exc


def _newest(checkpoints: Iterable[Checkpoint]) -> Checkpoint | None:
    return max(checkpoints, key=lambda c: (c.seq, c.at), default=None)


def stored_anchors(*, session: Session, path: Path | None) -> list[Anchor]:
    """The newest checkpoint in the table and the newest in the file (each if there is one)."""
    anchors = []
    row = session.exec(select(AuditCheckpoint).order_by(col(AuditCheckpoint.seq).desc(),
                                                        col(AuditCheckpoint.id).desc()).limit(1)).first()
    if row is not None:
        anchors.append(Anchor(TABLE, Checkpoint(row.seq, row.head_hash, as_utc(row.at), row.signature)))
    if path is not None and path.exists():
        newest = _newest(read_file(path))
        if newest is not None:
            anchors.append(Anchor(FILE, newest))
    return anchors


def verify(*, session: Session, anchors: Iterable[Anchor]) -> ChainReport:
    """Walk the chain, then check it against each checkpoint; name the first seq that is missing or wrong."""
    report = verify_chain(session=session)
    if not report.ok:
        return report
    anchored = None
    for anchor in anchors:
        cp, source = anchor.checkpoint, anchor.source
        failed = _check_against(session=session, report=report, cp=cp, source=source)
        if failed is not None:
            return failed
        anchored = max(anchored or 0, cp.seq)
    return ChainReport(True, report.checked, head_seq=report.head_seq, head_hash=report.head_hash,
                       anchored_seq=anchored)


def _check_against(*, session: Session, report: ChainReport, cp: Checkpoint, source: str) -> ChainReport | None:
    def fail(seq: int, reason: str) -> ChainReport:
        return ChainReport(False, report.checked, seq, reason, report.head_seq, report.head_hash)

    if not cp.authentic:
        return fail(cp.seq, f"{source}的签名无效（检查点被篡改，或由另一密钥签发）")
    if report.head_seq < cp.seq:
        if report.head_seq == 0:
            return fail(1, f"审计记录已全部被删除或清空（TRUNCATE）：{source}记录到第 {cp.seq} 条，表中没有记录")
        return fail(report.head_seq + 1, f"末尾记录被删除：{source}记录到第 {cp.seq} 条，"
                                         f"表中只到第 {report.head_seq} 条")
    if cp.seq == 0:
        return None
    at_seq = session.exec(select(AuditEvent.hash).where(AuditEvent.seq == cp.seq)).first()
    if at_seq != cp.head_hash:
        return fail(cp.seq, f"第 {cp.seq} 条记录与{source}不符（末尾记录被替换）")
    return None


@use_case
def take(*, session: Session, path: Path | None) -> Checkpoint:
    """Verify the chain against the stored checkpoints, then sign its head into the table and the file.

    Refuses when the chain does not verify, so that a checkpoint never vouches for a tampered log.
    Commits.
    """
    report = verify(session=session, anchors=stored_anchors(session=session, path=path))
    if not report.ok:
        raise Conflict(f"审计链校验失败，未写入检查点：第 {report.first_bad_seq} 条记录 — {report.reason}")
    cp = Checkpoint.signed(report.head_seq, report.head_hash, utcnow())
    session.add(AuditCheckpoint(seq=cp.seq, head_hash=cp.head_hash, at=cp.at, signature=cp.signature))
    session.flush()
    if path is not None:
        _append(path, cp)
    return cp


@use_case
def take_if_due(*, session: Session, path: Path | None, every: timedelta) -> Checkpoint | None:
    """A checkpoint when the newest one is older than `every` and the chain has grown (for the tick).

    One use case: the check and the write share one transaction, which ends here whatever the outcome
    (committed, or rolled back on a refusal), so the caller never has to end it.
    """
    last = session.exec(select(AuditCheckpoint).order_by(col(AuditCheckpoint.id).desc()).limit(1)).first()
    head = session.exec(select(AuditEvent.seq).order_by(col(AuditEvent.seq).desc()).limit(1)).first() or 0
    if last is not None and (as_utc(last.at) + every > utcnow() or last.seq == head):
        return None
    return take(session=session, path=path)


def export(cp: Checkpoint, path: Path) -> None:
    """Write one checkpoint as a JSON file for the bureau's records."""
    path.write_text(json.dumps(cp.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _append(path: Path, cp: Checkpoint) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(cp.to_dict(), separators=(",", ":")) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
