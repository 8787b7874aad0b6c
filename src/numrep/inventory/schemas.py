"""Request bodies of the operator inventory endpoints."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class InventoryAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Each entry is checked by the service, so a bad one gets its own pointer.
    phone_numbers: Annotated[list[str], Field(min_length=1, max_length=1000)]
