"""Configuration of the carrier lookup, the ``carrier_lookup`` setting.

``NUMREP_CARRIER_LOOKUP`` is one JSON object whose ``kind`` selects the source:
``{"kind": "sandbox"}`` or ``{"kind": "http", "url": "...", "token": "..."}``.
This module imports nothing from numrep, so the settings can depend on it.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator


class SandboxCarrierConfig(BaseModel):
    """Carriers derived from a hash of the number plus simulated events."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["sandbox"] = "sandbox"


class HttpCarrierConfig(BaseModel):
    """A number-portability source reached over HTTP (protocol in docs/ownership.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["http"]
    url: str
    token: SecretStr | None = None
    timeout_seconds: float = Field(default=5.0, gt=0, le=300)
    max_attempts: int = Field(default=3, ge=1, le=10)
    retry_base_seconds: float = Field(default=0.5, ge=0, le=60)
    max_batch: int = Field(default=100, ge=1, le=1000)

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"{value!r} is not an http:// or https:// URL with a host name"
            )
        return value


CarrierLookupConfig = Annotated[
    SandboxCarrierConfig | HttpCarrierConfig, Field(discriminator="kind")
]
