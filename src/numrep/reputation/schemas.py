"""Request bodies of the reputation endpoints.

Every body rejects unknown fields (422), as the Telnyx contract declares
``additionalProperties: false`` for each of them.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

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
