"""Sandbox lookup results and review outcomes, derived from a hash.

Every value comes from BLAKE2b over (seed, network, number), read as a row of
independent 16-bit uniform draws, then overridden by the scenario file. The same
inputs give the same profile in every process.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from numrep.network.base import ReviewOutcome

LABELS: tuple[tuple[str, float], ...] = (
    ("Spam Likely", 0.30),
    ("Telemarketer", 0.20),
    ("Scam Likely", 0.15),
    ("Debt Collector", 0.10),
    ("Survey", 0.10),
    ("Political", 0.08),
    ("Nonprofit", 0.07),
)
TIER1_OUTCOMES: tuple[tuple[ReviewOutcome | None, float], ...] = (
    (ReviewOutcome.CLEARED, 0.70),
    (ReviewOutcome.UPHELD, 0.20),
    (ReviewOutcome.NEEDS_INFO, 0.10),
)
# None is a review the network never decides.
TIER2_OUTCOMES: tuple[tuple[ReviewOutcome | None, float], ...] = (
    (ReviewOutcome.CLEARED, 0.40),
    (ReviewOutcome.UPHELD, 0.25),
    (ReviewOutcome.NEEDS_INFO, 0.20),
    (None, 0.15),
)
TIER1_DELAY_MINUTES = (5.0, 120.0)
TIER2_DELAY_MINUTES = (30.0, 720.0)

_SCENARIO_OUTCOMES: dict[str, ReviewOutcome | None] = {
    "cleared": ReviewOutcome.CLEARED,
    "upheld": ReviewOutcome.UPHELD,
    "needs_more_information": ReviewOutcome.NEEDS_INFO,
    "none": None,
}

# Draw slots: each reads two bytes of the 32-byte digest.
_FLAG, _LABEL, _MATURITY, _CONNECTION, _ENGAGEMENT, _SENTIMENT = range(6)
_TIER1, _TIER2, _TIER1_DELAY, _TIER2_DELAY, _RELABEL = range(6, 11)


@dataclass(frozen=True, slots=True)
class NumberProfile:
    """One network's fixed view of one number, before any review clears it."""

    flagged: bool
    label: str | None
    maturity_score: int
    connection_score: int
    engagement_score: int
    sentiment_score: int
    tier1: ReviewOutcome | None
    tier2: ReviewOutcome | None
    tier1_delay: timedelta
    tier2_delay: timedelta
    relabel_after: timedelta | None

    def outcome(self, tier: int) -> ReviewOutcome | None:
        return self.tier1 if tier == 1 else self.tier2

    def delay(self, tier: int) -> timedelta:
        return self.tier1_delay if tier == 1 else self.tier2_delay


@dataclass(frozen=True, slots=True)
class ProfileOptions:
    """The network-wide knobs that shape derived profiles."""

    seed: str
    network: str
    flag_rate: float
    relabel_rate: float
    relabel_after_minutes: float


class _Draws:
    def __init__(self, options: ProfileOptions, phone_number: str) -> None:
        text = f"{options.seed}\x1f{options.network}\x1f{phone_number}"
        self._digest = hashlib.blake2b(text.encode(), digest_size=32).digest()

    def unit(self, slot: int) -> float:
        """Return a uniform draw in [0, 1) from the slot's two bytes."""
        start = slot * 2
        return int.from_bytes(self._digest[start : start + 2], "big") / 65536

    def between(self, slot: int, low: float, high: float) -> float:
        return low + (high - low) * self.unit(slot)

    def pick(self, slot: int, weighted: tuple[tuple[Any, float], ...]) -> Any:
        point = self.unit(slot)
        total = 0.0
        for value, weight in weighted:
            total += weight
            if point < total:
                return value
        return weighted[-1][0]


def derive_profile(
    options: ProfileOptions, phone_number: str, overrides: dict[str, Any]
) -> NumberProfile:
    """Build the profile from the hash, then apply the scenario's overrides."""
    draws = _Draws(options, phone_number)
    flagged = overrides.get("flagged", draws.unit(_FLAG) < options.flag_rate)
    label = overrides.get("label", draws.pick(_LABEL, LABELS)) if flagged else None
    return NumberProfile(
        flagged=flagged,
        label=label,
        **_scores(draws, flagged=flagged, overrides=overrides),
        tier1=_outcome(overrides, "tier1", draws.pick(_TIER1, TIER1_OUTCOMES)),
        tier2=_outcome(overrides, "tier2", draws.pick(_TIER2, TIER2_OUTCOMES)),
        tier1_delay=_delay(overrides, "tier1_delay_minutes", draws, _TIER1_DELAY),
        tier2_delay=_delay(overrides, "tier2_delay_minutes", draws, _TIER2_DELAY),
        relabel_after=_relabel_after(options, draws, overrides),
    )


def _scores(
    draws: _Draws, *, flagged: bool, overrides: dict[str, Any]
) -> dict[str, int]:
    # Flagged numbers get lower connection, engagement and sentiment scores,
    # because people answer labelled calls less often. Maturity ignores the flag.
    low, high = (10.0, 60.0) if flagged else (55.0, 98.0)
    derived = {
        "maturity_score": draws.between(_MATURITY, 10.0, 95.0),
        "connection_score": draws.between(_CONNECTION, low, high),
        "engagement_score": draws.between(_ENGAGEMENT, low, high),
        "sentiment_score": draws.between(_SENTIMENT, low - 5.0, high - 2.0),
    }
    return {name: overrides.get(name, round(value)) for name, value in derived.items()}


def _outcome(
    overrides: dict[str, Any], key: str, derived: ReviewOutcome | None
) -> ReviewOutcome | None:
    if key not in overrides:
        return derived
    return _SCENARIO_OUTCOMES[overrides[key]]


def _delay(overrides: dict[str, Any], key: str, draws: _Draws, slot: int) -> timedelta:
    if key in overrides:
        return timedelta(minutes=overrides[key])
    low, high = TIER1_DELAY_MINUTES if slot == _TIER1_DELAY else TIER2_DELAY_MINUTES
    return timedelta(minutes=draws.between(slot, low, high))


def _relabel_after(
    options: ProfileOptions, draws: _Draws, overrides: dict[str, Any]
) -> timedelta | None:
    # A relabel delay in the scenario implies a relabel unless relabel is false.
    derived = (
        "relabel_after_minutes" in overrides
        or draws.unit(_RELABEL) < options.relabel_rate
    )
    relabel = overrides.get("relabel", derived)
    if not relabel:
        return None
    minutes = overrides.get("relabel_after_minutes", options.relabel_after_minutes)
    return timedelta(minutes=minutes)
