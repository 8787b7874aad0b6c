"""Response bodies of the operator review endpoints."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from numrep.core.openapi import PaginationMeta


class ReviewCaseRecord(BaseModel):
    """One network's tier-2 review of one number of a remediation request."""

    id: str
    record_type: str
    remediation_id: str
    enterprise_id: str
    phone_number: str
    network: str
    tier: int
    state: str
    label: str | None
    deadline_at: datetime | None
    decided_at: datetime | None
    decided_by: str | None
    note: str | None
    created_at: datetime
    updated_at: datetime


class ReviewCaseResponse(BaseModel):
    data: ReviewCaseRecord


class ReviewCaseBatch(BaseModel):
    data: list[ReviewCaseRecord]


class ReviewCaseList(BaseModel):
    data: list[ReviewCaseRecord]
    meta: PaginationMeta
