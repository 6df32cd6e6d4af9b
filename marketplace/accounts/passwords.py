"""Password hashing (Argon2id through pwdlib) and the password policy."""

from __future__ import annotations

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

# Argon2id; pwdlib's defaults (m=64 MiB, t=3, p=4) exceed OWASP's minimum (m=19 MiB, t=2, p=1).
_hasher = PasswordHash((Argon2Hasher(),))

MIN_LENGTH = 8
MAX_LENGTH = 128
_COMMON = {
    "12345678", "123456789", "1234567890", "password", "password1", "qwertyui", "11111111",
    "88888888", "abcd1234", "iloveyou", "00000000", "a1234567", "qwerty123", "1q2w3e4r",
    "woaini1314", "87654321", "abc12345", "admin123", "zxcvbnm1", "66666666",
}


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return _hasher.verify(password, password_hash)


_DUMMY_HASH = None


def burn_verify_time(password: str) -> None:
    """Spend the same time as a real verification, so unknown accounts answer like wrong passwords."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("dummy-password-for-timing")
    _hasher.verify(password, _DUMMY_HASH)


def password_problem(password: str) -> str | None:
    """None if acceptable, else the Chinese reason (length and a common-password list; no composition rules)."""
    if "\x00" in password:
        return "密码含有不允许的字符"
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 位"
    if len(password) > MAX_LENGTH:
        return f"密码最多 {MAX_LENGTH} 位"
    if password.lower() in _COMMON:
        return "该密码过于常见，请换一个"
    return None
