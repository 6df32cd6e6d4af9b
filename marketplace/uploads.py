"""Checked uploads (PDF and Office files): a clean name, an allowed extension whose content signature
matches, a size limit. Used by challenge attachments, contract files and organisation evidence."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from marketplace.errors import RuleViolation

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
ALLOWED = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP,)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,)),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (ZIP,)),
    ".doc": ("application/msword", (OLE,)),
    ".xls": ("application/vnd.ms-excel", (OLE,)),
    ".ppt": ("application/vnd.ms-powerpoint", (OLE,)),
}


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


# Control and invisible format characters: NUL, line breaks, and the bidi controls (U+202E
# RIGHT-TO-LEFT OVERRIDE and friends) that make 'invoice\u202Excod.exe' read as 'invoiceexe.docx'.
_HIDDEN = ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn")


def _clean_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1].strip()
    if any(unicodedata.category(c) in _HIDDEN for c in name):
        message = "文件名含有控制字符或从右到左等不可见的方向控制字符，请重命名后再上传"
        raise RuleViolation(message, fields={"file": message})
    if not name or name.startswith(".") or len(name) > 200:
        raise RuleViolation("文件名无效", fields={"file": "文件名无效"})
    return name


def check_upload(upload: Upload, *, max_bytes: int) -> tuple[str, str]:
    """Validate a file; returns (clean name, content type) or raises RuleViolation."""
    name = _clean_name(upload.filename)
    stem, dot, ext = name.rpartition(".")
    ext = f".{ext.lower()}" if dot else ""
    if ext not in ALLOWED or any(f".{part.lower()}" in {".exe", ".js", ".html", ".php", ".sh"}
                                 for part in stem.split(".")[1:]):
        raise RuleViolation("仅支持 PDF 和 Office 文件（pdf、doc、docx、xls、xlsx、ppt、pptx）",
                            fields={"file": "文件类型不支持"})
    if not upload.data:
        raise RuleViolation("文件为空", fields={"file": "文件为空"})
    if len(upload.data) > max_bytes:
        raise RuleViolation(f"文件超过 {max_bytes // (1024 * 1024)} MB", fields={"file": "文件过大"})
    content_type, signatures = ALLOWED[ext]
    if not any(upload.data.startswith(sig) for sig in signatures):
        raise RuleViolation("文件内容与扩展名不符", fields={"file": "文件内容与扩展名不符"})
    return name, content_type
