"""Request and response bodies of the operator inventory endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from numrep.core.openapi import PaginationMeta


class InventoryAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Each entry is checked by the service, so a bad one gets its own pointer.
    phone_numbers: Annotated[list[str], Field(min_length=1, max_length=1000)]


class InventoryNumberRecord(BaseModel):
    """A number an account owns, which it may register for monitoring."""

    id: str
    record_type: str
    account_id: str
    phone_number: str
    created_at: datetime
    updated_at: datetime


class InventoryAddMeta(BaseModel):
    already_present: list[str]


class InventoryAddResponse(BaseModel):
    data: list[InventoryNumberRecord]
    meta: InventoryAddMeta


class InventoryList(BaseModel):
    data: list[InventoryNumberRecord]
    meta: PaginationMeta
