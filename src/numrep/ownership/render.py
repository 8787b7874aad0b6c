"""Response shapes of the ownership endpoints, as the Telnyx SDK reads them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from numrep.core.clock import isoformat
from numrep.ownership.models import OwnershipHistory, SandboxCarrierEvent
from numrep.reputation.models import ReputationNumber


def render_ownership(
    number: ReputationNumber, events: Sequence[OwnershipHistory]
) -> dict[str, Any]:
    return {
        "phone_number": number.phone_number,
        "source": number.source,
        "ownership_status": number.ownership_status,
        "last_checked_at": isoformat(number.ownership_checked_at),
        "baseline_carrier": number.baseline_carrier,
        "baseline_recorded_at": isoformat(number.baseline_recorded_at),
        "confirm_by": isoformat(number.confirm_by),
        "flag_reason": number.flag_reason,
        "history": [
            {
                "event_type": event.event_type,
                "occurred_at": isoformat(event.occurred_at),
                "outcome": event.outcome,
            }
            for event in events
        ],
    }


def render_carrier_event(event: SandboxCarrierEvent) -> dict[str, Any]:
    return {
        "id": str(event.id),
        "record_type": "sandbox_carrier_event",
        "phone_number": event.phone_number,
        "kind": event.kind,
        "spid": event.spid,
        "effective_at": isoformat(event.effective_at),
        "created_at": isoformat(event.created_at),
    }
