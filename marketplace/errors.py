"""Domain errors. HTTP exists only at the edge (web/errors.py maps these to status codes)."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises; `message` is shown to people (Chinese)."""

    code = "domain_error"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class InvalidTransition(DomainError):
    code = "invalid_transition"


class Conflict(DomainError):
    code = "conflict"


class RuleViolation(DomainError):
    """Input that breaks a business rule or fails validation (HTTP 422)."""

    code = "validation_error"


class RateLimited(DomainError):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after
