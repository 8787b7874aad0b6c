"""The carrier lookup over HTTP, against a number-portability source.

Protocol (also in docs/ownership.md): ``POST {url}`` with
``{"phone_numbers": [...]}`` and, when a token is set, ``Authorization: Bearer
<token>``. A 200 reply is ``{"data": [{"phone_number", "spid", "carrier_name",
"disconnected"}]}``; numbers left out are unknown this time. Timeouts,
connection errors and 5xx replies are retried with doubling delays; any other
status fails the lookup at once.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import httpx
import structlog
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from numrep.ownership.carrier import CarrierLookupError, CarrierRecord
from numrep.ownership.config import HttpCarrierConfig

log = structlog.get_logger(__name__)


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    phone_number: str
    spid: str = Field(min_length=1, max_length=8)
    carrier_name: str = ""
    disconnected: bool = False


class _Reply(BaseModel):
    model_config = ConfigDict(extra="ignore")

    data: list[_Answer]


class _RetryableError(Exception):
    pass


class HttpCarrierLookup:
    """Post batches of at most ``max_batch`` numbers to the configured URL."""

    def __init__(
        self, config: HttpCarrierConfig, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self._config = config
        headers = {"Accept": "application/json"}
        if config.token is not None:
            headers["Authorization"] = f"Bearer {config.token.get_secret_value()}"
        self._client_options: dict[str, Any] = {
            "headers": headers,
            "timeout": config.timeout_seconds,
            "transport": transport,
        }

    def lookup(self, phone_numbers: Sequence[str]) -> dict[str, CarrierRecord]:
        requested = list(dict.fromkeys(phone_numbers))
        found: dict[str, CarrierRecord] = {}
        size = self._config.max_batch
        with httpx.Client(**self._client_options) as client:
            for start in range(0, len(requested), size):
                batch = requested[start : start + size]
                found.update(self._lookup_batch(client, batch))
        return found

    def _lookup_batch(
        self, client: httpx.Client, batch: list[str]
    ) -> dict[str, CarrierRecord]:
        attempts = self._config.max_attempts
        for attempt in range(1, attempts + 1):
            try:
                return self._post(client, batch)
            except _RetryableError as error:
                if attempt == attempts:
                    raise CarrierLookupError(
                        f"carrier lookup failed after {attempts} attempts: {error}"
                    ) from error
                delay = self._config.retry_base_seconds * 2 ** (attempt - 1)
                log.warning(
                    "ownership.carrier_lookup_retry",
                    attempt=attempt,
                    delay_seconds=delay,
                    error=str(error),
                )
                time.sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")

    def _post(self, client: httpx.Client, batch: list[str]) -> dict[str, CarrierRecord]:
        try:
            response = client.post(self._config.url, json={"phone_numbers": batch})
        except httpx.TimeoutException as error:
            raise _RetryableError(f"timed out: {error}") from error
        except httpx.TransportError as error:
            raise _RetryableError(f"connection failed: {error}") from error
        if response.status_code >= 500:
            raise _RetryableError(f"HTTP {response.status_code}")
        if response.status_code != 200:
            raise CarrierLookupError(
                f"carrier lookup returned HTTP {response.status_code}; check the "
                "url and token of the carrier_lookup setting"
            )
        try:
            reply = _Reply.model_validate_json(response.content)
        except ValidationError as error:
            raise CarrierLookupError(
                f"carrier lookup returned a malformed body: {error.error_count()} "
                "invalid fields"
            ) from error
        requested = set(batch)
        return {
            answer.phone_number: CarrierRecord(
                answer.spid, answer.carrier_name, answer.disconnected
            )
            for answer in reply.data
            if answer.phone_number in requested
        }
