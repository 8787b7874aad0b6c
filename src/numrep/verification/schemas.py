"""Request and response bodies of the external verification endpoints.

Both request bodies reject unknown fields (422). List entries are only checked for type
here, so the service can report each bad entry with its own pointer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from numrep.core.openapi import PaginationMeta

MAX_DOCUMENTS = 20
MAX_PHONE_NUMBERS = 100


class VerificationSubmit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document_ids: Annotated[list[str], Field(min_length=1, max_length=MAX_DOCUMENTS)]
    phone_numbers: Annotated[list[str], Field(max_length=MAX_PHONE_NUMBERS)] = Field(
        default_factory=list
    )


class VerificationRejection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)
    ]


class VerificationRecord(BaseModel):
    """An enterprise's proof that it owns numbers hosted elsewhere."""

    enterprise_id: str
    document_ids: list[str]
    phone_numbers: list[str]
    status: str
    rejection_reason: str | None
    submitted_at: datetime
    reviewed_at: datetime | None


class VerificationResponse(BaseModel):
    data: VerificationRecord


class VerificationList(BaseModel):
    data: list[VerificationRecord]
    meta: PaginationMeta
