"""A network reached through an adapter service that speaks numrep's JSON protocol.

Transport failures map to ``NetworkError``: timeouts, connection errors, 429 and
5xx are retryable (429 carries its Retry-After), any other 4xx is not. The
original httpx exception is chained as the cause.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from numrep import __version__
from numrep.network.base import (
    LookupResult,
    NetworkError,
    NetworkInfo,
    ReviewRequest,
    ReviewStatus,
)
from numrep.network.config import HttpNetworkConfig
from numrep.network.schemas import (
    InfoResponse,
    LookupResponse,
    ReviewItem,
    ReviewsResponse,
)

Body = TypeVar("Body", bound=BaseModel)
ERROR_TEXT_LIMIT = 300


class HttpConnector:
    """Connector for one adapter base URL, thread-safe through httpx's pool."""

    def __init__(
        self,
        config: HttpNetworkConfig,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.config = config
        self.info = NetworkInfo(
            name=config.name,
            kind="http",
            supports_escalation=config.supports_escalation,
            max_batch=config.max_batch,
            max_concurrency=config.max_concurrency,
            extra={"base_url": config.base_url},
        )
        headers = {"User-Agent": f"numrep/{__version__}"}
        if config.api_key is not None:
            headers["Authorization"] = f"Bearer {config.api_key.get_secret_value()}"
        self._client = httpx.Client(
            base_url=config.base_url,
            headers=headers,
            timeout=httpx.Timeout(config.timeout_seconds),
            limits=httpx.Limits(
                max_connections=config.max_concurrency,
                max_keepalive_connections=config.max_concurrency,
            ),
            follow_redirects=False,
            # Proxy variables of the environment must not reroute vendor traffic.
            trust_env=False,
            transport=transport,
        )

    @property
    def name(self) -> str:
        return self.info.name

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpConnector:
        return self

    def __exit__(self, *_exc_info: object) -> None:
        self.close()

    def fetch_info(self) -> InfoResponse:
        """Return what the adapter reports about itself (``GET /info``)."""
        return self._call("GET", "/info", None, InfoResponse)

    def lookup(self, phone_numbers: Sequence[str]) -> list[LookupResult]:
        body = {"phone_numbers": list(phone_numbers)}
        response = self._call("POST", "/lookup", body, LookupResponse)
        return [item.to_result(self.name) for item in response.results]

    def open_reviews(self, requests: Sequence[ReviewRequest]) -> list[ReviewStatus]:
        return self._reviews("/reviews", requests)

    def escalate(self, requests: Sequence[ReviewRequest]) -> list[ReviewStatus]:
        return self._reviews("/escalations", requests)

    def collect(self, review_ids: Sequence[str]) -> list[ReviewStatus]:
        body = {"review_ids": list(review_ids)}
        response = self._call("POST", "/reviews/status", body, ReviewsResponse)
        statuses = [item.to_status() for item in response.reviews]
        self._check_count("/reviews/status", len(review_ids), len(statuses))
        return statuses

    def _reviews(
        self, path: str, requests: Sequence[ReviewRequest]
    ) -> list[ReviewStatus]:
        items = [ReviewItem.of(request).model_dump(mode="json") for request in requests]
        response = self._call("POST", path, {"reviews": items}, ReviewsResponse)
        statuses = [item.to_status() for item in response.reviews]
        self._check_count(path, len(requests), len(statuses))
        return statuses

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None, shape: type[Body]
    ) -> Body:
        response = self._send(method, path, body)
        try:
            return shape.model_validate_json(response.content)
        except ValidationError as error:
            raise NetworkError(
                f"{self.name} adapter sent an invalid {path} response: "
                f"{error.error_count()} problems, first: {error.errors()[0]['msg']}",
                network=self.name,
                retryable=False,
            ) from error

    def _send(
        self, method: str, path: str, body: dict[str, Any] | None
    ) -> httpx.Response:
        try:
            response = self._client.request(method, path, json=body)
        except httpx.TimeoutException as error:
            raise NetworkError(
                f"{self.name} {path} timed out after {self.config.timeout_seconds:g} s",
                network=self.name,
                retryable=True,
            ) from error
        except httpx.TransportError as error:
            raise NetworkError(
                f"{self.name} {path} failed: {type(error).__name__}: {error}",
                network=self.name,
                retryable=True,
            ) from error
        try:
            response.raise_for_status()
        except httpx.HTTPStatusError as error:
            raise self._status_error(path, response) from error
        return response

    def _status_error(self, path: str, response: httpx.Response) -> NetworkError:
        status = response.status_code
        text = response.text[:ERROR_TEXT_LIMIT]
        message = f"{self.name} {path} returned HTTP {status}: {text}"
        if status == 429 or status >= 500:
            return NetworkError(
                message,
                network=self.name,
                retryable=True,
                retry_after_seconds=parse_retry_after(response.headers),
            )
        return NetworkError(message, network=self.name, retryable=False)

    def _check_count(self, path: str, expected: int, returned: int) -> None:
        if expected == returned:
            return
        raise NetworkError(
            f"{self.name} adapter returned {returned} items from {path} for "
            f"{expected} sent. It must return one per item, in order.",
            network=self.name,
            retryable=False,
        )


def parse_retry_after(headers: httpx.Headers) -> float | None:
    """Read Retry-After as seconds or as an HTTP date, or None if absent or invalid."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = None
    if seconds is not None:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
