"""The retry budget of calls to a network: exponential backoff with jitter."""

from __future__ import annotations

import random
from dataclasses import dataclass

from numrep.settings import Settings


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry one batch after a retryable error.

    ``attempts`` counts calls, the first included. The backoff before retry n
    (1-based) is drawn from [d/2, d] with d = base_seconds * 2 ** (n - 1), so
    parallel batches spread out. A longer Retry-After wins over the backoff, and
    no wait exceeds ``max_delay_seconds``.
    """

    attempts: int = 6
    base_seconds: float = 0.25
    max_delay_seconds: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            attempts=settings.network_retry_attempts,
            base_seconds=settings.network_retry_base_seconds,
            max_delay_seconds=settings.network_retry_max_delay_seconds,
        )

    def delay(self, retry: int, retry_after_seconds: float | None = None) -> float:
        """Return the seconds to wait before retry number ``retry`` (1-based)."""
        ceiling = min(self.max_delay_seconds, self.base_seconds * 2 ** (retry - 1))
        backoff = random.uniform(ceiling / 2, ceiling)
        if retry_after_seconds is not None:
            backoff = max(backoff, retry_after_seconds)
        return min(backoff, self.max_delay_seconds)
