"""A network without an API, worked by operators through review cases.

Lookups report nothing flagged and no scores, because there is no feed to read.
Every review stays pending here. On ``info.kind == "manual"`` the remediation
pipeline opens an operator case, and the operator records the decision there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from numrep.core.clock import utcnow
from numrep.network.base import (
    LookupResult,
    NetworkError,
    NetworkInfo,
    ReviewOutcome,
    ReviewRequest,
    ReviewStatus,
)
from numrep.network.config import ManualNetworkConfig

REVIEW_ID_PREFIX = "man_"


class ManualConnector:
    """Stateless: review ids derive from the idempotency key, so repeats match."""

    def __init__(self, config: ManualNetworkConfig) -> None:
        self.info = NetworkInfo(
            name=config.name,
            kind="manual",
            supports_escalation=False,
            max_batch=config.max_batch,
            max_concurrency=config.max_concurrency,
        )

    def lookup(self, phone_numbers: Sequence[str]) -> list[LookupResult]:
        now = utcnow()
        return [
            LookupResult(
                phone_number=number,
                network=self.info.name,
                flagged=False,
                checked_at=now,
            )
            for number in phone_numbers
        ]

    def open_reviews(self, requests: Sequence[ReviewRequest]) -> list[ReviewStatus]:
        return [self._pending(request) for request in requests]

    def escalate(self, requests: Sequence[ReviewRequest]) -> list[ReviewStatus]:
        return [self._pending(request) for request in requests]

    def collect(self, review_ids: Sequence[str]) -> list[ReviewStatus]:
        raise NetworkError(
            f"{self.info.name} is a manual network and has no review status to "
            "collect. Read the decision from the operator review case.",
            network=self.info.name,
            retryable=False,
        )

    def _pending(self, request: ReviewRequest) -> ReviewStatus:
        digest = hashlib.sha256(
            f"{self.info.name}\x1f{request.idempotency_key}".encode()
        ).hexdigest()
        return ReviewStatus(
            review_id=f"{REVIEW_ID_PREFIX}{digest[:32]}",
            idempotency_key=request.idempotency_key,
            phone_number=request.phone_number,
            outcome=ReviewOutcome.PENDING,
        )
