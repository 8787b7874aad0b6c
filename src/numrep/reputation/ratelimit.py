"""The per-enterprise rate limit of forced refreshes.

NOTE: counters live in the memory of each API process, so a deployment with
several API processes allows the limit once per process.
"""

from __future__ import annotations

import math
import time
import uuid

from limits import parse, storage, strategies

from numrep.core.errors import RateLimitedError

# A module-level reference keeps the storage alive for the limiter.
_storage = storage.MemoryStorage()
_limiter = strategies.MovingWindowRateLimiter(_storage)
_NAMESPACE = "reputation-refresh"


def hit_refresh_limit(enterprise_id: uuid.UUID, limit: str) -> None:
    """Count one refresh request; raise a 429 with Retry-After when over ``limit``."""
    item = parse(limit)
    if _limiter.hit(item, _NAMESPACE, str(enterprise_id)):
        return
    stats = _limiter.get_window_stats(item, _NAMESPACE, str(enterprise_id))
    retry_after = max(1, math.ceil(stats.reset_time - time.time()))
    raise RateLimitedError(
        f"Enterprise {enterprise_id} has used its refresh allowance of {limit}; "
        f"try again in {retry_after} seconds.",
        retry_after_seconds=retry_after,
    )
