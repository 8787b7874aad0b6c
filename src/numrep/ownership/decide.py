"""The ownership state machine: what one check does to one number.

Every transition of a check is decided here, in ``decide``; the sweep only
gathers the inputs and writes the results. Confirmations live in the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from numrep.ownership.carrier import CarrierRecord
from numrep.reputation.models import (
    NumberSource,
    OwnershipStatus,
    RemovalReason,
)
from numrep.settings import Settings


class FlagReason(StrEnum):
    CARRIER_CHANGED = "carrier_changed"
    REVERIFICATION_DUE = "reverification_due"


class Outcome(StrEnum):
    """The ``outcome`` of a ``check`` history event."""

    UNCHANGED = "unchanged"
    BASELINE_RECORDED = "baseline_recorded"
    CARRIER_CHANGED = "carrier_changed"
    LEFT_INVENTORY = "left_inventory"
    REVERIFICATION_DUE = "reverification_due"
    DISCONNECTED = "disconnected"
    CONFIRMATION_DEADLINE_PASSED = "confirmation_deadline_passed"
    REVERIFICATION_UNANSWERED = "reverification_unanswered"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    LOOKUP_FAILED = "lookup_failed"


class Notice(StrEnum):
    FLAGGED = "flagged"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class Policy:
    confirm_window: timedelta
    # None disables the periodic re-verification.
    reverify_after: timedelta | None

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        days = settings.ownership_reverify_days
        return cls(
            confirm_window=timedelta(days=settings.ownership_confirm_days),
            reverify_after=timedelta(days=days) if days > 0 else None,
        )


@dataclass(frozen=True, slots=True)
class NumberState:
    status: str
    flag_reason: str | None
    confirm_by: datetime | None
    baseline_carrier: str | None
    # When ownership was last established: the baseline, else the registration.
    established_at: datetime
    source: str
    # Only meaningful for ``telnyx`` numbers.
    in_inventory: bool


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    status: str
    flag_reason: str | None
    confirm_by: datetime | None
    removal_reason: RemovalReason | None = None
    baseline_carrier: str | None = None
    notice: Notice | None = None


def decide(
    state: NumberState, record: CarrierRecord | None, now: datetime, policy: Policy
) -> Decision:
    """Return the new state of a number after a check that found ``record``.

    ``record`` is None when the carrier lookup returned nothing for the number.
    The rules, in priority order:

    1. A disconnected number is removed (``reassigned``).
    2. A ``pending_confirmation`` past ``confirm_by`` is removed
       (``unconfirmed_ownership``) after a carrier change, or becomes ``flagged``
       after a re-verification request.
    3. A carrier other than the baseline, or a ``telnyx`` number missing from
       the account's inventory, makes the number ``pending_confirmation`` with
       ``carrier_changed``, unless it is already waiting for that confirmation.
    4. A ``verified`` number whose ownership was established at least
       ``reverify_after`` ago becomes ``pending_confirmation`` with
       ``reverification_due``.
    """
    if record is not None and record.disconnected:
        return _removed(Outcome.DISCONNECTED, RemovalReason.REASSIGNED)
    if _deadline_passed(state, now):
        if state.flag_reason == FlagReason.CARRIER_CHANGED:
            return _removed(
                Outcome.CONFIRMATION_DEADLINE_PASSED,
                RemovalReason.UNCONFIRMED_OWNERSHIP,
            )
        return Decision(
            Outcome.REVERIFICATION_UNANSWERED,
            OwnershipStatus.FLAGGED,
            FlagReason.REVERIFICATION_DUE,
            None,
        )

    baseline = state.baseline_carrier
    new_baseline = None
    if baseline is None and record is not None:
        baseline = new_baseline = record.spid
    changed = _carrier_change(state, record, baseline)
    awaiting_carrier = (
        state.status == OwnershipStatus.PENDING_CONFIRMATION
        and state.flag_reason == FlagReason.CARRIER_CHANGED
    )
    if changed is not None and not awaiting_carrier:
        return _pending(changed, FlagReason.CARRIER_CHANGED, now, policy, new_baseline)
    if state.status != OwnershipStatus.VERIFIED:
        return _keep(state, Outcome.AWAITING_CONFIRMATION, new_baseline)
    if _reverification_due(state, now, policy):
        return _pending(
            Outcome.REVERIFICATION_DUE,
            FlagReason.REVERIFICATION_DUE,
            now,
            policy,
            new_baseline,
        )
    if record is None:
        return _keep(state, Outcome.LOOKUP_FAILED, None)
    if new_baseline is not None:
        return _keep(state, Outcome.BASELINE_RECORDED, new_baseline)
    return _keep(state, Outcome.UNCHANGED, None)


def _carrier_change(
    state: NumberState, record: CarrierRecord | None, baseline: str | None
) -> Outcome | None:
    if record is not None and baseline is not None and record.spid != baseline:
        return Outcome.CARRIER_CHANGED
    if state.source == NumberSource.TELNYX and not state.in_inventory:
        return Outcome.LEFT_INVENTORY
    return None


def _deadline_passed(state: NumberState, now: datetime) -> bool:
    return (
        state.status == OwnershipStatus.PENDING_CONFIRMATION
        and state.confirm_by is not None
        and state.confirm_by <= now
    )


def _reverification_due(state: NumberState, now: datetime, policy: Policy) -> bool:
    if policy.reverify_after is None:
        return False
    return state.established_at + policy.reverify_after <= now


def _removed(outcome: Outcome, reason: RemovalReason) -> Decision:
    return Decision(
        outcome,
        OwnershipStatus.REMOVED,
        None,
        None,
        removal_reason=reason,
        notice=Notice.REMOVED,
    )


def _pending(
    outcome: Outcome,
    reason: FlagReason,
    now: datetime,
    policy: Policy,
    new_baseline: str | None,
) -> Decision:
    return Decision(
        outcome,
        OwnershipStatus.PENDING_CONFIRMATION,
        reason,
        now + policy.confirm_window,
        baseline_carrier=new_baseline,
        notice=Notice.FLAGGED,
    )


def _keep(state: NumberState, outcome: Outcome, new_baseline: str | None) -> Decision:
    return Decision(
        outcome,
        state.status,
        state.flag_reason,
        state.confirm_by,
        baseline_carrier=new_baseline,
    )
