"""Latency, random failures and rate limits that a sandbox network simulates."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

from numrep.network.base import NetworkError


@dataclass(frozen=True, slots=True)
class FaultOptions:
    latency_ms: float = 0.0
    error_rate: float = 0.0
    throttle_rate: float = 0.0
    throttle_retry_after_seconds: float = 1.0
    rate_limit_per_second: float | None = None


class FaultInjector:
    """Delay each call, then fail some of them as a 429 or a 503 would.

    Failures are random on purpose (not derived from the seed) so a retried call
    can succeed. Thread-safe: the rate limiter's bucket is guarded by a lock.
    """

    def __init__(self, network: str, options: FaultOptions) -> None:
        self.network = network
        self.options = options
        self._random = random.Random()
        self._lock = threading.Lock()
        # The bucket contains one second of calls (at least one), so bursts pass.
        self._capacity = max(options.rate_limit_per_second or 0.0, 1.0)
        self._tokens = self._capacity
        self._refilled_at = time.monotonic()

    def before_call(self) -> None:
        """Sleep the latency, then raise NetworkError for a simulated failure."""
        if self.options.latency_ms > 0:
            time.sleep(self.options.latency_ms / 1000)
        self._take_token()
        point = self._random.random()
        if point < self.options.throttle_rate:
            raise NetworkError(
                f"{self.network} throttled the call (simulated 429)",
                network=self.network,
                retryable=True,
                retry_after_seconds=self.options.throttle_retry_after_seconds,
            )
        if point < self.options.throttle_rate + self.options.error_rate:
            raise NetworkError(
                f"{self.network} is unavailable (simulated 503)",
                network=self.network,
                retryable=True,
            )

    def _take_token(self) -> None:
        rate = self.options.rate_limit_per_second
        if rate is None:
            return
        with self._lock:
            now = time.monotonic()
            refill = (now - self._refilled_at) * rate
            self._tokens = min(self._capacity, self._tokens + refill)
            self._refilled_at = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return
            wait = (1.0 - self._tokens) / rate
        raise NetworkError(
            f"{self.network} rate limit of {rate:g} calls per second exceeded "
            "(simulated 429)",
            network=self.network,
            retryable=True,
            retry_after_seconds=wait,
        )
