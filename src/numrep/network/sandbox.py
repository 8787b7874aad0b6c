"""A deterministic simulated call-analytics network, backed by the database.

Lookups derive from a hash of (seed, network, number), optionally overridden by
a scenario file, except that a review the network cleared unflags the number
from its decision time until an optional relabel. Reviews store a predetermined
outcome and decision time when they open. Simulated minutes are multiplied by
``time_scale`` so tests and demos finish in seconds.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from numrep.core.clock import utcnow
from numrep.core.db import Database
from numrep.network import sandbox_store as store
from numrep.network.base import (
    LookupResult,
    NetworkError,
    NetworkInfo,
    ReviewOutcome,
    ReviewRequest,
    ReviewStatus,
)
from numrep.network.config import SandboxNetworkConfig
from numrep.network.sandbox_faults import FaultInjector, FaultOptions
from numrep.network.sandbox_models import SandboxReview
from numrep.network.sandbox_profile import NumberProfile, ProfileOptions, derive_profile
from numrep.network.sandbox_scenario import Scenario, load_scenario

DETAILS: dict[ReviewOutcome, str] = {
    ReviewOutcome.CLEARED: "label removed after review",
    ReviewOutcome.UPHELD: "call patterns and complaints support the label",
    ReviewOutcome.NEEDS_INFO: "send the business registration and a description "
    "of the calls made from this number",
}


class ReviewNotFoundError(NetworkError):
    """A review id that this network never returned."""


class SandboxConnector:
    """One sandbox network, thread-safe because each call opens its own session."""

    def __init__(
        self,
        config: SandboxNetworkConfig,
        database: Database,
        *,
        time_scale: float = 1.0,
        scenario: Scenario | None = None,
    ) -> None:
        if scenario is None and config.scenario_file is not None:
            scenario = load_scenario(config.scenario_file)
        self.config = config
        self.database = database
        self.time_scale = time_scale
        self.scenario = scenario or Scenario()
        self.info = _network_info(config)
        self.faults = FaultInjector(config.name, _fault_options(config))
        self._profile_options = ProfileOptions(
            seed=config.seed,
            network=config.name,
            flag_rate=config.flag_rate,
            relabel_rate=config.relabel_rate,
            relabel_after_minutes=config.relabel_after_minutes,
        )

    @property
    def name(self) -> str:
        return self.info.name

    def profile(self, phone_number: str) -> NumberProfile:
        """Return the number's fixed profile at this network, ignoring reviews."""
        overrides = self.scenario.resolve(self.name, phone_number)
        return derive_profile(self._profile_options, phone_number, overrides)

    def lookup(self, phone_numbers: Sequence[str]) -> list[LookupResult]:
        self._check_batch(len(phone_numbers))
        self.faults.before_call()
        now = utcnow()
        with self.database.unit_of_work(write=False) as session:
            cleared = store.latest_clearances(
                session, network=self.name, phone_numbers=set(phone_numbers), now=now
            )
        return [
            self._lookup_one(number, cleared.get(number), now)
            for number in phone_numbers
        ]

    def open_reviews(self, requests: Sequence[ReviewRequest]) -> list[ReviewStatus]:
        return self._open(requests, tier=1)

    def escalate(self, requests: Sequence[ReviewRequest]) -> list[ReviewStatus]:
        if not self.info.supports_escalation:
            raise NetworkError(
                f"{self.name} offers no escalated review. "
                "Open an operator review case instead.",
                network=self.name,
                retryable=False,
            )
        return self._open(requests, tier=2)

    def collect(self, review_ids: Sequence[str]) -> list[ReviewStatus]:
        self._check_batch(len(review_ids))
        self.faults.before_call()
        with self.database.unit_of_work(write=False) as session:
            found = store.reviews_by_id(
                session, network=self.name, review_ids=set(review_ids)
            )
        missing = [review_id for review_id in review_ids if review_id not in found]
        if missing:
            raise ReviewNotFoundError(
                f"{self.name} has no review {missing[0]!r} "
                f"({len(missing)} of {len(review_ids)} review ids not found). "
                "Collect only ids that open_reviews or escalate returned.",
                network=self.name,
                retryable=False,
            )
        now = utcnow()
        return [_status(found[review_id], now) for review_id in review_ids]

    def _lookup_one(
        self, phone_number: str, clearance: SandboxReview | None, now: datetime
    ) -> LookupResult:
        profile = self.profile(phone_number)
        flagged = profile.flagged and not _still_cleared(clearance, now)
        return LookupResult(
            phone_number=phone_number,
            network=self.name,
            flagged=flagged,
            label=profile.label if flagged else None,
            maturity_score=profile.maturity_score,
            connection_score=profile.connection_score,
            engagement_score=profile.engagement_score,
            sentiment_score=profile.sentiment_score,
            checked_at=now,
        )

    def _open(
        self, requests: Sequence[ReviewRequest], *, tier: int
    ) -> list[ReviewStatus]:
        self._check_batch(len(requests))
        self.faults.before_call()
        now = utcnow()
        unique = {request.idempotency_key: request for request in requests}
        rows = [self._new_row(request, tier, now) for request in unique.values()]
        with self.database.unit_of_work() as session:
            store.insert_new_reviews(session, rows)
            stored = store.reviews_by_key(session, network=self.name, keys=unique)
        for request in requests:
            self._check_key_reuse(request, stored[request.idempotency_key], tier)
        return [_status(stored[request.idempotency_key], now) for request in requests]

    def _new_row(
        self, request: ReviewRequest, tier: int, now: datetime
    ) -> dict[str, Any]:
        profile = self.profile(request.phone_number)
        outcome = profile.outcome(tier)
        decide_at = None
        if outcome is not None:
            decide_at = now + self._scaled(profile.delay(tier))
        return {
            "id": f"sbx_{uuid.uuid4().hex}",
            "network": self.name,
            "idempotency_key": request.idempotency_key,
            "phone_number": request.phone_number,
            "tier": tier,
            "outcome": None if outcome is None else outcome.value,
            "detail": None if outcome is None else DETAILS[outcome],
            "opened_at": now,
            "decide_at": decide_at,
            "relabel_at": self._relabel_at(profile, outcome, decide_at),
        }

    def _relabel_at(
        self,
        profile: NumberProfile,
        outcome: ReviewOutcome | None,
        decide_at: datetime | None,
    ) -> datetime | None:
        if outcome is not ReviewOutcome.CLEARED or decide_at is None:
            return None
        if profile.relabel_after is None:
            return None
        return decide_at + self._scaled(profile.relabel_after)

    def _check_key_reuse(
        self, request: ReviewRequest, review: SandboxReview, tier: int
    ) -> None:
        if review.phone_number == request.phone_number and review.tier == tier:
            return
        raise NetworkError(
            f"idempotency key {request.idempotency_key!r} already opened a "
            f"tier-{review.tier} review of another number or tier at {self.name}. "
            "Use one key per number, network and tier.",
            network=self.name,
            retryable=False,
        )

    def _check_batch(self, size: int) -> None:
        if size <= self.info.max_batch:
            return
        raise NetworkError(
            f"{self.name} accepts at most {self.info.max_batch} items per call, "
            f"got {size}. Split the batch.",
            network=self.name,
            retryable=False,
        )

    def _scaled(self, simulated: timedelta) -> timedelta:
        return simulated * self.time_scale


