"""Domain errors: one type per kind of refusal, each with a code, a message and field errors.

Services raise them; the API handler renders them as {"error": {...}} with the status below,
and pages show `message` on the form.
"""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """A refusal a person can read: `code` for machines, `message` for people."""

    http_status: ClassVar[int] = 400
    default_code: ClassVar[str] = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.fields = {name: [str(m) for m in msgs] for name, msgs in (fields or {}).items()}

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "fields": self.fields}


class InvalidInput(DomainError):
    http_status = 400
    default_code = "invalid_input"


class NotAllowed(DomainError):
    http_status = 403
    default_code = "not_allowed"


class NotFound(DomainError):
    http_status = 404
    default_code = "not_found"


class TransitionNotAllowed(DomainError):
    http_status = 409
    default_code = "transition_not_allowed"


class Conflict(DomainError):
    http_status = 409
    default_code = "conflict"


class Unprocessable(DomainError):
    """Well-formed but cannot be done as asked, e.g. an idempotency key reused for another body."""

    http_status = 422
    default_code = "unprocessable"


def require(condition: bool, message: str, *, code: str = "not_allowed") -> None:
    """Raise NotAllowed unless `condition` holds."""
    if not condition:
        raise NotAllowed(message, code=code)
