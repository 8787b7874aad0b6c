"""The check decision table, without a database: transitions between flags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from numrep.ownership.carrier import CarrierRecord
from numrep.ownership.decide import NumberState, Policy, decide

NOW = datetime(2026, 12, 4, 6, 0, tzinfo=UTC)
POLICY = Policy(confirm_window=timedelta(days=3), reverify_after=timedelta(days=365))
SAME = CarrierRecord("S001", "Sandbox Carrier One")
MOVED = CarrierRecord("S002", "Sandbox Carrier Two")
GONE = CarrierRecord("S001", "Sandbox Carrier One", disconnected=True)


def _state(
    status: str = "verified",
    flag_reason: str | None = None,
    confirm_by: datetime | None = None,
    *,
    source: str = "external",
    in_inventory: bool = False,
) -> NumberState:
    return NumberState(
        status=status,
        flag_reason=flag_reason,
        confirm_by=confirm_by,
        baseline_carrier="S001",
        established_at=NOW - timedelta(days=10),
        source=source,
        in_inventory=in_inventory,
    )


LATER = NOW + timedelta(days=1)
EARLIER = NOW - timedelta(seconds=1)


@pytest.mark.parametrize(
    ("state", "record", "outcome", "status", "flag_reason"),
    [
        (_state(), SAME, "unchanged", "verified", None),
        (_state(), None, "lookup_failed", "verified", None),
        (_state(), MOVED, "carrier_changed", "pending_confirmation", "carrier_changed"),
        (_state(), GONE, "disconnected", "removed", None),
        (
            _state(source="telnyx", in_inventory=True),
            SAME,
            "unchanged",
            "verified",
            None,
        ),
        (
            _state(source="telnyx", in_inventory=False),
            None,
            "left_inventory",
            "pending_confirmation",
            "carrier_changed",
        ),
        (
            _state("pending_confirmation", "reverification_due", LATER),
            MOVED,
            "carrier_changed",
            "pending_confirmation",
            "carrier_changed",
        ),
        (
            _state("pending_confirmation", "carrier_changed", LATER),
            MOVED,
            "awaiting_confirmation",
            "pending_confirmation",
            "carrier_changed",
        ),
        (
            _state("pending_confirmation", "carrier_changed", EARLIER),
            MOVED,
            "confirmation_deadline_passed",
            "removed",
            None,
        ),
        (
            _state("pending_confirmation", "reverification_due", EARLIER),
            SAME,
            "reverification_unanswered",
            "flagged",
            "reverification_due",
        ),
        (
            _state("flagged", "reverification_due"),
            SAME,
            "awaiting_confirmation",
            "flagged",
            "reverification_due",
        ),
        (
            _state("flagged", "reverification_due"),
            MOVED,
            "carrier_changed",
            "pending_confirmation",
            "carrier_changed",
        ),
        (
            _state("pending_confirmation", "carrier_changed", LATER),
            GONE,
            "disconnected",
            "removed",
            None,
        ),
    ],
)
def test_decide_transition(
    state: NumberState,
    record: CarrierRecord | None,
    outcome: str,
    status: str,
    flag_reason: str | None,
) -> None:
    decision = decide(state, record, NOW, POLICY)
    assert decision.outcome == outcome
    assert decision.status == status
    assert decision.flag_reason == flag_reason
    if status == "pending_confirmation" and state.status == "verified":
        assert decision.confirm_by == NOW + timedelta(days=3)
    if status != "pending_confirmation":
        assert decision.confirm_by is None


def test_decide_keeps_deadline_of_open_question() -> None:
    state = _state("pending_confirmation", "carrier_changed", LATER)
    assert decide(state, MOVED, NOW, POLICY).confirm_by == LATER
