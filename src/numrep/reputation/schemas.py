"""Request and response bodies of the reputation endpoints.

Every request body rejects unknown fields (422), as the Telnyx contract declares
``additionalProperties: false`` for each of them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from numrep.core.openapi import PaginationMeta
from numrep.reputation.models import CheckFrequency

DocumentId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)
]
# Each entry is checked by the service, so a bad one gets its own pointer.
PhoneNumbers = Annotated[list[str], Field(min_length=1, max_length=100)]


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReputationEnable(Closed):
    loa_document_id: DocumentId
    check_frequency: CheckFrequency = CheckFrequency.BUSINESS_DAILY


class FrequencyUpdate(Closed):
    check_frequency: CheckFrequency


class WebhookUpdate(Closed):
    # The key is required; null clears the URL.
    webhook_url: Annotated[str | None, Field(max_length=2048)]


class LoaUpdate(Closed):
    loa_document_id: DocumentId


class PhoneNumbersBody(Closed):
    phone_numbers: PhoneNumbers


class LoaRejection(Closed):
    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)
    ]


class ReputationSettingsRecord(BaseModel):
    """``EnterpriseReputationPublic``: an enterprise's reputation settings."""

    enterprise_id: str
    status: str
    loa_status: str
    loa_document_id: str
    rejection_reasons: list[str] | None
    check_frequency: str
    external_verification_status: str | None
    webhook_url: str | None
    created_at: datetime
    updated_at: datetime


class ReputationSettingsResponse(BaseModel):
    data: ReputationSettingsRecord


class ReputationData(BaseModel):
    """The latest stored reputation of a number, with scores from 0 to 100."""

    spam_risk: str | None
    spam_category: str | None
    maturity_score: int | None
    connection_score: int | None
    engagement_score: int | None
    sentiment_score: int | None
    last_refreshed_at: datetime


class ReputationPhoneNumber(BaseModel):
    """A number registered for reputation monitoring."""

    id: str
    enterprise_id: str
    phone_number: str
    source: str
    ownership_status: str
    flag_reason: str | None
    confirm_by: datetime | None
    removal_reason: str | None
    removed_at: datetime | None
    reputation_data: ReputationData | None
    created_at: datetime
    updated_at: datetime


class NetworkReputation(BaseModel):
    """One network's view of a number (a numrep extension)."""

    network: str
    flagged: bool
    label: str | None
    maturity_score: int | None
    connection_score: int | None
    engagement_score: int | None
    sentiment_score: int | None
    checked_at: datetime


class ReputationPhoneNumberDetail(ReputationPhoneNumber):
    """A number with ``numrep_networks``, the per-network detail extension."""

    numrep_networks: list[NetworkReputation]


class ReputationPhoneNumberResponse(BaseModel):
    data: ReputationPhoneNumber


class ReputationPhoneNumberDetailResponse(BaseModel):
    data: ReputationPhoneNumberDetail


class ReputationPhoneNumberList(BaseModel):
    data: list[ReputationPhoneNumber]
    meta: PaginationMeta


class RefreshOutcome(BaseModel):
    phone_number: str
    success: bool
    error: str | None


class RefreshSummary(BaseModel):
    results: list[RefreshOutcome]
    total_requested: int
    total_successful: int
    total_failed: int


class RefreshResponse(BaseModel):
    data: RefreshSummary


class ReputationSnapshot(BaseModel):
    """One stored reputation check of a number (a numrep extension)."""

    record_type: str
    id: str
    phone_number: str
    taken_at: datetime
    spam_risk: str | None
    spam_category: str | None
    maturity_score: int | None
    connection_score: int | None
    engagement_score: int | None
    sentiment_score: int | None
    networks: list[dict[str, Any]]


class ReputationSnapshotList(BaseModel):
    data: list[ReputationSnapshot]
    meta: PaginationMeta
