"""The one source of the current time, so tests and the sandbox agree on it."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def isoformat(value: datetime | None) -> str | None:
    """Format a datetime as RFC 3339 with a ``Z`` suffix, as Telnyx responses do."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