def _still_cleared(clearance: SandboxReview | None, now: datetime) -> bool:
    if clearance is None:
        return False
    return clearance.relabel_at is None or clearance.relabel_at > now


def _status(review: SandboxReview, now: datetime) -> ReviewStatus:
    decided = review.decide_at is not None and review.decide_at <= now
    if review.outcome is None or not decided:
        return ReviewStatus(
            review_id=review.id,
            idempotency_key=review.idempotency_key,
            phone_number=review.phone_number,
            outcome=ReviewOutcome.PENDING,
        )
    return ReviewStatus(
        review_id=review.id,
        idempotency_key=review.idempotency_key,
        phone_number=review.phone_number,
        outcome=ReviewOutcome(review.outcome),
        decided_at=review.decide_at,
        detail=review.detail,
    )


def _network_info(config: SandboxNetworkConfig) -> NetworkInfo:
    extra = {"seed": config.seed}
    if config.scenario_file is not None:
        extra["scenario_file"] = str(Path(config.scenario_file))
    return NetworkInfo(
        name=config.name,
        kind="sandbox",
        supports_escalation=config.escalation_supported(),
        max_batch=config.max_batch,
        max_concurrency=config.max_concurrency,
        extra=extra,
    )


def _fault_options(config: SandboxNetworkConfig) -> FaultOptions:
    return FaultOptions(
        latency_ms=config.latency_ms,
        error_rate=config.error_rate,
        throttle_rate=config.throttle_rate,
        throttle_retry_after_seconds=config.throttle_retry_after_seconds,
        rate_limit_per_second=config.rate_limit_per_second,
    )
