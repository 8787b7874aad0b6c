"""One HTTP POST of a signed webhook body through the guarded transport."""

from __future__ import annotations

import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import httpx

from numrep import __version__
from numrep.core.clock import utcnow
from numrep.webhook.safety import (
    Resolver,
    UnsafeTargetError,
    system_resolver,
    validate_webhook_url,
)
from numrep.webhook.transport import GuardedTransport

DEFAULT_TIMEOUT_SECONDS = 10.0
# Only the status code matters. Reading a short body leaves the connection
# reusable; a longer one is cut off here and its connection closed.
MAX_RESPONSE_BYTES = 4096
USER_AGENT = f"numrep-webhooks/{__version__}"


@dataclass(frozen=True, slots=True)
class SendResult:
    """The outcome of one POST.

    ``status_code`` is set when a response came; ``error`` is set unless the
    status was 2xx.
    """

    started_at: datetime
    status_code: int | None
    latency_ms: float | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.error is None and self.status_code is not None


class Sender:
    """Posts signed bodies to webhook URLs; one instance serves many threads.

    Redirects are not followed, proxy variables are ignored, each network
    operation times out after ``timeout`` seconds and at most 4 KiB of a
    response body is read. Only a 2xx status counts as delivered.
    """

    def __init__(
        self,
        *,
        allow_private: bool,
        resolver: Resolver = system_resolver,
        verify: ssl.SSLContext | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        max_connections: int = 64,
    ) -> None:
        self.allow_private = allow_private
        self.timeout = timeout
        transport = GuardedTransport(
            resolver=resolver,
            allow_private=allow_private,
            verify=verify,
            limits=httpx.Limits(
                max_connections=max_connections,
                max_keepalive_connections=max_connections,
            ),
        )
        self._client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,
            headers={"user-agent": USER_AGENT},
        )

    def close(self) -> None:
        self._client.close()

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        """POST ``body`` byte for byte with ``headers`` and return the outcome.

        Network errors, timeouts and rejected targets are returned in the
        result, not raised.
        """
        started_at = utcnow()
        started = time.perf_counter()
        try:
            validate_webhook_url(url, allow_private=self.allow_private)
        except ValueError as error:
            return SendResult(started_at, None, None, f"rejected target: {error}")
        request_headers = {**headers, "content-type": "application/json"}
        try:
            with self._client.stream(
                "POST", url, content=body, headers=request_headers
            ) as response:
                # NOTE: httpx times each read separately, so a receiver that
                # trickles its status line can hold an attempt past `timeout`.
                self._read_capped(response, deadline=started + self.timeout)
        except UnsafeTargetError as error:
            return SendResult(started_at, None, None, str(error))
        except httpx.TimeoutException as error:
            message = f"timed out after {self.timeout:g} s ({type(error).__name__})"
            return SendResult(started_at, None, _elapsed_ms(started), message)
        except httpx.HTTPError as error:
            message = f"{type(error).__name__}: {error}"
            return SendResult(started_at, None, _elapsed_ms(started), message)
        latency = _elapsed_ms(started)
        return SendResult(
            started_at, response.status_code, latency, _status_error(response)
        )

    @staticmethod
    def _read_capped(response: httpx.Response, *, deadline: float) -> None:
        received = 0
        for chunk in response.iter_raw():
            received += len(chunk)
            if received >= MAX_RESPONSE_BYTES or time.perf_counter() > deadline:
                return


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


def _status_error(response: httpx.Response) -> str | None:
    status = response.status_code
    if 200 <= status < 300:
        return None
    if response.is_redirect:
        location = response.headers.get("location", "(no Location header)")
        return (
            f"HTTP {status} redirect to {location} was not followed; the webhook "
            "URL must answer 2xx itself"
        )
    return f"HTTP {status} is not a 2xx status"
