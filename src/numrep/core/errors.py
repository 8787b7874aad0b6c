"""The one base error and the Telnyx error envelope.

Every 4xx and 5xx body has the shape ``{"errors": [{code, title, detail, source,
meta}]}`` with a string ``code`` from the Telnyx catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ERROR_DOCS_URL = "https://developers.telnyx.com/docs/overview/errors/{code}"

# Telnyx catalogue codes used by numrep.
CODE_INVALID_PARAMETERS = "10005"
CODE_STATE_GUARD = "10015"
CODE_NOT_FOUND = "10009"
CODE_CONFLICT = "10021"
CODE_FORBIDDEN = "10010"
CODE_UNAUTHORIZED = "10001"
CODE_UNEXPECTED = "10007"
CODE_METHOD_NOT_ALLOWED = "10006"
CODE_UNSUPPORTED_MEDIA = "10008"
CODE_RATE_LIMITED = "10011"
CODE_PAYLOAD_TOO_LARGE = "10012"

# An error response lists at most this many entries, plus one entry that counts
# the rest, so a body with thousands of bad values gets a short answer quickly.
MAX_ERRORS_PER_RESPONSE = 20


@dataclass(frozen=True, slots=True)
class ErrorItem:
    """One entry of the ``errors`` array."""

    code: str
    title: str
    detail: str
    pointer: str | None = None
    parameter: str | None = None

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.code,
            "title": self.title,
            "detail": self.detail,
        }
        source: dict[str, str] = {}
        if self.pointer is not None:
            source["pointer"] = self.pointer
        if self.parameter is not None:
            source["parameter"] = self.parameter
        if source:
            body["source"] = source
        body["meta"] = {"url": ERROR_DOCS_URL.format(code=self.code)}
        return body


@dataclass
class NumrepError(Exception):
    """Base of every error that reaches a client; rendered by one handler."""

    status_code: int
    items: Sequence[ErrorItem]
    headers: Mapping[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(f"{item.code} {item.detail}" for item in self.items)

    def body(self) -> dict[str, Any]:
        return error_body(self.items)


def error_body(items: Sequence[ErrorItem]) -> dict[str, Any]:
    """Render at most ``MAX_ERRORS_PER_RESPONSE`` items and count the rest."""
    shown = list(items[:MAX_ERRORS_PER_RESPONSE])
    hidden = len(items) - len(shown)
    rendered = [item.to_dict() for item in shown]
    if hidden > 0:
        first = shown[0]
        rendered.append(
            ErrorItem(
                code=first.code,
                title=first.title,
                detail=f"{hidden} more errors of this request are not listed; "
                "fix the ones above and send it again.",
            ).to_dict()
        )
    return {"errors": rendered}


def _single(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    pointer: str | None = None,
    parameter: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> NumrepError:
    item = ErrorItem(code, title, detail, pointer=pointer, parameter=parameter)
    return NumrepError(status, [item], dict(headers or {}))


class NotFoundError(NumrepError):
    """Raised when a resource does not exist or belongs to another account."""

    def __init__(self, detail: str, *, parameter: str | None = None) -> None:
        err = _single(
            404, CODE_NOT_FOUND, "Resource not found", detail, parameter=parameter
        )
        super().__init__(err.status_code, err.items, err.headers)


class InvalidParametersError(NumrepError):
    """Raised for a body or query value that breaks the contract (422)."""

    def __init__(self, items: Sequence[ErrorItem]) -> None:
        super().__init__(422, list(items), {})

    @classmethod
    def at(
        cls, detail: str, *, pointer: str | None = None, parameter: str | None = None
    ) -> InvalidParametersError:
        return cls([invalid_item(detail, pointer=pointer, parameter=parameter)])


def invalid_item(
    detail: str, *, pointer: str | None = None, parameter: str | None = None
) -> ErrorItem:
    return ErrorItem(
        CODE_INVALID_PARAMETERS,
        "Invalid parameters",
        detail,
        pointer=pointer,
        parameter=parameter,
    )


class StateGuardError(NumrepError):
    """Raised when a well-formed request is refused by the resource's state (400)."""

    def __init__(self, detail: str, *, pointer: str | None = None) -> None:
        err = _single(400, CODE_STATE_GUARD, "Bad Request", detail, pointer=pointer)
        super().__init__(err.status_code, err.items, err.headers)


class ConflictError(NumrepError):
    """Raised on a deterministic conflict (409); a header stops SDK retries."""

    def __init__(self, items: Sequence[ErrorItem]) -> None:
        super().__init__(409, list(items), {"x-should-retry": "false"})

    @classmethod
    def single(cls, detail: str, *, pointer: str | None = None) -> ConflictError:
        return cls([conflict_item(detail, pointer=pointer)])


def conflict_item(detail: str, *, pointer: str | None = None) -> ErrorItem:
    return ErrorItem(CODE_CONFLICT, "Resource in use", detail, pointer=pointer)


class ForbiddenError(NumrepError):
    """Raised when the account may not perform the action (403)."""

    def __init__(self, detail: str) -> None:
        err = _single(403, CODE_FORBIDDEN, "Forbidden", detail)
        super().__init__(err.status_code, err.items, err.headers)


class AuthenticationError(NumrepError):
    """Raised for a missing, malformed, unknown or revoked API key (401)."""

    def __init__(self, detail: str) -> None:
        err = _single(
            401,
            CODE_UNAUTHORIZED,
            "Authentication failed",
            detail,
            headers={"WWW-Authenticate": "Bearer"},
        )
        super().__init__(err.status_code, err.items, err.headers)


class RateLimitedError(NumrepError):
    """Raised when a per-enterprise rate limit is exceeded (429)."""

    def __init__(self, detail: str, *, retry_after_seconds: int) -> None:
        err = _single(
            429,
            CODE_RATE_LIMITED,
            "Too many requests",
            detail,
            headers={"Retry-After": str(retry_after_seconds)},
        )
        super().__init__(err.status_code, err.items, err.headers)
