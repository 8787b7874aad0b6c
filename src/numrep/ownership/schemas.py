"""Request and response bodies of the ownership endpoints.

Each request body rejects unknown fields (422).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, StrictBool, StringConstraints

from numrep.ownership.models import CarrierEventKind


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OwnershipConfirm(_Closed):
    # Strict, so "true" or 1 is rejected rather than read as a yes.
    still_own: StrictBool
    evidence_document_id: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)
        ]
        | None
    ) = None


class CarrierEventCreate(_Closed):
    phone_number: Annotated[str, StringConstraints(max_length=16)]
    kind: CarrierEventKind
    # Required for a port; ignored for a disconnect.
    spid: str | None = None
    effective_at: AwareDatetime | None = None


class OwnershipCheckRun(_Closed):
    enterprise_id: uuid.UUID | None = None


class OwnershipEvent(BaseModel):
    event_type: str
    occurred_at: datetime
    outcome: str


class OwnershipRecord(BaseModel):
    """A registered number's ownership tracking and its check history."""

    phone_number: str
    source: str
    ownership_status: str
    last_checked_at: datetime | None
    baseline_carrier: str | None
    baseline_recorded_at: datetime | None
    confirm_by: datetime | None
    flag_reason: str | None
    history: list[OwnershipEvent]


class OwnershipResponse(BaseModel):
    data: OwnershipRecord


class OwnershipCheckSummary(BaseModel):
    """The number count of a check run, and the count of each check outcome."""

    checked: int
    outcomes: dict[str, int]


class OwnershipCheckResponse(BaseModel):
    data: OwnershipCheckSummary


class CarrierEventRecord(BaseModel):
    """A simulated port or disconnect at the sandbox carrier lookup."""

    id: str
    record_type: str
    phone_number: str
    kind: str
    spid: str | None
    effective_at: datetime
    created_at: datetime


class CarrierEventResponse(BaseModel):
    data: CarrierEventRecord
