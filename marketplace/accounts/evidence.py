"""The evidence an officer checks before verifying an organisation (issue 13): the legal representative
(法定代表人) and the business licence or legal-person certificate (营业执照 / 事业单位法人证书).

Given at registration or later by a user of the organisation until it is verified; the file is checked
and stored like challenge attachments (marketplace/uploads.py: type by extension and content, size,
random name under var/uploads, always downloaded as an attachment). Officers and the organisation's own
users may download it; nobody else.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session

from marketplace.accounts.models import Organisation, OrgStatus, User
from marketplace.actor import Actor, Role
from marketplace.audit import service as audit
from marketplace.clock import utcnow
from marketplace.db import atomic
from marketplace.errors import Conflict, Forbidden, NotFound, RuleViolation
from marketplace.uploads import ALLOWED, Upload, _clean_name, check_upload

IMAGES = {".jpg": ("image/jpeg", b"\xff\xd8\xff"), ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
          ".png": ("image/png", b"\x89PNG\r\n\x1a\n")}


def can_give(actor: Actor, org: Organisation) -> tuple[bool, str]:
    if actor.has_role(Role.COMPANY, Role.TEAM) and actor.organisation_id == org.id:
        if org.status == OrgStatus.VERIFIED:
            return False, "单位已认证，认证材料不能再修改；如有变更请联系科技局"
        return True, ""
    return False, "只有本单位的账号可以提交认证材料"


def can_read(actor: Actor, org: Organisation) -> bool:
    return actor.has_role(Role.OFFICER, Role.ADMIN) or actor.organisation_id == org.id


def _check(upload: Upload, max_bytes: int) -> str:
    parts = upload.filename.rsplit(".", 1)
    ext = f".{parts[-1].lower()}" if len(parts) == 2 else ""
    if ext in IMAGES:
        name = _clean_name(upload.filename)
        if not upload.data:
            raise RuleViolation("文件为空", fields={"file": "文件为空"})
        if not upload.data.startswith(IMAGES[ext][1]):
            raise RuleViolation("文件内容与扩展名不符", fields={"file": "文件内容与扩展名不符"})
        if len(upload.data) > max_bytes:
            raise RuleViolation(f"文件超过 {max_bytes // (1024 * 1024)} MB", fields={"file": "文件过大"})
        return name
    return check_upload(upload, max_bytes=max_bytes)[0]


def give(*, session: Session, actor: Actor, organisation_id: int, legal_representative: str,
         upload: Upload | None, uploads_dir: Path, max_bytes: int) -> Organisation:
    """Record the legal representative and (optionally) a new licence file: the row and the file, or neither."""
    path = uploads_dir / secrets.token_hex(16)
    try:
        with atomic(session):
            return _give(session, actor, organisation_id, legal_representative, upload, path, max_bytes)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _give(session: Session, actor: Actor, organisation_id: int, legal_representative: str,
          upload: Upload | None, path: Path, max_bytes: int) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("单位不存在")
    allowed, reason = can_give(actor, org)
    if not allowed:
        raise (Conflict if actor.organisation_id == org.id else Forbidden)(reason)
    rep = " ".join(legal_representative.split())
    if not rep or len(rep) > 50:
        message = "请填写法定代表人姓名（50 字以内）"
        raise RuleViolation(message, fields={"legal_representative": message})
    if upload is None and not org.licence_storage_key:
        raise RuleViolation("请上传营业执照或法人证书", fields={"file": "请上传营业执照或法人证书"})
    changed = ["legal_representative"] if rep != org.legal_representative else []
    org.legal_representative = rep
    if upload is not None:
        _store(org, upload, path, _check(upload, max_bytes))
        changed.append("licence")
    session.add(org)
    session.flush()
    audit.record(session=session, actor=actor, action="organisation.evidence", subject_type="organisation",
                 subject_id=org.id, summary={"fields": changed, **({"file": org.licence_filename} if upload else {})})
    return org


def _store(org: Organisation, upload: Upload, path: Path, name: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(upload.data)
    org.licence_filename, org.licence_storage_key = name[:200], path.name
    org.licence_sha256, org.licence_size = hashlib.sha256(upload.data).hexdigest(), len(upload.data)
    org.licence_uploaded_at = utcnow()


def register_with_licence(*, session: Session, register: Callable[[], User], upload: Upload | None,
                          uploads_dir: Path, max_bytes: int) -> User:
    """Registration with the business licence chosen on the registration form itself: `register` (which
    makes the pending organisation and its first account) and the file in one transaction, or neither.
    The file is checked like a later upload (type by extension and content, size) before anything is
    written; its errors are about the form's "licence" field. A registration that becomes a join request
    (the organisation exists) stores no file: the organisation's own evidence stays as it is."""
    name = None
    if upload is not None:
        try:
            name = _check(upload, max_bytes)
        except RuleViolation as exc:
            message = f"营业执照 / 法人证书：{exc.message}"
            raise RuleViolation(message, fields={"licence": message}) from None
    path = uploads_dir / secrets.token_hex(16)
    try:
        with atomic(session):
            user = register()
            if upload is not None and name and user.is_active:
                org = session.get(Organisation, user.organisation_id)
                _store(org, upload, path, name)
                session.add(org)
                session.flush()
                audit.record(session=session, actor=Actor(user.id, user.role, org.id, user.display_name),
                             action="organisation.evidence", subject_type="organisation", subject_id=org.id,
                             summary={"fields": ["licence"], "file": org.licence_filename, "at": "registration"})
            return user
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def open_licence(*, session: Session, actor: Actor, organisation_id: int, uploads_dir: Path
                 ) -> tuple[Organisation, Path, str]:
    """The licence file the actor may download, where it is, and its media type."""
    org = session.get(Organisation, organisation_id)
    if org is None or not can_read(actor, org) or not org.licence_storage_key:
        raise NotFound("文件不存在")
    path = uploads_dir / org.licence_storage_key
    if not path.exists():
        raise NotFound("文件缺失，请联系管理员")
    ext = "." + org.licence_filename.rsplit(".", 1)[-1].lower()
    media = IMAGES[ext][0] if ext in IMAGES else ALLOWED.get(ext, ("application/octet-stream",))[0]
    return org, path, media
