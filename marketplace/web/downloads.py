"""Every file response (attachments and exports) is built here, with one Content-Disposition rule."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import quote

from starlette.responses import FileResponse, Response

_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._-]+")


def _visible(name: str) -> str:
    """The name without control, bidi or other invisible format characters, and without paths."""
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"))
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "download"


def ascii_fallback(name: str) -> str:
    """'技术要求 v2.pdf' → 'v2.pdf'-like ASCII for clients that ignore filename* ('download.pdf' if none)."""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ascii_stem = _UNSAFE_ASCII.sub("_", unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode())
    ascii_stem = ascii_stem.strip("._") or "download"
    ascii_ext = _UNSAFE_ASCII.sub("", ext)
    return f"{ascii_stem}.{ascii_ext}" if ascii_ext else ascii_stem


def content_disposition(filename: str, *, fallback: str | None = None, inline: bool = False) -> str:
    """RFC 6266: `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 5987/8187)."""
    name = _visible(filename)
    plain = ascii_fallback(_visible(fallback) if fallback else name)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def download(body: bytes, *, filename: str, media_type: str, fallback: str | None = None) -> Response:
    """Bytes built in memory (exports) as a download."""
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": content_disposition(filename, fallback=fallback)})


def file_download(path: Path, *, filename: str, media_type: str) -> FileResponse:
    """A stored file (attachments) as a download, never rendered inline."""
    return FileResponse(path, media_type=media_type,
                        headers={"Content-Disposition": content_disposition(filename)})
