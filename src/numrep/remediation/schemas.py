"""Request and response bodies of the remediation endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from numrep.core.openapi import PaginationMeta
from numrep.phone.e164 import E164_PATTERN
from numrep.remediation.models import NumberState, RequestStatus

MAX_NUMBERS_PER_REQUEST = 2000

PhoneNumber = Annotated[str, StringConstraints(pattern=E164_PATTERN)]


class RemediationCreate(BaseModel):
    """``RemediationRequestCreate``: unknown keys are rejected."""

    model_config = ConfigDict(extra="forbid")

    phone_numbers: Annotated[
        list[PhoneNumber], Field(min_length=1, max_length=MAX_NUMBERS_PER_REQUEST)
    ]
    call_purpose: Annotated[str, Field(min_length=1, max_length=2000)]
    contact_email: Annotated[EmailStr, Field(max_length=255)] | None = None
    webhook_url: Annotated[str, Field(min_length=1, max_length=2048)] | None = None


class EligibilityCheck(BaseModel):
    """Numbers to check before submitting them (a numrep extension)."""

    model_config = ConfigDict(extra="forbid")

    phone_numbers: Annotated[
        list[PhoneNumber], Field(min_length=1, max_length=MAX_NUMBERS_PER_REQUEST)
    ]


class CancelRequest(BaseModel):
    """Cancel a whole request, or only some of its numbers (a numrep extension)."""

    model_config = ConfigDict(extra="forbid")

    phone_numbers: (
        Annotated[
            list[PhoneNumber], Field(min_length=1, max_length=MAX_NUMBERS_PER_REQUEST)
        ]
        | None
    ) = None
    reason: Annotated[str, Field(max_length=500)] | None = None


class RemediationResults(BaseModel):
    """Phone numbers of a request, grouped by outcome."""

    remediated: list[str]
    not_flagged: list[str]
    requires_review: list[str]
    ineligible: list[str]
    refused: list[str]


class RemediationRequestRecord(BaseModel):
    """``RemediationRequest``, whose ``results`` is null until tier 1 completes."""

    id: str
    record_type: str
    status: RequestStatus
    phone_numbers_count: int
    phone_numbers_submitted: int
    phone_numbers_ineligible: int
    call_purpose: str
    contact_email: str | None
    webhook_url: str | None
    created_at: datetime
    updated_at: datetime
    tier1_completed_at: datetime | None
    tier2_completed_at: datetime | None
    results: RemediationResults | None


class RemediationRequestResponse(BaseModel):
    data: RemediationRequestRecord


class RemediationListItem(BaseModel):
    """The slim list item: no results, webhook URL, email or count breakdown."""

    id: str
    record_type: str
    status: RequestStatus
    call_purpose: str
    phone_numbers_count: int
    created_at: datetime
    updated_at: datetime
    tier1_completed_at: datetime | None
    tier2_completed_at: datetime | None


class RemediationList(BaseModel):
    data: list[RemediationListItem]
    meta: PaginationMeta


class NetworkCase(BaseModel):
    """One network's review of a number at one tier."""

    network: str
    tier: int
    label: str | None
    outcome: str
    handled_by: str
    opened_at: datetime
    deadline_at: datetime | None
    decided_at: datetime | None


class RemediationNumberView(BaseModel):
    """One number of a request with each network's review (a numrep extension)."""

    record_type: str
    phone_number: str
    state: NumberState
    flagged_networks: int
    screened_at: datetime | None
    decided_at: datetime | None
    cancelled_at: datetime | None
    next_eligible_at: datetime | None
    networks: list[NetworkCase]


class RemediationNumberList(BaseModel):
    data: list[RemediationNumberView]
    meta: PaginationMeta


class Eligibility(BaseModel):
    """A number's eligibility for submission now, with the reason and date if not."""

    phone_number: str
    eligible: bool
    reason: str | None
    eligible_from: datetime | None
    remediation_id: str | None


class EligibilityResponse(BaseModel):
    data: list[Eligibility]
