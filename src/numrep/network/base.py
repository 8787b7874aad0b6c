"""The connector protocol every call-analytics network implements.

A connector is synchronous and thread-safe: the gateway runs its batches in a
thread pool, bounded per network. Calls that open or escalate a review carry an
idempotency key, ``{request_id}:{phone_number}:{network}:{tier}``, and a network
must return the existing review for a key it has seen, so a retried step never
opens a second review.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable


class NetworkName(StrEnum):
    """Names of the US call-analytics networks built into numrep."""

    HIYA = "hiya"
    FIRST_ORION = "first_orion"
    TNS = "tns"


class ReviewOutcome(StrEnum):
    """The state of a review at one network."""

    PENDING = "pending"
    CLEARED = "cleared"
    UPHELD = "upheld"
    NEEDS_INFO = "needs_more_information"


@dataclass(frozen=True, slots=True)
class LookupResult:
    """One network's lookup result for one number."""

    phone_number: str
    network: str
    flagged: bool
    label: str | None = None
    maturity_score: int | None = None
    connection_score: int | None = None
    engagement_score: int | None = None
    sentiment_score: int | None = None
    checked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReviewRequest:
    """A request to re-evaluate one number at one network."""

    phone_number: str
    idempotency_key: str
    tier: int
    call_purpose: str
    enterprise_name: str
    contact_email: str | None = None


@dataclass(frozen=True, slots=True)
class ReviewStatus:
    """A review opened at a network and, once decided, its outcome."""

    review_id: str
    idempotency_key: str
    phone_number: str
    outcome: ReviewOutcome
    decided_at: datetime | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class NetworkInfo:
    name: str
    kind: str
    supports_escalation: bool
    max_batch: int = 100
    max_concurrency: int = 8
    extra: dict[str, str] = field(default_factory=dict)


class NetworkError(Exception):
    """A failed call to a network; ``retryable`` is true when a retry may succeed."""

    def __init__(
        self,
        message: str,
        *,
        network: str,
        retryable: bool,
        retry_after_seconds: float | None = None,
    ) -> None:
        super().__init__(message)
        self.network = network
        self.retryable = retryable
        self.retry_after_seconds = retry_after_seconds


@runtime_checkable
class Connector(Protocol):
    """One call-analytics network."""

    info: NetworkInfo

    def lookup(self, phone_numbers: Sequence[str]) -> list[LookupResult]:
        """Look up at most ``info.max_batch`` numbers; one result per number."""
        ...

    def open_reviews(self, requests: Sequence[ReviewRequest]) -> list[ReviewStatus]:
        """Open tier-1 reviews (idempotent per key); one status per request."""
        ...

    def collect(self, review_ids: Sequence[str]) -> list[ReviewStatus]:
        """Return the current status of each review."""
        ...

    def escalate(self, requests: Sequence[ReviewRequest]) -> list[ReviewStatus]:
        """Open tier-2 reviews where ``info.supports_escalation`` is true."""
        ...
