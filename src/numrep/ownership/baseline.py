"""The carrier baseline of newly registered numbers.

Registration writes the ``added`` events and enqueues the lookup in its own
transaction, so a slow or failing carrier source never delays or fails an
association. Numbers missing from the lookup's result get their baseline at
their first periodic check.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
import structlog
from sqlalchemy.orm import Session

from numrep.ownership import history
from numrep.ownership.carrier import CarrierLookup, CarrierLookupError
from numrep.ownership.history import HistoryEntry
from numrep.ownership.models import HistoryEvent
from numrep.reputation.models import ReputationNumber
from numrep.worker import jobs

log = structlog.get_logger(__name__)

BASELINE_WORKFLOW = "ownership.record_baseline"
OUTCOME_REGISTERED = "registered"


def record_baseline(
    session: Session, rows: Sequence[ReputationNumber], now: datetime
) -> None:
    """Write an ``added`` event per row and enqueue the baseline carrier lookup."""
    if not rows:
        return
    history.record(
        session,
        [
            HistoryEntry(row.id, HistoryEvent.ADDED, OUTCOME_REGISTERED, now)
            for row in rows
        ],
    )
    jobs.enqueue(
        session,
        queue="monitoring",
        workflow=BASELINE_WORKFLOW,
        workflow_id=f"ownership-baseline:{rows[0].id}",
        args=[[str(row.id) for row in rows]],
    )


def establish_baselines(
    session: Session,
    lookup: CarrierLookup,
    *,
    number_ids: Sequence[uuid.UUID],
    now: datetime,
) -> int:
    """Store the current carrier as baseline of numbers that have none yet.

    Returns how many baselines were written. A failed lookup is logged and
    writes nothing, so the first periodic check records the baselines instead.
    """
    targets = session.execute(
        sa.select(ReputationNumber.id, ReputationNumber.phone_number).where(
            ReputationNumber.id.in_(list(number_ids)),
            ReputationNumber.removed_at.is_(None),
            ReputationNumber.baseline_carrier.is_(None),
        )
    ).all()
    if not targets:
        return 0
    try:
        found = lookup.lookup([phone for _, phone in targets])
    except CarrierLookupError as error:
        log.warning(
            "ownership.baseline_lookup_failed", numbers=len(targets), error=str(error)
        )
        return 0
    updates = [
        {
            "id": number_id,
            "baseline_carrier": found[phone].spid,
            "observed_carrier": found[phone].spid,
            "baseline_recorded_at": now,
        }
        for number_id, phone in targets
        if phone in found
    ]
    if updates:
        session.execute(sa.update(ReputationNumber), updates)
    return len(updates)
