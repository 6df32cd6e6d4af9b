"""Evidence files and payment vouchers: checked by extension AND content signature, stored under
var/uploads by a random name (challenges/files.py's rules, plus scanned images for vouchers)."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from sqlmodel import Session

from marketplace.actor import Actor
from marketplace.challenges.files import ALLOWED as OFFICE
from marketplace.challenges.files import Upload, check_upload
from marketplace.contracts.models import ContractFile
from marketplace.errors import RuleViolation

IMAGES = {".jpg": ("image/jpeg", (b"\xff\xd8\xff",)), ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
          ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",))}
VOUCHER = {".pdf": OFFICE[".pdf"], **IMAGES}
EVIDENCE = {**OFFICE, **IMAGES}
KIND_TEXT = {"voucher": "付款凭证仅支持 PDF、JPG、PNG 文件",
             "report": "证明材料仅支持 PDF、Office 文档和 JPG、PNG 图片",
             "acceptance": "证明材料仅支持 PDF、Office 文档和 JPG、PNG 图片"}

__all__ = ["Upload", "check", "store"]


def check(upload: Upload, *, purpose: str, max_bytes: int) -> tuple[str, str]:
    """(clean name, content type) of an acceptable file for `purpose`, or RuleViolation (field `file`)."""
    allowed = VOUCHER if purpose == "voucher" else EVIDENCE
    name = upload.filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in allowed:
        raise RuleViolation(KIND_TEXT[purpose], fields={"file": KIND_TEXT[purpose]})
    if ext in OFFICE:  # the challenge rules: name, size, signature
        return check_upload(upload, max_bytes=max_bytes)
    content_type, signatures = allowed[ext]
    # Same name and size rules as office files, checked through a harmless stand-in extension.
    check_upload(Upload(filename=name[: -len(ext)] + ".pdf", data=b"%PDF-" + upload.data[:1]), max_bytes=max_bytes)
    if not upload.data:
        raise RuleViolation("文件为空", fields={"file": "文件为空"})
    if len(upload.data) > max_bytes:
        raise RuleViolation(f"文件超过 {max_bytes // (1024 * 1024)} MB", fields={"file": "文件过大"})
    if not any(upload.data.startswith(sig) for sig in signatures):
        raise RuleViolation("文件内容与扩展名不符", fields={"file": "文件内容与扩展名不符"})
    return name, content_type


def store(*, session: Session, actor: Actor, contract_id: int, upload: Upload, purpose: str,
          uploads_dir: Path, max_bytes: int, written: list[Path]) -> ContractFile:
    """Check and write the file, add its row (flushed); the path goes to `written` so that the caller
    removes it again when the use case rolls back."""
    name, content_type = check(upload, purpose=purpose, max_bytes=max_bytes)
    key = secrets.token_hex(16)
    uploads_dir.mkdir(parents=True, exist_ok=True)
    path = uploads_dir / key
    path.write_bytes(upload.data)
    written.append(path)
    row = ContractFile(contract_id=contract_id, purpose=purpose, filename=name, content_type=content_type,
                       size=len(upload.data), sha256=hashlib.sha256(upload.data).hexdigest(), storage_key=key,
                       uploaded_by=actor.user_id)
    session.add(row)
    session.flush()
    return row
