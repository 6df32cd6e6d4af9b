"""Where a user may be sent after login: a path on this site, never another host (open redirect)."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, unquote, urlsplit

# Characters a path, query or fragment may keep as they are; everything else is percent-encoded so
# that the Location header is plain ASCII (a raw 中文 path would not survive latin-1 headers).
_KEEP = "/?#&=%:@!$'()*+,;~-._"


def _suspicious(char: str) -> bool:
    """Whitespace, control and format characters (TAB, LF, NBSP, U+202E …) have no place in a target."""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp", "Cs", "Co", "Cn")


def same_site_path(target: str | None, default: str = "/") -> str:
    """`target` when it is a path on this site, else `default`.

    Browsers drop TAB/LF inside URLs and read a backslash as a slash, so `/\t/evil.example/`,
    `/\\evil.example` and `//evil.example` all leave the site. The target is checked after every
    layer of percent-decoding: it must start with exactly one '/', the next character must not be
    '/' or '\\', no backslash anywhere, and no whitespace or control character at all.
    """
    if not target or len(target) > 2000:
        return default
    layers = [target]
    while len(layers) < 5:  # '%252F' → '%2F' → '/': check every layer a proxy or browser might decode
        try:
            decoded = unquote(layers[-1], errors="strict")
        except UnicodeDecodeError:  # '%ff': not text, not a path we would write
            return default
        if decoded == layers[-1]:
            break
        layers.append(decoded)
    else:
        return default
    for text in layers:
        if not text.startswith("/") or text[1:2] in ("/", "\\") or "\\" in text:
            return default
        if any(_suspicious(c) for c in text):
            return default
        parts = urlsplit(text)
        if parts.scheme or parts.netloc:
            return default
    return quote(target, safe=_KEEP)
