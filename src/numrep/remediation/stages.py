"""Workflow names and ids of the remediation stages, and their scheduling.

Each stage is one short DBOS workflow with a deterministic id, enqueued in the
same transaction as the state change that calls for it. Waits between polls are
delayed enqueues, never sleeping workflows.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from numrep.worker import jobs

QUEUE = "remediation"
SCREEN = "remediation.screen"
ESCALATE = "remediation.escalate"
COLLECT = "remediation.collect"


def schedule_screening(session: Session, request_id: uuid.UUID) -> None:
    jobs.enqueue(
        session,
        queue=QUEUE,
        workflow=SCREEN,
        workflow_id=f"{request_id}:screen",
        args=[str(request_id)],
    )


def schedule_escalation(session: Session, request_id: uuid.UUID) -> None:
    jobs.enqueue(
        session,
        queue=QUEUE,
        workflow=ESCALATE,
        workflow_id=f"{request_id}:escalate",
        args=[str(request_id)],
    )


def schedule_collect(
    session: Session,
    request_id: uuid.UUID,
    *,
    tier: int,
    round_number: int,
    delay_seconds: float,
) -> None:
    """Poll the open cases of ``tier`` again after ``delay_seconds``."""
    jobs.enqueue(
        session,
        queue=QUEUE,
        workflow=COLLECT,
        workflow_id=f"{request_id}:t{tier}:collect:{round_number}",
        args=[str(request_id), tier, round_number],
        delay_seconds=delay_seconds,
    )
