"""Running one delivery attempt end to end, and the sweep for lost messages.

An attempt reads the event, signs and posts the body with no database
transaction open, then records the outcome in a second transaction, so a slow
receiver never holds a database lock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from numrep.core.clock import utcnow
from numrep.core.db import Database
from numrep.settings import Settings
from numrep.webhook import service
from numrep.webhook.sender import Sender, SendResult
from numrep.webhook.signing import signature_headers, signing_key
from numrep.worker import jobs

log = structlog.get_logger(__name__)

# A pending event this long past its due time is checked for a lost message.
SWEEP_GRACE = timedelta(minutes=1)
SWEEP_BATCH_SIZE = 500
# DBOS states in which a workflow will not run again unless it is resumed.
STOPPED_STATES = frozenset({"ERROR", "CANCELLED", "MAX_RECOVERY_ATTEMPTS_EXCEEDED"})


@dataclass(frozen=True, slots=True)
class SentAttempt:
    url: str
    result: SendResult


class Deliverer:
    """The signing key, the HTTP sender and the database of one process."""

    def __init__(
        self, db: Database, settings: Settings, *, sender: Sender | None = None
    ) -> None:
        self.db = db
        self.settings = settings
        self.sender = sender or Sender(
            allow_private=settings.webhook_allow_private_targets
        )
        self.key = signing_key(settings)

    def send(self, event_id: uuid.UUID, attempt: int) -> SentAttempt | None:
        """Sign and post ``attempt``, or return None if it is not the next one."""
        with self.db.unit_of_work(write=False) as session:
            prepared = service.prepare_attempt(
                session, event_id=event_id, attempt=attempt
            )
        if prepared is None:
            return None
        headers = signature_headers(self.key, prepared.body)
        result = self.sender.send(prepared.url, prepared.body, headers)
        return SentAttempt(prepared.url, result)

    def record(self, event_id: uuid.UUID, attempt: int, sent: SentAttempt) -> None:
        with self.db.unit_of_work() as session:
            service.record_attempt(
                session,
                event_id=event_id,
                attempt=attempt,
                url=sent.url,
                result=sent.result,
                retry_scale=self.settings.webhook_retry_scale,
            )

    def run(self, event_id: uuid.UUID, attempt: int) -> SendResult | None:
        """Send and record ``attempt`` in this thread and return the outcome."""
        sent = self.send(event_id, attempt)
        if sent is None:
            return None
        self.record(event_id, attempt, sent)
        return sent.result

    def close(self) -> None:
        self.sender.close()


@dataclass(frozen=True, slots=True)
class SweepReport:
    overdue: int
    requeued: int
    resumed: int


def sweep_overdue(db: Database, *, now: datetime | None = None) -> SweepReport:
    """Re-enqueue overdue attempts whose message is gone; resume stopped ones.

    An attempt whose workflow is still enqueued, delayed or running is left
    alone: it is late because the queue is busy, not lost.
    """
    due_before = (now or utcnow()) - SWEEP_GRACE
    with db.unit_of_work(write=False) as session:
        overdue = service.overdue_attempts(
            session, due_before=due_before, limit=SWEEP_BATCH_SIZE
        )
        ids = [service.workflow_id(event_id, attempt) for event_id, attempt in overdue]
        statuses = jobs.workflow_statuses(session, ids)
    lost = [item for item in overdue if service.workflow_id(*item) not in statuses]
    stopped = [wid for wid in ids if statuses.get(wid) in STOPPED_STATES]
    requeued = 0
    if lost:
        with db.unit_of_work() as session:
            for event_id, attempt in lost:
                if service.requeue_attempt(session, event_id=event_id, attempt=attempt):
                    requeued += 1
    if stopped:
        with db.unit_of_work(write=False) as session:
            jobs.resume_workflows(session, stopped, queue=service.QUEUE)
        log.warning("webhook.attempts_resumed", workflow_ids=stopped)
    report = SweepReport(len(overdue), requeued, len(stopped))
    if overdue:
        log.info(
            "webhook.sweep_finished",
            overdue=report.overdue,
            requeued=report.requeued,
            resumed=report.resumed,
        )
    return report
