"""Request bodies of the remediation endpoints."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from numrep.phone.e164 import E164_PATTERN

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
