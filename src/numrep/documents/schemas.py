"""Request and response shapes of the document endpoints, and the decoded upload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from numrep.core.openapi import PaginationMeta

MAX_FILENAME_LENGTH = 512
MAX_CUSTOMER_REFERENCE_LENGTH = 255


def _printable(value: str) -> str:
    if not value.isprintable():
        raise ValueError(
            "The filename must contain only printable characters; remove line "
            "breaks, tabs and other control characters."
        )
    return value


Filename = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=MAX_FILENAME_LENGTH
    ),
    AfterValidator(_printable),
]
CustomerReference = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=MAX_CUSTOMER_REFERENCE_LENGTH),
]


class UploadFields(BaseModel):
    """The fields of an upload body; ``file`` is base64 text in the JSON form."""

    model_config = ConfigDict(extra="ignore")

    file: str | None = None
    filename: Filename | None = None
    customer_reference: CustomerReference | None = None
    url: str | None = None


class DocumentUpdate(BaseModel):
    """A ``PATCH /documents/{id}`` body: only the fields sent change."""

    model_config = ConfigDict(extra="ignore")

    filename: Filename | None = None
    customer_reference: CustomerReference | None = None


@dataclass(frozen=True, slots=True)
class DocumentUpload:
    """A decoded upload, whichever body form carried it.

    ``pointer_prefix`` is ``/document`` when the JSON body nests the fields under
    ``document`` and empty otherwise, so errors point at the field the client sent.
    """

    data: bytes
    filename: str | None
    customer_reference: str | None
    pointer_prefix: str = ""


class SortField(StrEnum):
    FILENAME = "filename"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


@dataclass(frozen=True, slots=True)
class SortKey:
    field: SortField
    descending: bool


@dataclass(frozen=True, slots=True)
class DocumentFilters:
    """The ``filter[...]`` query parameters of ``GET /documents``."""

    filename_contains: str | None = None
    customer_reference: str | None = None
    customer_reference_in: tuple[str, ...] = ()
    created_after: datetime | None = None
    created_before: datetime | None = None


class DocumentSize(BaseModel):
    amount: int
    unit: str


class DocumentRecord(BaseModel):
    """A stored document as the Telnyx Documents API returns it."""

    id: str
    record_type: str
    filename: str
    content_type: str
    sha256: str
    size: DocumentSize
    status: str
    av_scan_status: str
    customer_reference: str | None
    created_at: datetime
    updated_at: datetime


class DocumentResponse(BaseModel):
    data: DocumentRecord


class DocumentList(BaseModel):
    data: list[DocumentRecord]
    meta: PaginationMeta
