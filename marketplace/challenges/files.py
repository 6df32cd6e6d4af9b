"""Challenge attachments and the confidential annex.

Files are PDF or Office documents, checked by extension AND content signature, limited in size,
stored under var/uploads by a random name (never under the web root) and always downloaded as
attachments. Confidential files follow the annex rule: the company, officers, and verified teams
that accepted the confidentiality terms (their acceptance is recorded).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from marketplace.actor import Actor
from marketplace.audit import service as audit
from marketplace.challenges import permissions, queries, service
from marketplace.challenges.models import Attachment, Challenge, ChallengeStatus, ConfidentialityAcceptance
from marketplace.challenges.schemas import ChallengeIn
from marketplace.db import atomic, use_case
from marketplace.errors import Conflict, Forbidden, NotFound, RuleViolation
from marketplace.uploads import ALLOWED, OLE, ZIP, Upload, check_upload  # noqa: F401 (the checks moved)

MAX_FILES = 20


def add_attachment(*, session: Session, actor: Actor, challenge_id: int, upload: Upload,
                   confidential: bool, uploads_dir: Path, max_bytes: int) -> Attachment:
    """Attach a file to the company's own challenge: the row and the file, or neither."""
    path = uploads_dir / secrets.token_hex(16)
    try:
        with atomic(session):
            return _add(session, actor, challenge_id, upload, confidential, path, max_bytes)
    except BaseException:
        path.unlink(missing_ok=True)  # nothing half-written
        raise


def _add(session: Session, actor: Actor, challenge_id: int, upload: Upload, confidential: bool,
         path: Path, max_bytes: int) -> Attachment:
    challenge = queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    allowed, reason = permissions.can_upload(actor, challenge)
    if not allowed:
        raise (Forbidden if not permissions.can_manage(actor, challenge)[0] else Conflict)(reason)
    name, content_type = check_upload(upload, max_bytes=max_bytes)
    if len(queries.attachments(session=session, challenge_id=challenge.id, include_confidential=True)) >= MAX_FILES:
        raise RuleViolation(f"每个榜单最多 {MAX_FILES} 个附件", fields={"file": "附件数量已达上限"})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(upload.data)
    item = Attachment(challenge_id=challenge.id, filename=name, content_type=content_type,
                      size=len(upload.data), sha256=hashlib.sha256(upload.data).hexdigest(),
                      storage_key=path.name, confidential=confidential, uploaded_by=actor.user_id)
    session.add(item)
    session.flush()
    audit.record(session=session, actor=actor, action="attachment.added", subject_type="challenge",
                 subject_id=challenge.id, summary={"file": name, "size": len(upload.data),
                                                   "confidential": confidential, "sha256": item.sha256})
    return item


def save_with_attachments(*, session: Session, actor: Actor, data: ChallengeIn, and_submit: bool,
                          challenge_id: int | None = None, uploads: Sequence[Upload], uploads_dir: Path,
                          max_bytes: int) -> Challenge:
    """Save (and optionally submit) a challenge with the files chosen in its form, in one transaction:
    the challenge and its files, or neither (files written before an error are removed)."""
    for upload in uploads:  # every file is checked before anything is written; the error names the file
        try:
            check_upload(upload, max_bytes=max_bytes)
        except RuleViolation as exc:
            message = f"附件“{upload.filename[:60]}”：{exc.message}"
            raise RuleViolation(message, fields={"attachments": message}) from None
    written: list[Path] = []
    try:
        with atomic(session):
            challenge = service.save(session=session, actor=actor, data=data, challenge_id=challenge_id)
            for upload in uploads:
                written.append(uploads_dir / secrets.token_hex(16))
                _add(session, actor, challenge.id, upload, False, written[-1], max_bytes)
            if and_submit and challenge.status in (ChallengeStatus.DRAFT, ChallengeStatus.RETURNED):
                service.submit(session=session, actor=actor, challenge_id=challenge.id)
            return challenge
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def open_attachment(*, session: Session, actor: Actor, attachment_id: int, uploads_dir: Path
                    ) -> tuple[Attachment, Path]:
    """An attachment the actor may download, and where its bytes are."""
    item = session.get(Attachment, attachment_id)
    if item is None:
        raise NotFound("附件不存在")
    challenge = queries.get_for(session=session, actor=actor, challenge_id=item.challenge_id)
    if item.confidential:
        accepted = queries.has_accepted_terms(session=session, actor=actor, challenge_id=challenge.id)
        if not permissions.can_read_annex(actor, challenge, accepted=accepted)[0]:
            raise NotFound("附件不存在")
    path = uploads_dir / item.storage_key
    if not path.exists():
        raise NotFound("附件文件缺失，请联系管理员")
    return item, path


@use_case
def accept_terms(*, session: Session, actor: Actor, challenge_id: int) -> ConfidentialityAcceptance:
    """Record that a verified team accepts the challenge's confidentiality terms (保密承诺)."""
    challenge: Challenge = queries.get_for(session=session, actor=actor, challenge_id=challenge_id)
    allowed, reason = permissions.can_accept_terms(actor, challenge)
    if not allowed:
        raise Forbidden(reason)
    if queries.has_accepted_terms(session=session, actor=actor, challenge_id=challenge.id):
        raise Conflict("本单位已签署该榜单的保密承诺")
    item = ConfidentialityAcceptance(challenge_id=challenge.id, organisation_id=actor.organisation_id,
                                     user_id=actor.user_id)
    session.add(item)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("本单位已签署该榜单的保密承诺") from exc
    audit.record(session=session, actor=actor, action="challenge.terms_accepted", subject_type="challenge",
                 subject_id=challenge.id, summary={"organisation_id": actor.organisation_id})
    return item
