"""Bid attachments: files handed in with a bid (in the same transaction as the bid) and the documents
of a 补正. Checked exactly like challenge attachments (challenges/files.py: PDF/Office by extension and
signature, size, no hidden or right-to-left characters in the name); stored under var/uploads by a random
name; read only through the bid's sealing rules (bids/queries.get_for)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from sqlmodel import Session, col, func, select

from marketplace.actor import Actor
from marketplace.audit import service as audit
from marketplace.bids import queries
from marketplace.bids.models import Bid, BidAttachment
from marketplace.challenges.files import Upload, check_upload
from marketplace.clock import utcnow
from marketplace.db import atomic
from marketplace.errors import NotFound, RuleViolation

MAX_FILES = 20
T = TypeVar("T")


def check_all(uploads: Sequence[Upload], *, max_bytes: int) -> None:
    """Every file is acceptable (before anything is written); errors name the file."""
    for upload in uploads:
        try:
            check_upload(upload, max_bytes=max_bytes)
        except RuleViolation as exc:
            message = f"附件“{upload.filename[:60]}”：{exc.message}"
            raise RuleViolation(message, fields={"attachments": message}) from None


def with_files(session: Session, uploads_dir: Path, uploads: Sequence[Upload], max_bytes: int,
               work: Callable[[Callable[[Actor, Bid, bool], list[BidAttachment]]], T]) -> T:
    """Run `work` (which creates or changes a bid and then stores the files through the function it is
    given) in one transaction: the bid and its files, or neither (written files are removed on error)."""
    check_all(uploads, max_bytes=max_bytes)
    written: list[Path] = []

    def store(actor: Actor, bid: Bid, supplement: bool) -> list[BidAttachment]:
        return _store(session, actor, bid, uploads, uploads_dir, written, supplement)

    try:
        with atomic(session):
            return work(store)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)  # nothing half-written
        raise


def _store(session: Session, actor: Actor, bid: Bid, uploads: Sequence[Upload], uploads_dir: Path,
           written: list[Path], supplement: bool) -> list[BidAttachment]:
    count = session.exec(select(func.count()).select_from(BidAttachment).where(BidAttachment.bid_id == bid.id)).one()
    if count + len(uploads) > MAX_FILES:
        message = f"每份揭榜方案最多 {MAX_FILES} 个附件"
        raise RuleViolation(message, fields={"attachments": message})
    items = []
    for upload in uploads:
        name, content_type = check_upload(upload, max_bytes=len(upload.data) or 1)
        path = uploads_dir / secrets.token_hex(16)
        path.parent.mkdir(parents=True, exist_ok=True)
        written.append(path)
        path.write_bytes(upload.data)
        item = BidAttachment(bid_id=bid.id, filename=name, content_type=content_type, size=len(upload.data),
                             sha256=hashlib.sha256(upload.data).hexdigest(), storage_key=path.name,
                             supplement=supplement, uploaded_by=actor.user_id, uploaded_at=utcnow())
        session.add(item)
        session.flush()
        audit.record(session=session, actor=actor, action="bid.attachment_added", subject_type="bid",
                     subject_id=bid.id, summary={"file": name, "size": item.size, "sha256": item.sha256,
                                                 "supplement": supplement})
        items.append(item)
    return items


def request_fingerprint(bid: dict, submit: bool, uploads: Sequence[Upload]) -> bytes:
    """What an API bid with files means, independent of its multipart framing (boundaries differ between
    retries): the bid fields, the submit flag and each file's name and SHA-256, canonical JSON."""
    import json

    return json.dumps({"bid": bid, "submit": submit,
                       "files": [[u.filename, hashlib.sha256(u.data).hexdigest()] for u in uploads]},
                      sort_keys=True, ensure_ascii=False).encode()


def of_bid(*, session: Session, bid: Bid) -> list[BidAttachment]:
    """The files of a bid the caller has already loaded through the sealing rules."""
    return list(session.exec(select(BidAttachment).where(BidAttachment.bid_id == bid.id)
                             .order_by(col(BidAttachment.id))).all())


def sealed_digests(*, session: Session, bid: Bid) -> list[str]:
    """The SHA-256 of the files handed in with the bid itself (not 补正 documents, which come after the
    bid was opened): what its receipt covers."""
    return list(session.exec(select(BidAttachment.sha256).where(BidAttachment.bid_id == bid.id,
                                                                 col(BidAttachment.supplement).is_(False))).all())


def open_attachment(*, session: Session, actor: Actor, bid_id: int, attachment_id: int, uploads_dir: Path
                    ) -> tuple[BidAttachment, Path]:
    """A file of a bid the actor may read (else NotFound, as for the bid itself)."""
    bid = queries.get_for(session=session, actor=actor, bid_id=bid_id, now=utcnow())
    item = session.get(BidAttachment, attachment_id)
    if item is None or item.bid_id != bid.id:
        raise NotFound("附件不存在")
    path = uploads_dir / item.storage_key
    if not path.exists():
        raise NotFound("附件文件缺失，请联系管理员")
    return item, path
