"""The monitoring sweep: hand numbers that are due for a check to refreshes.

The sweep claims what it hands out by moving ``next_check_at`` forward by
``schedule.CLAIM_SECONDS``, so the next sweep does not pick the same numbers
while a slow refresh is still running; a successful refresh then sets the real
next check. Refresh workflow ids derive from the batch's numbers and their due
times, so a sweep that runs twice (a DBOS recovery) enqueues nothing new.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import structlog
from sqlalchemy.orm import Session

from numrep.reputation import schedule
from numrep.reputation.models import (
    CheckFrequency,
    ReputationNumber,
    ReputationSettings,
)
from numrep.reputation.numbers import REFRESH_WORKFLOW
from numrep.worker import jobs

log = structlog.get_logger(__name__)

BATCH_SIZE = 100
# Numbers claimed per sweep; the rest wait for the next one.
MAX_PER_SWEEP = 10_000


@dataclass(frozen=True, slots=True)
class DueBatch:
    enterprise_id: uuid.UUID
    number_ids: list[uuid.UUID]
    workflow_id: str


def sweep_due_numbers(
    session: Session, *, now: datetime, limit: int = MAX_PER_SWEEP
) -> list[DueBatch]:
    """Claim the numbers due by ``now`` and enqueue refreshes of 100 each."""
    due = _claim(session, now=now, limit=limit)
    batches = _batches(due)
    for batch in batches:
        jobs.enqueue(
            session,
            queue="networks",
            workflow=REFRESH_WORKFLOW,
            workflow_id=batch.workflow_id,
            args=[[str(number_id) for number_id in batch.number_ids]],
        )
    if batches:
        log.info(
            "reputation.monitoring_swept",
            numbers=len(due),
            batches=len(batches),
        )
    return batches


def _claim(
    session: Session, *, now: datetime, limit: int
) -> list[tuple[uuid.UUID, uuid.UUID, datetime]]:
    query = (
        sa.select(ReputationNumber)
        .join(
            ReputationSettings,
            sa.and_(
                ReputationSettings.enterprise_id == ReputationNumber.enterprise_id,
                ReputationSettings.closed_at.is_(None),
            ),
        )
        .where(
            ReputationNumber.removed_at.is_(None),
            ReputationNumber.next_check_at <= now,
            ReputationSettings.check_frequency != CheckFrequency.NEVER,
        )
        .order_by(ReputationNumber.next_check_at, ReputationNumber.id)
        .limit(limit)
        # Two sweeps on PostgreSQL split the work instead of both taking it.
        .with_for_update(of=ReputationNumber, skip_locked=True)
    )
    claimed_until = schedule.claim_until(now)
    due = []
    for number in session.scalars(query):
        due_at = number.next_check_at or now
        due.append((number.enterprise_id, number.id, due_at))
        number.next_check_at = claimed_until
    session.flush()
    return due


def _batches(due: Sequence[tuple[uuid.UUID, uuid.UUID, datetime]]) -> list[DueBatch]:
    by_enterprise: dict[uuid.UUID, list[tuple[uuid.UUID, datetime]]] = {}
    for enterprise_id, number_id, due_at in due:
        by_enterprise.setdefault(enterprise_id, []).append((number_id, due_at))
    batches = []
    for enterprise_id, entries in by_enterprise.items():
        for start in range(0, len(entries), BATCH_SIZE):
            chunk = entries[start : start + BATCH_SIZE]
            batches.append(
                DueBatch(
                    enterprise_id=enterprise_id,
                    number_ids=[number_id for number_id, _ in chunk],
                    workflow_id=_workflow_id(enterprise_id, chunk),
                )
            )
    return batches


def _workflow_id(
    enterprise_id: uuid.UUID, chunk: Sequence[tuple[uuid.UUID, datetime]]
) -> str:
    digest = hashlib.sha256()
    for number_id, due_at in chunk:
        digest.update(f"{number_id}@{due_at.isoformat()};".encode())
    return f"reputation-monitor:{enterprise_id}:{digest.hexdigest()[:32]}"
