"""Login sessions, API tokens, password reset and login rate limiting (over accounts' users)."""

from marketplace.accounts import sessions as _sessions
from marketplace.auth import service as _service

_sessions.install(_service)
