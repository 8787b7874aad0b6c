"""JSON bodies of the network adapter protocol, shared by client and server.

The protocol is described in ``docs/network-protocol.md``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from numrep.network.base import (
    LookupResult,
    NetworkInfo,
    ReviewOutcome,
    ReviewRequest,
    ReviewStatus,
)
from numrep.phone.e164 import E164_PATTERN

PhoneNumber = Annotated[str, Field(pattern=E164_PATTERN)]
Score = Field(default=None, ge=0, le=100)
MAX_ITEMS = 1000


class _Body(BaseModel):
    # Adapters may add fields, and numrep ignores the unknown ones.
    model_config = ConfigDict(extra="ignore")


class LookupBody(_Body):
    phone_numbers: list[PhoneNumber] = Field(min_length=1, max_length=MAX_ITEMS)


class LookupItem(_Body):
    phone_number: str
    flagged: bool
    label: str | None = None
    maturity_score: int | None = Score
    connection_score: int | None = Score
    engagement_score: int | None = Score
    sentiment_score: int | None = Score
    checked_at: datetime | None = None

    @classmethod
    def of(cls, result: LookupResult) -> LookupItem:
        return cls(
            phone_number=result.phone_number,
            flagged=result.flagged,
            label=result.label,
            maturity_score=result.maturity_score,
            connection_score=result.connection_score,
            engagement_score=result.engagement_score,
            sentiment_score=result.sentiment_score,
            checked_at=result.checked_at,
        )

    def to_result(self, network: str) -> LookupResult:
        values = self.model_dump()
        values["checked_at"] = _as_utc(self.checked_at)
        return LookupResult(network=network, **values)


class LookupResponse(_Body):
    results: list[LookupItem]


class ReviewItem(_Body):
    phone_number: PhoneNumber
    idempotency_key: str = Field(min_length=1, max_length=255)
    tier: int = Field(ge=1, le=2)
    call_purpose: str = Field(max_length=2000)
    enterprise_name: str = Field(max_length=255)
    contact_email: str | None = Field(default=None, max_length=320)

    @classmethod
    def of(cls, request: ReviewRequest) -> ReviewItem:
        return cls(
            phone_number=request.phone_number,
            idempotency_key=request.idempotency_key,
            tier=request.tier,
            call_purpose=request.call_purpose,
            enterprise_name=request.enterprise_name,
            contact_email=request.contact_email,
        )

    def to_request(self) -> ReviewRequest:
        return ReviewRequest(**self.model_dump())


class ReviewsBody(_Body):
    reviews: list[ReviewItem] = Field(min_length=1, max_length=MAX_ITEMS)


class ReviewStatusItem(_Body):
    review_id: str = Field(min_length=1, max_length=255)
    idempotency_key: str
    phone_number: str
    outcome: ReviewOutcome
    decided_at: datetime | None = None
    detail: str | None = None

    @classmethod
    def of(cls, status: ReviewStatus) -> ReviewStatusItem:
        return cls(
            review_id=status.review_id,
            idempotency_key=status.idempotency_key,
            phone_number=status.phone_number,
            outcome=status.outcome,
            decided_at=status.decided_at,
            detail=status.detail,
        )

    def to_status(self) -> ReviewStatus:
        values = self.model_dump()
        values["decided_at"] = _as_utc(self.decided_at)
        return ReviewStatus(**values)


class ReviewsResponse(_Body):
    reviews: list[ReviewStatusItem]


class ReviewStatusBody(_Body):
    review_ids: list[str] = Field(min_length=1, max_length=MAX_ITEMS)


class InfoResponse(_Body):
    name: str
    kind: str
    supports_escalation: bool
    max_batch: int = Field(ge=1)
    max_concurrency: int = Field(ge=1)

    @classmethod
    def of(cls, info: NetworkInfo) -> InfoResponse:
        return cls(
            name=info.name,
            kind=info.kind,
            supports_escalation=info.supports_escalation,
            max_batch=info.max_batch,
            max_concurrency=info.max_concurrency,
        )


class ErrorDetail(_Body):
    code: str
    message: str


class ErrorResponse(_Body):
    error: ErrorDetail


def _as_utc(value: datetime | None) -> datetime | None:
    """Convert to UTC, reading a time without an offset as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
