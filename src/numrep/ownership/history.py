"""Writing and reading the ownership history of registered numbers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from numrep.ownership.models import HistoryEvent, OwnershipHistory

# The ownership detail lists this many events; older ones stay in the table.
MAX_LISTED_EVENTS = 100


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    number_id: uuid.UUID
    event_type: HistoryEvent
    outcome: str
    occurred_at: datetime
    document_id: uuid.UUID | None = None


def record(session: Session, entries: Sequence[HistoryEntry]) -> None:
    """Insert ``entries`` with one statement, in the order given."""
    if not entries:
        return
    session.execute(
        sa.insert(OwnershipHistory),
        [
            {
                "number_id": entry.number_id,
                "event_type": entry.event_type.value,
                "outcome": entry.outcome,
                "occurred_at": entry.occurred_at,
                "document_id": entry.document_id,
            }
            for entry in entries
        ],
    )


def record_removed(
    session: Session, number_ids: Sequence[uuid.UUID], reason: str, now: datetime
) -> None:
    """Insert one ``removed`` event with ``reason`` as outcome per number."""
    record(
        session,
        [
            HistoryEntry(number_id, HistoryEvent.REMOVED, reason, now)
            for number_id in number_ids
        ],
    )


def recent(
    session: Session, number_id: uuid.UUID, *, limit: int = MAX_LISTED_EVENTS
) -> list[OwnershipHistory]:
    """Return the number's latest events, most recent first."""
    return list(
        session.scalars(
            sa.select(OwnershipHistory)
            .where(OwnershipHistory.number_id == number_id)
            .order_by(OwnershipHistory.occurred_at.desc(), OwnershipHistory.id.desc())
            .limit(limit)
        )
    )
